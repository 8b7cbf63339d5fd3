"""Privacy rights: export of everything held, erasure by key destruction, and retention purge."""

import datetime as dt
import json
import os

import pytest
import sqlalchemy as sa

from refcheck import create_app, crypto
from refcheck.api_models import CheckEvent
from refcheck.commands import Actor
from refcheck.extensions import db
from refcheck.models import (
    AuditEvent,
    Candidate,
    Case,
    Consent,
    DataKey,
    ExperienceAnswer,
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
    assert data["you"] == {"name": "Amira Okafor", "email": sent_case.email, "language": "en"}
    assert data["consents"][0]["typed_signature"] == "Amira Okafor"
    # The language she read the scope and agreed in.
    assert data["consents"][0]["language"] == "en"
    assert {r["name"] for r in data["referees_you_named"]} == {"Grace Lindqvist", "Peer 1"}
    assert data["work_history"][0]["employer"] == "Northwind Analytics Ltd"
    answers = [a for row in data["referee_answers"] for a in row["answers"].values()]
    assert any(INJECTION in answer for answer in answers)  # grouped answers are one text, a line each
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
    assert _count(app, Response) == 0 and _count(app, OutboxMessage, case_id=sent_case.id) == 0
    with app.app_context():
        erased = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "case.erased")).scalar_one()
        assert erased.case_id == sent_case.id and erased.details["reason"] == "candidate_request"
        assert "Amira" not in json.dumps(erased.details)
        from refcheck import audit
        assert audit.verify_chain(audit.stream_events()).intact
        # Restore the backed-up key and candidate rows: the share is gone, so they cannot be read.
        db.session.add(DataKey(id=backup["key_id"], master_version=backup["version"],
                               wrapped=backup["wrapped"], split=True))
        db.session.add(Candidate(id=backup["candidate_id"], data_key_id=backup["key_id"],
                                 name_enc=backup["name_enc"], email_enc=backup["name_enc"], email_hash="x"))
        db.session.commit()
        restored_row = db.session.get(Candidate, backup["candidate_id"])
        with pytest.raises(crypto.KeyDestroyed):
            restored_row.name  # noqa: B018
        db.session.execute(sa.delete(Candidate).where(Candidate.id == backup["candidate_id"]))
        db.session.execute(sa.delete(DataKey).where(DataKey.id == backup["key_id"]))
        db.session.commit()
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


def test_purge_erases_unanswered_cases_but_leaves_running_ones_alone(app, runner, staff, sent_case, client):
    running = send_case(app, staff, OTHER_CANDIDATE)
    enter_portal(client, running)
    consent(client)
    soon = (utcnow() + dt.timedelta(days=40)).isoformat(timespec="seconds")
    listed = runner.invoke(args=["retention", "purge", "--dry-run", "--now", soon]).output
    assert "0 cases would be erased" in listed  # the link (14 days) and 30 more have not run out
    later = (utcnow() + dt.timedelta(days=45)).isoformat(timespec="seconds")
    listed = runner.invoke(args=["retention", "purge", "--dry-run", "--now", later]).output
    assert f"Would erase RC-{sent_case.id:05d} (awaiting consent, never answered)." in listed
    far = (utcnow() + dt.timedelta(days=3650)).isoformat(timespec="seconds")
    result = runner.invoke(args=["retention", "purge", "--now", far])
    assert "1 cases erased" in result.output
    assert _count(app, Case, id=sent_case.id) == 0 and _count(app, Case, id=running.id) == 1


def test_a_declined_check_is_kept_a_month_at_most(app, client, sent_case):
    enter_portal(client, sent_case)
    page = client.get("/portal")
    client.post("/portal/decline", data={"csrf_token": csrf_from(page.data)})
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        assert case.state == "declined"
        assert case.erase_after - utcnow() < dt.timedelta(days=31)


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
    # one key per demo case: three stories, a fresh invitation, and the other organisation's case
    assert json.loads(status.stdout)["data_keys_by_version"] == {"1": 5}
    assert "0 cases would be erased" in flask("retention", "purge", "--dry-run").stdout
    assert (tmp_path / "instance" / "keystore.sqlite").exists()


