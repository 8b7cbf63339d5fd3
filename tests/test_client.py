"""The hiring side's pages: their organisation's checks only, state and dates before release, the same
report after it, ordering with a package, and colleagues invited by a one-time link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from refcheck import accounts, cases, organisations, review
from refcheck.commands import Actor
from refcheck.extensions import db
from refcheck.models import (
    AccountToken,
    AuditEvent,
    Case,
    Organisation,
    Package,
    PortalSession,
    StaffUser,
    utcnow,
)

from .conftest import STAFF_PASSWORD, StaffLogin, csrf_from, default_scope, sign_in, without_csrf
from .lifecycle_cases import build

HOME_ORG = "Northwind Analytics Ltd"  # the organisation lifecycle_cases opens its cases for
OTHER_ORG = "Contoso Hiring"


def organisation_id(app, name: str) -> int:
    """Return an organisation's id, adding it when it is not there yet."""
    with app.app_context():
        found = organisations.named(name) or organisations.create(name, "test")
        db.session.commit()
        return found.id


def make_client(app, email: str, org: str = HOME_ORG, org_admin: bool = False) -> StaffLogin:
    """Create a client account of an organisation."""
    org_id = organisation_id(app, org)
    with app.app_context():
        user = accounts.create_staff(email, email.split("@")[0].title(), "client", STAFF_PASSWORD, "test",
                                     [db.session.get(Organisation, org_id)], org_admin=org_admin)
        db.session.commit()
        return StaffLogin(user.id, user.email, STAFF_PASSWORD)


def add_package(app, org: str, name: str = "Standard references", active: bool = True) -> int:
    """Give an organisation a package built on the default scope."""
    org_id = organisation_id(app, org)
    with app.app_context():
        package = Package(organisation_id=org_id, name=name, scope=default_scope().to_json(),
                          purpose="To confirm the work history you gave us.", active=active)
        db.session.add(package)
        db.session.commit()
        return package.id


def move_to(app, case_id: int, org: str) -> None:
    """Make a built case another organisation's."""
    org_id = organisation_id(app, org)
    with app.app_context():
        # Through the model, as the app changes a case, so the counts by state follow.
        case = db.session.get(Case, case_id)
        case.organisation_id, case.hiring_organisation = org_id, org
        db.session.commit()


def signed_in(app, login: StaffLogin):
    """Return a browser signed in as this account, having opened the page sign-in leads to."""
    browser = app.test_client()
    response = sign_in(browser, login)
    assert response.status_code == 302
    assert browser.get(response.headers["Location"]).status_code == 200
    return browser, response


def test_a_client_lands_on_their_home_and_sees_only_their_organisations_checks(app, staff):
    ours = build(app, staff.id, "awaiting_consent")
    draft = build(app, staff.id, "draft")
    theirs = build(app, staff.id, "nominating")
    move_to(app, theirs.case_id, OTHER_ORG)
    browser, response = signed_in(app, make_client(app, "priya@northwind.example"))
    assert response.headers["Location"].endswith("/client/")
    html = browser.get("/client/").get_data(as_text=True)
    assert f"RC-{ours.case_id:05d}" in html and f"RC-{draft.case_id:05d}" in html
    assert f"RC-{theirs.case_id:05d}" not in html
    # Newest first, in plain words, with who acts next.
    assert html.index(f"RC-{draft.case_id:05d}") < html.index(f"RC-{ours.case_id:05d}")
    assert "Waiting for the candidate&#39;s consent" in html and "The candidate, expected by" in html
    assert "Ordered: our team is preparing it" in html and "Our team, expected by" in html
    assert "Amira Okafor" in html and "Senior Data Engineer" in html
    # Every link to a staff page (their sessions, their two-step sign-in) opens for the client.
    staff_links = set(re.findall(r'href="(/staff/[^"]*)"', html))
    assert staff_links == {"/staff/sessions", "/staff/two-factor"}
    assert all(browser.get(link).status_code == 200 for link in staff_links)


