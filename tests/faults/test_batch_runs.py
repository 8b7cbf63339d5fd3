"""Cron runs killed half-way and run twice at once: nothing lost, nothing half-done, nothing sent twice."""

import datetime as dt
import json
import subprocess
import sys
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AuditEvent, Case, DataKey, KeyShare, OutboxMessage, Referee, Response, utcnow

from .. import lifecycle_cases
from ..conftest import PG_URL
from .conftest import ROOT, gunicorn_env, invite_referees, shared_config

# A year on: every closed case is past its 180 days' retention.
LATER = (utcnow() + dt.timedelta(days=400)).replace(tzinfo=None).isoformat()


def _killed(app, point: str, at: int, *args: str) -> subprocess.CompletedProcess:
    """Run a command in a process that kills itself the `at`-th time it passes `point`."""
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "tests.faults.killed_batch", json.dumps(shared_config(app)), point, str(at),
         "--", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def _flask(app, *args: str) -> subprocess.Popen:
    """Start `flask ARGS` on the test's database, keys and mail server, as cron on another machine would."""
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "flask", "--app", "refcheck", *args], cwd=ROOT, env=gunicorn_env(app),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _together(app, args: list[str]) -> list[tuple[str, str] | None]:
    """Start two runs of `flask ARGS` at once; return each one's output, or None where it failed."""
    runs = [_flask(app, *args) for _ in range(2)]
    try:
        outputs = [run.communicate(timeout=300) for run in runs]
    finally:
        for run in runs:
            run.kill()  # a run still going after a failed wait would hold connections into the next test
    return [output if run.returncode == 0 else None for run, output in zip(runs, outputs, strict=True)]


def _let_go(app) -> None:
    """Wait (at most 10 s) until a killed run's PostgreSQL session has ended and released its locks."""
    if not PG_URL:
        return
    with app.app_context():
        for _ in range(100):
            others = db.session.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'")).scalar_one()
            db.session.rollback()
            if not others:
                return
            time.sleep(0.1)


def _closed_cases(app, staff) -> dict[int, str]:
    """Make six closed cases, some with referees, answers and findings; return each one's data key."""
    ids = [lifecycle_cases.build(app, staff.id, state).case_id
           for state in ("withdrawn", "declined", "cancelled", "declined", "withdrawn", "declined")]
    with app.app_context():
        return dict(db.session.execute(sa.select(Case.id, Case.data_key_id).where(Case.id.in_(ids))).all())


def _left(app, keys: dict[int, str]) -> dict[str, object]:
    """What remains of the cases: which exist, their rows, their shares, and the erasures audited."""
    with app.app_context():
        erased = Counter(db.session.execute(
            sa.select(AuditEvent.case_id).where(AuditEvent.action == "case.erased")).scalars())
        return {
            "cases": set(db.session.execute(sa.select(Case.id).where(Case.id.in_(keys))).scalars()),
            "keys": set(db.session.execute(sa.select(DataKey.id).where(DataKey.id.in_(keys.values())))
                        .scalars()),
            "shares": set(db.session.execute(sa.select(KeyShare.id).where(KeyShare.id.in_(keys.values())))
                          .scalars()),
            "referees": db.session.execute(sa.select(sa.func.count()).select_from(Referee).where(
                Referee.case_id.in_(keys))).scalar_one(),
            "answers": db.session.execute(sa.select(sa.func.count()).select_from(Response).join(Referee)
                                          .where(Referee.case_id.in_(keys))).scalar_one(),
            "erased": erased,
        }


def _verified(runner) -> None:
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit chain intact" in result.output, result.output


@pytest.mark.parametrize("point", ["erased", "share"])
def test_a_purge_killed_half_way_loses_nothing_and_erases_each_case_once(app, staff, runner, point):
    keys = _closed_cases(app, staff)
    whole = _left(app, keys)
    assert whole["referees"] > 0 and whole["answers"] > 0 and not whole["erased"]

    run = _killed(app, point, 3, "retention", "purge", "--now", LATER)
    assert run.returncode == -9, run.stdout + run.stderr
    _let_go(app)
    half = _left(app, keys)
    if point == "erased":
        # Two erasures committed; the third was cut off before its commit and left no trace at all.
        assert len(half["cases"]) == 4 and half["keys"] == set(keys[c] for c in half["cases"])
        assert half["shares"] == half["keys"]
        assert sorted(half["erased"].values()) == [1, 1]
    else:
        # The third erasure committed; its key share outlived it in the key store, and nothing else did.
        assert len(half["cases"]) == 3 and len(half["shares"]) == 4 and len(half["erased"]) == 3
        assert not set(half["erased"]) & half["cases"]
    _verified(runner)

    again = runner.invoke(args=["retention", "purge", "--now", LATER])
    assert again.exit_code == 0, again.output
    after = _left(app, keys)
    assert after["cases"] == after["keys"] == after["shares"] == set()
    assert (after["referees"], after["answers"]) == (0, 0)
    # Each case erased exactly once, whichever run did it.
    assert after["erased"] == Counter(dict.fromkeys(keys, 1))
    _verified(runner)


def _reminder_mail(app) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "referee_reminder")).scalar_one()


def _reminded(app) -> tuple[Counter, Counter]:
    """Return the reminders counted on each referee, and the reminder events audited for each."""
    with app.app_context():
        counted = Counter(dict(db.session.execute(sa.select(Referee.id, Referee.reminders_sent)).all()))
        events = Counter(event.details["referee"] for event in db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "referee.reminded")).scalars())
        return counted, events


