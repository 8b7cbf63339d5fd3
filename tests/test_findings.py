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


def _manager_answers(end_month="2024-06", words="Careful, reliable work."):
    from refcheck import answers
    from refcheck.scope import Scope

    from .conftest import default_scope
    from .lifecycle_cases import CLAIM, PEOPLE, consistent_answers

    question_set = answers.question_set_for(Scope.from_json(default_scope().to_json()), "manager")
    given = consistent_answers(question_set, PEOPLE["manager"])
    for question in question_set.questions:
        if question.fact_key == "start_month":
            given[str(question.id)] = {"from": CLAIM.start_month, "to": end_month}
        elif given[str(question.id)] == "Careful, reliable work.":
            given[str(question.id)] = words
    return question_set, given


def test_staff_see_a_difference_within_the_tolerance_as_a_minor_difference(app, staff):
    from refcheck import answers
    from refcheck.models import utcnow

    from .lifecycle_cases import build

    built = build(app, staff.id, "collecting")
    with app.app_context():
        answers.correct(built.case_id, built.referee("manager"), *_manager_answers("2024-04"), utcnow())
        db.session.commit()
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    page = " ".join(staff_client.get(f"/staff/cases/{built.case_id}").data.decode().split())
    assert '<span class="badge status-minor">minor difference</span>' in page
    assert ("The candidate&#39;s manager agrees on the end date, two months apart (April 2024 against the "
            "candidate&#39;s June 2024).") in page
    assert "confirmed the end date" not in page


def test_a_finding_frozen_in_older_words_keeps_its_reply_when_the_answers_are_refreshed(app, staff):
    from refcheck import answers, review
    from refcheck.models import Case, Finding, Reply, utcnow

    from .lifecycle_cases import build

    built = build(app, staff.id, "candidate_review")
    with app.app_context():
        row = db.session.execute(sa.select(Finding).where(
            Finding.case_id == built.case_id, Finding.fact == "employer")).scalar_one()
        # As an earlier version wrote it: the same answers, other words.
        row.seal("content_enc", {**row.content, "explanation": "The candidate's manager confirmed it."})
        reply = Reply(finding=row, data_key=row.data_key, accepted=True, created_at=utcnow())
        db.session.add(reply)
        reply.seal("text_enc", None)
        db.session.commit()
        # The manager rewords a comment: the findings are refreshed, and no fact has changed.
        answers.correct(built.case_id, built.referee("manager"), *_manager_answers(words="Careful work."),
                        utcnow())
        db.session.commit()
        row = db.session.execute(sa.select(Finding).where(
            Finding.case_id == built.case_id, Finding.fact == "employer")).scalar_one()
        assert row.reply is not None and row.reply.accepted
        assert row.content["explanation"] == "The candidate's manager confirmed the employer."
        assert db.session.get(Case, built.case_id).state == "candidate_review"
        assert review.describe(row, for_candidate=True).explanation == "Your manager confirmed the employer."
