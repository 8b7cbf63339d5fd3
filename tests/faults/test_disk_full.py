"""The disk fills up while a referee's answers are saved: all of it rolls back, nothing half-saved."""

import errno
import os
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from refcheck.extensions import db
from refcheck.models import AccessLink, AuditEvent, FraudSignal, Referee, Response

from .conftest import app_on, referee_at_questions, same_browser, sqlite_only


def _rows(app, referee_id):
    with app.app_context():
        count = lambda model, *where: db.session.execute(  # noqa: E731
            sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()
        return {
            "state": db.session.get(Referee, referee_id).state,
            "responses": count(Response),
            "signals": count(FraudSignal),
            "events": count(AuditEvent),
            "submitted_events": count(AuditEvent, AuditEvent.action == "referee.submitted"),
            "live_links": count(AccessLink, AccessLink.referee_id == referee_id,
                                AccessLink.revoked_at.is_(None)),
        }


@sqlite_only
def test_a_full_disk_during_a_submission_rolls_everything_back(app, invited, runner, caplog):
    path = invited["Grace Lindqvist"]
    browser, answers = referee_at_questions(app, path)
    # Long answers need new pages in the database file, which is where a full disk bites.
    for name in re.findall(r'<textarea[^>]*name="(q\d+)"', browser.get("/referee/all").data.decode()):
        answers[name] = "Led the migration of the reporting warehouse. " * 80
    referee_id = path.split("/")[2]
    before = _rows(app, referee_id)

    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
            assert conn.exec_driver_sql("PRAGMA freelist_count").scalar() == 0

    def disk_full(dbapi_connection, _record):
        # The file may not grow past its present size: SQLite answers SQLITE_FULL, as on a full disk.
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(engine, "connect", disk_full)
    engine.dispose()
    try:
        page = browser.post("/referee", data=answers)
    finally:
        event.remove(engine, "connect", disk_full)
        engine.dispose()

    assert page.status_code == 503
    assert "SQLITE_FULL" in caplog.text  # the real error, met where SQLite allocates a page
    assert b"nothing you sent was saved" in page.data and b"that link still works" in page.data
    # No Response without the referee's change, no audit event without its change, no stray signal.
    assert _rows(app, referee_id) == before
    assert before["state"] == "opened" and before["responses"] == 0

    # Space is back: the same answers go through once, complete, and the audit chain is whole.
    assert browser.post("/referee", data=answers).status_code == 303
    after = _rows(app, referee_id)
    assert (after["state"], after["responses"], after["submitted_events"]) == ("submitted", 1, 1)
    assert after["signals"] >= 1  # both referees answer from 127.0.0.1, like the candidate
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit chain intact" in result.output


@pytest.fixture
def small_disk(tmp_path):
    """Mount a 4 MB tmpfs (root only) and unmount it afterwards; skip where mounting is not allowed."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],  # noqa: S607
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "--lazy", str(mount_point)], check=True)  # noqa: S607


def _fill(folder):
    """Write a file until the disk has no room left; return it."""
    filler = folder / "filler"
    # Unbuffered: a write the disk could only take in part must not leave the rest in a buffer for
    # close() to try again, which then failed outside this loop, depending on how full the disk was.
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                os.fsync(out.fileno())
        except OSError as err:
            assert err.errno == errno.ENOSPC
    return filler


@sqlite_only
def test_a_really_full_disk_during_a_submission_rolls_everything_back(app, invited, small_disk, caplog):
    path = invited["Grace Lindqvist"]
    browser, answers = referee_at_questions(app, path)
    for name in re.findall(r'<textarea[^>]*name="(q\d+)"', browser.get("/referee/all").data.decode()):
        answers[name] = "Led the migration of the reporting warehouse. " * 80
    referee_id = path.split("/")[2]
    # Move the database, as it stands, onto the small disk, and serve it from there.
    with app.app_context():
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    shutil.copy(database, small_disk / "refcheck.sqlite")
    moved = app_on(app, f"sqlite:///{small_disk / 'refcheck.sqlite'}")
    before = _rows(moved, referee_id)
    twin = same_browser(browser, moved)
    assert twin.get("/referee/all").status_code == 200  # the questions, served from the small disk

    filler = _fill(small_disk)
    page = twin.post("/referee", data=answers)
    assert page.status_code == 503
    assert b"nothing you sent was saved" in page.data
    assert "SQLITE_FULL" in caplog.text or "SQLITE_IOERR" in caplog.text
    filler.unlink()

    assert _rows(moved, referee_id) == before
    with moved.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert twin.post("/referee", data=answers).status_code == 303
    after = _rows(moved, referee_id)
    assert (after["state"], after["responses"], after["submitted_events"]) == ("submitted", 1, 1)
    with moved.app_context():
        db.engine.dispose()
