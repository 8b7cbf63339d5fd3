"""The raw database file holds none of the personal data that passed through it."""

import json
import os
from pathlib import Path

import pytest

from refcheck import create_app

from .conftest import PG_URL, csrf_from


@pytest.mark.skipif(bool(PG_URL), reason="reads the SQLite file itself")
def test_raw_sqlite_file_holds_no_demo_personal_data(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": False,
                      "BASE_URL": "http://127.0.0.1:5000"})
    result = app.test_cli_runner().invoke(args=["demo", "--json"])
    assert result.exit_code == 0, result.output
    demo = json.loads(result.output.strip().splitlines()[-1])
    for key in ("case_id", "staff_email", "staff_password", "candidate_name", "candidate_email",
                "candidate_url", "referee_urls", "consent_url", "review_case_id", "released_case_id"):
        assert demo[key]
    assert len(demo["referee_urls"]) == 1

    # The candidate signs, which adds a typed name, an IP address and a browser to the database.
    client = app.test_client()
    path = demo["consent_url"].removeprefix("http://127.0.0.1:5000")
    page = client.get(path)
    client.post(path, data={"csrf_token": csrf_from(page.data)})
    page = client.get("/portal")
    client.post("/portal/consent", data={"csrf_token": csrf_from(page.data),
                                         "signature": demo["consent_candidate_name"], "agree": "y"},
                environ_base={"REMOTE_ADDR": "203.0.113.77"},
                headers={"User-Agent": "DistinctiveBrowser/9.9"})
    with app.app_context():
        from refcheck.extensions import db

        db.session.remove()
        db.engine.dispose()

    raw = b"".join(p.read_bytes() for p in instance.glob("refcheck.sqlite*"))
    assert len(raw) > 10_000
    from refcheck.demo import FRESH_CANDIDATE, STORIES

    tokens = [url.rsplit("/", 1)[1] for url in (demo["candidate_url"], demo["consent_url"],
                                                 *demo["referee_urls"])]
    secrets_in_clear = [demo["candidate_name"], demo["candidate_email"], "Amira", "Okafor",
                        "candidate.example", *FRESH_CANDIDATE, *tokens, "203.0.113.77",
                        "DistinctiveBrowser", demo["staff_password"], "%PDF",
                        "was promoted to Senior Data Engineer in", "moved to the payments team",
                        "The manager confirms the promotion"]
    # A job title that is part of a position, such as "Data Engineer", is not personal and stays readable.
    positions = [story.position for story in STORIES]
    for story in STORIES:
        secrets_in_clear += [story.name, story.email]
        for job in story.jobs:
            secrets_in_clear += [job.employer, *([job.responsibilities] if job.responsibilities else [])]
        for person in story.referees:
            secrets_in_clear += [person.name, person.email, person.email.partition("@")[2]]
            secrets_in_clear += [words.partition("{")[0] for words in person.words.values() if words]
            if not any(person.title in position for position in positions):
                secrets_in_clear.append(person.title)
    for value in secrets_in_clear:
        for encoded in (value.encode(), value.encode("utf-16-le")):
            assert encoded not in raw, f"{value!r} is in the database file in clear"
    # The keys live apart from the data, readable by their owner only.
    assert (Path(instance) / "keys.json").stat().st_mode & 0o777 == 0o600
    assert (Path(instance) / "secret_key").stat().st_mode & 0o777 == 0o600
    assert os.path.getsize(Path(instance) / "keys.json") > 0
