"""Forms accept only their own fields, only with the session's CSRF token, and only at a sane size."""

import re

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AuditEvent, Case, Claim, Consent, Referee, Response, StaffUser

from ..conftest import (
    MANAGER,
    OTHER_CANDIDATE,
    attest_referee,
    consent,
    csrf_from,
    enter_portal,
    enter_referee,
    full_answers,
    make_staff,
    nominate,
    peer,
    send_case,
    sign_in,
)

FIVE_MB = "A" * (5 * 1024 * 1024)


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def test_five_megabyte_answer_is_refused_with_413_and_nothing_is_stored(app, invited):
    browser = enter_referee(app, invited["Peer 1"])
    html = attest_referee(browser).data.decode()
    data = full_answers(html)
    data[re.findall(r'<textarea[^>]*name="(q\d+)"', html)[0]] = FIVE_MB
    response = browser.post("/referee", data=data)
    assert response.status_code == 413
    assert b"That was too large to accept" in response.data
    assert _count(app, Response) == 0
    with app.app_context():
        referee = db.session.execute(sa.select(Referee).where(Referee.state == "opened")).scalar_one()
        assert referee.details["name"] == "Peer 1"
    # The referee can still answer normally afterwards.
    assert browser.post("/referee", data=full_answers(html)).status_code == 303
    assert _count(app, Response) == 1


def test_five_megabyte_posts_to_candidate_and_staff_forms_are_refused_with_413(app, client, invited, staff,
                                                                             sent_case):
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    before = (_count(app, Referee), _count(app, Claim), _count(app, AuditEvent))
    token = csrf_from(client.get("/portal/referees").data)
    assert client.post("/portal/referees", data={**peer(2), "name": FIVE_MB, "csrf_token": token}
                       ).status_code == 413
    assert client.post("/portal/history", data={"employer": FIVE_MB, "csrf_token": token}).status_code == 413
    token = csrf_from(staff_client.get(f"/staff/cases/{sent_case.id}").data)
    assert staff_client.post(f"/staff/cases/{sent_case.id}/answers",
                             data={"reason": FIVE_MB, "csrf_token": token}).status_code == 413
    assert (_count(app, Referee), _count(app, Claim), _count(app, AuditEvent)) == before


def _client_for(rule_access, clients):
    if rule_access in (("staff",), ("admin",), ("admin", "verifier")):
        return clients["staff"]
    return clients.get(rule_access[0] if rule_access else "public", clients["public"])


def test_missing_or_foreign_csrf_token_is_refused_on_every_post_form(app, client, invited, staff, sent_case):
    grace_id, grace_token = invited["Grace Lindqvist"].split("/")[2:]
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    clients = {"staff": staff_client, "candidate": client, "referee": enter_referee(app, invited["Peer 1"]),
               "public": app.test_client()}
    # The attacker's own session yields a perfectly valid token, for the wrong session.
    attacker = app.test_client()
    foreign = csrf_from(attacker.get("/staff/login").data)
    for victim in clients.values():
        victim.get("/")  # every victim has a session of its own
    with app.app_context():
        finding = "f" * 32
        values = {"case_id": sent_case.id, "referee_id": grace_id, "user_id": staff.id,
                  "finding_id": finding, "claim_id": "c" * 32}
    events_before = _count(app, AuditEvent)
    state_before = _count(app, Referee, Referee.state == "invited")
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        if getattr(app.view_functions[rule.endpoint], "access_rule", None) == ("api-key",):
            # The API reads no cookie, so a forged cross-site request carries nothing it accepts: a
            # bearer key is never sent by a browser on its own (every session gets 401 there, see
            # test_access_matrix), and that is what CSRF tokens stand in for on the pages.
            continue
        args = {}
        for name in rule.arguments:
            converter = type(rule._converters[name]).__name__
            args[name] = values.get(name, 1 if converter == "IntegerConverter" else "1")
        if "token" in rule.arguments:
            args["token"] = grace_token if rule.rule.startswith("/r/") else sent_case.token
        path = rule.build(args)[1]
        view = app.view_functions[rule.endpoint]
        browser = _client_for(getattr(view, "access_rule", None), clients)
        form = {"email": staff.email, "password": staff.password, "reason": "forged", "confirm": "y",
                "signature": "Amira Okafor", "agree": "y", "text": "forged", "fingerprint": "0" * 64}
        for token in (None, foreign):
            data = dict(form, csrf_token=token) if token else form
            response = browser.post(path, data=data)
            assert response.status_code == 400, f"POST {path} with {token and 'a foreign' or 'no'} token"
            assert b"The form had expired or came from somewhere else" in response.data
        checked.append(path)
    assert len(checked) >= 25
    assert _count(app, AuditEvent) == events_before  # nothing happened, not even a sign-in
    assert _count(app, Referee, Referee.state == "invited") == state_before
    assert staff_client.get("/staff/").status_code == 200  # the forged sign-out did not sign staff out


