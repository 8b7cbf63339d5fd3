"""Employers' other names staff confirm: the page, the commands, the audit trail, the findings they change."""

import pytest
import sqlalchemy as sa

from refcheck import accounts, employer_aliases
from refcheck.errors import CaseError
from refcheck.extensions import db
from refcheck.models import AuditEvent, EmployerAlias, Organisation, StaffUser

from .conftest import STAFF_PASSWORD, StaffLogin, csrf_from, sign_in
from .conftest import state_work_history as _claim
from .test_client import HOME_ORG, make_client, organisation_id
from .test_findings import _answer

PAGE = "/staff/employer-names"


def _signed_in(app, login):
    browser = app.test_client()
    assert sign_in(browser, login).status_code == 302
    return browser


def _add(browser, **data):
    token = csrf_from(browser.get(PAGE).data)
    return browser.post(PAGE, data={"csrf_token": token, **data})


def test_staff_see_the_page_from_the_navigation_with_labelled_fields(app, staff):
    browser = _signed_in(app, staff)
    home = browser.get("/staff/").get_data(as_text=True)
    assert f'href="{PAGE}">Employer names</a>' in home
    page = browser.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "None yet. Until a pair is added, two different names are a conflict" in html
    for field, label in (("name", "Other name"), ("relation", "It is"), ("same_as", "Employer")):
        assert f'<label for="{field}">{label}</label>' in html
    assert 'aria-describedby="name-hint"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_a_pair_is_added_with_its_audit_event_and_listed(app, staff):
    browser = _signed_in(app, staff)
    done = _add(browser, name="Contoso Data", relation="former_name", same_as="Northwind Analytics")
    assert done.status_code == 302 and done.headers["Location"].endswith(PAGE)
    html = browser.get(PAGE).get_data(as_text=True)
    assert ("Contoso Data now counts as a former name of Northwind Analytics in findings worked out "
            "from now on.") in html
    assert "<strong>Contoso Data</strong> is a former name of <strong>Northwind Analytics</strong>" in html
    with app.app_context():
        row = db.session.execute(sa.select(EmployerAlias)).scalar_one()
        assert (row.name_key, row.same_as_key, row.relation, row.created_by_id) == (
            "contoso data", "northwind analytics", "former_name", staff.id)
        event = db.session.execute(sa.select(AuditEvent).where(
            AuditEvent.action == "employer_alias.added")).scalar_one()
        assert event.actor == f"staff:{staff.id}"
        assert event.details == {"alias_id": row.id, "name": "Contoso Data", "same_as": "Northwind Analytics",
                                 "relation": "former_name"}


def test_a_post_without_the_csrf_token_is_refused_and_adds_nothing(app, staff):
    browser = _signed_in(app, staff)
    refused = browser.post(PAGE, data={"name": "Contoso Data", "relation": "parent", "same_as": "Northwind"})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(EmployerAlias)).scalar_one() == 0


def test_only_staff_may_see_or_change_the_mapping(app, client, staff):
    assert client.get(PAGE).status_code == 302  # to sign in
    browser = _signed_in(app, make_client(app, "priya@fabrikam.example"))
    assert browser.get(PAGE).status_code == 403
    token = csrf_from(browser.get("/staff/sessions").data)
    assert browser.post(PAGE, data={"csrf_token": token, "name": "A", "relation": "parent",
                                    "same_as": "B"}).status_code == 403
    # A verifier kept to some organisations may read the mapping but not change it: a pair changes
    # findings in cases they cannot see.
    with app.app_context():
        home = db.session.get(Organisation, organisation_id(app, HOME_ORG))
        user = accounts.create_staff("val@verify.example", "Val Verifier", "verifier", STAFF_PASSWORD, "test",
                                     [home])
        db.session.commit()
        scoped = StaffLogin(user.id, user.email, STAFF_PASSWORD)
    verifier = _signed_in(app, scoped)
    page = verifier.get(PAGE).get_data(as_text=True)
    assert "only staff who work on every organisation's cases add or remove them" in page
    refused = _add(verifier, name="Halcyon Group", relation="parent", same_as="Halcyon Data")
    assert "only staff who work on every organisation&#39;s cases keep them" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(EmployerAlias)).first() is None
        db.session.get(StaffUser, scoped.id).all_organisations = True  # now works on every organisation
        db.session.commit()
    assert _add(verifier, name="Halcyon Group", relation="parent", same_as="Halcyon Data").status_code == 302