def test_a_client_with_no_checks_is_told_how_to_order(app):
    browser, _ = signed_in(app, make_client(app, "new@northwind.example"))
    html = browser.get("/client/").get_data(as_text=True)
    assert "No checks yet" in html and 'href="/client/order"' in html


def test_another_organisations_check_answers_exactly_like_a_missing_one(app, staff):
    theirs = build(app, staff.id, "released")
    move_to(app, theirs.case_id, OTHER_ORG)
    stranger = make_client(app, "sam@contoso.example", OTHER_ORG)
    browser, _ = signed_in(app, make_client(app, "priya@northwind.example", org_admin=True))
    for path in ("/client/cases/{}", "/client/cases/{}/report.pdf"):
        hidden = browser.get(path.format(theirs.case_id))
        missing = browser.get(path.format(999999))
        assert hidden.status_code == missing.status_code == 404
        assert without_csrf(hidden.data) == without_csrf(missing.data)
    token = csrf_from(browser.get("/client/colleagues").data)
    for path in ("/client/colleagues/{}/admin", "/client/colleagues/{}/disable"):
        hidden = browser.post(path.format(stranger.id), data={"csrf_token": token})
        missing = browser.post(path.format(999999), data={"csrf_token": token})
        assert hidden.status_code == missing.status_code == 404
        assert without_csrf(hidden.data) == without_csrf(missing.data)
    with app.app_context():
        assert db.session.get(StaffUser, stranger.id).active