def test_extra_fields_on_candidate_forms_are_ignored(app, client, sent_case, staff):
    other = send_case(app, staff, OTHER_CANDIDATE)
    with app.app_context():
        other_state = db.session.get(Case, other.id).state
    extra = {"state": "released", "role": "admin", "case_id": str(other.id), "referee_id": "f" * 32,
             "created_by_id": "999", "nominated_by": "staff", "approved_at": "2020-01-01T00:00:00",
             "decision": "declined", "id": "1", "data_key_id": "0" * 32, "email_hash": "0" * 64}
    enter_portal(client, sent_case)
    page = client.get("/portal")
    client.post("/portal/consent", data={**extra, "csrf_token": csrf_from(page.data),
                                         "signature": "Amira Okafor", "agree": "y"})
    nominate(client, **MANAGER, **extra)
    page = client.get("/portal/history")
    client.post("/portal/history", data={**extra, "csrf_token": csrf_from(page.data),
                                         "employer": "Northwind Analytics Ltd",
                                         "title": "Senior Data Engineer",
                                         "start_month": "2022-01", "end_month": "2024-06",
                                         "reason_for_leaving": "resigned"})
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        assert case.state == "nominating"
        (given,) = db.session.execute(sa.select(Consent)).scalars().all()
        assert given.case_id == sent_case.id and given.decision == "granted"
        (referee,) = db.session.execute(sa.select(Referee)).scalars().all()
        assert referee.case_id == sent_case.id and referee.state == "nominated"
        assert referee.nominated_by == "candidate" and referee.approved_at is None
        assert referee.data_key_id == case.data_key_id and referee.id != "f" * 32
        (claim,) = db.session.execute(sa.select(Claim)).scalars().all()
        assert claim.case_id == sent_case.id
        assert db.session.get(Case, other.id).state == other_state
        assert db.session.execute(sa.select(sa.func.count()).select_from(Referee).where(
            Referee.case_id == other.id)).scalar_one() == 0


def test_extra_fields_on_referee_forms_are_ignored(app, invited):
    peer_id = invited["Peer 1"].split("/")[2]
    grace = enter_referee(app, invited["Grace Lindqvist"])
    page = grace.get("/referee")
    extra = {"referee_id": peer_id, "state": "submitted", "case_id": "999", "attested_at": "2020-01-01",
             "ip_hash": "0" * 64}
    grace.post("/referee/attest", data={**extra, "csrf_token": csrf_from(page.data), "identity": "y",
                                        "truthful": "y"})
    html = grace.get("/referee/all").data.decode()
    assert grace.post("/referee", data={**full_answers(html), **extra}).status_code == 303
    with app.app_context():
        (response,) = db.session.execute(sa.select(Response)).scalars().all()
        peer_row = db.session.get(Referee, peer_id)
        assert response.referee_id != peer_id and response.ip_hash != "0" * 64
        assert peer_row.state == "invited" and peer_row.attested_at is None


def test_extra_fields_on_staff_forms_are_ignored(app, client, invited, staff, sent_case):
    verifier = make_staff(app, "val@verify.example", role="verifier")
    other = send_case(app, staff, OTHER_CANDIDATE)
    extra = {"state": "released", "role": "admin", "created_by_id": str(verifier.id), "active": "",
             "case_id": str(other.id), "referee_id": "f" * 32, "id": "77", "is_admin": "y"}
    # A verifier signs in with role=admin added to the sign-in form, then opens a case with extras.
    browser = app.test_client()
    page = browser.get("/staff/login")
    browser.post("/staff/login", data={**extra, "csrf_token": csrf_from(page.data), "email": verifier.email,
                                       "password": verifier.password})
    assert browser.get("/staff/accounts").status_code == 403
    page = browser.get("/staff/cases/new")
    form = {"csrf_token": csrf_from(page.data), "candidate_name": "Jonah Bell",
            "candidate_email": "jonah@candidate.example", "position": "Analyst",
            "hiring_organisation": "Contoso", "purpose": "To confirm work history.",
            "checks": ["references", "employment_history"], "min_referees": "2", "max_referees": "3",
            "period_from": "2021-01", "period_to": "2025-01", "question_set": "standard-v1",
            "report_recipients": "Hiring team", "retention_days": "180", "rel_manager": "1",
            "rel_peer": "1", "rel_direct_report": "off", "rel_client": "off", "rel_other": "off"}
    response = browser.post("/staff/cases/new", data={**form, **extra})
    assert response.status_code == 302
    # Staff add a referee to this case with another case's id and a state in the form.
    page = browser.get(f"/staff/cases/{sent_case.id}")
    browser.post(f"/staff/cases/{sent_case.id}/referees", data={
        **extra, **peer(7), "csrf_token": csrf_from(page.data)})
    # An admin creates an account with extras: only name, email, role and password count.
    admin = app.test_client()
    sign_in(admin, staff)
    page = admin.get("/staff/accounts")
    admin.post("/staff/accounts", data={**extra, "role": "verifier", "csrf_token": csrf_from(page.data),
                                        "name": "Kim", "email": "kim@verify.example",
                                        "password": "another long password"})
    with app.app_context():
        opened = db.session.execute(sa.select(Case).where(Case.position == "Analyst")).scalar_one()
        assert opened.state == "draft" and opened.created_by_id == verifier.id and opened.id != 77
        assert db.session.get(StaffUser, verifier.id).role == "verifier"
        added = db.session.execute(sa.select(Referee).where(Referee.nominated_by == "staff")).scalar_one()
        assert added.case_id == sent_case.id and added.state == "nominated" and added.id != "f" * 32
        assert db.session.get(Case, other.id).state == "awaiting_consent"
        kim = db.session.execute(sa.select(StaffUser).where(StaffUser.email == "kim@verify.example")
                                 ).scalar_one()
        assert kim.role == "verifier" and kim.active and kim.id != 77


def test_consent_form_cannot_consent_to_another_case(app, client, sent_case, staff):
    other = send_case(app, staff, OTHER_CANDIDATE)
    enter_portal(client, sent_case)
    consent(client)
    with app.app_context():
        assert db.session.get(Case, other.id).state == "awaiting_consent"
        assert db.session.execute(sa.select(sa.func.count()).select_from(Consent).where(
            Consent.case_id == other.id)).scalar_one() == 0
