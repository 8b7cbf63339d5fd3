"""The candidate's consent flow through the test client, with CSRF protection on."""

import json

import sqlalchemy as sa

from refcheck.commands import Actor
from refcheck.extensions import db
from refcheck.models import AccessLink, AuditEvent, Case, Consent, OutboxMessage, utcnow

from .conftest import OTHER_CANDIDATE, consent, csrf_from, enter_portal, send_case


def _case(app, case_id):
    with app.app_context():
        case = db.session.get(Case, case_id)
        return case.state, [c.decision for c in case.consents]


def test_link_exchange_redirects_to_a_url_without_the_token(client, sent_case):
    response = enter_portal(client, sent_case)
    assert response.status_code == 303
    assert response.headers["Location"] == "/portal"
    assert sent_case.token not in response.headers["Location"]
    page = client.get("/portal")
    assert page.status_code == 200
    assert b"Hello Amira Okafor, please read this and decide" in page.data
    assert b"Between 2 and 4 people you choose, including at least 1 manager and 1 peer" in page.data
    assert b"180 days after the case ends" in page.data
    assert b'="None"' not in page.data


def test_candidate_consents_and_sees_receipt_and_timeline(app, client, sent_case):
    enter_portal(client, sent_case)
    response = consent(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/portal/receipt"
    receipt = client.get("/portal/receipt")
    assert b"Your consent receipt" in receipt.data
    assert b"You agreed" in receipt.data
    assert _case(app, sent_case.id) == ("nominating", ["granted"])

    data = client.get("/portal/receipt.json").get_json()
    for key in ("version", "jurisdiction", "consentTimestamp", "collectionMethod",
                "consentReceiptID", "piiPrincipalId", "piiControllers", "policyUrl", "services",
                "howToWithdraw"):
        assert key in data
    assert data["piiPrincipalId"] == sent_case.email
    purpose = data["services"][0]["purposes"][0]
    assert purpose["consentType"] == "EXPLICIT"
    assert purpose["thirdPartyName"] == "Priya Shah, Head of Talent"
    assert data["scope"]["relationships"] == {"manager": 1, "peer": 1, "client": 0}
    assert data["policyUrl"].startswith("https://refcheck.test/")
    assert "https://refcheck.test/link" in data["howToWithdraw"]
    assert "reasons for leaving" in data["services"][0]["purposes"][0]["piiCategory"][1]

    home = client.get("/portal")
    assert b"You name your referees" in home.data
    assert b"Done on" in home.data
    with app.app_context():
        stored = db.session.execute(sa.select(Consent)).scalar_one()
        assert stored.unseal("signature_enc") == "Amira Okafor"
        assert stored.id == data["consentReceiptID"]
        actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
        assert "consent.granted" in actions
        kinds = db.session.execute(sa.select(OutboxMessage.kind)).scalars().all()
        assert "consent_confirmation" in kinds


def test_consent_needs_typed_name_and_checkbox_and_saves_nothing_without(app, client, sent_case):
    enter_portal(client, sent_case)
    page = client.get("/portal")
    response = client.post("/portal/consent", data={"csrf_token": csrf_from(page.data),
                                                    "signature": "", "agree": ""})
    assert response.status_code == 422
    assert b"Type your full name to sign." in response.data
    assert b"Tick the box to show you agree" in response.data
    assert b'aria-invalid="true"' in response.data
    assert _case(app, sent_case.id) == ("awaiting_consent", [])


def test_consent_without_csrf_token_is_refused(app, client, sent_case):
    enter_portal(client, sent_case)
    response = client.post("/portal/consent", data={"signature": "Amira Okafor", "agree": "y"})
    assert response.status_code == 400
    assert _case(app, sent_case.id) == ("awaiting_consent", [])


def test_candidate_declines_with_reason(app, client, sent_case):
    enter_portal(client, sent_case)
    page = client.get("/portal")
    response = client.post("/portal/decline", data={"csrf_token": csrf_from(page.data),
                                                    "reason": "I accepted another offer."})
    assert response.status_code == 303
    assert _case(app, sent_case.id) == ("declined", ["declined"])
    home = client.get("/portal")
    assert b"You declined this check" in home.data
    with app.app_context():
        stored = db.session.execute(sa.select(Consent)).scalar_one()
        assert stored.unseal("decline_reason_enc") == "I accepted another offer."
        assert b"another offer" not in stored.decline_reason_enc


def test_withdrawal_stops_the_case_and_is_recorded(app, client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    page = client.get("/portal/withdraw")
    assert b"Withdraw your consent" in page.data
    refused = client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data)})
    assert b"Tick the box to confirm." in refused.data
    assert _case(app, sent_case.id)[0] == "nominating"

    response = client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data),
                                                     "confirm": "y", "reason": "Changed my mind"})
    assert response.status_code == 303
    assert _case(app, sent_case.id)[0] == "withdrawn"
    home = client.get("/portal")
    assert b"You withdrew your consent" in home.data
    assert b"Stopped" in home.data
    receipt = client.get("/portal/receipt.json").get_json()
    assert receipt["withdrawn"]
    with app.app_context():
        events = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "consent.withdrawn")
        ).scalars().all()
        assert len(events) == 1 and events[0].case_id == sent_case.id
        live = db.session.execute(
            sa.select(AccessLink).where(AccessLink.case_id == sent_case.id,
                                        AccessLink.revoked_at.is_(None),
                                        AccessLink.used_at.is_(None))
        ).scalars().all()
        assert live == []
    # Withdrawing twice is refused and changes nothing.
    again = client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data), "confirm": "y"},
                        follow_redirects=True)
    assert b"We could not withdraw your consent: you withdrew your consent" in again.data