def _references_to(app, case_id, key_id, referee_ids, finding_ids):
    """Count rows in every table that still point at an erased case, its key, referees or findings."""
    wanted = {"case_id": [case_id], "data_key_id": [key_id], "referee_id": referee_ids,
              "finding_id": finding_ids}
    found = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in ("audit_event", "erased_report", "check_event", "webhook_delivery"):
                # The record that the erasure happened, released reports' fingerprints, and what the
                # hiring side was told (ids, states and dates: see the test below).
                continue
            for column, ids in wanted.items():
                if column in table.c and ids:
                    count = db.session.execute(sa.select(sa.func.count()).select_from(table)
                                               .where(table.c[column].in_(ids))).scalar_one()
                    if count:
                        found[f"{table.name}.{column}"] = count
    return found


def test_erasure_leaves_no_row_anywhere_that_points_at_the_case(app, client, released, sent_case):  # noqa: F811
    from refcheck.models import Finding, FraudSignal, StaffNote

    token = csrf_from(client.get("/portal").data)
    client.post("/portal/experience/release", data={"csrf_token": token, "score": "4", "comment": "Fine."})
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        db.session.add(StaffNote(case_id=case.id, data_key=case.data_key, author_id=case.created_by_id,
                                 text_enc=b"x"))
        db.session.commit()
        key_id = case.data_key_id
        referee_ids = db.session.execute(
            sa.select(Referee.id).where(Referee.case_id == case.id)).scalars().all()
        finding_ids = db.session.execute(
            sa.select(Finding.id).where(Finding.case_id == case.id)).scalars().all()
        assert db.session.execute(sa.select(sa.func.count()).select_from(FraudSignal)).scalar_one()
    before = _references_to(app, sent_case.id, key_id, referee_ids, finding_ids)
    assert {"case.id", "referee.case_id", "response.referee_id", "finding.case_id", "reply.finding_id",
            "fraud_signal.case_id", "staff_note.case_id", "experience_answer.case_id",
            "outbox.case_id"} - {"case.id"} <= set(before)
    page = client.get("/portal/erase")
    client.post("/portal/erase", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    assert _references_to(app, sent_case.id, key_id, referee_ids, finding_ids) == {}
    with app.app_context():
        score = db.session.execute(sa.select(ExperienceAnswer)).scalar_one()
        assert score.score == 4 and score.comment_enc is None and score.respondent.startswith("erased:")
        # What the hiring side's system was told stays, and ends with the erasure: nothing in it is personal.
        told = db.session.execute(sa.select(CheckEvent.type, CheckEvent.payload).where(
            CheckEvent.case_id == sent_case.id).order_by(CheckEvent.id)).all()
    assert told[-1][0] == "check.erased"
    for _, payload in told:
        # "language" is the report's, which the service sets, never the candidate's own.
        assert set(payload["data"]) <= {"check_id", "state", "version", "sha256", "fingerprint", "language",
                                        "step", "expected_by", "reason"}
        assert sent_case.name not in str(payload) and sent_case.email not in str(payload)


def _rename_key_store_table(app, away):
    """Make the key store fail for real: its table goes missing, then comes back."""
    old, new = ("key_share", "key_share_away") if away else ("key_share_away", "key_share")
    with app.app_context():
        with db.engines["keys"].begin() as conn:
            conn.exec_driver_sql(f"ALTER TABLE {old} RENAME TO {new}")


def test_a_key_store_failure_while_opening_a_case_leaves_nothing_half_made(app, staff):
    from .conftest import sign_in

    staff_client = app.test_client()
    sign_in(staff_client, staff)
    keys_before = _count(app, DataKey)  # the sign-in email's own
    page = staff_client.get("/staff/cases/new")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # show the error page a person would see
    _rename_key_store_table(app, away=True)
    try:
        from .test_cases import GOOD

        response = staff_client.post("/staff/cases/new", data={
            **GOOD, "candidate_name": "Nia Grant", "csrf_token": csrf_from(page.data)})
        assert response.status_code >= 500 and b"Nia Grant" not in response.data
    finally:
        _rename_key_store_table(app, away=False)
    assert _count(app, Case) == 0 and _count(app, Candidate) == 0 and _count(app, DataKey) == keys_before


def test_a_key_store_failure_during_erasure_is_swept_by_the_next_purge(app, client, runner, sent_case,
                                                                       tmp_path):
    from refcheck import privacy

    enter_portal(client, sent_case)
    consent(client)
    page = client.get("/portal/withdraw")
    client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        key_id = case.data_key_id
        privacy.erase_case(case.id, Actor.system("test"), "candidate_request", utcnow())
        # The key store becomes unreachable between the erasure and its commit.
        engines = db.engines
        working = engines["keys"]
        engines["keys"] = sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'keys.sqlite'}")
        try:
            db.session.commit()
        finally:
            engines["keys"].dispose()
            engines["keys"] = working
    # The erasure itself went through; only the share is left, as an orphan that is reported...
    assert _count(app, Case, id=sent_case.id) == 0
    assert _count(app, KeyShare, id=key_id) == 1
    status = json.loads(runner.invoke(args=["keys", "status", "--json"]).output)
    assert status["orphan_shares"] == 1
    # ...and destroyed by the next purge once it is older than the grace period.
    app.config["ORPHAN_SHARE_MINUTES"] = 0
    result = runner.invoke(args=["retention", "purge"])
    assert "1 unused key shares destroyed" in result.output, result.output
    assert _count(app, KeyShare, id=key_id) == 0


