"""Review: findings frozen and sealed, resolved by staff with notes, then answered by the candidate."""

import datetime as dt

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import Case, Finding, OutboxMessage, Reply
from refcheck.review import add_working_days

from .conftest import OTHER_CANDIDATE, consent, csrf_from, enter_portal, send_case, sign_in
from .test_findings import _answer, _claim


def _staff_post(client, case_id, path, **data):
    page = client.get(f"/staff/cases/{case_id}")
    return client.post(f"/staff/cases/{case_id}/{path}", data={**data, "csrf_token": csrf_from(page.data)},
                       follow_redirects=True)


def _state(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).state


def _findings(app, case_id):
    with app.app_context():
        return [(f.id, f.fact, f.status, f.resolution) for f in db.session.execute(
            sa.select(Finding).where(Finding.case_id == case_id).order_by(Finding.position)).scalars()]


def test_review_resolve_send_and_reply(app, client, invited, staff, sent_case):
    _claim(client)
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    early = _staff_post(staff_client, sent_case.id, "review")
    assert b"No referee has answered yet" in early.data

    _answer(app, invited["Grace Lindqvist"], title="Senior Data Engineer")
    _answer(app, invited["Peer 1"], title="Data Engineer")
    started = _staff_post(staff_client, sent_case.id, "review")
    assert b"Review started with" in started.data
    assert _state(app, sent_case.id) == "review"
    rows = _findings(app, sent_case.id)
    title = next(r for r in rows if r[1] == "title")
    assert title[2] == "conflict"
    with app.app_context():
        sealed = db.session.get(Finding, title[0])
        assert b"Data Engineer" not in sealed.content_enc
        labels = [s["label"] for s in sealed.content["sources"]]
        assert labels == ["Candidate", "Manager at Northwind Analytics", "Peer at Northwind Analytics"]
        assert "Grace" not in str(sealed.content)

    conflicts = [r for r in rows if r[2] == "conflict"]
    refused = _staff_post(staff_client, sent_case.id, "send-findings")
    assert f"Resolve every conflict first ({len(conflicts)} still open)".encode() in refused.data
    no_note = _staff_post(staff_client, sent_case.id, f"findings/{title[0]}", resolution="explained", note="")
    assert b"Write a note" in no_note.data
    _staff_post(staff_client, sent_case.id, f"findings/{title[0]}", resolution="explained",
                note="The peer joined after the promotion to Senior.")
    for other in conflicts:
        if other != title:
            _staff_post(staff_client, sent_case.id, f"findings/{other[0]}", resolution="dismissed",
                        note="Checked with the referee by phone.")
    sent = _staff_post(staff_client, sent_case.id, "send-findings")
    assert b"asked to read the findings" in sent.data
    assert _state(app, sent_case.id) == "candidate_review"
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        assert case.reply_due_at.weekday() < 5
        assert "findings_ready" in db.session.execute(sa.select(OutboxMessage.kind)).scalars().all()

    page = client.get("/portal/findings")
    text = page.data.decode()
    assert "Referees remember it differently" in text
    assert "a peer remembers Data Engineer" in text
    assert "Explained:</strong> The peer joined after the promotion to Senior." in text
    assert "Grace Lindqvist" not in text
    empty = client.post(f"/portal/findings/{title[0]}", data={"csrf_token": csrf_from(page.data)},
                        follow_redirects=True)
    assert b"Write your reply, or tick that you accept" in empty.data
    client.post(f"/portal/findings/{title[0]}", data={
        "csrf_token": csrf_from(page.data), "text": "I was promoted in March 2023; my payslips show it."})
    assert b"I was promoted in March 2023" in client.get("/portal/findings").data
    with app.app_context():
        stored = db.session.execute(sa.select(Reply)).scalar_one()
        assert b"promoted" not in stored.text_enc
    staff_page = staff_client.get(f"/staff/cases/{sent_case.id}")
    assert b"I was promoted in March 2023" in staff_page.data


def test_a_candidate_cannot_reply_to_another_cases_finding(app, client, invited, staff, sent_case):
    _claim(client)
    _answer(app, invited["Grace Lindqvist"], title="Senior Data Engineer")
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    _staff_post(staff_client, sent_case.id, "review")
    (finding_id, *_rest) = _findings(app, sent_case.id)[0]
    other = send_case(app, staff, OTHER_CANDIDATE)
    intruder = app.test_client()
    enter_portal(intruder, other)
    consent(intruder, "Tomasz Wielgosz")
    page = intruder.get("/portal")
    response = intruder.post(f"/portal/findings/{finding_id}", data={
        "csrf_token": csrf_from(page.data), "text": "not mine", "accepted": "y"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Reply)).scalar_one() == 0


