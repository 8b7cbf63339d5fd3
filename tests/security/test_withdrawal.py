"""After the candidate withdraws, every action by anyone is refused, and each refusal is in the audit log."""

import re

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import Case, Claim, Finding, OutboxMessage, Referee, Reply, Response

from ..conftest import attest_referee, csrf_from, enter_referee, full_answers, peer, sign_in
from .conftest import audit_actions, release_case


def _withdraw(client):
    page = client.get("/portal/withdraw")
    response = client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data), "confirm": "y",
                                                     "reason": "I took another offer."})
    assert response.status_code == 303


def _refusals(app, case_id):
    return [(details["attempt"], actor) for action, actor, details in audit_actions(app, case_id)
            if action == "action.refused"]


def _count(app, model, *where):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def test_every_action_after_withdrawal_is_refused_and_audited(app, client, invited, staff, sent_case):
    grace_id = invited["Grace Lindqvist"].split("/")[2]
    peer_id = invited["Peer 1"].split("/")[2]
    grace = enter_referee(app, invited["Grace Lindqvist"])  # Grace had the form open in a tab
    grace_page = grace.get("/referee")
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    staff_token = csrf_from(staff_client.get(f"/staff/cases/{sent_case.id}").data)
    candidate_token = csrf_from(client.get("/portal/referees").data)
    _withdraw(client)
    outbox_before = _count(app, OutboxMessage)
    claims_before = _count(app, Claim)  # the work history stated before the invitations

    # The candidate names a referee, states a job, and sends invitations.
    refused = client.post("/portal/referees", data={**peer(5), "csrf_token": candidate_token})
    assert refused.status_code == 422
    refused = client.post("/portal/history", data={
        "csrf_token": candidate_token, "employer": "Northwind", "title": "Engineer",
        "start_month": "2022-01", "end_month": "2024-06", "reason_for_leaving": "resigned"})
    assert refused.status_code == 422
    client.post("/portal/referees/invite", data={"csrf_token": candidate_token})

    # The peer opens their link; Grace, already in, attests, answers and declines.
    peer_browser = app.test_client()
    assert peer_browser.get(invited["Peer 1"]).status_code == 404
    peer_csrf = csrf_from(peer_browser.get("/link").data)
    assert peer_browser.post(invited["Peer 1"], data={"csrf_token": peer_csrf}).status_code == 404
    token = csrf_from(grace_page.data)
    grace.post("/referee/attest", data={"csrf_token": token, "identity": "y", "truthful": "y"})
    answered = grace.post("/referee", data={"csrf_token": token, "q1": "Built the data platform."})
    assert b"Built the data platform" not in answered.data
    grace.post("/referee/decline", data={"csrf_token": token, "reason": "Too late."})

    # Staff send the candidate a link, resend and approve a referee, and add one.
    base = f"/staff/cases/{sent_case.id}"
    staff_client.post(f"{base}/invite", data={"csrf_token": staff_token})
    staff_client.post(f"{base}/referees/{grace_id}/resend", data={"csrf_token": staff_token})
    staff_client.post(f"{base}/referees/{peer_id}/approve", data={"csrf_token": staff_token})
    assert staff_client.post(f"{base}/referees", data={**peer(6), "csrf_token": staff_token}
                             ).status_code == 422

    # Nothing changed ...
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        assert case.state == "withdrawn"
        states = set(db.session.execute(sa.select(Referee.state)).scalars())
        assert states == {"revoked"}
        assert db.session.get(Referee, grace_id).attested_at is None
    assert _count(app, Referee) == 2 and _count(app, Claim) == claims_before and _count(app, Response) == 0
    assert _count(app, OutboxMessage) == outbox_before  # nobody was emailed
    # ... and every attempt is on file, by who tried it.
    refusals = _refusals(app, sent_case.id)
    candidate = f"candidate:{sent_case.id}"
    grace_actor, peer_actor = f"referee:{grace_id}", f"referee:{peer_id}"
    staff_actor = f"staff:{staff.id}"
    expected = {
        ("nominate.referees", candidate), ("nominate.history", candidate),
        ("nominate.invite_referees", candidate), ("referee.link", peer_actor),
        ("referee.attest", grace_actor), ("referee.form", grace_actor), ("referee.decline", grace_actor),
        ("staff.invite", staff_actor), ("staff.resend_referee", staff_actor),
        ("staff.approve_referee", staff_actor), ("staff.add_referee", staff_actor),
    }
    assert expected <= set(refusals), expected - set(refusals)
    assert refusals.count(("referee.link", peer_actor)) == 2  # opening the link, then using it
    with app.app_context():
        from refcheck.audit import stream_events, verify_chain

        assert verify_chain(stream_events()).intact


def test_reply_after_withdrawal_is_refused_and_audited(app, client, invited, staff, sent_case):
    release_case(app, client, invited, staff, sent_case, answer="Fine work.", reply="", note="Checked.",
                 stop_at_candidate_review=True)
    page = client.get("/portal/findings")
    assert page.status_code == 200
    with app.app_context():
        finding = db.session.execute(sa.select(Finding.id).order_by(Finding.position)).scalars().first()
    _withdraw(client)
    client.post(f"/portal/findings/{finding}", data={"csrf_token": csrf_from(page.data),
                                                     "text": "A reply after withdrawing."})
    assert _count(app, Reply) == 0
    assert ("review.reply_to", f"candidate:{sent_case.id}") in _refusals(app, sent_case.id)


def test_refused_attempts_on_a_running_case_leave_nothing_half_done(app, client, invited, sent_case):
    # A refusal on a live case is not logged as an attempt on an ended case, and changes nothing.
    token = csrf_from(client.get("/portal/referees").data)
    again = client.post("/portal/referees/invite", data={"csrf_token": token}, follow_redirects=True)
    assert b"Everyone on the list has been contacted already" in again.data
    assert _refusals(app, sent_case.id) == []
    with app.app_context():
        assert db.session.get(Case, sent_case.id).state == "collecting"


def test_referee_who_answered_cannot_change_or_withdraw_answers_after_withdrawal(app, client, invited,
                                                                              sent_case):
    grace = enter_referee(app, invited["Grace Lindqvist"])
    html = attest_referee(grace).data.decode()
    assert grace.post("/referee", data=full_answers(html)).status_code == 303
    _withdraw(client)
    with app.app_context():
        before = db.session.execute(sa.select(Response.answers_enc)).scalar_one()
    page = grace.get("/referee/correct")
    data = full_answers(html)
    first_text = re.findall(r'<textarea[^>]*name="(q\d+)"', html)[0]
    data[first_text] = "Changed after the candidate withdrew."
    response = grace.post("/referee/correct", data=data)
    assert response.status_code in (303, 409)
    assert page.status_code in (303, 409) or b"Changed after" not in page.data
    with app.app_context():
        assert db.session.execute(sa.select(Response.answers_enc)).scalar_one() == before
    token = csrf_from(html)
    assert grace.post("/referee/withdraw", data={"csrf_token": token, "confirm": "y"}).status_code == 409
    assert _count(app, Response) == 1
    grace_actor = f"referee:{invited['Grace Lindqvist'].split('/')[2]}"
    refusals = _refusals(app, sent_case.id)
    assert ("referee.correct", grace_actor) in refusals and ("referee.withdraw", grace_actor) in refusals
