"""Organisations: accounts tied to them, verifiers assigned to them, packages for them, who sees what."""

import sqlalchemy as sa

from refcheck import organisations
from refcheck.extensions import db
from refcheck.models import AuditEvent, Case, Organisation, Package, StaffUser

from .conftest import OTHER_CANDIDATE, STAFF_PASSWORD, csrf_from, make_staff, send_case, sign_in


def _signed_in(app, login):
    browser = app.test_client()
    assert sign_in(browser, login).status_code == 302
    return browser


def _ref(sent) -> str:
    return f"RC-{sent.id:05d}"


def _verifier_of(app, name: str):
    """A verifier who works on one organisation's cases only."""
    login = make_staff(app, "val@verify.example", role="verifier")
    with app.app_context():
        user = db.session.get(StaffUser, login.id)
        organisations.assign(user, [organisations.named(name)], False, "test")
        db.session.commit()
    return login


def _move(app, case_id: int, name: str) -> int:
    """Put a case under another organisation, added for the test."""
    with app.app_context():
        other = organisations.named(name) or organisations.create(name, "test")
        # Through the model, as the app changes a case, so the counts by state follow.
        case = db.session.get(Case, case_id)
        case.organisation_id, case.hiring_organisation = other.id, other.name
        db.session.commit()
        return other.id