def test_working_days_skip_weekends():
    friday = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    assert add_working_days(friday, 1).weekday() == 0
    assert add_working_days(friday, 5) == dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)


# ---------------------------------------------------------------- finishing the findings on a phone

def _mixed_case(app, staff):
    """A case with the findings before the candidate: the manager remembers the end two months early
    (a minor difference) and an earlier title (a conflict, resolved); everything else agrees."""
    from refcheck import answers, review
    from refcheck.commands import Actor
    from refcheck.models import StaffUser, utcnow
    from refcheck.scope import Scope

    from .conftest import default_scope
    from .lifecycle_cases import CLAIM, PEOPLE, build, consistent_answers

    built = build(app, staff.id, "collecting")
    with app.app_context():
        question_set = answers.question_set_for(Scope.from_json(default_scope().to_json()), "manager")
        given = consistent_answers(question_set, PEOPLE["manager"])
        for question in question_set.questions:
            if question.fact_key == "start_month":
                given[str(question.id)] = {"from": CLAIM.start_month, "to": "2024-04"}
            elif question.fact_key == "title":
                given[str(question.id)] = "Data Engineer"
        answers.correct(built.case_id, built.referee("manager"), question_set, given, utcnow())
        db.session.commit()
        staff_actor = Actor.staff(db.session.get(StaffUser, staff.id))
        conflicts = [row.id for row in review.start_review(built.case_id, staff_actor, utcnow())
                     if row.status == "conflict"]
        db.session.commit()
        for finding_id in conflicts:
            review.resolve(built.case_id, staff_actor, finding_id, "explained", "Promoted in 2023.", utcnow())
            db.session.commit()
        review.send_to_candidate(built.case_id, staff_actor, utcnow())
        db.session.commit()
    return built


def _portal(app, built):
    from .conftest import SentCase

    browser = app.test_client()
    enter_portal(browser, SentCase(built.case_id, built.tokens["candidate"], "Amira Okafor", ""))
    return browser


def _replies(app, case_id):
    with app.app_context():
        return {f.fact: (f.reply.accepted if f.reply else None) for f in db.session.execute(
            sa.select(Finding).where(Finding.case_id == case_id)).scalars()}


def _text(page) -> str:
    return " ".join(page.data.decode().split())


def test_the_candidate_reads_findings_as_you_with_values_in_words_and_a_minor_difference(app, staff):
    built = _mixed_case(app, staff)
    page = _text(_portal(app, built).get("/portal/findings"))
    assert "Agrees, with a small difference" in page
    assert "Accept it, or add a reply to say which is right." in page
    assert ("Your manager agrees on the end date, two months apart (April 2024 against your June 2024)."
            in page)
    assert "You gave the job title as Senior Data Engineer; your manager remembers Data Engineer." in page
    assert "<span class=\"muted\">You:</span> resignation" in page
    # No codes, no stored months, no third person.
    for raw in ("2024-06", "2024-04", "resigned", "The candidate", "the candidate&#39;s",
                "within the tolerance"):
        assert raw not in page, raw
    # Staff see the same finding in the third person, named and counted as a minor difference.
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    staff_page = _text(staff_client.get(f"/staff/cases/{built.case_id}"))
    assert "1 conflict, 1 minor difference" in staff_page
    assert ("The candidate&#39;s manager agrees on the end date, two months apart (April 2024 against the "
            "candidate&#39;s June 2024).") in staff_page
    assert "The candidate has answered 0 of" in staff_page
    review_section = staff_page[staff_page.index('id="review"'):]
    review_section = review_section[:review_section.index("</section>")]
    assert "Add a note (optional)" in review_section and 'id="csrf_token"' not in review_section


