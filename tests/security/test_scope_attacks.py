"""A referee outside the consented scope is refused by every route: the candidate's list, staff, approval."""

from dataclasses import replace

import pytest
import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import Case, OutboxMessage, Referee, keyring, utcnow

from ..conftest import MANAGER, consent, csrf_from, enter_portal, nominate, peer, sign_in, state_work_history

OUTSIDE = {
    "wrong relationship": {**peer(8), "relationship": "direct_report"},
    "made-up relationship": {**peer(8), "relationship": "best_friend"},
    "outside the period": {**peer(8), "worked_from": "2012-01", "worked_to": "2016-12"},
}


def _referees(app, case_id):
    with app.app_context():
        return sorted(r.details["name"] for r in db.session.execute(
            sa.select(Referee).where(Referee.case_id == case_id)).scalars())


@pytest.fixture
def nominating(app, client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    return client


@pytest.mark.parametrize("kind", sorted(OUTSIDE))
def test_candidate_cannot_nominate_a_referee_outside_the_scope(app, nominating, sent_case, kind):
    response = nominate(nominating, **OUTSIDE[kind])
    assert response.status_code == 422
    assert _referees(app, sent_case.id) == []


def test_candidate_cannot_nominate_more_referees_than_consented(app, nominating, sent_case):
    for data in (MANAGER, peer(1), peer(2), peer(3)):
        assert nominate(nominating, **data).status_code == 303
    refused = nominate(nominating, **peer(4))
    assert refused.status_code == 422 and b"allows at most 4" in refused.data
    assert len(_referees(app, sent_case.id)) == 4


@pytest.mark.parametrize("kind", sorted(OUTSIDE))
def test_staff_cannot_add_a_referee_outside_the_scope(app, nominating, staff, sent_case, kind):
    browser = app.test_client()
    sign_in(browser, staff)
    page = browser.get(f"/staff/cases/{sent_case.id}")
    response = browser.post(f"/staff/cases/{sent_case.id}/referees",
                            data={**OUTSIDE[kind], "csrf_token": csrf_from(page.data)})
    assert response.status_code == 422
    assert _referees(app, sent_case.id) == []


def test_staff_cannot_add_more_referees_than_consented(app, nominating, staff, sent_case):
    for data in (MANAGER, peer(1), peer(2), peer(3)):
        nominate(nominating, **data)
    browser = app.test_client()
    sign_in(browser, staff)
    page = browser.get(f"/staff/cases/{sent_case.id}")
    response = browser.post(f"/staff/cases/{sent_case.id}/referees",
                            data={**peer(4), "csrf_token": csrf_from(page.data)})
    assert response.status_code == 422 and b"allows at most 4" in response.data
    assert len(_referees(app, sent_case.id)) == 4


def _plant(app, case_id, data):
    """Write a nominated referee straight into the database, as a row from before a rule existed would be."""
    from dataclasses import asdict

    from refcheck.referees import RefereeDetails

    with app.app_context():
        case = db.session.get(Case, case_id)
        referee = Referee(case=case, data_key=case.data_key, relationship=data["relationship"],
                          email_hash=keyring().lookup_hash(data["email"]), state="nominated",
                          nominated_by="candidate", nominated_at=utcnow(), verification_code="ABC-DEF")
        db.session.add(referee)
        referee.seal("details_enc", asdict(RefereeDetails(**data)))
        db.session.commit()
        return referee.id


def _approval_case(app, client, sent_case):
    from refcheck.scope import Scope

    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        case.scope = replace(Scope.from_json(case.scope), staff_approval=True).to_json()
        db.session.commit()
    enter_portal(client, sent_case)
    consent(client)
    nominate(client, **MANAGER)
    nominate(client, **peer(1))
    state_work_history(client)
    page = client.get("/portal/referees")
    client.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)})


def _invitations(app):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "referee_invitation")).scalar_one()


@pytest.mark.parametrize("kind", ["wrong relationship", "outside the period"])
def test_staff_cannot_approve_a_referee_outside_the_scope(app, client, staff, sent_case, kind):
    _approval_case(app, client, sent_case)
    rogue = _plant(app, sent_case.id, OUTSIDE[kind])
    browser = app.test_client()
    sign_in(browser, staff)
    page = browser.get(f"/staff/cases/{sent_case.id}")
    response = browser.post(f"/staff/cases/{sent_case.id}/referees/{rogue}/approve",
                            data={"csrf_token": csrf_from(page.data)}, follow_redirects=True)
    assert b"Approved and invited" not in response.data
    with app.app_context():
        row = db.session.get(Referee, rogue)
        assert row.state == "nominated" and row.approved_at is None
    assert _invitations(app) == 0
    # Someone inside the scope is approved as usual, so the refusal above is about the scope.
    with app.app_context():
        grace = db.session.execute(sa.select(Referee.id).where(Referee.relationship == "manager")).scalar()
    browser.post(f"/staff/cases/{sent_case.id}/referees/{grace}/approve",
                 data={"csrf_token": csrf_from(page.data)})
    assert _invitations(app) == 1


def test_staff_cannot_approve_more_referees_than_consented(app, client, staff, sent_case):
    _approval_case(app, client, sent_case)
    extra = [_plant(app, sent_case.id, peer(n)) for n in (2, 3, 4)]  # five active where four are allowed
    browser = app.test_client()
    sign_in(browser, staff)
    page = browser.get(f"/staff/cases/{sent_case.id}")
    response = browser.post(f"/staff/cases/{sent_case.id}/referees/{extra[-1]}/approve",
                            data={"csrf_token": csrf_from(page.data)}, follow_redirects=True)
    assert b"allows at most 4" in response.data
    assert _invitations(app) == 0