@pytest.mark.parametrize("state", ["collecting", "review", "candidate_review"])
def test_before_release_the_check_page_shows_state_and_dates_only(app, staff, state):
    built = build(app, staff.id, state)
    with app.app_context():
        # One command per transaction, as a page runs them.
        cases.add_note(built.case_id, built.staff, "PLANTED staff note about the candidate", utcnow())
        db.session.commit()
        cases.explain_delay(built.case_id, built.staff, "PLANTED delay reason for the candidate", utcnow())
        db.session.commit()
        if built.finding_id:
            review.resolve(built.case_id, built.staff, built.finding_id, "explained",
                           "PLANTED finding resolution", utcnow())
            db.session.commit()
        if state == "candidate_review":
            review.reply(built.case_id, built.candidate, built.finding_id, "PLANTED candidate reply", False,
                         utcnow())
            db.session.commit()
    browser, _ = signed_in(app, make_client(app, "priya@northwind.example"))
    page = browser.get(f"/client/cases/{built.case_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Check RC-{built.case_id:05d}" in html and "Every step" in html and "Ordered" in html
    for secret in ("Grace Lindqvist", "grace@northwind.example", "Tomás Ibarra", "tomas@northwind.example",
                   "Wei Chen", "wei.chen@gmail.com", "Careful, reliable work.",
                   "When will my referees be asked?", "PLANTED", "Checked by phone", "Download"):
        assert secret not in html, secret
    assert browser.get(f"/client/cases/{built.case_id}/report.pdf").status_code == 404


@pytest.mark.parametrize("state", ["declined", "withdrawn", "cancelled"])
def test_a_stopped_check_says_so_plainly_and_nothing_more(app, staff, state):
    built = build(app, staff.id, state)
    browser, _ = signed_in(app, make_client(app, "priya@northwind.example"))
    html = browser.get(f"/client/cases/{built.case_id}").get_data(as_text=True)
    assert "This check has stopped" in html
    # The reason staff gave the candidate for cancelling stays with the candidate.
    assert "The role was withdrawn" not in html and "Grace Lindqvist" not in html


def test_after_release_the_client_downloads_the_very_pdf_the_candidate_gets(app, staff):
    built = build(app, staff.id, "released")
    client_login = make_client(app, "priya@northwind.example")
    browser, _ = signed_in(app, client_login)
    html = browser.get(f"/client/cases/{built.case_id}").get_data(as_text=True)
    assert "The report is ready" in html and f"/client/cases/{built.case_id}/report.pdf" in html
    assert "Download report" in browser.get("/client/").get_data(as_text=True)
    ours = browser.get(f"/client/cases/{built.case_id}/report.pdf")
    assert ours.status_code == 200 and ours.mimetype == "application/pdf"

    candidate = app.test_client()
    link = f"/c/{built.case_id}/{built.tokens['candidate']}"
    candidate.post(link, data={"csrf_token": csrf_from(candidate.get(link).data)})
    theirs = candidate.get("/portal/report.pdf")
    assert theirs.status_code == 200 and theirs.data == ours.data
    with app.app_context():
        actors = db.session.execute(sa.select(AuditEvent.actor).where(
            AuditEvent.case_id == built.case_id, AuditEvent.action == "report.downloaded")).scalars().all()
    assert f"client:{client_login.id}" in actors


def _order(browser, package_id, **overrides):
    """Post the order form with sound values and any overrides."""
    form = browser.get(f"/client/order?package={package_id}")
    data = {"csrf_token": csrf_from(form.data), "package": str(package_id), "candidate_name": "Lena Park",
            "candidate_email": "lena.park@candidate.example", "position": "Head of Finance",
            "purpose": "To confirm Lena's work history for the offer.",
            "due_date": (utcnow() + dt.timedelta(days=60)).date().isoformat()}
    data.update(overrides)
    return browser.post("/client/order", data=data)


def test_ordering_makes_a_draft_of_their_organisation_that_staff_see(app, staff):
    package_id = add_package(app, HOME_ORG)
    browser, _ = signed_in(app, make_client(app, "priya@northwind.example"))
    form = browser.get("/client/order").get_data(as_text=True)
    # The only package is chosen, its purpose offered, and the earliest date the pace can meet proposed.
    assert "To confirm the work history you gave us." in form and "We have proposed that date" in form
    done = _order(browser, package_id)
    assert done.status_code == 303
    page = browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "is ordered" in page and "Our team checks your order and sends it to Lena Park by" in page
    with app.app_context():
        case = db.session.execute(sa.select(Case)).scalar_one()
        assert case.state == "draft" and case.package_id == package_id
        assert case.organisation.name == HOME_ORG and case.scope == default_scope().to_json()
        assert case.position == "Head of Finance" and case.candidate.name == "Lena Park"
        reference = case.reference
    staff_browser = app.test_client()
    sign_in(staff_browser, staff)
    assert reference in staff_browser.get("/staff/").get_data(as_text=True)
    # Staff read who ordered it, by name.
    case_page = staff_browser.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "Priya (client) opened the case" in case_page


def test_a_bad_order_is_explained_and_nothing_is_saved(app):
    package_id = add_package(app, HOME_ORG)
    elsewhere = add_package(app, OTHER_ORG, "Their package")
    browser, _ = signed_in(app, make_client(app, "priya@northwind.example"))
    refused = _order(browser, elsewhere)
    assert refused.status_code == 422
    assert "Choose one of your organisation&#39;s packages." in refused.get_data(as_text=True)
    empty = _order(browser, package_id, candidate_name="", candidate_email="not an email")
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "Enter the candidate&#39;s full name." in html
    too_soon = _order(browser, package_id, due_date=(utcnow() + dt.timedelta(days=1)).date().isoformat())
    assert too_soon.status_code == 422 and "I know this is tight" in too_soon.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one() == 0
    kept = _order(browser, package_id, due_date=(utcnow() + dt.timedelta(days=1)).date().isoformat(),
                  tight_ok="y")
    assert kept.status_code == 303


def test_an_organisation_without_packages_is_told_whom_to_ask(app):
    add_package(app, HOME_ORG, "Old package", active=False)
    browser, _ = signed_in(app, make_client(app, "priya@northwind.example"))
    html = browser.get("/client/order").get_data(as_text=True)
    assert "Your organisation has no package yet" in html and app.config["CONTROLLER_EMAIL"] in html


def test_a_client_is_refused_every_staff_page_and_a_colleague_the_colleagues_page(app, staff):
    built = build(app, staff.id, "draft")
    browser, _ = signed_in(app, make_client(app, "priya@northwind.example"))
    for path in ("/staff/", "/staff/cases/new", f"/staff/cases/{built.case_id}", "/staff/accounts",
                 "/staff/metrics", "/staff/question-sets/"):
        assert browser.get(path).status_code == 403, path
    assert browser.get("/client/colleagues").status_code == 403
    assert 'href="/client/colleagues"' not in browser.get("/client/").get_data(as_text=True)
    # Staff have no client pages either.
    staff_browser = app.test_client()
    sign_in(staff_browser, staff)
    assert staff_browser.get("/client/").status_code == 403


def _invitation_link(app, runner, smtp_server) -> str:
    """Deliver the outbox over real SMTP and return the link in the one message to the colleague."""
    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    assert "failed 0" in runner.invoke(args=["mail", "send"]).output
    (message,) = [m for m in inbox.messages if m["To"] == "lee@northwind.example"]
    assert message["Subject"] == "You are invited to follow your organisation's reference checks"
    body = message.get_payload(decode=True).decode()
    assert "Priya has invited you" in body and HOME_ORG in body
    (link,) = re.findall(r"https://refcheck\.test(/client/welcome/\S+)", body)
    return link


def test_an_invited_colleague_sets_a_password_once_signs_in_and_sees_the_same_checks(app, staff, runner,
                                                                                      smtp_server):
    built = build(app, staff.id, "awaiting_consent")
    admin, _ = signed_in(app, make_client(app, "priya@northwind.example", org_admin=True))
    page = admin.get("/client/colleagues")
    done = admin.post("/client/colleagues", data={"csrf_token": csrf_from(page.data), "name": "Lee Novak",
                                                  "email": "lee@northwind.example"})
    assert done.status_code == 303
    listed = admin.get("/client/colleagues").get_data(as_text=True)
    assert "Lee Novak" in listed and "Invited, not joined yet" in listed
    with app.app_context():
        lee = db.session.execute(
            sa.select(StaffUser).where(StaffUser.email == "lee@northwind.example")).scalar_one()
        assert lee.role == "client" and lee.organisation.name == HOME_ORG and not lee.org_admin
        token_row = db.session.execute(sa.select(AccountToken)).scalar_one()
        assert token_row.expires_at - token_row.created_at == dt.timedelta(days=7)
    # Not usable before the link is used, whatever is typed.
    assert accounts_refuse(app, "lee@northwind.example")

    link = _invitation_link(app, runner, smtp_server)
    assert token_row.token_hash not in link and len(token_row.token_hash) == 64
    visitor = app.test_client()
    form = visitor.get(link)
    assert form.status_code == 200 and "Welcome, Lee Novak" in form.get_data(as_text=True)
    mismatch = visitor.post(link, data={"csrf_token": csrf_from(form.data), "password": "a new long password",
                                        "confirm": "another one"})
    assert mismatch.status_code == 422
    saved = visitor.post(link, data={"csrf_token": csrf_from(form.data), "password": "lee chooses well 42",
                                     "confirm": "lee chooses well 42"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/staff/login")
    again = visitor.get(link)
    assert again.status_code == 404 and "does not work any more" in again.get_data(as_text=True)
    assert visitor.post(link, data={"csrf_token": csrf_from(form.data), "password": "a takeover attempt!",
                                    "confirm": "a takeover attempt!"}).status_code == 404

    lee_browser, _ = signed_in(app, StaffLogin(lee.id, "lee@northwind.example", "lee chooses well 42"))
    assert f"RC-{built.case_id:05d}" in lee_browser.get("/client/").get_data(as_text=True)
    assert lee_browser.get("/client/colleagues").status_code == 403


def accounts_refuse(app, email: str) -> bool:
    """Say whether no password opens this account."""
    with app.app_context():
        return all(accounts.authenticate(email, guess) is None for guess in ("", "!invited", STAFF_PASSWORD))


def test_an_org_admin_promotes_and_disables_a_colleague_whose_sessions_end(app):
    admin, _ = signed_in(app, make_client(app, "priya@northwind.example", org_admin=True))
    colleague_login = make_client(app, "lee@northwind.example")
    colleague, _ = signed_in(app, colleague_login)
    assert colleague.get("/client/").status_code == 200
    token = csrf_from(admin.get("/client/colleagues").data)
    promoted = admin.post(f"/client/colleagues/{colleague_login.id}/admin", data={"csrf_token": token},
                          follow_redirects=True)
    assert "can now invite and manage colleagues" in promoted.get_data(as_text=True)
    assert colleague.get("/client/colleagues").status_code == 200
    stopped = admin.post(f"/client/colleagues/{colleague_login.id}/disable", data={"csrf_token": token},
                         follow_redirects=True)
    assert "can no longer sign in" in stopped.get_data(as_text=True)
    # The open session is over, and signing in again is refused.
    assert colleague.get("/client/").status_code == 302
    again = app.test_client()
    refused = sign_in(again, colleague_login)
    assert refused.status_code == 200 and "do not match an active account" in refused.get_data(as_text=True)
    with app.app_context():
        actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
    assert {"client.org_admin_set", "client.disabled", "staff.deactivated"} <= actions


def test_a_client_orders_for_their_own_organisation_and_cannot_send_the_case(app):
    """A client actor cannot run a staff command: orders are the only change a client makes to a case."""
    login = make_client(app, "priya@northwind.example")
    with app.app_context():
        user = db.session.get(StaffUser, login.id)
        details = cases.CaseDetails("Lena Park", "lena@candidate.example", "Analyst", "anything",
                                    "To confirm work history.", None)
        case = cases.open_case(details, default_scope(), Actor.client(user), utcnow())
        db.session.commit()
        assert case.organisation.name == HOME_ORG
        with pytest.raises(cases.CaseError):
            cases.invite_candidate(case.id, Actor.client(user), utcnow())


def test_managing_colleagues_asks_a_client_admin_to_confirm_it_is_them_after_a_while(app):
    admin_login = make_client(app, "priya@northwind.example", org_admin=True)
    admin, _ = signed_in(app, admin_login)
    colleague = make_client(app, "lee@northwind.example")
    with app.app_context():
        db.session.execute(sa.update(PortalSession).where(PortalSession.staff_user_id == admin_login.id)
                           .values(stepped_up_at=utcnow() - dt.timedelta(minutes=11)))
        db.session.commit()
    token = csrf_from(admin.get("/client/colleagues").data)
    kept = {"csrf_token": token, "name": "Mo Ahmed", "email": "mo@northwind.example"}
    asked = admin.post("/client/colleagues", data=kept)
    assert "To invite a colleague, confirm it is you" in asked.get_data(as_text=True)
    stop = admin.post(f"/client/colleagues/{colleague.id}/disable", data={"csrf_token": token})
    assert "To stop a colleague signing in, confirm it is you" in stop.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(StaffUser)
                                  .where(StaffUser.email == "mo@northwind.example")).scalar_one() == 0
        assert db.session.get(StaffUser, colleague.id).active
    # The kept form goes through once the password is confirmed.
    done = admin.post("/client/colleagues", data={**kept, "step_up-password": admin_login.password,
                                                  "step_up-sent": "1"}, follow_redirects=True)
    assert "Mo Ahmed is invited" in done.get_data(as_text=True)
