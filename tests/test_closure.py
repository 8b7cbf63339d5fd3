"""The loop closes: a finished step never asks again, questions reach a named contact, release thanks all."""

from __future__ import annotations

import sqlalchemy as sa

from refcheck import enquiries, privacy, report, review
from refcheck.extensions import db
from refcheck.models import Case, Enquiry, Finding, OutboxMessage, Referee, StaffUser, utcnow

from .conftest import csrf_from, make_staff, sign_in
from .lifecycle_cases import build

QUESTION = "Will my current employer be contacted before I accept the offer?"


def _portal(app, built):
    """Sign in to the candidate's portal with the case's emailed link."""
    browser = app.test_client()
    path = f"/c/{built.case_id}/{built.tokens['candidate']}"
    browser.post(path, data={"csrf_token": csrf_from(browser.get(path).data)})
    return browser


def _staff(app, login):
    browser = app.test_client()
    sign_in(browser, login)
    return browser


def _list_row(listing: str, case_id: int) -> str:
    """Return one case's row of staff's list."""
    row = listing[listing.index(f"RC-{case_id:05d}"):]
    return row[:row.index("</tr>")]


def _mail(app, kind):
    with app.app_context():
        return [(m.unseal("recipient_enc"), m.unseal("body_enc")) for m in db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.kind == kind)).scalars()]


def _reply_to_every_finding(app, built):
    with app.app_context():
        ids = db.session.execute(
            sa.select(Finding.id).where(Finding.case_id == built.case_id)).scalars().all()
        for finding_id in ids:
            review.reply(built.case_id, built.candidate, finding_id, "", True, utcnow())
            db.session.commit()
    return ids


def test_a_candidate_who_replied_to_every_finding_is_not_asked_again(app):
    login = make_staff(app)
    built = build(app, login.id, "candidate_review")
    portal = _portal(app, built)
    before = portal.get("/portal").data.decode()
    assert "Your next step: read the findings and reply" in before
    assert _reply_to_every_finding(app, built)

    home = portal.get("/portal").data.decode()
    assert "Nothing for you to do now" in home and "You have replied to every finding" in home
    assert "Please read the findings" not in home and "Your next step" not in home
    # The timeline agrees: the candidate's step is done and the release waits on staff.
    assert "Waiting on you" not in home and "Waiting on us" in home
    assert "Next: The report is released to you and the hiring team." in home
    # Staff's list says the same, from the same source.
    desk = _staff(app, login).get("/staff/").data.decode()
    row = _list_row(desk, built.case_id)
    assert "Our team, expected by" in row and "Candidate," not in row


def test_a_question_reaches_the_named_contact_and_the_answer_comes_back(app):
    login = make_staff(app)
    built = build(app, login.id, "collecting")
    vera = make_staff(app, "vera@verify.example", role="verifier")
    with app.app_context():
        db.session.get(StaffUser, vera.id).name = "Vera Lindgren"
        db.session.commit()
    desk = _staff(app, login)
    token = csrf_from(desk.get(f"/staff/cases/{built.case_id}").data)
    named = desk.post(f"/staff/cases/{built.case_id}/contact", data={"csrf_token": token, "contact": vera.id},
                      follow_redirects=True).data.decode()
    assert "Vera Lindgren is now the candidate&#39;s contact" in named

    portal = _portal(app, built)
    home = portal.get("/portal").data.decode()
    assert "Your contact" in home and "<strong>Vera Lindgren</strong> looks after your check" in home
    page = portal.get("/portal/ask")
    # An empty question is refused with a reason, and nothing is kept.
    empty = portal.post("/portal/ask",
                        data={"csrf_token": csrf_from(page.data), "kind": "question", "text": "  "})
    assert empty.status_code == 422 and "Write your question" in empty.data.decode()
    sent = portal.post("/portal/ask", data={"csrf_token": csrf_from(page.data), "kind": "question",
                                            "text": QUESTION}, follow_redirects=True).data.decode()
    assert "will answer by" in sent and QUESTION in sent and "Waiting on us" in sent

    with app.app_context():
        asked = db.session.execute(sa.select(Enquiry).where(Enquiry.case_id == built.case_id,
                                                            Enquiry.answered_at.is_(None))).scalars().all()
        mine = [q for q in asked if q.unseal("text_enc") == QUESTION]
        assert len(mine) == 1
        # Sealed: the words are not in the row's bytes.
        assert QUESTION.encode() not in mine[0].text_enc
        contact_email = db.session.get(StaffUser, vera.id).email
    # The contact is told there is a question, not what it says.
    to_contact = [body for to, body in _mail(app, "enquiry_asked") if to == contact_email]
    assert to_contact and QUESTION not in to_contact[-1] and f"/staff/cases/{built.case_id}" in to_contact[-1]
    # The candidate's timeline shows the question waiting on staff, and staff's list shows it too.
    assert "We answer your question" in portal.get("/portal").data.decode()
    listing = desk.get("/staff/").data.decode()
    assert "Question from the candidate" in listing and "Questions waiting" in listing
    waiting = desk.get("/staff/?state=questions_waiting").data.decode()
    assert f"RC-{built.case_id:05d}" in waiting

    case_page = desk.get(f"/staff/cases/{built.case_id}").data.decode()
    assert QUESTION in case_page
    answered = desk.post(f"/staff/cases/{built.case_id}/questions/{mine[0].id}/answer",
                         data={"csrf_token": csrf_from(case_page), "text": "No: only the referees you name."},
                         follow_redirects=True).data.decode()
    assert "Answer sent" in answered
    again = desk.post(f"/staff/cases/{built.case_id}/questions/{mine[0].id}/answer",
                      data={"csrf_token": csrf_from(case_page), "text": "Twice."}, follow_redirects=True)
    assert "already been answered" in again.data.decode()
    thread = portal.get("/portal/ask").data.decode()
    assert "No: only the referees you name." in thread and "Twice." not in thread
    assert _mail(app, "enquiry_answered")
    # Every question on the case is answered now (build asked one too): the filter lists it no more.
    with app.app_context():
        left_open = sa.select(Enquiry).where(Enquiry.answered_at.is_(None))
        for left in db.session.execute(left_open).scalars().all():
            enquiries.answer(built.case_id, built.staff, left.id, "Answered.", utcnow())
            db.session.commit()
    assert f"RC-{built.case_id:05d}" not in desk.get("/staff/?state=questions_waiting").data.decode()


