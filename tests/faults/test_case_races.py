"""Concurrent requests at four gunicorn workers cannot get past the case's lock: the scope, one consent, and
answers that arrive as review starts all hold, on SQLite and on PostgreSQL.

Each request is sent at once from its own thread (a barrier releases them together), with one
browser's cookie, as a person double-clicking or a script hammering a form would. Afterwards the
rows and the emails are counted.
"""

from __future__ import annotations

import dataclasses
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from refcheck import cases, referees
from refcheck.commands import Actor
from refcheck.extensions import db
from refcheck.models import Consent, Finding, OutboxMessage, Referee, Response, StaffUser, utcnow

from ..conftest import CANDIDATE, MANAGER, csrf_from, default_scope, full_answers, peer
from ..lifecycle_cases import build
from .conftest import HttpBrowser


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _at_once(base: str, cookie: str, posts: list[tuple[str, dict]]) -> list[tuple[int, str, str]]:
    """Send every (path, form) at once with one browser's cookie; return each status, location and body."""
    start = threading.Barrier(len(posts))
    opener = urllib.request.build_opener(_NoRedirect)

    def send(post: tuple[str, dict]) -> tuple[int, str, str]:
        path, form = post
        request = urllib.request.Request(base + path, data=urllib.parse.urlencode(form, doseq=True).encode(),
                                         headers={"Cookie": cookie})
        start.wait(timeout=60)
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.headers.get("Location", ""), err.read().decode()

    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(send, posts))


def _candidate(app, served, staff, scope=None) -> tuple[int, HttpBrowser]:
    """Open and send a case (with `scope`) and return it with the candidate's browser inside the portal."""
    with app.app_context():
        actor = Actor.staff(db.session.get(StaffUser, staff.id))
        details = cases.CaseDetails(*CANDIDATE, "Senior Data Engineer", "Northwind Analytics Ltd",
                                    "To confirm work history.", None)
        case_id = cases.open_case(details, scope or default_scope(), actor, utcnow()).id
        db.session.commit()
        token = cases.invite_candidate(case_id, actor, utcnow())
        db.session.commit()
    browser = HttpBrowser(served.base)
    page = browser.get(f"/c/{case_id}/{token}")[1]
    assert browser.post(f"/c/{case_id}/{token}", {"csrf_token": csrf_from(page)})[0] == 303
    return case_id, browser


def _consented(app, case_id: int) -> None:
    with app.app_context():
        cases.grant_consent(case_id, Actor.candidate(case_id), CANDIDATE[0], None, None, utcnow())
        db.session.commit()


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def _no_server_errors(served, results) -> None:
    assert all(status < 500 for status, _, _ in results), [status for status, _, _ in results]
    assert "Traceback" not in served.log_text()


def test_eight_nominations_at_once_stop_at_the_scopes_three(app, staff, served):
    case_id, browser = _candidate(app, served, staff, dataclasses.replace(default_scope(), max_referees=3))
    _consented(app, case_id)
    with app.app_context():  # a manager and a peer are named already: one place is left
        for person in (MANAGER, peer(1)):
            referees.nominate(case_id, Actor.candidate(case_id), referees.RefereeDetails(**person), utcnow())
            db.session.commit()
        # The work history the referees are compared with: invitations wait for it.
        referees.save_claim(case_id, Actor.candidate(case_id), referees.ClaimFacts(
            "Northwind Analytics Ltd", "Senior Data Engineer", "2022-01", "2024-06", "resigned"), utcnow())
        db.session.commit()
    token = csrf_from(browser.get("/portal/referees")[1])
    people = [{**peer(n), "relationship": "peer" if n % 2 else "client"} for n in range(2, 10)]
    results = _at_once(served.base, browser.cookie_header(),
                       [("/portal/referees", {**person, "csrf_token": token}) for person in people])
    _no_server_errors(served, results)
    refused = [body for status, _, body in results if status == 422]
    assert sorted(status for status, _, _ in results) == [303] + [422] * 7
    assert all("allows at most 3 referees" in body for body in refused)
    assert _count(app, Referee, Referee.case_id == case_id) == 3

    # Sending the invitations twice at once contacts the three, once each.
    token = csrf_from(browser.get("/portal/referees")[1])
    results = _at_once(served.base, browser.cookie_header(),
                       [("/portal/referees/invite", {"csrf_token": token})] * 2)
    _no_server_errors(served, results)
    assert _count(app, OutboxMessage, OutboxMessage.case_id == case_id,
                  OutboxMessage.kind == "referee_invitation") == 3


def test_six_nominations_of_one_address_at_once_make_one_referee(app, staff, served):
    case_id, browser = _candidate(app, served, staff)
    _consented(app, case_id)
    token = csrf_from(browser.get("/portal/referees")[1])
    same = [{**MANAGER, "relationship": "manager" if n % 2 else "peer", "csrf_token": token}
            for n in range(6)]
    results = _at_once(served.base, browser.cookie_header(), [("/portal/referees", form) for form in same])
    _no_server_errors(served, results)
    assert sorted(status for status, _, _ in results) == [303] + [422] * 5
    with app.app_context():
        rows = db.session.execute(sa.select(Referee).where(Referee.case_id == case_id)).scalars().all()
        assert len(rows) == 1 and rows[0].details["email"] == MANAGER["email"]


