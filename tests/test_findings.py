"""A case's findings on the staff page: claims against sealed answers, with no query per referee."""

import sqlalchemy as sa
from sqlalchemy import event

from refcheck.extensions import db

from .conftest import attest_referee, enter_referee, full_answers, sign_in
from .conftest import state_work_history as _claim


def _answer(app, path, **overrides):
    browser = enter_referee(app, path)
    page = attest_referee(browser).data.decode()
    data = full_answers(page)
    # Fill the employer and title lines by their labels' order: employer first, then title.
    lines = sorted((name for name in data if data[name] == "Built the data platform."
                    and f'id="{name}" maxlength="200"' in page), key=lambda n: int(n[1:]))
    data[lines[0]], data[lines[1]] = overrides.get("employer", "Northwind Analytics"), overrides["title"]
    assert browser.post("/referee", data=data).status_code == 303


def test_staff_see_agreement_and_conflict(app, client, invited, staff, sent_case):
    _claim(client)
    _answer(app, invited["Grace Lindqvist"], title="Sr. Data Engineer")
    _answer(app, invited["Peer 1"], title="Data Engineer", employer="NORTHWIND ANALYTICS LIMITED")
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    page = staff_client.get(f"/staff/cases/{sent_case.id}").data.decode()
    assert "Findings so far" in page and "From 2 answered referees." in page
    assert "The candidate&#39;s manager and a peer confirmed the employer." in page
    assert ("The candidate stated the job title as Senior Data Engineer; a peer remembers Data Engineer; "
            "the candidate&#39;s manager agreed with the candidate.") in page
    assert "Your manager" not in page and "You told us" not in page


def test_findings_take_a_fixed_number_of_queries(app, client, invited, staff, sent_case):
    from refcheck.findings import case_findings
    from refcheck.models import Case

    _claim(client)
    for name in invited:
        _answer(app, invited[name], title="Senior Data Engineer")
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        case.consent  # noqa: B018 - loaded outside the count, as the page has it already
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            result = case_findings(case)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert result.answered == 2
        assert len(statements) <= 6, statements
        assert db.session.execute(sa.text("SELECT 1")).scalar_one() == 1
