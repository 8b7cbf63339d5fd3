"""State is the case's, not the link's: once review starts or the report is out, an open tab changes nothing.

Each test tries, from a page left open, what the attack pass did: answers posted after review
started or after release, and a staff resend after release.
"""

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AccessLink, AuditEvent, Finding, OutboxMessage, PortalSession, Referee, Response

from ..conftest import attest_referee, csrf_from, enter_referee, full_answers, sign_in, state_work_history
from .conftest import release_case


def _staff(app, staff, case_id):
    browser = app.test_client()
    sign_in(browser, staff)
    return browser, csrf_from(browser.get(f"/staff/cases/{case_id}").data)


def _count(model):
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _refusals(app, actor):
    with app.app_context():
        return [e.details for e in db.session.execute(sa.select(AuditEvent).where(
            AuditEvent.action == "action.refused", AuditEvent.actor == actor)).scalars()]


def test_answers_posted_after_review_started_are_refused_and_the_referee_told(
        app, client, invited, staff, sent_case):
    state_work_history(client)
    grace = enter_referee(app, invited["Grace Lindqvist"])
    assert grace.post("/referee", data=full_answers(attest_referee(grace).data.decode())).status_code == 303
    # The peer opened the link and attested, and the questionnaire is open in their tab.
    peer = enter_referee(app, invited["Peer 1"])
    form = full_answers(attest_referee(peer).data.decode())
    staff_client, token = _staff(app, staff, sent_case.id)
    started = staff_client.post(f"/staff/cases/{sent_case.id}/review", data={"csrf_token": token},
                                follow_redirects=True)
    assert b"Review started" in started.data
    # Staff see who was closed, and why.
    assert b"Had not answered when review started" in started.data

    late = peer.post("/referee", data=form)
    assert late.status_code == 409
    text = late.data.decode()
    assert "The check has moved on" in text and "Nothing you sent was saved" in text
    with app.app_context():
        peer_row = db.session.execute(sa.select(Referee).where(Referee.relationship == "peer")).scalar_one()
        assert peer_row.state == "closed"
        assert db.session.execute(
            sa.select(Response).where(Response.referee_id == peer_row.id)).first() is None
        live = db.session.execute(sa.select(AccessLink).where(
            AccessLink.referee_id == peer_row.id, AccessLink.revoked_at.is_(None))).first()
        assert live is None
        # No frozen finding cites a referee whose answers were refused.
        sources = {s.get("source") for f in db.session.execute(sa.select(Finding)).scalars()
                   for s in f.content["sources"]}
        peer_id = peer_row.id
    assert peer_id not in sources
    # Their link now says it no longer works; the refused post is on file.
    assert app.test_client().get(invited["Peer 1"]).status_code == 404
    assert any(r["attempt"] == "referee.form" and r["why"] == "session" or r["why"] == "state"
               for r in _refusals(app, f"referee:{peer_id}"))


def test_after_release_no_referee_session_lives_and_no_resend_works(app, client, invited, staff, sent_case):
    grace = enter_referee(app, invited["Grace Lindqvist"])
    staff_client = release_case(app, client, invited, staff, sent_case, answer="Built the platform.",
                                reply="Fine.", note="Checked.")
    with app.app_context():
        sessions = db.session.execute(sa.select(PortalSession).where(
            PortalSession.kind == "referee", PortalSession.case_id == sent_case.id)).scalars().all()
        assert sessions and all(s.ended_at is not None for s in sessions)
        grace_id = db.session.execute(
            sa.select(Referee.id).where(Referee.relationship == "manager")).scalar_one()
        links_before = db.session.execute(sa.select(sa.func.count()).select_from(AccessLink)).scalar_one()
        mail_before = db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)).scalar_one()
    # The tab opened before release can no longer post anything.
    refused = grace.post("/referee/withdraw", data={"csrf_token": csrf_from(
        app.test_client().get("/link").data), "confirm": "y"})
    assert refused.status_code in (400, 401)
    token = csrf_from(staff_client.get(f"/staff/cases/{sent_case.id}").data)
    resent = staff_client.post(f"/staff/cases/{sent_case.id}/referees/{grace_id}/resend",
                               data={"csrf_token": token}, follow_redirects=True)
    assert b"the report has been released" in resent.data
    with app.app_context():
        assert _count(AccessLink) == links_before and _count(OutboxMessage) == mail_before
        assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one() == 2
    refusals = _refusals(app, f"staff:{staff.id}")
    assert any(r["command"] == "referee.resend" and r["why"] == "state" for r in refusals)


def test_a_link_opened_as_review_starts_lets_nobody_in(app, staff):
    """The link is checked again under the case's lock: a request closed meanwhile opens no session."""
    import pytest

    from refcheck import answers, review
    from refcheck.commands import CommandRefused
    from refcheck.models import utcnow

    from ..lifecycle_cases import build

    built = build(app, staff.id, "collecting")
    with app.app_context():
        # The page checked the peer's link a moment ago; then staff started the review.
        review.start_review(built.case_id, built.staff, utcnow())
        db.session.commit()
        with pytest.raises(CommandRefused) as refused:
            answers.open_link(built.case_id, built.referee("peer"), built.tokens["peer"], utcnow())
        db.session.rollback()
        assert "this link no longer works" in refused.value.message
        live = db.session.execute(sa.select(PortalSession).where(
            PortalSession.referee_id == built.referees["peer"], PortalSession.ended_at.is_(None))).all()
        assert live == []
