"""Who may reach what: one candidate never reaches another's case, one referee never another's form, and
verifiers never reach admin pages; sessions rotate at sign-in and die at sign-out."""


import pytest
import sqlalchemy as sa

from refcheck.commands import Actor
from refcheck.extensions import db
from refcheck.models import AccessLink, Claim, Finding, Referee, Reply, Response, StaffUser

from ..conftest import (
    OTHER_CANDIDATE,
    consent,
    csrf_from,
    enter_portal,
    enter_referee,
    make_staff,
    send_case,
    sign_in,
    without_csrf,
)
from .conftest import release_case


def _fresh_candidate_link(app, case_id: int) -> str:
    from refcheck import cases
    from refcheck.models import utcnow

    with app.app_context():
        token = cases.send_new_link(case_id, Actor.system(), utcnow())
        db.session.commit()
        return token


def _rules(app, access_rule: tuple[str, ...]):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access_rule", None) == access_rule:
            yield rule


@pytest.fixture
def two_candidates(app, client, invited, staff, sent_case):
    """B (Amira) taken to release; A (Tomasz) signed in to their own consented case."""
    release_case(app, client, invited, staff, sent_case, answer="B's private answer about Amira.",
                 reply="B's private reply.", note="B's private note.")
    other = send_case(app, staff, OTHER_CANDIDATE)
    intruder = app.test_client()
    enter_portal(intruder, other)
    consent(intruder, OTHER_CANDIDATE[0])
    with app.app_context():
        b_ids = {
            "finding": db.session.execute(sa.select(Finding.id).where(Finding.case_id == sent_case.id))
            .scalars().first(),
            "referee": db.session.execute(sa.select(Referee.id).where(Referee.case_id == sent_case.id))
            .scalars().first(),
            "claim": db.session.execute(sa.select(Claim.id).where(Claim.case_id == sent_case.id))
            .scalars().first(),
        }
    return intruder, other, b_ids


B_SECRETS = (b"Amira", b"Okafor", b"amira.okafor", b"Grace", b"Lindqvist", b"private answer",
             b"private reply", b"private note")


def _shows_nothing_of_b(body: bytes, b_case_id: int) -> None:
    for secret in (*B_SECRETS, f"RC-{b_case_id:05d}".encode()):
        assert secret not in body, f"{secret!r} of another candidate's case reached the page"


def test_candidate_cannot_reach_another_candidates_case_report_or_receipt(app, two_candidates, sent_case):
    intruder, other, b_ids = two_candidates
    b = sent_case.id
    # Every candidate page, with the other case named in every way a query string could.
    pages = 0
    for rule in _rules(app, ("candidate",)):
        if rule.arguments or "GET" not in rule.methods:
            continue
        response = intruder.get(f"{rule.rule}?case_id={b}&case={b}&id={b}")
        _shows_nothing_of_b(response.data, b)
        pages += 1
    assert pages >= 5
    assert intruder.get(f"/portal/report.pdf?case_id={b}").status_code == 404  # A's report is not out
    assert (without_csrf(intruder.get(f"/portal/receipt?case_id={b}").data)
            == without_csrf(intruder.get("/portal/receipt").data))
    receipt = intruder.get(f"/portal/receipt.json?case_id={b}").get_json()
    assert receipt["piiPrincipalId"] == OTHER_CANDIDATE[1]

    # B's rows addressed by id answer exactly like rows that do not exist.
    for template, value in (("/portal/findings/{}", b_ids["finding"]),
                            ("/portal/referees/{}/remove", b_ids["referee"]),
                            ("/portal/history/{}/remove", b_ids["claim"])):
        token = csrf_from(intruder.get("/portal/referees").data)
        real = intruder.post(template.format(value), data={"csrf_token": token, "text": "Mine now."})
        missing = intruder.post(template.format("f" * 32), data={"csrf_token": token, "text": "Mine now."})
        assert real.status_code == missing.status_code == 404
        assert without_csrf(real.data) == without_csrf(missing.data)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Reply)).scalar_one() == 1
        assert db.session.get(Referee, b_ids["referee"]).state == "submitted"
        assert db.session.get(Claim, b_ids["claim"]) is not None

    # Staff addresses of B's case only send the candidate to the staff sign-in, as for a missing case.
    for suffix in ("", "/report.pdf", "/answers"):
        real, missing = intruder.get(f"/staff/cases/{b}{suffix}"), intruder.get(f"/staff/cases/99999{suffix}")
        assert real.status_code == missing.status_code == 302
        assert real.headers["Location"] == missing.headers["Location"] == "/staff/login"

    # A's own valid link pasted under B's case number is refused like any made-up link.
    token = _fresh_candidate_link(app, other.id)
    crossed = intruder.get(f"/c/{b}/{token}")
    made_up = intruder.get(f"/c/{b}/" + "x" * 43)
    assert crossed.status_code == made_up.status_code == 404
    assert without_csrf(crossed.data) == without_csrf(made_up.data)
    assert intruder.post(f"/c/{b}/{token}", data={"csrf_token": csrf_from(intruder.get("/link").data)}
                         ).status_code == 404
    _shows_nothing_of_b(intruder.get("/portal").data, b)


