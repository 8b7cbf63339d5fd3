"""Privacy rights: export of everything held, erasure by key destruction, and retention purge."""

import datetime as dt
import json
import os

import pytest
import sqlalchemy as sa

from refcheck import create_app, crypto
from refcheck.extensions import db
from refcheck.models import (
    AuditEvent,
    Candidate,
    Case,
    Consent,
    DataKey,
    KeyShare,
    OutboxMessage,
    Referee,
    Report,
    Response,
    utcnow,
)

from .conftest import (
    OTHER_CANDIDATE,
    PG_URL,
    attest_referee,
    consent,
    csrf_from,
    enter_portal,
    enter_referee,
    full_answers,
    send_case,
)
from .test_report import INJECTION, released  # noqa: F401 - the fixture is used by name


def _count(app, model, **where):
    with app.app_context():
        query = sa.select(sa.func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return db.session.execute(query).scalar_one()


def test_candidate_downloads_everything_held_about_them(app, client, released, sent_case):  # noqa: F811
    page = client.get("/portal/my-data")
    assert page.status_code == 200
    html = page.data.decode()
    assert "Amira Okafor" in html and sent_case.email in html
    assert "Grace Lindqvist" in html  # the referees she named herself
    # Answers as the report shows them, by relationship, and markup stays literal text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Staff working notes" in html

    download = client.get("/portal/my-data.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    data = json.loads(download.data)
    assert data["format"] == "refcheck-export-v1"
    assert data["you"] == {"name": "Amira Okafor", "email": sent_case.email}
    assert data["consents"][0]["typed_signature"] == "Amira Okafor"
    assert {r["name"] for r in data["referees_you_named"]} == {"Grace Lindqvist", "Peer 1"}
    assert data["work_history"][0]["employer"] == "Northwind Analytics Ltd"
    answers = [a for row in data["referee_answers"] for a in row["answers"].values()]
    assert INJECTION in answers
    labels = {label for row in data["referee_answers"] for label in row["answers"]}
    assert labels and not any("Grace" in label or "Peer 1" in label for label in labels)
    assert any(f["your_reply"] for f in data["findings"])
    assert data["reports"][0]["version"] == 1 and data["reports"][0]["released_at"]
    assert {e["by"] for e in data["history"]} <= {"staff", "you", "a referee", "system"}
    assert "Dana" not in download.data.decode()  # staff appear by role only
    with app.app_context():
        formats = db.session.execute(
            sa.select(AuditEvent.details).where(AuditEvent.action == "data.exported")
        ).scalars().all()
    assert sorted(d["format"] for d in formats) == ["html", "json"]


def test_export_before_release_holds_back_referees_answers(app, client, invited, sent_case):
    browser = enter_referee(app, invited["Grace Lindqvist"])
    html = attest_referee(browser).data.decode()
    data = full_answers(html)
    data[next(k for k, v in data.items() if v == "Built the data platform.")] = "Ran the nightly loads."
    assert browser.post("/referee", data=data).status_code == 303
    body = client.get("/portal/my-data.json").data.decode()
    exported = json.loads(body)
    assert exported["referee_answers"] is None
    assert "once it is released" in exported["referee_answers_note"]
    assert "Ran the nightly loads." not in body
    states = {r["name"]: r["state"] for r in exported["referees_you_named"]}
    assert states == {"Grace Lindqvist": "submitted", "Peer 1": "invited"}


def test_export_command_prints_the_same_json(app, runner, released, sent_case):  # noqa: F811
    result = runner.invoke(args=["export", str(sent_case.id)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["you"]["email"] == sent_case.email and data["case"]["state"] == "released"
    missing = runner.invoke(args=["export", "99999"])
    assert missing.exit_code != 0 and "no case 99999" in missing.output


def test_an_export_link_reaches_only_the_signed_in_case(app, staff, released, sent_case):  # noqa: F811
    other = send_case(app, staff, OTHER_CANDIDATE)
    stranger = app.test_client()
    assert stranger.get("/portal/my-data.json").status_code == 401
    enter_portal(stranger, other)
    data = json.loads(stranger.get("/portal/my-data.json").data)
    assert data["you"]["name"] == OTHER_CANDIDATE[0]
    assert sent_case.email not in json.dumps(data)


def _snapshot(app, case_id):
    """Read what a backup would hold for a case: its wrapped key and a sealed name."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        key = case.data_key
        return {"key_id": key.id, "version": key.master_version, "wrapped": bytes(key.wrapped),
                "candidate_id": case.candidate_id, "name_enc": bytes(case.candidate.name_enc)}


def test_erasure_after_release_destroys_the_key_and_every_row(app, client, released, sent_case,  # noqa: F811
                                                              tmp_path):
    backup = _snapshot(app, sent_case.id)
    db_copy = tmp_path / "backup.sqlite"
    if not PG_URL:
        with app.app_context():
            with db.engine.connect() as conn:  # a consistent copy, as `sqlite3 .backup` makes
                conn.exec_driver_sql(f"VACUUM INTO '{db_copy}'")

    page = client.get("/portal/erase")
    assert page.status_code == 200 and "cannot be undone" in page.data.decode()
    unconfirmed = client.post("/portal/erase", data={"csrf_token": csrf_from(page.data)})
    assert unconfirmed.status_code == 422
    assert _count(app, Case, id=sent_case.id) == 1
    done = client.post("/portal/erase", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    assert done.status_code == 200 and "Your data is erased" in done.data.decode()

    # Every row of the case is gone; only the audit log says it happened.
    assert _count(app, Case, id=sent_case.id) == 0
    assert _count(app, Referee, case_id=sent_case.id) == 0
    assert _count(app, Consent, case_id=sent_case.id) == 0
    assert _count(app, Report, case_id=sent_case.id) == 0
    assert _count(app, Candidate, id=backup["candidate_id"]) == 0
    assert _count(app, DataKey, id=backup["key_id"]) == 0
    assert _count(app, KeyShare, id=backup["key_id"]) == 0
    assert _count(app, Response) == 0 and _count(app, OutboxMessage) == 0
    with app.app_context():
        erased = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "case.erased")).scalar_one()
        assert erased.case_id == sent_case.id and erased.details["reason"] == "candidate_request"
        assert "Amira" not in json.dumps(erased.details)
        from refcheck import audit
        assert audit.verify_chain(audit.stream_events()).intact
        # The backup's wrapped key does not open with the master key alone.
        ring = app.extensions["refcheck.keyring"]
        with pytest.raises(crypto.CryptoError):
            ring.unwrap(backup["version"], backup["wrapped"], backup["key_id"])
    # The session and the old pages are gone with the data.
    assert client.get("/portal").status_code == 401
    assert client.get("/portal/report.pdf").status_code == 401

    if not PG_URL:
        # The whole database copied before the erasure, opened with today's keys and key store.
        restored = create_app({"INSTANCE_PATH": app.instance_path, "TESTING": True,
                               "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_copy}",
                               "KEYSTORE_URL": app.config["KEYSTORE_URL"]})
        with restored.app_context():
            candidate = db.session.get(Candidate, backup["candidate_id"])
            assert bytes(candidate.name_enc) == backup["name_enc"]  # the row is in the backup...
            with pytest.raises(crypto.KeyDestroyed):
                candidate.name  # noqa: B018 - ...but cannot be read any more


def test_erasure_is_refused_while_the_check_runs(app, client, invited, sent_case):
    page = client.get("/portal/erase")
    assert page.status_code == 409 and "once the check has ended" in page.data.decode()
    refused = client.post("/portal/erase", data={"csrf_token": csrf_from(client.get("/portal").data),
                                                 "confirm": "y"})
    assert refused.status_code == 409
    assert _count(app, Case, id=sent_case.id) == 1 and _count(app, Referee, case_id=sent_case.id) == 2


def test_a_withdrawn_candidate_can_erase_at_once(app, client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    page = client.get("/portal/withdraw")
    client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        assert case.state == "withdrawn"
        # The consented 180 days run from the withdrawal.
        assert abs(case.erase_after - (utcnow() + dt.timedelta(days=180))) < dt.timedelta(minutes=5)
    home = client.get("/portal").data.decode()
    assert "Erase my data now" in home
    page = client.get("/portal/erase")
    client.post("/portal/erase", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    assert _count(app, Case, id=sent_case.id) == 0


def _close(app, case_id, state, days_ago):
    """End a case as if it ended some days ago, through the lifecycle's own move."""
    from refcheck import cases

    with app.app_context():
        case = db.session.get(Case, case_id)
        cases.move(case, state, utcnow() - dt.timedelta(days=days_ago))
        db.session.commit()


def test_retention_purge_erases_only_cases_past_their_date(app, runner, staff, sent_case):
    other = send_case(app, staff, OTHER_CANDIDATE)
    _close(app, sent_case.id, "cancelled", days_ago=181)  # retention of 180 days has run out
    _close(app, other.id, "cancelled", days_ago=10)

    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Would erase RC-{sent_case.id:05d}" in dry.output and "1 cases would be erased" in dry.output
    assert f"RC-{other.id:05d}" not in dry.output
    assert _count(app, Case, id=sent_case.id) == 1

    purge = runner.invoke(args=["retention", "purge"])
    assert purge.exit_code == 0, purge.output
    assert f"Erased RC-{sent_case.id:05d}" in purge.output and "1 cases erased" in purge.output
    assert _count(app, Case, id=sent_case.id) == 0 and _count(app, Case, id=other.id) == 1
    with app.app_context():
        reasons = db.session.execute(
            sa.select(AuditEvent.details).where(AuditEvent.action == "case.erased")).scalars().all()
    assert [r["reason"] for r in reasons] == ["retention_ended"]

    later = (utcnow() + dt.timedelta(days=171)).isoformat(timespec="seconds").replace("+00:00", "")
    assert f"Erased RC-{other.id:05d}" in runner.invoke(args=["retention", "purge", "--now", later]).output


def test_purge_leaves_running_cases_alone_whatever_their_age(app, runner, staff, sent_case):
    far = (utcnow() + dt.timedelta(days=3650)).isoformat(timespec="seconds").replace("+00:00", "")
    result = runner.invoke(args=["retention", "purge", "--now", far])
    assert "0 cases erased" in result.output and _count(app, Case, id=sent_case.id) == 1


def test_erasing_one_case_leaves_the_others_readable(app, staff, sent_case, runner):
    other = send_case(app, staff, OTHER_CANDIDATE)
    _close(app, sent_case.id, "cancelled", days_ago=400)
    assert "1 cases erased" in runner.invoke(args=["retention", "purge"]).output
    with app.app_context():
        assert db.session.get(Case, other.id).candidate.name == OTHER_CANDIDATE[0]
        assert db.session.get(Case, other.id).candidate.email == OTHER_CANDIDATE[1]


@pytest.mark.skipif(bool(PG_URL), reason="runs the commands on a fresh SQLite instance, as a newcomer does")
def test_a_fresh_process_seeds_the_demo_and_runs_the_privacy_commands(tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "REFCHECK_INSTANCE_PATH": str(tmp_path / "instance"),
           "REFCHECK_BASE_URL": "http://127.0.0.1:5000"}
    env.pop("REFCHECK_TEST_DATABASE_URL", None)

    def flask(*args):
        return subprocess.run([sys.executable, "-m", "flask", "--app", "refcheck", *args], env=env,
                              capture_output=True, text=True, timeout=300)

    demo = flask("demo", "--json")
    assert demo.returncode == 0, demo.stderr[-2000:]
    released_id = json.loads(demo.stdout.strip().splitlines()[-1])["released_case_id"]
    exported = flask("export", str(released_id))
    assert exported.returncode == 0 and json.loads(exported.stdout)["case"]["state"] == "released"
    status = flask("keys", "status", "--json")
    assert json.loads(status.stdout)["data_keys_by_version"] == {"1": 4}
    assert "0 cases would be erased" in flask("retention", "purge", "--dry-run").stdout
    assert (tmp_path / "instance" / "keystore.sqlite").exists()