def test_candidate_cannot_reach_another_candidates_case(app, client, staff, sent_case):
    other = send_case(app, staff, OTHER_CANDIDATE)
    other_client = app.test_client()
    enter_portal(other_client, other)
    consent(other_client, "Tomasz Wielgosz")
    other_receipt = other_client.get("/portal/receipt.json").get_json()["consentReceiptID"]

    enter_portal(client, sent_case)
    for path in ("/portal", "/portal/withdraw"):
        page = client.get(path)
        assert OTHER_CANDIDATE[0].encode() not in page.data
    # The portal is scoped by the session: no URL names a case or receipt to swap.
    assert client.get("/portal/receipt").status_code == 404
    assert client.get(f"/portal/receipt/{other_receipt}").status_code == 404
    # Staff pages are not open to a candidate session.
    staff_page = client.get(f"/staff/cases/{other.id}")
    assert staff_page.status_code == 302 and "/staff/login" in staff_page.headers["Location"]


def test_portal_without_a_session_asks_for_the_link(client):
    response = client.get("/portal")
    assert response.status_code == 401
    assert b"Please use your link" in response.data


def test_sign_out_ends_the_candidate_session(client, sent_case):
    enter_portal(client, sent_case)
    saved = client.get_cookie("session").value
    page = client.get("/portal")
    client.post("/portal/signout", data={"csrf_token": csrf_from(page.data)})
    client.set_cookie("session", saved)
    assert client.get("/portal").status_code == 401


def test_receipt_json_is_valid_json_download(client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    response = client.get("/portal/receipt.json")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.data)["decision"] == "granted"


def test_each_page_points_to_the_next_step(app, client, sent_case):
    from .conftest import MANAGER, nominate, peer

    enter_portal(client, sent_case)
    consent(client)
    receipt = client.get("/portal/receipt").data.decode()
    assert "Next: name your referees" in receipt
    assert "Name your referees" in client.get("/portal").data.decode()
    for data in (MANAGER, peer(1), peer(2), peer(3)):
        nominate(client, **data)
    home = client.get("/portal").data.decode()
    assert "See your referees" in home and ">Name your referees<" not in home


