"""Nomination within the consented scope, and the candidate's own claims, by every route."""

import pytest
import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AuditEvent, Claim, Referee

from .conftest import MANAGER, consent, csrf_from, enter_portal, nominate, peer, sign_in


@pytest.fixture
def candidate(app, client, sent_case):
    """A candidate who has consented and is on their portal."""
    enter_portal(client, sent_case)
    consent(client)
    return client


def _referees(app):
    with app.app_context():
        return [(r.relationship, r.state, r.details["email"]) for r in
                db.session.execute(sa.select(Referee).order_by(Referee.nominated_at)).scalars()]


def _staff_add(client, case_id, **data):
    page = client.get(f"/staff/cases/{case_id}")
    return client.post(f"/staff/cases/{case_id}/referees", data={**data, "csrf_token": csrf_from(page.data)})


def test_candidate_sees_what_the_scope_still_needs_and_nominates(app, candidate):
    page = candidate.get("/portal/referees")
    assert b"1 manager, 1 peer" in page.data
    response = nominate(candidate, **MANAGER)
    assert response.status_code == 303
    page = candidate.get("/portal/referees")
    assert b"Grace Lindqvist" in page.data and b"Still needed" in page.data and b"1 peer" in page.data
    nominate(candidate, **peer(1))
    page = candidate.get("/portal/referees")
    assert b"You have named enough referees" in page.data
    assert _referees(app) == [("manager", "nominated", MANAGER["email"]),
                              ("peer", "nominated", "peer1@northwind.example")]
    with app.app_context():
        row = db.session.execute(sa.select(Referee)).scalars().first()
        assert b"Grace" not in row.details_enc and b"northwind" not in row.details_enc
        assert len(row.verification_code) == 7
        assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "referee.nominated")).scalar_one() == 2


REFUSALS = [
    ({"relationship": "direct_report"}, "allows only a manager, a peer or a client"),
    ({"email": "amira.okafor@candidate.example"}, "your own email address"),
    ({"email": "AMIRA.OKAFOR@candidate.example "}, "your own email address"),
    ({"email": "grace.lindqvist@northwind.example"}, "already named someone with this email"),
    ({"email": "not-an-email"}, "Enter an email address like name@example.org."),
    ({"worked_from": "2024-06", "worked_to": "2022-01"}, "The end cannot be before the start"),
]


@pytest.mark.parametrize(("change", "message"), REFUSALS)
def test_refusals_on_the_candidate_form(app, candidate, change, message):
    nominate(candidate, **MANAGER)
    before = _referees(app)
    response = nominate(candidate, **{**peer(1), **change})
    assert response.status_code == 422
    assert message.encode() in response.data
    assert b'value="Peer 1"' in response.data  # nothing typed is lost
    assert _referees(app) == before


@pytest.mark.parametrize(("change", "message"), REFUSALS)
def test_refusals_on_the_staff_form(app, client, candidate, staff, sent_case, change, message):
    nominate(candidate, **MANAGER)
    before = _referees(app)
    sign_in(client, staff)
    response = _staff_add(client, sent_case.id, **{**peer(1), **change})
    assert response.status_code == 422
    assert message.encode() in response.data
    assert _referees(app) == before


def test_more_referees_than_the_scope_allows_is_refused_by_every_route(app, client, candidate, staff,
                                                                          sent_case):
    for n in range(4):
        assert nominate(candidate, **peer(n)).status_code == 303
    refused = nominate(candidate, **peer(9))
    assert b"allows at most 4 referees" in refused.data
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    assert b"allows at most 4 referees" in _staff_add(staff_client, sent_case.id, **peer(9)).data
    assert len(_referees(app)) == 4
    # Removing one makes room again.
    page = candidate.get("/portal/referees")
    with app.app_context():
        first = db.session.execute(sa.select(Referee.id).order_by(Referee.nominated_at)).scalars().first()
    candidate.post(f"/portal/referees/{first}/remove", data={"csrf_token": csrf_from(page.data)})
    assert nominate(candidate, **peer(9)).status_code == 303


def test_nothing_can_be_nominated_before_consent_or_after_withdrawal(app, client, sent_case, staff):
    enter_portal(client, sent_case)
    page = client.get("/portal/referees")
    assert b"no consent in force" in page.data
    client.post("/portal/referees", data={**MANAGER, "csrf_token": csrf_from(page.data)})
    consent(client)
    page = client.get("/portal/withdraw")
    client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    _staff_add(staff_client, sent_case.id, **MANAGER)
    assert _referees(app) == []


def test_staff_add_a_referee_within_scope(app, client, candidate, staff, sent_case):
    sign_in(client, staff)
    response = _staff_add(client, sent_case.id, **MANAGER)
    assert response.status_code == 302
    page = client.get(f"/staff/cases/{sent_case.id}")
    assert b"Grace Lindqvist" in page.data and b"added by staff" in page.data
    assert b"Still needed: 1 peer." in page.data