def test_a_question_cannot_be_answered_on_another_case(app):
    login = make_staff(app)
    one, other = build(app, login.id, "collecting"), build(app, login.id, "collecting")
    with app.app_context():
        try:
            enquiries.answer(other.case_id, one.staff, one.enquiry_id, "Wrong case.", utcnow())
        except Exception as err:  # noqa: BLE001 - the refusal's words are what is checked
            assert "not on this case" in str(err)
        else:
            raise AssertionError("an answer on another case's question was accepted")
        db.session.rollback()
        assert db.session.get(Enquiry, one.enquiry_id).answered_at is None


def test_release_closes_the_loop_for_the_candidate_and_thanks_each_referee(app):
    login = make_staff(app)
    built = build(app, login.id, "released")
    home = _portal(app, built).get("/portal").data.decode()
    assert "Your check is complete" in home and "There is nothing more for you to do" in home
    assert "agree with what you told us" in home
    assert "We keep your data until" in home and "Ask a question or raise a concern" in home
    # One fingerprint: the one printed in the PDF and checked at /verify.
    with app.app_context():
        printed = report.latest(db.session.get(Case, built.case_id)).fingerprint
    assert printed[:8] in home and 'href="/verify"' in home
    # No page after the candidate's last step asks them to act.
    assert "Your next step" not in home and "Please read" not in home

    with app.app_context():
        answered = {r.details["email"] for r in db.session.execute(
            sa.select(Referee).where(Referee.case_id == built.case_id, Referee.state == "submitted")
        ).scalars()}
        case = db.session.get(Case, built.case_id)
        candidate_email = case.candidate.email
    thanked = {to for to, _ in _mail(app, "referee_thanks")}
    assert answered and thanked == answered
    closing = [body for to, body in _mail(app, "report_released") if to == candidate_email][-1]
    assert "is complete" in closing and "agree with what you told us" in closing and "Thank you" in closing
    # A second version says what it is and thanks nobody twice.
    with app.app_context():
        report.release(built.case_id, built.staff, utcnow())
        db.session.commit()
    assert len(_mail(app, "referee_thanks")) == len(thanked)
    assert "A new version" in _mail(app, "report_released")[-1][1]


def test_erasure_removes_the_questions(app):
    login = make_staff(app)
    built = build(app, login.id, "released")
    with app.app_context():
        privacy.erase_case(built.case_id, built.staff, "test", utcnow())
        db.session.commit()
        assert db.session.execute(sa.select(Enquiry).where(Enquiry.case_id == built.case_id)).first() is None


def test_once_the_time_for_replies_has_passed_the_portal_stops_asking(app):
    import datetime as dt

    login = make_staff(app)
    built = build(app, login.id, "candidate_review")
    with app.app_context():
        db.session.get(Case, built.case_id).reply_due_at = utcnow() - dt.timedelta(hours=1)
        db.session.commit()
    home = _portal(app, built).get("/portal").data.decode()
    assert "Nothing for you to do now" in home and "The time for replies ended on" in home
    assert "Your next step" not in home and "Waiting on you" not in home
    listing = _staff(app, login).get("/staff/").data.decode()
    assert "Our team, expected by" in _list_row(listing, built.case_id)


def test_a_contact_whose_account_was_disabled_is_never_shown_to_the_candidate(app):
    login = make_staff(app)
    built = build(app, login.id, "collecting")
    vera = make_staff(app, "vera@verify.example", role="verifier")
    with app.app_context():
        db.session.get(StaffUser, vera.id).name = "Vera Lindgren"
        db.session.commit()
        enquiries.set_contact(built.case_id, built.staff, vera.id, utcnow())
        db.session.commit()
    portal = _portal(app, built)
    assert "<strong>Vera Lindgren</strong> looks after your check" in portal.get("/portal").data.decode()
    with app.app_context():
        db.session.get(StaffUser, vera.id).active = False
        db.session.commit()
    home = portal.get("/portal").data.decode()
    assert "Vera Lindgren" not in home and "<strong>Dana Verifier</strong> looks after your check" in home
    # Her disabled account cannot be named again either.
    with app.app_context():
        try:
            enquiries.set_contact(built.case_id, built.staff, vera.id, utcnow())
        except Exception as err:  # noqa: BLE001 - the refusal's words are what is checked
            assert "active member of staff" in str(err)
        else:
            raise AssertionError("a disabled account was named as the contact")