def test_accept_all_that_agree_leaves_differences_for_the_candidate(app, staff):
    built = _mixed_case(app, staff)
    browser = _portal(app, built)
    before = _replies(app, built.case_id)
    total = len(before)
    page = browser.get("/portal/findings")
    text = _text(page)
    assert f"0 of {total} answered" in text
    from refcheck import review

    with app.app_context():
        agreeing = sum(1 for row in db.session.execute(sa.select(Finding).where(
            Finding.case_id == built.case_id)).scalars() if review.verdict(row).agrees_with_claim)
    # The minor difference, the conflict and what only the referee spoke of (re-employment) are left.
    assert agreeing == total - 3
    assert f"{agreeing} findings agree with what you told us" in text
    assert f"Accept all {agreeing} that agree" in text
    # One form per finding and the accept-all form, each with its own token but never a duplicate id.
    assert 'id="csrf_token"' not in text
    done = browser.post("/portal/findings/accept-agreeing", data={"csrf_token": csrf_from(page.data)},
                        follow_redirects=True)
    assert f"You accepted {agreeing} findings that agree with what you told us." in _text(done)
    after = _replies(app, built.case_id)
    assert after["end_month"] is None and after["title"] is None and after["rehire_eligible"] is None
    assert sum(1 for v in after.values() if v) == agreeing
    assert f"{agreeing} of {total} answered" in _text(done)
    # Nothing agrees any more: the button is gone, and a second press is refused plainly.
    assert "that agree</button>" not in _text(done)
    again = browser.post("/portal/findings/accept-agreeing", data={"csrf_token": csrf_from(page.data)},
                         follow_redirects=True)
    assert "There is no finding left that simply agrees" in _text(again)


def test_answering_the_last_finding_says_the_candidate_is_done_and_what_happens_next(app, staff):
    from refcheck import progress

    built = _mixed_case(app, staff)
    browser = _portal(app, built)
    page = browser.get("/portal/findings")
    token = csrf_from(page.data)
    browser.post("/portal/findings/accept-agreeing", data={"csrf_token": token})
    with app.app_context():
        left = {f.fact: f.id for f in db.session.execute(
            sa.select(Finding).where(Finding.case_id == built.case_id)).scalars() if f.reply is None}
        assert built.case_id not in progress.replies_in([db.session.get(Case, built.case_id)])
    # Accept one with the bare Accept button; the page moves on to the next one to answer.
    moved = browser.post(f"/portal/findings/{left['end_month']}", data={"csrf_token": token, "accepted": "y"})
    assert moved.headers["Location"].endswith(f"#finding-{left['rehire_eligible']}")
    browser.post(f"/portal/findings/{left['rehire_eligible']}", data={"csrf_token": token, "accepted": "y"})
    reply = browser.post(f"/portal/findings/{left['title']}", data={
        "csrf_token": token, "text": "I was promoted in 2023."}, follow_redirects=True)
    text = _text(reply)
    assert "you have answered every finding" in text
    assert "You have answered every finding" in text and "nothing more you need to do" in text
    assert "our team reads your replies and releases the report" in text
    with app.app_context():
        case = db.session.get(Case, built.case_id)
        assert case.reply_due_at is not None
        from refcheck.dates import day
        assert day(case.reply_due_at) not in text  # no deadline once done
        assert built.case_id in progress.replies_in([db.session.get(Case, built.case_id)])


def test_accept_all_is_refused_after_the_deadline_and_after_release(app, staff):
    from refcheck import report, review
    from refcheck.commands import Actor, CommandRefused
    from refcheck.errors import CaseError
    from refcheck.models import StaffUser, utcnow

    built = _mixed_case(app, staff)
    browser = _portal(app, built)
    page = browser.get("/portal/findings")
    with app.app_context():
        case = db.session.get(Case, built.case_id)
        late = case.reply_due_at + dt.timedelta(minutes=1)
        try:
            review.accept_agreeing(built.case_id, built.candidate, late)
            raise AssertionError("accepted after the deadline")
        except CaseError as refused:
            assert "The time for replies has passed" in refused.message
        db.session.rollback()
        staff_actor = Actor.staff(db.session.get(StaffUser, staff.id))
        review.resolve_signal(built.case_id, staff_actor, built.signal_id, "Checked by phone.")
        db.session.commit()
        report.release(built.case_id, staff_actor, utcnow())
        db.session.commit()
    refused_page = browser.post("/portal/findings/accept-agreeing", data={"csrf_token": csrf_from(page.data)},
                                follow_redirects=True)
    assert "We could not accept the findings that agree: the report has been released." in _text(refused_page)
    assert all(v is None for v in _replies(app, built.case_id).values())
    with app.app_context():
        try:
            review.accept_agreeing(built.case_id, built.candidate, utcnow())
            raise AssertionError("accepted after release")
        except CommandRefused as refused:
            assert refused.why == "state"


def test_after_the_deadline_the_page_says_so_and_offers_no_form(app, staff):
    built = _mixed_case(app, staff)
    browser = _portal(app, built)
    with app.app_context():
        case = db.session.get(Case, built.case_id)
        case.reply_due_at = case.reply_due_at - dt.timedelta(days=30)
        db.session.commit()
    text = _text(browser.get("/portal/findings"))
    assert "The time for replies ended on" in text and "(0 of" in text
    assert "<form" not in text.split("What your referees said")[1]