def test_staff_erase_a_case_on_request_with_a_reason(app, runner, sent_case):
    unconfirmed = runner.invoke(args=["erase", str(sent_case.id), "--reason", "asked by email"])
    assert unconfirmed.exit_code != 0 and "--yes" in unconfirmed.output
    assert _count(app, Case, id=sent_case.id) == 1
    done = runner.invoke(args=["erase", str(sent_case.id), "--reason", "asked by email", "--yes"])
    assert done.exit_code == 0 and f"Erased RC-{sent_case.id:05d}" in done.output
    with app.app_context():
        event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "case.erased")).scalar_one()
    assert event.details["reason"] == "staff: asked by email" and event.actor == "cli"
    again = runner.invoke(args=["erase", str(sent_case.id), "--reason", "x", "--yes"])
    assert again.exit_code != 0 and "erased already" in again.output


def test_the_export_leaves_out_what_belongs_to_others(app, client, invited, staff, sent_case):
    from refcheck import referees as referee_service
    from refcheck.models import StaffUser

    with app.app_context():
        user = db.session.get(StaffUser, staff.id)
        details = referee_service.RefereeDetails(
            name="Olu Staffadded", email="olu@elsewhere.example", organisation="Northwind Analytics",
            job_title="Director", relationship="peer", worked_from="2022-01", worked_to="2023-01")
        referee_service.nominate(sent_case.id, Actor.staff(user), details, utcnow())
        db.session.commit()
    body = client.get("/portal/my-data.json").data.decode()
    data = json.loads(body)
    assert "Olu Staffadded" not in body and "olu@elsewhere.example" not in body
    assert {"name": None, "email": None, "relationship": "peer"}.items() <= next(
        r for r in data["referees_you_named"] if r["named_by"] == "staff").items()
    kinds = {e["kind"] for e in data["emails_to_you"]}
    assert "referee_invitation" not in kinds and "candidate_invitation" in kinds
    assert "grace.lindqvist@northwind.example" in body  # the candidate's own nomination stays


def test_delay_reasons_and_signal_notes_are_sealed_and_old_clear_ones_still_read(app, invited, sent_case):
    from refcheck import cases
    from refcheck.models import FraudSignal, StaffUser

    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        referee = db.session.execute(sa.select(Referee).where(Referee.case_id == case.id)).scalars().first()
        signal = FraudSignal(case_id=case.id, referee=referee, rule="test", detail="A test signal.")
        db.session.add(signal)
        db.session.flush()
        cases.explain_delay(case.id, Actor.staff(db.session.get(StaffUser, case.created_by_id)),
                            "Grace Lindqvist is away.", utcnow())
        signal.resolved_note = "Phoned Grace Lindqvist."
        db.session.commit()
        raw = db.session.execute(sa.text(
            'SELECT c.delay_reason, c.delay_reason_enc, f.resolved_note, f.resolved_note_enc '
            'FROM "case" c JOIN fraud_signal f ON f.case_id = c.id')).one()
        assert raw[0] is None and raw[2] is None
        assert b"Grace" not in bytes(raw[1]) and b"Grace" not in bytes(raw[3])
        db.session.expire_all()
        assert db.session.get(Case, sent_case.id).delay_reason == "Grace Lindqvist is away."
        note = db.session.execute(sa.select(FraudSignal)).scalar_one().resolved_note
        assert note == "Phoned Grace Lindqvist."
        assert db.session.execute(
            sa.select(sa.func.count()).select_from(FraudSignal).where(FraudSignal.unresolved())).scalar() == 0
        # A reason written in clear before the columns were sealed is still shown.
        db.session.execute(sa.text('UPDATE "case" SET delay_reason = :r, delay_reason_enc = NULL'),
                           {"r": "Written before sealing."})
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Case, sent_case.id).delay_reason == "Written before sealing."


