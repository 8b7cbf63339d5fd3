"""Reminders on a schedule and expiry, driven by a fake clock through the real command."""

import datetime as dt

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AccessLink, Case, OutboxMessage, Referee

from .conftest import attest_referee, csrf_from, enter_referee, full_answers, sign_in


def _invited_at(app):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.min(Referee.invited_at))).scalar_one()


def _run(runner, when):
    result = runner.invoke(args=["reminders", "send", "--now", when.replace(tzinfo=None).isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _kinds(app):
    with app.app_context():
        query = sa.select(OutboxMessage.kind).order_by(OutboxMessage.created_at)
        return db.session.execute(query).scalars().all()


def test_reminders_follow_the_schedule_then_links_expire(app, runner, invited):
    start = _invited_at(app)
    assert "Reminded 0 referees" in _run(runner, start + dt.timedelta(days=1))
    assert "Reminded 2 referees" in _run(runner, start + dt.timedelta(days=2, hours=1))
    assert "Reminded 0 referees" in _run(runner, start + dt.timedelta(days=3))  # not twice
    assert "Reminded 2 referees" in _run(runner, start + dt.timedelta(days=4, hours=1))
    assert "Reminded 2 referees" in _run(runner, start + dt.timedelta(days=7, hours=1))
    assert "Reminded 0 referees" in _run(runner, start + dt.timedelta(days=10))  # at most three
    assert _kinds(app).count("referee_reminder") == 6
    with app.app_context():
        assert {r.reminders_sent for r in db.session.execute(sa.select(Referee)).scalars()} == {3}
        # Each reminder replaced the link: exactly one live link per referee.
        live = db.session.execute(sa.select(sa.func.count()).select_from(AccessLink).where(
            AccessLink.purpose == "referee", AccessLink.revoked_at.is_(None))).scalar_one()
        assert live == 2

    assert "closed 2 requests" in _run(runner, start + dt.timedelta(days=14, hours=1))
    with app.app_context():
        assert {r.state for r in db.session.execute(sa.select(Referee)).scalars()} == {"expired"}
    assert _kinds(app).count("referee_expired") == 2


def test_an_answered_referee_is_not_reminded(app, runner, invited):
    browser = enter_referee(app, invited["Grace Lindqvist"])
    page = attest_referee(browser)
    browser.post("/referee", data=full_answers(page.data.decode()))
    start = _invited_at(app)
    assert "Reminded 1 referees" in _run(runner, start + dt.timedelta(days=2, hours=1))


def test_expiry_comes_no_later_than_the_due_date(app, runner, invited):
    with app.app_context():
        case = db.session.execute(sa.select(Case)).scalar_one()
        case.due_date = (_invited_at(app) + dt.timedelta(days=3)).date()
        db.session.commit()
    assert "closed 2 requests" in _run(runner, _invited_at(app) + dt.timedelta(days=4))


def test_staff_resend_and_revoke(app, client, invited, staff, sent_case):
    sign_in(client, staff)
    page = client.get(f"/staff/cases/{sent_case.id}")
    assert b"Send a new link" in page.data and b"0 reminders sent" in page.data
    with app.app_context():
        grace = next(r for r in db.session.execute(sa.select(Referee)).scalars()
                     if r.details["name"] == "Grace Lindqvist")
        grace_id = grace.id
    client.post(f"/staff/cases/{sent_case.id}/referees/{grace_id}/resend",
                data={"csrf_token": csrf_from(page.data)})
    assert app.test_client().get(invited["Grace Lindqvist"]).status_code == 404  # old link revoked
    client.post(f"/staff/cases/{sent_case.id}/referees/{grace_id}/revoke",
                data={"csrf_token": csrf_from(page.data)})
    with app.app_context():
        assert db.session.get(Referee, grace_id).state == "revoked"
    # A referee id under another case's address is not found.
    assert client.post(f"/staff/cases/{sent_case.id + 1}/referees/{grace_id}/revoke",
                       data={"csrf_token": csrf_from(page.data)}).status_code == 404


def test_a_reminder_staff_send_is_counted_on_the_case_page_and_in_the_metrics(app, client, runner, invited,
                                                                              staff, sent_case):
    sign_in(client, staff)
    page = client.get(f"/staff/cases/{sent_case.id}")
    with app.app_context():
        grace_id = next(r.id for r in db.session.execute(sa.select(Referee)).scalars()
                        if r.details["name"] == "Grace Lindqvist")
    client.post(f"/staff/cases/{sent_case.id}/referees/{grace_id}/resend",
                data={"csrf_token": csrf_from(page.data)})
    assert _kinds(app).count("referee_reminder") == 1
    page = client.get(f"/staff/cases/{sent_case.id}").data.decode()
    assert "1 reminder sent" in page and "0 reminders sent" in page  # Grace, then the other referee
    metrics = client.get("/staff/metrics").data.decode()
    assert "<dt>Reminders sent</dt><dd>1</dd>" in metrics
    # The schedule counts it too: three reminder emails in all, never a fourth.
    start = _invited_at(app)
    for days in (2, 4, 7, 10):
        _run(runner, start + dt.timedelta(days=days, hours=1))
    with app.app_context():
        grace = db.session.get(Referee, grace_id)
        assert grace.reminders_sent == 3 and grace.last_reminder_at is not None