def test_refusals_are_said_on_the_field_they_concern(app, staff):
    browser = _signed_in(app, staff)
    same = _add(browser, name="Acme Ltd", relation="former_name", same_as="ACME")
    assert same.status_code == 200
    assert "Acme Ltd and ACME already match without a mapping" in same.get_data(as_text=True)
    added = _add(browser, name="Corvid Systems", relation="former_name", same_as="Halcyon Data")
    assert added.status_code == 302
    twice = _add(browser, name="HALCYON DATA LTD", relation="trading_name", same_as="Corvid Systems")
    assert "The mapping already links HALCYON DATA LTD and Corvid Systems." in twice.get_data(as_text=True)
    empty = _add(browser, name="", relation="former_name", same_as="Halcyon Data")
    assert 'id="name-error"' in empty.get_data(as_text=True)
    odd = _add(browser, name="Corvid", relation="sister", same_as="Halcyon Data")
    assert odd.status_code == 200 and 'id="relation-error"' in odd.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(EmployerAlias)).scalar_one() == 1


def test_a_pair_is_removed_with_its_audit_event(app, staff):
    browser = _signed_in(app, staff)
    _add(browser, name="Corvid Systems", relation="former_name", same_as="Halcyon Data")
    with app.app_context():
        alias_id = db.session.execute(sa.select(EmployerAlias.id)).scalar_one()
    token = csrf_from(browser.get(PAGE).data)
    done = browser.post(f"{PAGE}/{alias_id}/remove", data={"csrf_token": token})
    assert done.status_code == 302
    assert "are no longer read as one employer" in browser.get(PAGE).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(EmployerAlias, alias_id) is None
        assert db.session.execute(sa.select(AuditEvent.details).where(
            AuditEvent.action == "employer_alias.removed")).scalar_one()["name"] == "Corvid Systems"


def test_the_commands_refuse_anyone_but_active_staff(app, staff):
    client_login = make_client(app, "c@fabrikam.example")
    with app.app_context():
        for user in (db.session.get(StaffUser, client_login.id), None):
            with pytest.raises(CaseError, match="only verification staff"):
                employer_aliases.add(user, "Corvid", "Halcyon", "former_name")
        admin = db.session.get(StaffUser, staff.id)
        admin.active = False
        with pytest.raises(CaseError, match="only verification staff"):
            employer_aliases.remove(admin, 1)


def test_a_pair_in_the_mapping_turns_a_conflict_into_agreement_that_says_why(app, client, invited, staff,
                                                                               sent_case):
    _claim(client)  # the candidate worked at Northwind Analytics Ltd
    _answer(app, invited["Peer 1"], title="Senior Data Engineer", employer="Contoso Data")
    browser = _signed_in(app, staff)
    before = browser.get(f"/staff/cases/{sent_case.id}").get_data(as_text=True)
    assert ("The candidate stated the employer as Northwind Analytics Ltd; a peer remembers Contoso Data."
            in before)
    _add(browser, name="Contoso Data", relation="former_name", same_as="Northwind Analytics")
    after = browser.get(f"/staff/cases/{sent_case.id}").get_data(as_text=True)
    assert "A peer confirmed the employer." in after
    assert ("Why the answers match: Contoso Data is a former name of Northwind Analytics (staff mapping)."
            in after)
    # The title was written alike: only the employer needed saying why.
    assert after.count("Why the answers match:") == 1


def test_the_migration_drops_and_makes_the_table(app, staff):
    from flask_migrate import downgrade, stamp, upgrade

    with app.app_context():
        directory = app.extensions["migrate"].directory
        user = db.session.get(StaffUser, staff.id)
        employer_aliases.add(user, "Corvid Systems", "Halcyon Data", "former_name")
        db.session.commit()
        db.session.remove()
        stamp(directory=directory, revision="head")
        downgrade(directory=directory, revision="0026")
        with db.engine.connect() as conn:
            assert "employer_alias" not in db.inspect(conn).get_table_names()
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            assert "employer_alias" in db.inspect(conn).get_table_names()
        assert employer_aliases.mapping() == []
        employer_aliases.add(db.session.get(StaffUser, staff.id), "Corvid Systems", "Halcyon Data", "parent")
        db.session.commit()
        assert [tuple(a) for a in employer_aliases.mapping()] == [
            ("Corvid Systems", "Halcyon Data", "parent")]