def test_a_referee_of_another_case_cannot_be_removed(app, client, candidate, staff):
    from .conftest import OTHER_CANDIDATE, send_case

    other = send_case(app, staff, OTHER_CANDIDATE)
    other_client = app.test_client()
    enter_portal(other_client, other)
    consent(other_client, "Tomasz Wielgosz")
    nominate(other_client, **MANAGER)
    with app.app_context():
        theirs = db.session.execute(sa.select(Referee.id)).scalar_one()
    page = candidate.get("/portal/referees")
    response = candidate.post(f"/portal/referees/{theirs}/remove", data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 404
    assert _referees(app)[0][1] == "nominated"


def _claim(client, **data):
    page = client.get("/portal/history")
    return client.post("/portal/history", data={**data, "csrf_token": csrf_from(page.data)})


def test_candidate_states_claims_within_the_period(app, candidate):
    response = _claim(candidate, employer="Northwind Analytics", title="Data Engineer",
                      start_month="2022-01", end_month="2024-06", reason_for_leaving="resigned",
                      responsibilities="Built the data platform.")
    assert response.status_code == 303
    page = candidate.get("/portal/history")
    assert b"Data Engineer" in page.data and b"January 2022 to June 2024" in page.data
    assert b"I resigned" in page.data
    current = _claim(candidate, employer="Contoso", title="Senior Data Engineer", start_month="2024-07")
    assert current.status_code == 303
    assert b"July 2024 to now" in candidate.get("/portal/history").data
    with app.app_context():
        rows = db.session.execute(sa.select(Claim)).scalars().all()
        assert len(rows) == 2
        assert all(b"Northwind" not in r.facts_enc and b"Contoso" not in r.facts_enc for r in rows)


def test_claims_outside_the_period_or_incomplete_are_refused(app, candidate):
    outside = _claim(candidate, employer="Old Co", title="Intern", start_month="2010-01",
                     end_month="2011-01", reason_for_leaving="contract_ended")
    assert outside.status_code == 422 and b"outside the period you agreed" in outside.data
    no_reason = _claim(candidate, employer="Northwind", title="Engineer", start_month="2022-01",
                       end_month="2023-01")
    assert b"Choose why the job ended." in no_reason.data
    future = _claim(candidate, employer="Northwind", title="Engineer", start_month="2099-01")
    assert b"has not happened yet" in future.data
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Claim)).scalar_one() == 0


def _invite(client, follow=True):
    page = client.get("/portal/referees")
    return client.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)},
                       follow_redirects=follow)


def test_invitations_wait_for_the_work_history_referees_are_compared_with(app, candidate):
    from refcheck.models import Case, OutboxMessage

    nominate(candidate, **MANAGER)
    nominate(candidate, **peer(1))
    page = candidate.get("/portal/referees").data.decode()
    assert "Add your work history before we contact anyone" in page
    assert "Their answers are compared with what you write" in page
    assert 'href="/portal/history"' in page and "Send the invitations</button>" not in page
    # Sent anyway (an old tab, a crafted request), the command refuses and points to the history page.
    refused = _invite(candidate, follow=False)
    assert refused.headers["Location"].endswith("/portal/history")
    history = candidate.get("/portal/history").data.decode()
    assert ("Before we contact your referees, please add your work history: the positions you held between "
            "January 2021 and October 2026.") in history
    assert "their answers are compared with this history" in history
    assert {state for _, state, _ in _referees(app)} == {"nominated"}
    with app.app_context():
        assert db.session.execute(sa.select(Case.state)).scalar_one() == "nominating"
        assert db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.kind == "referee_invitation")).scalar_one() == 0
    _claim(candidate, employer="Northwind Analytics", title="Data Engineer", start_month="2022-01",
           end_month="2024-06", reason_for_leaving="resigned")
    page = candidate.get("/portal/referees").data.decode()
    assert "Add your work history" not in page and "Send the invitations</button>" in page
    assert b"We have emailed 2 referees" in _invite(candidate).data
    assert {state for _, state, _ in _referees(app)} == {"invited"}


def test_a_scope_without_employment_facts_sends_invitations_without_a_history(app, client, sent_case):
    from dataclasses import replace

    from refcheck.models import Case
    from refcheck.scope import Scope

    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        case.scope = replace(Scope.from_json(case.scope), checks=("references",)).to_json()
        db.session.commit()
    enter_portal(client, sent_case)
    consent(client)
    nominate(client, **MANAGER)
    nominate(client, **peer(1))
    assert "Add your work history" not in client.get("/portal/referees").data.decode()
    assert b"We have emailed 2 referees" in _invite(client).data


def test_a_request_after_the_case_moved_on_is_refused_by_its_state_not_the_history(app, candidate):
    nominate(candidate, **MANAGER)
    nominate(candidate, **peer(1))
    stale = csrf_from(candidate.get("/portal/referees").data)
    withdraw = candidate.get("/portal/withdraw")
    candidate.post("/portal/withdraw", data={"csrf_token": csrf_from(withdraw.data), "confirm": "y"})
    refused = candidate.post("/portal/referees/invite", data={"csrf_token": stale})
    assert refused.headers["Location"].endswith("/portal/referees")
    page = candidate.get("/portal/referees").data.decode()
    assert "We could not send the invitations: you withdrew your consent" in page
    assert "please add your work history" not in page
    with app.app_context():
        assert db.session.execute(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("%refused%"))).scalars().all()
