"""A referee sends their answers while the database is read-only or down: a kind page, nothing saved."""

import pytest
import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AccessLink, AuditEvent, PortalSession, Referee, Response

from ..conftest import PG_URL, free_port
from .conftest import app_on, referee_at_questions, same_browser


def _broken_database(app, how: str, tmp_path):
    """Return a second app whose database refuses writes (read_only) or cannot be reached (down)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if how == "read_only" and PG_URL:
        # What a fail-over to a read-only standby looks like: every transaction is read-only.
        return app_on(app, uri, SQLALCHEMY_ENGINE_OPTIONS={
            "connect_args": {"options": "-c default_transaction_read_only=on"}})
    if how == "read_only":
        return app_on(app, "sqlite:///file:" + uri.removeprefix("sqlite:///") + "?mode=ro&uri=true")
    if PG_URL:
        # The database server is stopped: nothing listens on its port.
        return app_on(app, uri.rsplit("@", 1)[0] + f"@127.0.0.1:{free_port()}/refcheck")
    return app_on(app, f"sqlite:///{tmp_path / 'unmounted' / 'refcheck.sqlite'}")


def _state(app, referee_id):
    with app.app_context():
        referee = db.session.get(Referee, referee_id)
        return {
            "state": referee.state,
            "responses": db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one(),
            "submitted_events": db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "referee.submitted")).scalar_one(),
            "live_links": db.session.execute(sa.select(sa.func.count()).select_from(AccessLink).where(
                AccessLink.referee_id == referee_id, AccessLink.revoked_at.is_(None))).scalar_one(),
            "live_sessions": db.session.execute(sa.select(sa.func.count()).select_from(PortalSession).where(
                PortalSession.referee_id == referee_id, PortalSession.ended_at.is_(None))).scalar_one(),
        }


@pytest.mark.parametrize("how", ["read_only", "down"])
def test_referee_submission_without_a_database_saves_nothing_and_can_be_sent_again(
        app, invited, tmp_path, how, caplog):
    path = invited["Grace Lindqvist"]
    browser, answers = referee_at_questions(app, path)
    referee_id = path.split("/")[2]
    before = _state(app, referee_id)
    assert before["state"] == "opened" and before["responses"] == 0

    broken = _broken_database(app, how, tmp_path)
    page = same_browser(browser, broken).post("/referee", data=answers)

    text = page.data.decode()
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "60"
    assert "We could not save that just now" in text
    assert "nothing you sent was saved" in text
    assert "that link still works" in text and "send the same form again" in text
    for leak in ("Traceback", "sqlite", "psycopg", "INSERT", "SELECT", "readonly", "refused"):
        assert leak not in text
    # The log says what happened without the SQL or the answers.
    assert "Database unavailable" in caplog.text
    assert "Built the data platform" not in caplog.text

    assert _state(app, referee_id) == before  # nothing half-saved, link and session alive

    # The database is back: the same link still opens, and the same tab sends the same answers.
    assert app.test_client().get(path).status_code == 200
    assert b"Before you answer" not in browser.get("/referee").data
    sent = browser.post("/referee", data=answers)
    assert sent.status_code == 303
    after = _state(app, referee_id)
    assert (after["state"], after["responses"], after["submitted_events"]) == ("submitted", 1, 1)
    with broken.app_context():
        db.engine.dispose()


def test_staff_pages_without_a_database_say_so_kindly(app, staff, tmp_path):
    from ..conftest import sign_in

    browser = app.test_client()
    assert sign_in(browser, staff).status_code in (302, 303)
    broken = _broken_database(app, "down", tmp_path)
    page = same_browser(browser, broken).get("/staff/")
    assert page.status_code == 503
    assert b"We could not save that just now" in page.data and b"Traceback" not in page.data
    # Back up: the same staff session carries on.
    assert browser.get("/staff/").status_code == 200


@pytest.mark.skipif(not PG_URL, reason="a database server restart needs a server: PostgreSQL only")
def test_a_database_restart_between_requests_goes_unnoticed(app, invited):
    path = invited["Grace Lindqvist"]
    browser, answers = referee_at_questions(app, path)
    referee_id = path.split("/")[2]
    # The server drops every connection, as in a restart; the app's pool still holds them.
    with app.app_context():
        with sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"]).connect() as admin:
            dropped = admin.exec_driver_sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()").scalar()
        assert dropped >= 1
    assert browser.post("/referee", data=answers).status_code == 303
    assert _state(app, referee_id)["responses"] == 1


def test_a_database_error_that_is_a_fault_of_ours_is_not_called_an_outage(app, invited, tmp_path):
    # A database without the app's tables (migrations not applied): a bug to fix, not a wait.
    browser, answers = referee_at_questions(app, invited["Grace Lindqvist"])
    empty = app_on(app, f"sqlite:///{tmp_path / 'empty.sqlite'}", TESTING=False)
    page = same_browser(browser, empty).post("/referee", data=answers)
    assert page.status_code == 500
    assert b"Something went wrong on our side" in page.data
    assert b"We could not save that just now" not in page.data and b"no such table" not in page.data