def test_the_emailed_link_speaks_of_where_the_check_stands(app, client, sent_case):
    from refcheck import cases


    page = client.get(sent_case.path).data.decode()
    assert "Nothing happens until you decide" in page
    enter_portal(client, sent_case)
    consent(client)
    with app.app_context():
        token = cases.send_new_link(sent_case.id, Actor.system(), utcnow())
        db.session.commit()
    again = app.test_client().get(f"/c/{sent_case.id}/{token}").data.decode()
    assert "Nothing happens until you decide" not in again and "where your check stands" in again


def _staff_timeline_consent_date(app, staff, case_id) -> str:
    """Return the consent step's date as the staff page's copy of the candidate's timeline writes it."""
    import re

    from .conftest import sign_in

    browser = app.test_client()
    sign_in(browser, staff)
    html = browser.get(f"/staff/cases/{case_id}").data.decode()
    found = re.search(r"The candidate reads the scope and decides.*?expected by ([0-9]+ [A-Za-z]+ [0-9]{4})",
                      html, re.S)
    assert found, "no consent step on the timeline"
    return found.group(1)


def test_the_consent_page_gives_the_decide_by_date_its_timeline_gives(app, client, staff, sent_case):
    import datetime as dt

    from refcheck.dates import day

    enter_portal(client, sent_case)
    page = client.get("/portal").data.decode()
    expected = day((utcnow() + dt.timedelta(days=5)).date())  # the configured CONSENT_DAYS
    assert _staff_timeline_consent_date(app, staff, sent_case.id) == expected
    assert f"Please decide by <strong><time datetime=\"{(utcnow() + dt.timedelta(days=5)).date()}\">" \
           f"{expected}</time></strong>, so the check can finish on time." in page
    # Once that day has passed, the page asks without a date in the past.
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        case.stage_times = {**case.stage_times,
                            "awaiting_consent": (utcnow() - dt.timedelta(days=9)).isoformat()}
        db.session.commit()
    late = client.get("/portal").data.decode()
    assert "Please decide by" not in late and "Please decide as soon as you can." in late


def test_the_decline_section_says_who_is_told_and_what_it_means_for_the_offer(app, client, sent_case):
    enter_portal(client, sent_case)
    page = client.get("/portal").data.decode()
    section = page[page.index('id="decline-heading"'):]
    assert "sees that you declined, and your reason if you give one" in section
    assert ("We send Northwind Analytics Ltd nothing from this check: no report, and not your reason. "
            "They will know only that the check did not go ahead.") in section
    assert ("We cannot speak for Northwind Analytics Ltd: whether the offer depends on this check is "
            "their decision. If you are unsure, ask them or your contact there before you decide.") in section
    assert "Your record here is erased within 30 days." in section
    # What the page says is what happens: only the candidate is written to, no one at the employer.
    client.post("/portal/decline", data={"csrf_token": csrf_from(page), "reason": "Another offer."})
    with app.app_context():
        sent = {(m.kind, m.unseal("recipient_enc"))
                for m in db.session.execute(sa.select(OutboxMessage)).scalars()}
    assert sent == {("candidate_invitation", sent_case.email), ("consent_declined", sent_case.email)}


def test_the_withdraw_page_says_who_is_told_and_what_it_means_for_the_offer(app, client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    page = client.get("/portal/withdraw").data.decode()
    assert "sees that you withdrew, and your reason if you give one" in page
    assert "reads only that the check has stopped, not why" in page
    assert "one who has already answered and looks at their answers again reads that you withdrew" in page
    assert ("We send Northwind Analytics Ltd nothing from this check: no report, no answers, and not your "
            "reason. They will know only that the check did not go ahead.") in page
    assert "whether the offer depends on this check is their decision" in page
    assert "kept only for the 180 days you agreed to" in page
    client.post("/portal/withdraw", data={"csrf_token": csrf_from(page), "confirm": "y"})
    with app.app_context():
        recipients = {m.unseal("recipient_enc")
                      for m in db.session.execute(sa.select(OutboxMessage)).scalars()}
    assert recipients == {sent_case.email}
