"""Staff approval of referees when the scope asks for it, and asking the candidate for someone else."""

from dataclasses import replace

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import Case, OutboxMessage, Referee

from .conftest import MANAGER, consent, csrf_from, enter_portal, nominate, peer, sign_in, state_work_history


def _with_approval(app, case_id):
    from refcheck.scope import Scope

    with app.app_context():
        case = db.session.get(Case, case_id)
        case.scope = replace(Scope.from_json(case.scope), staff_approval=True).to_json()
        db.session.commit()


def _referees(app):
    with app.app_context():
        return {r.details["name"]: (r.id, r.state) for r in db.session.execute(sa.select(Referee)).scalars()}


def _outbox_kinds(app):
    with app.app_context():
        return db.session.execute(sa.select(OutboxMessage.kind)).scalars().all()


def test_with_approval_nobody_is_contacted_until_staff_approve(app, client, sent_case, staff):
    _with_approval(app, sent_case.id)
    enter_portal(client, sent_case)
    page = client.get("/portal")
    assert b"Our team checks each person you name before contacting them" in page.data
    consent(client)
    nominate(client, **MANAGER)
    nominate(client, **peer(1))
    state_work_history(client)
    page = client.get("/portal/referees")
    assert b"Send my list for checking" in page.data
    response = client.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)},
                           follow_redirects=True)
    assert b"Our team will check your list" in response.data
    assert {state for _, state in _referees(app).values()} == {"nominated"}
    assert "referee_invitation" not in _outbox_kinds(app)

    staff_client = app.test_client()
    sign_in(staff_client, staff)
    case_page = staff_client.get(f"/staff/cases/{sent_case.id}")
    assert b"Approve and invite" in case_page.data
    grace_id = _referees(app)["Grace Lindqvist"][0]
    staff_client.post(f"/staff/cases/{sent_case.id}/referees/{grace_id}/approve",
                      data={"csrf_token": csrf_from(case_page.data)})
    assert _referees(app)["Grace Lindqvist"][1] == "invited"
    assert _referees(app)["Peer 1"][1] == "nominated"
    assert _outbox_kinds(app).count("referee_invitation") == 1


def test_staff_ask_for_a_replacement_with_a_reason(app, client, sent_case, staff):
    enter_portal(client, sent_case)
    consent(client)
    nominate(client, **MANAGER)
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    page = staff_client.get(f"/staff/cases/{sent_case.id}")
    grace_id = _referees(app)["Grace Lindqvist"][0]
    refused = staff_client.post(f"/staff/cases/{sent_case.id}/referees/{grace_id}/replace",
                                data={"csrf_token": csrf_from(page.data), "reason": ""},
                                follow_redirects=True)
    assert b"Tell the candidate why" in refused.data
    assert _referees(app)["Grace Lindqvist"][1] == "nominated"
    staff_client.post(f"/staff/cases/{sent_case.id}/referees/{grace_id}/replace",
                      data={"csrf_token": csrf_from(page.data),
                            "reason": "We need someone who managed you at Northwind."})
    assert _referees(app)["Grace Lindqvist"][1] == "revoked"
    with app.app_context():
        message = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.kind == "referee_replacement")).scalar_one()
        assert "someone who managed you at Northwind" in message.unseal("body_enc")
    assert b"1 manager" in client.get("/portal/referees").data