def test_ten_consents_at_once_record_one_consent_and_send_one_receipt(app, staff, served):
    case_id, browser = _candidate(app, served, staff)
    token = csrf_from(browser.get("/portal")[1])
    form = {"csrf_token": token, "signature": CANDIDATE[0], "agree": "y"}
    results = _at_once(served.base, browser.cookie_header(), [("/portal/consent", form)] * 10)
    _no_server_errors(served, results)
    # Every click ends on the receipt, with thanks: the consent they asked for is recorded, once.
    assert [location for _, location, _ in results] == ["/portal/receipt"] * 10
    assert _count(app, Consent, Consent.case_id == case_id) == 1
    assert _count(app, OutboxMessage, OutboxMessage.case_id == case_id,
                  OutboxMessage.kind == "consent_confirmation") == 1


def test_answers_sent_as_review_starts_are_in_the_findings_or_refused_never_lost(app, staff, served):
    # Three races: which request wins varies; what is stored and what is reviewed never disagree.
    outcomes = [_answer_while_review_starts(app, staff, served) for _ in range(3)]
    assert len(outcomes) == 3


def _answer_while_review_starts(app, staff, served) -> bool:
    """Send a referee's answers and staff's start of review at once; check they agree; say if answers won."""
    built = build(app, staff.id, "collecting")  # the manager answered; the peer attested and is answering
    peer_id = built.referees["peer"]
    with app.app_context():
        token = referees.resend(built.case_id, built.staff, peer_id, utcnow())
        db.session.commit()
    peer_browser = HttpBrowser(served.base)
    link = f"/r/{peer_id}/{token}"
    assert peer_browser.post(link, {"csrf_token": csrf_from(peer_browser.get(link)[1])})[0] == 303
    answers_form = full_answers(peer_browser.get("/referee/all")[1])
    staff_browser = HttpBrowser(served.base)
    page = staff_browser.get("/staff/login")[1]
    staff_browser.post("/staff/login", {"csrf_token": csrf_from(page), "email": staff.email,
                                        "password": staff.password})
    review_form = {"csrf_token": csrf_from(staff_browser.get(f"/staff/cases/{built.case_id}")[1])}
    start = threading.Barrier(2)

    def post(browser: HttpBrowser, path: str, form: dict) -> tuple[int, str, str]:
        start.wait(timeout=60)
        status, body = browser.post(path, form)
        return status, "", body

    with ThreadPoolExecutor(2) as pool:
        answered = pool.submit(post, peer_browser, "/referee", answers_form)
        reviewed = pool.submit(post, staff_browser, f"/staff/cases/{built.case_id}/review", review_form)
        results = [answered.result(), reviewed.result()]
    _no_server_errors(served, results)
    with app.app_context():
        stored = db.session.execute(sa.select(Response.id).where(Response.referee_id == peer_id)).first() \
            is not None
        findings = db.session.execute(sa.select(Finding).where(Finding.case_id == built.case_id)).scalars()
        cited = {s.get("source") for f in findings for s in f.content["sources"]}
        state = db.session.get(Referee, peer_id).state
    # Whichever came first, the findings staff review hold every answer that was stored.
    assert stored == (peer_id in cited), (stored, state)
    assert state == ("submitted" if stored else "closed")
    assert results[0][0] == (303 if stored else 409)
    return stored


def test_even_a_write_that_skips_the_lock_cannot_store_a_second_consent_or_referee(app, staff):
    from sqlalchemy.exc import IntegrityError

    from refcheck.models import Case

    built = build(app, staff.id, "collecting")
    with app.app_context():
        case = db.session.get(Case, built.case_id)
        twin = Consent(case=case, data_key=case.data_key, decision="granted", scope=case.consent.scope,
                       scope_sha256=case.consent.scope_sha256, disclosure_version="test")
        db.session.add(twin)
        try:
            db.session.flush()
            raise AssertionError("a second live consent was stored")
        except IntegrityError:
            db.session.rollback()
        manager = db.session.get(Referee, built.referees["manager"])
        again = Referee(case_id=case.id, data_key_id=case.data_key_id, relationship="peer",
                        details_enc=manager.details_enc, email_hash=manager.email_hash, state="nominated",
                        verification_code="ABC-DEF")
        db.session.add(again)
        try:
            db.session.flush()
            raise AssertionError("a second active referee with one address was stored")
        except IntegrityError:
            db.session.rollback()
        # A request that ended frees the address: the same person can be named again later.
        manager = db.session.get(Referee, built.referees["manager"])
        manager.state = "revoked"
        db.session.add(Referee(case_id=case.id, data_key_id=case.data_key_id, relationship="peer",
                               details_enc=manager.details_enc, email_hash=manager.email_hash,
                               state="nominated", verification_code="ABC-DEG"))
        db.session.commit()


def test_one_candidate_link_used_five_times_at_once_opens_one_session(app, staff, served):
    from refcheck.models import AccessLink, PortalSession

    with app.app_context():
        actor = Actor.staff(db.session.get(StaffUser, staff.id))
        details = cases.CaseDetails(*CANDIDATE, "Senior Data Engineer", "Northwind Analytics Ltd",
                                    "To confirm work history.", None)
        case_id = cases.open_case(details, default_scope(), actor, utcnow()).id
        db.session.commit()
        token = cases.invite_candidate(case_id, actor, utcnow())
        db.session.commit()
    browser = HttpBrowser(served.base)
    form = {"csrf_token": csrf_from(browser.get(f"/c/{case_id}/{token}")[1])}
    results = _at_once(served.base, browser.cookie_header(), [(f"/c/{case_id}/{token}", form)] * 5)
    _no_server_errors(served, results)
    # The link works once: one click signs in, the others are told it no longer works.
    assert sorted(status for status, _, _ in results) == [303] + [404] * 4
    assert _count(app, PortalSession, PortalSession.case_id == case_id) == 1
    assert _count(app, AccessLink, AccessLink.case_id == case_id, AccessLink.used_at.is_not(None)) == 1
