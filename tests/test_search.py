"""Staff find cases by reference, the candidate's email, or the start of the organisation or position."""

import sqlalchemy as sa
from sqlalchemy import event

from refcheck.extensions import db
from refcheck.models import Case

from .conftest import OTHER_CANDIDATE, send_case, sign_in


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

    def count():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/staff/?q=Northwind").status_code == 200
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    one = count()
    for n in range(4):
        send_case(app, staff, (f"Person {n}", f"p{n}@example.org"))
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Case)).scalar() == 5
    assert count() == one