def test_create_staff_makes_clients_of_an_organisation_and_verifiers_of_the_ones_named(app, runner):
    made = runner.invoke(args=["create-staff", "priya@fabrikam.example", "--role", "client", "--organisation",
                               "Fabrikam Health", "--org-admin"], input=STAFF_PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    assert "the checks of Fabrikam Health" in made.output and "may invite colleagues" in made.output
    verifier = runner.invoke(args=["create-staff", "val@verify.example", "--role", "verifier",
                                   "--organisation", "fabrikam health"], input=STAFF_PASSWORD + "\n")
    assert "the cases of Fabrikam Health" in verifier.output
    everyone = runner.invoke(args=["create-staff", "all@verify.example", "--role", "verifier"],
                             input=STAFF_PASSWORD + "\n")
    assert "every organisation's cases" in everyone.output
    no_home = runner.invoke(args=["create-staff", "c@x.example", "--role", "client"],
                            input=STAFF_PASSWORD + "\n")
    assert no_home.exit_code != 0 and "belongs to one organisation" in no_home.output
    with app.app_context():
        # One organisation, however the name was typed the second time.
        assert db.session.execute(sa.select(sa.func.count()).select_from(Organisation)).scalar_one() == 1
        client = db.session.execute(sa.select(StaffUser).where(StaffUser.email == "priya@fabrikam.example")
                                    ).scalar_one()
        assert client.role == "client" and client.org_admin and client.organisation.name == "Fabrikam Health"
        val = db.session.execute(sa.select(StaffUser).where(StaffUser.email == "val@verify.example")
                                 ).scalar_one()
        assert [o.name for o in val.assigned] == ["Fabrikam Health"] and not val.all_organisations


def test_a_verifier_sees_and_works_only_on_their_organisations_cases(app, staff):
    ours = send_case(app, staff)
    theirs = send_case(app, staff, OTHER_CANDIDATE)
    _move(app, theirs.id, "Tailspin Logistics")
    browser = _signed_in(app, _verifier_of(app, "Northwind Analytics Ltd"))
    listed = browser.get("/staff/").get_data(as_text=True)
    assert _ref(ours) in listed and _ref(theirs) not in listed
    assert "Tomasz" not in listed
    # Another organisation's case, its report and its actions answer as a missing case would.
    for suffix in ("", "/answers", "/report.pdf"):
        assert browser.get(f"/staff/cases/{theirs.id}{suffix}").status_code == 404
    token = csrf_from(browser.get("/staff/").data)
    cancelled = browser.post(f"/staff/cases/{theirs.id}/cancel",
                             data={"csrf_token": token, "reason": "Mine."})
    assert cancelled.status_code == 404
    with app.app_context():
        assert db.session.get(Case, theirs.id).state == "awaiting_consent"
    # A search for the other organisation's name finds nothing; the list's counts leave it out.
    assert _ref(theirs) not in browser.get("/staff/?q=Tailspin").get_data(as_text=True)
    # A new case for an organisation they do not work for is refused, and nothing is opened.
    page = browser.get("/staff/cases/new")
    refused = browser.post("/staff/cases/new", data={
        "csrf_token": csrf_from(page.data), "candidate_name": "Jonah Bell",
        "candidate_email": "jonah@x.example", "position": "Analyst",
        "hiring_organisation": "Tailspin Logistics", "purpose": "To confirm work history.",
        "checks": ["references"], "min_referees": "2", "max_referees": "3", "period_from": "2021-01",
        "period_to": "2025-01", "question_set": "standard-v1", "report_recipients": "Hiring team",
        "retention_days": "180", "rel_manager": "1", "rel_peer": "1", "rel_direct_report": "off",
        "rel_client": "off", "rel_other": "off", "tight_ok": "y"})
    assert refused.status_code == 200
    assert "no organisation of that name among the ones you work for" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one() == 2


def test_an_admin_adds_a_client_and_assigns_a_verifier_on_the_accounts_page(app, staff):
    send_case(app, staff)
    browser = _signed_in(app, staff)
    page = browser.get("/staff/accounts")
    made = browser.post("/staff/accounts", data={
        "csrf_token": csrf_from(page.data), "name": "Priya Shah", "email": "priya@northwind.example",
        "role": "client", "organisation": "northwind analytics ltd", "org_admin": "y",
        "password": STAFF_PASSWORD}, follow_redirects=True)
    text = made.get_data(as_text=True)
    assert "Account created." in text
    assert "The checks of Northwind Analytics Ltd, from ordering to the released report, and may" in text
    missing = browser.post("/staff/accounts", data={
        "csrf_token": csrf_from(page.data), "name": "Sam", "email": "sam@x.example", "role": "client",
        "password": STAFF_PASSWORD})
    assert "A client account belongs to one organisation" in missing.get_data(as_text=True)
    val = make_staff(app, "val@verify.example", role="verifier")
    with app.app_context():
        northwind = organisations.named("Northwind Analytics Ltd").id
    form = browser.get(f"/staff/accounts/{val.id}/organisations")
    assert form.status_code == 200
    none = browser.post(f"/staff/accounts/{val.id}/organisations", data={"csrf_token": csrf_from(form.data)})
    assert "Choose at least one organisation" in none.get_data(as_text=True)
    saved = browser.post(f"/staff/accounts/{val.id}/organisations", data={
        "csrf_token": csrf_from(form.data), "organisations": str(northwind)}, follow_redirects=True)
    assert "now works on the cases of Northwind Analytics Ltd" in saved.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(StaffUser, val.id)
        assert [o.id for o in user.assigned] == [northwind] and not user.all_organisations
        assert db.session.execute(sa.select(AuditEvent).where(
            AuditEvent.action == "staff.organisations_set")).scalars().first() is not None


def test_a_case_scope_becomes_a_package_of_its_organisation_and_can_be_retired(app, staff):
    sent = send_case(app, staff)
    browser = _signed_in(app, staff)
    page = browser.get(f"/staff/cases/{sent.id}")
    assert "Offer this scope to Northwind Analytics Ltd as a package" in page.get_data(as_text=True)
    saved = browser.post(f"/staff/cases/{sent.id}/package", data={
        "csrf_token": csrf_from(page.data), "name": "Two references"}, follow_redirects=True)
    assert "can now order checks with the package Two references" in saved.get_data(as_text=True)
    again = browser.post(f"/staff/cases/{sent.id}/package", data={
        "csrf_token": csrf_from(page.data), "name": "Two references"}, follow_redirects=True)
    assert "already has a package called Two references" in again.get_data(as_text=True)
    with app.app_context():
        package = db.session.execute(sa.select(Package)).scalar_one()
        case = db.session.get(Case, sent.id)
        assert package.scope == case.scope and package.purpose == case.purpose
        assert package.organisation_id == case.organisation_id
        # Nothing of the candidate travels with the scope.
        assert "Amira" not in str(package.scope) and "amira" not in str(package.scope)
    listing = browser.get("/staff/organisations")
    assert "Two references" in listing.get_data(as_text=True)
    browser.post(f"/staff/packages/{package.id}/retire", data={"csrf_token": csrf_from(listing.data)})
    assert "No package yet" in browser.get("/staff/organisations").get_data(as_text=True)
    # A verifier of another organisation cannot reach the package, and it is not confirmed to exist.
    _move(app, sent.id, "Tailspin Logistics")
    val = _signed_in(app, _verifier_of(app, "Tailspin Logistics"))
    token = csrf_from(val.get("/staff/").data)
    assert val.post(f"/staff/packages/{package.id}/retire", data={"csrf_token": token}).status_code == 404
    assert val.post("/staff/packages/999999/retire", data={"csrf_token": token}).status_code == 404


def test_a_verifiers_metrics_cover_only_their_organisations(app, staff):
    send_case(app, staff)
    theirs = send_case(app, staff, OTHER_CANDIDATE)
    _move(app, theirs.id, "Tailspin Logistics")
    val = _signed_in(app, _verifier_of(app, "Northwind Analytics Ltd"))
    mine = val.get("/staff/metrics").get_data(as_text=True)
    every = _signed_in(app, staff).get("/staff/metrics").get_data(as_text=True)
    assert "Tailspin Logistics" in every and "Tailspin Logistics" not in mine
    assert "Northwind Analytics Ltd" in mine