def _reminders_due(app) -> str:
    with app.app_context():
        invited = db.session.execute(sa.select(sa.func.min(Referee.invited_at))).scalar_one()
    return (invited + dt.timedelta(days=2, hours=1)).replace(tzinfo=None).isoformat()


def test_a_reminders_run_killed_half_way_reminds_each_referee_once(app, staff, runner, smtp_server):
    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    for n in (1, 2):
        invite_referees(app, staff, n, peers=2)
    when = _reminders_due(app)

    # Killed as the second case's reminders are written, before they are committed.
    run = _killed(app, "reminded", 2, "reminders", "send", "--now", when)
    assert run.returncode == -9, run.stdout + run.stderr
    _let_go(app)
    counted, events = _reminded(app)
    # The first case's three reminders committed, each with its count and event; the second's left nothing.
    assert sorted(counted.values()) == [0, 0, 0, 1, 1, 1] and events == Counter({r: 1 for r, n in
                                                                                 counted.items() if n})
    assert _reminder_mail(app) == 3

    again = runner.invoke(args=["reminders", "send", "--now", when])
    assert again.exit_code == 0 and "Reminded 3 referees" in again.output, again.output
    counted, events = _reminded(app)
    assert set(counted.values()) == {1} and events == Counter(dict.fromkeys(counted, 1))
    assert _reminder_mail(app) == 6
    _verified(runner)

    sent = runner.invoke(args=["mail", "send"])
    assert sent.exit_code == 0, sent.output
    reminders = Counter(m["To"] for m in inbox.messages if m["Subject"].startswith("Reminder:"))
    assert len(reminders) == 6 and set(reminders.values()) == {1}, reminders


def test_two_reminders_runs_at_once_remind_each_referee_once(app, staff, runner, smtp_server):
    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    for n in (1, 2, 3):
        invite_referees(app, staff, n, peers=3)
    when = _reminders_due(app)

    outputs = _together(app, ["reminders", "send", "--now", when])
    assert all(out is not None for out in outputs), outputs
    counted, events = _reminded(app)
    assert len(counted) == 12 and set(counted.values()) == {1}, outputs
    assert events == Counter(dict.fromkeys(counted, 1))
    totals = [int(out.split("Reminded ")[1].split()[0]) for out, _err in outputs]
    assert sum(totals) == 12, outputs

    # Two mail runs at once deliver each reminder once.
    mailed = _together(app, ["mail", "send"])
    assert all(out is not None for out in mailed), mailed
    reminders = Counter(m["To"] for m in inbox.messages if m["Subject"].startswith("Reminder:"))
    assert len(reminders) == 12 and set(reminders.values()) == {1}, reminders
    _verified(runner)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's row locks; SQLite has one writer")
def test_a_purge_leaves_a_case_someone_holds_to_the_next_run_without_waiting(app, staff, runner):
    keys = _closed_cases(app, staff)
    held = min(keys)
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as other:
            # Another machine's purge, or a page, is in the middle of a command on this case.
            other.execute(sa.text('SELECT id FROM "case" WHERE id = :id FOR NO KEY UPDATE'), {"id": held})
            purge = _flask(app, "retention", "purge", "--now", LATER)
            try:
                output, errors = purge.communicate(timeout=120)  # a run that waited would never end
            finally:
                purge.kill()
            assert purge.returncode == 0, output + errors
            assert f"Left RC-{held:05d}" in output and "5 cases erased" in output
            assert _left(app, keys)["cases"] == {held}
            other.rollback()
    finally:
        engine.dispose()
    again = runner.invoke(args=["retention", "purge", "--now", LATER])
    assert again.exit_code == 0 and "\n1 cases erased" in again.output, again.output
    assert _left(app, keys)["cases"] == set()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's row locks; SQLite has one writer")
def test_a_reminders_run_leaves_a_case_someone_holds_to_the_next_run(app, staff, runner):
    held_paths = invite_referees(app, staff, 1, peers=2)
    invite_referees(app, staff, 2, peers=2)
    when = _reminders_due(app)
    with app.app_context():
        held = db.session.execute(sa.select(Referee.case_id).order_by(Referee.case_id)).scalars().first()
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as other:
            other.execute(sa.text('SELECT id FROM "case" WHERE id = :id FOR NO KEY UPDATE'), {"id": held})
            output = _alone(app, ["reminders", "send", "--now", when])
            assert "Reminded 3 referees" in output, output
            other.rollback()
    finally:
        engine.dispose()
    counted, _events = _reminded(app)
    with app.app_context():
        of_held = set(db.session.execute(sa.select(Referee.id).where(Referee.case_id == held)).scalars())
    assert {r for r, n in counted.items() if n} == set(counted) - of_held and len(held_paths) == 3
    again = runner.invoke(args=["reminders", "send", "--now", when])
    assert again.exit_code == 0 and "Reminded 3 referees" in again.output, again.output
    assert set(_reminded(app)[0].values()) == {1}


def _alone(app, args: list[str]) -> str:
    """Run `flask ARGS` once, killed if it has not ended in two minutes (a run that waited would not)."""
    run = _flask(app, *args)
    try:
        output, errors = run.communicate(timeout=120)
    finally:
        run.kill()
    assert run.returncode == 0, output + errors
    return output