def test_verify_still_vouches_for_a_report_whose_case_was_erased(app, client, released, sent_case):  # noqa: F811
    with app.app_context():
        stored = db.session.execute(sa.select(Report).where(Report.case_id == sent_case.id)).scalar_one()
        fingerprint, sha256 = stored.fingerprint, stored.sha256
    page = client.get("/portal/erase")
    client.post("/portal/erase", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    assert _count(app, Report, case_id=sent_case.id) == 0
    visitor = app.test_client()
    for value in (fingerprint, sha256.upper()):
        form = visitor.get("/verify")
        answer = visitor.post("/verify", data={"csrf_token": csrf_from(form.data), "fingerprint": value})
        html = answer.data.decode()
        assert f"RC-{sent_case.id:05d}" in html and "The report is genuine." in html
        assert "has since been erased" in html and "Amira" not in html
    form = visitor.get("/verify")
    other = visitor.post("/verify", data={"csrf_token": csrf_from(form.data), "fingerprint": "0" * 64})
    assert "does not match any report we issued" in other.data.decode()


def test_commands_take_the_reference_staff_see(app, runner, sent_case):
    reference = f"RC-{sent_case.id:05d}"
    exported = runner.invoke(args=["export", reference])
    assert exported.exit_code == 0 and json.loads(exported.output)["case"]["reference"] == reference
    assert runner.invoke(args=["export", f"rc{sent_case.id}"]).exit_code == 0
    wrong = runner.invoke(args=["export", "Amira"])
    assert wrong.exit_code != 0 and "not a case reference such as RC-00012" in wrong.output
    text = runner.invoke(args=["keys", "status"]).output
    assert "Key store: every data key has its share, and no share is left over." in text


def test_a_candidate_sent_a_new_link_is_not_erased_as_never_answered(app, runner, staff, sent_case):
    later = utcnow() + dt.timedelta(days=50)  # the first link (14 days) and 30 more have run out
    when = later.isoformat(timespec="seconds").replace("+00:00", "")
    assert f"Would erase RC-{sent_case.id:05d}" in runner.invoke(
        args=["retention", "purge", "--dry-run", "--now", when]).output
    from refcheck import cases
    from refcheck.commands import Actor

    with app.app_context():  # they asked for a new link on day 40: they have until it runs out, and 30 days
        cases.send_new_link(sent_case.id, Actor.system("public"), utcnow() + dt.timedelta(days=40))
        db.session.commit()
    assert "0 cases would be erased" in runner.invoke(
        args=["retention", "purge", "--dry-run", "--now", when]).output


def test_a_case_listed_for_erasure_is_kept_if_its_candidate_answers_before_its_turn(app, staff, sent_case):
    from refcheck import cases, privacy
    from refcheck.commands import Actor

    later = utcnow() + dt.timedelta(days=50)
    with app.app_context():
        listed = [(due.case_id, due.reason) for due in privacy.due_for_erasure(later)]
        db.session.rollback()
        assert listed == [(sent_case.id, "never_answered")]
        # Between the listing and the erasure, the candidate agrees.
        cases.grant_consent(sent_case.id, Actor.candidate(sent_case.id), "Amira Okafor", None, None, utcnow())
        db.session.commit()
        assert privacy.erase_if_due(sent_case.id, Actor.system("cli"), "never_answered", later) is None
        db.session.rollback()
    assert _count(app, Case, id=sent_case.id) == 1
