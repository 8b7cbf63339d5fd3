"""Odd input gets a clear message or an empty result: never a line of its own in an email, never a 500."""

import pytest
import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import OutboxMessage, Referee

from ..conftest import MANAGER, consent, csrf_from, enter_portal, nominate, peer, sign_in, state_work_history

FAKE_NOTICE = ("Grace Lindqvist\r\n\r\nSECURITY NOTICE: your refcheck account is locked. "
               "Verify it within 24 hours at https://refcheck-security.example/verify\r\n")


def test_a_referee_name_with_line_breaks_is_refused_and_puts_nothing_into_an_email(app, client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    for name in (FAKE_NOTICE, "Grace\nLindqvist", "Grace\u2028Lindqvist", "Grace\tLindqvist",
                 "Grace \u202eLindqvist"):
        refused = nominate(client, **{**MANAGER, "name": name})
        assert refused.status_code == 422
        assert "Please write this on one line" in refused.get_data(as_text=True)
    nominate(client, **MANAGER)
    nominate(client, **peer(1))
    state_work_history(client)
    page = client.get("/portal/referees")
    client.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)})
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Referee)).scalar_one() == 2
        bodies = [m.unseal("body_enc") for m in db.session.execute(sa.select(OutboxMessage)).scalars()]
    assert len(bodies) >= 3 and not any("SECURITY NOTICE" in body for body in bodies)


def test_the_service_itself_refuses_control_characters_whoever_calls_it(app, sent_case, staff):
    from refcheck import cases, referees
    from refcheck.cases import CaseError
    from refcheck.commands import Actor
    from refcheck.models import StaffUser, utcnow

    from ..conftest import default_scope

    with app.app_context():
        user = Actor.staff(db.session.get(StaffUser, staff.id))
        for field in ("candidate_name", "position", "hiring_organisation"):
            values = {"candidate_name": "Eve", "candidate_email": "eve@candidate.example",
                      "position": "Analyst", "hiring_organisation": "Contoso",
                      "purpose": "To confirm work history.", "due_date": None}
            values[field] = "Line one\r\nLine two"
            with pytest.raises(CaseError) as refused:
                cases.open_case(cases.CaseDetails(**values), default_scope(), user, utcnow())
            assert refused.value.field == field and "one line" in refused.value.message
        candidate = Actor.candidate(sent_case.id)
        cases.grant_consent(sent_case.id, candidate, "Amira Okafor", None, None, utcnow())
        db.session.commit()
        details = referees.RefereeDetails(**{**MANAGER, "organisation": "Northwind\nAnalytics"})
        with pytest.raises(CaseError) as refused:
            referees.nominate(sent_case.id, candidate, details, utcnow())
        assert refused.value.field == "organisation"


def test_every_value_written_into_an_email_stays_on_its_own_line(app):
    from refcheck import mail
    from refcheck.models import DataKey

    with app.test_request_context():
        message = mail.queue("referee_replacement", "amira@candidate.example", DataKey.generate(), None,
                             name="Amira", referee_name="Grace", base_url="https://refcheck.test",
                             reason="They left.\r\n\r\nSECURITY NOTICE: verify at https://evil.example\u2028X",
                             case=type("C", (), {"reference": "RC-00001"})())
        body = message.unseal("body_enc")
    lines = body.splitlines()
    assert not any(line.startswith(("SECURITY NOTICE", "X")) for line in lines)
    assert "Why: They left.    SECURITY NOTICE: verify at https://evil.example X" in lines


@pytest.mark.parametrize("query", [
    "q=%ED%9F%BF",  # U+D7FF: the search range once ended on a surrogate, which no database can hold
    "q=%F4%8F%BF%BF",  # the last code point
    "q=%ED%A0%80",  # an encoded surrogate
    "q=%00", "q=%FF%FE", "q=" + "a" * 5000, "q=rc-99999999999999999999",
    "page=100000000000000000000", "page=-3", "page=abc", "page=1e9",
    "state=%ED%A0%80&page=99999999",
])
def test_odd_search_input_and_page_numbers_give_a_page_never_a_500(app, client, staff, sent_case, query):
    sign_in(client, staff)
    response = client.get(f"/staff/?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "<h1>Cases</h1>" in response.get_data(as_text=True)