def test_referee_token_on_another_form_is_refused(app, invited):
    grace_id, grace_token = invited["Grace Lindqvist"].split("/")[2:]
    peer_id, peer_token = invited["Peer 1"].split("/")[2:]
    stranger = app.test_client()
    crossed = stranger.get(f"/r/{grace_id}/{peer_token}")
    made_up = stranger.get(f"/r/{grace_id}/" + "x" * 43)
    assert crossed.status_code == made_up.status_code == 404
    assert without_csrf(crossed.data) == without_csrf(made_up.data)
    assert b"Grace" not in crossed.data and b"Peer 1" not in crossed.data
    token = csrf_from(stranger.get(f"/r/{peer_id}/{peer_token}").data)
    assert stranger.post(f"/r/{grace_id}/{peer_token}", data={"csrf_token": token}).status_code == 404
    assert stranger.get("/referee").status_code == 401  # no session was started

    # Grace, signed in with her own link, tries her token on the peer's address.
    grace = enter_referee(app, invited["Grace Lindqvist"])
    token = csrf_from(grace.get("/referee").data)
    assert grace.post(f"/r/{peer_id}/{grace_token}", data={"csrf_token": token}).status_code == 404
    page = grace.get("/referee")
    assert b"I am Grace Lindqvist" in page.data and b"Peer 1" not in page.data
    with app.app_context():
        assert db.session.get(Referee, peer_id).state == "invited"  # never opened by anyone
    # A referee session is not a candidate session either.
    assert grace.get("/portal").status_code == 401


def test_referee_session_cannot_reach_another_referees_form(app, invited):
    grace = enter_referee(app, invited["Grace Lindqvist"])
    peer_id = invited["Peer 1"].split("/")[2]
    # The form has no referee in its address; whatever is added, the session decides whose it is.
    for path in (f"/referee?referee_id={peer_id}", f"/referee?id={peer_id}", f"/referee/{peer_id}",
                 f"/r/{peer_id}"):
        response = grace.get(path)
        assert b"Peer 1" not in response.data
        assert response.status_code in (200, 404)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one() == 0
        assert db.session.get(Referee, peer_id).state == "invited"


def test_verifier_is_refused_on_every_admin_route(app, staff):
    verifier = make_staff(app, "val@verify.example", role="verifier")
    client = app.test_client()
    sign_in(client, verifier)
    token = csrf_from(client.get("/staff/").data)
    checked = []
    for rule in _rules(app, ("admin",)):
        values = {name: staff.id if "id" in name else "x" for name in rule.arguments}
        path = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token, "email": "mallory@verify.example", "name": "Mallory",
                    "role": "admin", "password": "a long enough password"}
            response = client.open(path, method=method, data=data if method == "POST" else None)
            assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
            assert b"This page is not open to you" in response.data
            checked.append((method, path))
    assert ("GET", "/staff/accounts") in checked and ("POST", "/staff/accounts") in checked
    assert len(checked) >= 3
    with app.app_context():
        assert db.session.get(StaffUser, staff.id).active
        assert db.session.execute(sa.select(StaffUser.email)).scalars().all().count(
            "mallory@verify.example") == 0
        assert db.session.get(StaffUser, verifier.id).role == "verifier"


def test_staff_session_id_changes_at_sign_in_and_old_cookie_is_refused_after_sign_out(app, staff):
    victim = app.test_client()
    victim.get("/staff/login")
    planted = victim.get_cookie("session").value  # what an attacker could have planted or copied
    sign_in(victim, staff)
    signed_in = victim.get_cookie("session").value
    assert signed_in != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/staff/").status_code == 302  # the planted cookie never became signed in
    thief = app.test_client()
    thief.set_cookie("session", signed_in)
    assert thief.get("/staff/").status_code == 200  # a live copy works until sign-out ...

    page = victim.get("/staff/")
    victim.post("/staff/logout", data={"csrf_token": csrf_from(page.data)})
    assert thief.get("/staff/").status_code == 302  # ... and is refused after it
    assert thief.get("/staff/accounts").status_code == 302
    with app.app_context():
        from refcheck.models import PortalSession

        assert all(s.ended_at for s in db.session.execute(
            sa.select(PortalSession).where(PortalSession.kind == "staff")).scalars())


def test_candidate_cookie_is_refused_after_sign_out(app, client, sent_case):
    enter_portal(client, sent_case)
    copy = client.get_cookie("session").value
    page = client.get("/portal")
    client.post("/portal/signout", data={"csrf_token": csrf_from(page.data)})
    thief = app.test_client()
    thief.set_cookie("session", copy)
    refused = thief.get("/portal")
    assert refused.status_code == 401 and b"Amira" not in refused.data


def test_candidate_link_cannot_be_used_twice_to_start_a_second_session(app, client, sent_case):
    enter_portal(client, sent_case)
    second = app.test_client()
    assert second.get(sent_case.path).status_code == 404
    with app.app_context():
        assert db.session.execute(sa.select(AccessLink.used_at)).scalar_one() is not None
    assert second.get("/portal").status_code == 401
