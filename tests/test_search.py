"""Staff find cases by reference, the candidate's email, or the start of the organisation or position."""

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import Case

from .conftest import OTHER_CANDIDATE, count_queries, send_case, sign_in


def _refs(client, query):
    page = client.get("/staff/", query_string={"q": query})
    assert page.status_code == 200
    html = page.data.decode()
    return {ref for ref in ("RC-00001", "RC-00002", "RC-00003") if f">{ref}<" in html}, html


def test_staff_find_cases_by_reference_email_and_organisation(app, client, staff):
    first = send_case(app, staff)
    second = send_case(app, staff, OTHER_CANDIDATE)
    third = send_case(app, staff, ("Third Person", "third@example.org"))
    with app.app_context():
        db.session.get(Case, third.id).hiring_organisation = "Contoso 50%_Off Retail"
        db.session.commit()
    sign_in(client, staff)
    ids = {first.id: "RC-00001", second.id: "RC-00002", third.id: "RC-00003"}
    assert set(ids.values()) == {"RC-00001", "RC-00002", "RC-00003"}

    assert _refs(client, "RC-00002")[0] == {"RC-00002"}
    assert _refs(client, "rc-2")[0] == {"RC-00002"}
    assert _refs(client, "3")[0] == {"RC-00003"}
    # Email: found by its keyed hash, whatever the case and spacing.
    assert _refs(client, "  Tomasz.W@Elsewhere.example ")[0] == {"RC-00002"}
    assert _refs(client, "nobody@example.org")[0] == set()
    # Organisation or position, by how they start, without SQL wildcards leaking through.
    assert _refs(client, "northwind")[0] == {"RC-00001", "RC-00002"}
    assert _refs(client, "Senior Data")[0] == {"RC-00001", "RC-00002", "RC-00003"}
    assert _refs(client, "Contoso 50%_")[0] == {"RC-00003"}
    assert _refs(client, "%")[0] == set()
    none, html = _refs(client, "Amira")
    assert none == set() and "No case matches" in html and "cannot be searched" in html


def test_search_costs_the_same_queries_for_any_number_of_matches(app, client, staff):
    sign_in(client, staff)
    send_case(app, staff)
    client.get("/staff/?q=Northwind")
    # Each view after a change decides the changed cases again (kept.remember_cases): one, then four.
    send_case(app, staff, ("Person 9", "p9@example.org"))

    one = count_queries(app, client, "/staff/?q=Northwind")
    for n in range(4):
        send_case(app, staff, (f"Person {n}", f"p{n}@example.org"))
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar() == 6
    assert count_queries(app, client, "/staff/?q=Northwind") == one


def test_search_ignores_letter_case_beyond_ascii_too(app, client, staff):
    from refcheck.models import Case as CaseModel

    sent = send_case(app, staff)
    with app.app_context():
        case = db.session.get(CaseModel, sent.id)
        case.hiring_organisation = "ÉCOLE Straße Consulting"
        db.session.commit()
        assert case.organisation_key == "école strasse consulting"
    sign_in(client, staff)
    for query in ("école", "ÉCOLE straße", "ecole"):
        found = client.get("/staff/", query_string={"q": query}).data.decode()
        assert (f">RC-{sent.id:05d}<" in found) == (query != "ecole")


def test_a_common_prefix_finds_the_same_cases_by_the_other_route(app, client, staff, monkeypatch):
    from refcheck import search

    sent = [send_case(app, staff, (f"Person {n}", f"p{n}@example.org")) for n in range(3)]
    sign_in(client, staff)
    rare = client.get("/staff/", query_string={"q": "northwind"}).data.decode()
    monkeypatch.setattr(search, "COMMON_PREFIX", 1)  # three matches now count as common
    common = client.get("/staff/", query_string={"q": "northwind"}).data.decode()
    for case in sent:
        assert f">RC-{case.id:05d}<" in rare and f">RC-{case.id:05d}<" in common
    assert f">RC-{sent[0].id:05d}<" not in client.get("/staff/", query_string={"q": "zz"}).data.decode()
