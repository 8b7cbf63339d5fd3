"""Several app processes write to the database at once: no "database is locked" and no lost answer."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import Referee, Response

from ..conftest import csrf_from, full_answers
from .conftest import HttpBrowser, invite_referees, sqlite_only


def _referee_journey(base: str, path: str, start: threading.Barrier) -> list[tuple[str, int, str]]:
    """Open the link (twice, as from two tabs), attest and answer over HTTP; return every response."""
    browser = HttpBrowser(base)
    seen = []

    def step(label, status_body):
        seen.append((label, *status_body))
        return status_body[1]

    start.wait(timeout=60)
    try:
        for tab in (1, 2):
            page = step(f"open link {tab}", browser.get(path))
            step(f"use link {tab}", browser.post(path, {"csrf_token": csrf_from(page)}))
        page = step("attest page", browser.get("/referee"))
        step("attest", browser.post("/referee/attest", {"csrf_token": csrf_from(page), "identity": "y",
                                                        "truthful": "y"}))
        page = step("questions", browser.get("/referee"))
        step("answer", browser.post("/referee", full_answers(page)))
    except AssertionError:
        pass  # a page without its form: the step before it failed, and is in `seen`
    return seen


@sqlite_only
def test_sqlite_with_four_writer_processes_shows_no_user_a_locked_database(app, staff, served, runner):
    links = [link for case_no in (1, 2) for link in invite_referees(app, staff, case_no)]
    assert len(links) == 8
    start = threading.Barrier(len(links))
    with ThreadPoolExecutor(len(links)) as pool:
        journeys = list(pool.map(lambda link: _referee_journey(served.base, link, start), links))

    responses = [step for journey in journeys for step in journey]
    failed = [(label, status) for label, status, body in responses if status not in (200, 303)]
    assert failed == []
    assert len(responses) == 8 * 8
    assert not [label for label, _, body in responses if re.search("database is locked", body, re.I)]
    assert [status for label, status, _ in responses if label == "answer"] == [303] * 8
    log = served.log_text()
    assert "database is locked" not in log and "Traceback" not in log
    # The writes really came from several processes at once.
    assert len(set(re.findall(r"^<(\d+)> POST ", log, re.M))) >= 2

    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one() == 8
        assert set(db.session.execute(sa.select(Referee.state)).scalars()) == {"submitted"}
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit chain intact" in result.output
