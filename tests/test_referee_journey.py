"""The referee's short journey on a phone: three choices up front, short pages kept as a draft, one send.

Also: the answer-by date on every page and email, the privacy notice once, and the candidate's first name.
"""

import datetime as dt
import re

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from refcheck import privacy, review
from refcheck.commands import Actor
from refcheck.dates import day
from refcheck.extensions import db
from refcheck.models import (
    AuditEvent,
    Case,
    OutboxMessage,
    Question,
    Referee,
    Response,
    ResponseDraft,
    StaffUser,
    utcnow,
)

from .conftest import (
    MANAGER,
    Inbox,
    attest_referee,
    consent,
    csrf_from,
    enter_portal,
    enter_referee,
    full_answers,
    invitation_links,
    nominate,
    peer,
    send_case,
    state_work_history,
)

ESSAY = "Led the migration with care."


def _referee(app, name):
    with app.app_context():
        for referee in db.session.execute(sa.select(Referee)).scalars():
            if referee.details["name"] == name:
                return referee.id, referee.state, referee.call_requested
    raise AssertionError(name)


def _drafts(app):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(ResponseDraft)).scalar_one()


def _start(app, path):
    """Open the link, choose to answer, attest; return the browser at the first page of questions."""
    browser = enter_referee(app, path)
    page = browser.get("/referee")
    assert b"Before you answer" in page.data
    browser.post("/referee/attest",
                 data={"csrf_token": csrf_from(page.data), "identity": "y", "truthful": "y"})
    return browser


def _follow(browser, url):
    """Follow redirects by hand, returning the last response and where it was."""
    response = browser.get(url)
    while response.status_code in (302, 303):
        url = response.headers["Location"]
        response = browser.get(url)
    return url, response


def _answer_page(browser, number, overrides=None, go="next"):
    page = browser.get(f"/referee/questions/{number}")
    assert page.status_code == 200
    data = full_answers(page.data.decode(), overrides)
    data["go"] = go
    return browser.post(f"/referee/questions/{number}", data=data)


def _page_count(browser) -> int:
    html = browser.get("/referee/questions/1").data.decode()
    return int(re.search(r"Question group 1 of (\d+)", html).group(1))


def test_the_first_page_offers_three_equal_choices_and_the_notice_once(app, invited):
    path = invited["Peer 1"]
    html = app.test_client().get(path).data.decode()
    assert html.count('name="next"') == 3
    for label in ("Answer the questions", "Ask for a short call", "Decline"):
        assert f">{label}</button>" in html
    # The three choices come before the notice, which is given in full here, once.
    assert html.index("Answer the questions") < html.index("Who sees them")
    assert html.count("Who sees them") == 1
    # Each choice leads to its own page once the link is exchanged for a session.
    for choice, place in (("answer", "/referee"), ("call", "/referee/call"), ("decline", "/referee/decline")):
        browser = app.test_client()
        page = browser.get(path)
        sent = browser.post(path, data={"csrf_token": csrf_from(page.data), "next": choice})
        assert sent.status_code == 303 and sent.headers["Location"] == place
    # After the first page, the notice is a link, never repeated.
    browser = enter_referee(app, path)
    attest = browser.get("/referee").data.decode()
    assert "Who sees them" not in attest and "How we use your answers" in attest
    assert "Who sees them" in browser.get("/referee/privacy").data.decode()


def test_asking_for_a_call_goes_through_the_decline_command_and_tells_the_candidate(app, invited):
    browser = enter_referee(app, invited["Peer 1"])
    page = browser.get("/referee/call")
    assert page.status_code == 200 and b"Ask for a call" in page.data
    sent = browser.post("/referee/call",
                        data={"csrf_token": csrf_from(page.data), "note": "Mornings suit me."})
    assert sent.status_code == 303
    closed = browser.get("/referee").data.decode()
    assert "We will call you" in closed and "You declined" not in closed
    referee_id, state, call = _referee(app, "Peer 1")
    assert (state, call) == ("declined", True)
    with app.app_context():
        event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "referee.declined")).scalar_one()
        assert event.details == {"referee": referee_id, "call_requested": True}
        body = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.kind == "referee_declined")).scalar_one().unseal("body_enc")
        assert "asked for a call" in body and "Mornings" not in body
        stored = db.session.get(Referee, referee_id)
        assert stored.unseal("decline_reason_enc") == "Mornings suit me."
    # The call page of an ended request saves nothing more.
    again = browser.post("/referee/call", data={"csrf_token": csrf_from(page.data)})
    assert again.status_code == 409


def test_a_referee_who_leaves_half_way_finds_their_answers_kept(app, invited):
    path = invited["Grace Lindqvist"]
    browser = _start(app, path)
    where, first = _follow(browser, "/referee")
    assert where == "/referee/questions/1"
    html = first.data.decode()
    pages = _page_count(browser)
    assert pages >= 3 and "Question group 1 of" in html
    assert html.count('<fieldset class="card question"') <= 4
    assert 'value="back"' not in html  # nothing before the first page

    assert _answer_page(browser, 1).headers["Location"] == "/referee/questions/2"
    essay = re.search(r'<textarea[^>]*name="(q\d+)"', browser.get("/referee/questions/2").data.decode())
    overrides = {essay.group(1): ESSAY} if essay else {}
    assert _answer_page(browser, 2, overrides).headers["Location"] == "/referee/questions/3"
    with app.app_context():
        (draft,) = db.session.execute(sa.select(ResponseDraft)).scalars().all()
        assert b"2022-01" not in draft.answers_enc and ESSAY.encode() not in draft.answers_enc
        assert len(draft.unseal("answers_enc")["answers"]) >= 5

    # The referee closes the tab; later they open the link in their email again.
    later = enter_referee(app, path)
    where, page = _follow(later, "/referee")
    assert where == "/referee/questions/3"
    back = later.get("/referee/questions/1").data.decode()
    assert 'value="January 2022"' in back and "checked" in back
    if essay:
        assert ESSAY in later.get("/referee/questions/2").data.decode()
    # Back keeps what is right on the page and asks for nothing that is missing.
    gone_back = later.post("/referee/questions/3", data={"csrf_token": csrf_from(page.data), "go": "back"})
    assert gone_back.status_code == 303 and gone_back.headers["Location"] == "/referee/questions/2"

    for number in range(3, pages + 1):
        _answer_page(later, number)
    where, summary = _follow(later, "/referee")
    assert where == "/referee/review"
    text = summary.data.decode()
    assert "Check and send your answers" in text and "January 2022 to June 2024" in text
    assert "Needs an answer" not in text
    sent = later.post("/referee/review", data={"csrf_token": csrf_from(summary.data)})
    assert sent.status_code == 303 and sent.headers["Location"] == "/referee/thanks"
    assert _referee(app, "Grace Lindqvist")[1] == "submitted"
    assert _drafts(app) == 0
    with app.app_context():
        (response,) = db.session.execute(sa.select(Response)).scalars().all()
        sealed = response.unseal("answers_enc")
        assert sealed["facts"]["worked_together_from"] == "2022-01"
        if essay:
            assert ESSAY in sealed["answers"].values()
    assert later.get("/referee/review").headers["Location"] == "/referee/answers"


def test_next_needs_every_required_answer_on_the_page_and_keeps_nothing_until_then(app, invited):
    browser = _start(app, invited["Peer 1"])
    page = browser.get("/referee/questions/1").data.decode()
    data = full_answers(page)
    radio = re.search(r'name="(q\d+)"[^>]*type="radio"', page).group(1)
    del data[radio]
    refused = browser.post("/referee/questions/1", data={**data, "go": "next"})
    assert refused.status_code == 422
    assert b"Please answer this question." in refused.data
    assert b"Nothing on this page has been kept yet." in refused.data
    assert _drafts(app) == 0
    # Sending from the review with questions still open is refused too, naming what is missing.
    review_page = browser.get("/referee/review")
    assert b"Needs an answer" in review_page.data
    sent = browser.post("/referee/review", data={"csrf_token": csrf_from(review_page.data)})
    assert sent.status_code == 422 and b"Nothing has been sent yet." in sent.data
    assert _referee(app, "Peer 1")[1] == "opened"


def test_a_draft_is_refused_once_review_has_started_and_is_erased(app, invited, staff):
    answered = enter_referee(app, invited["Grace Lindqvist"])
    page = attest_referee(answered)
    assert answered.post("/referee", data=full_answers(page.data.decode())).status_code == 303
    browser = _start(app, invited["Peer 1"])
    _answer_page(browser, 1)
    page = browser.get("/referee/questions/2")
    assert _drafts(app) == 1
    with app.app_context():
        case_id = db.session.execute(sa.select(Case.id)).scalar_one()
        review.start_review(case_id, Actor.staff(db.session.get(StaffUser, staff.id)), utcnow())
        db.session.commit()
    assert _drafts(app) == 0  # the request closed, and its half-answers with it
    # A page left open in a tab saves nothing and says the check has moved on.
    late = browser.post("/referee/questions/2", data={**full_answers(page.data.decode()), "go": "next"})
    assert late.status_code in (401, 409)
    assert _drafts(app) == 0


def test_save_draft_is_refused_by_the_command_once_the_case_moved_on(app, invited, staff):
    import pytest

    from refcheck import drafts
    from refcheck.commands import CommandRefused

    answered = enter_referee(app, invited["Grace Lindqvist"])
    page = attest_referee(answered)
    answered.post("/referee", data=full_answers(page.data.decode()))
    _start(app, invited["Peer 1"])
    peer_id = _referee(app, "Peer 1")[0]
    with app.app_context():
        case_id = db.session.execute(sa.select(Case.id)).scalar_one()
        review.start_review(case_id, Actor.staff(db.session.get(StaffUser, staff.id)), utcnow())
        db.session.commit()
        with pytest.raises(CommandRefused) as refused:
            drafts.save(case_id, Actor.referee(peer_id, case_id), 1, {"1": "x"}, [1], utcnow())
        assert refused.value.why == "state" and "the check has moved on" in refused.value.message
        db.session.rollback()


def test_drafts_are_erased_when_the_candidate_withdraws_and_when_the_case_is_erased(app, client, invited,
                                                                                    staff):
    browser = _start(app, invited["Peer 1"])
    _answer_page(browser, 1)
    assert _drafts(app) == 1
    page = client.get("/portal/withdraw")
    client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    assert _drafts(app) == 0

    other = send_case(app, staff, ("Bea Lindgren", "bea.lindgren@example.org"))
    second = app.test_client()
    enter_portal(second, other)
    consent(second, "Bea Lindgren")
    nominate(second, **{**MANAGER, "email": "grace@elsewhere.example", "name": "Gwen Manager"})
    nominate(second, **{**peer(5), "email": "peer5@elsewhere.example"})
    state_work_history(second)
    listing = second.get("/portal/referees")
    second.post("/portal/referees/invite", data={"csrf_token": csrf_from(listing.data)})
    gwen = _start(app, invitation_links(app)["Gwen Manager"])
    _answer_page(gwen, 1)
    assert _drafts(app) == 1
    with app.app_context():
        actor = Actor.staff(db.session.get(StaffUser, staff.id))
        counts = privacy.erase_case(other.id, actor, "test", utcnow())
        db.session.commit()
    assert counts["drafts"] == 1 and _drafts(app) == 0


def test_declining_drops_a_draft(app, invited):
    browser = _start(app, invited["Peer 1"])
    _answer_page(browser, 1)
    page = browser.get("/referee/decline")
    browser.post("/referee/decline", data={"csrf_token": csrf_from(page.data), "reason": ""})
    assert _referee(app, "Peer 1")[1] == "declined" and _drafts(app) == 0


def _answer_by(app, name):
    with app.app_context():
        for referee in db.session.execute(sa.select(Referee)).scalars():
            if referee.details["name"] == name:
                # Invited at some moment of a day; the request closes 14 days later at that moment,
                # so the last whole day to answer is the 13th day after.
                return day((referee.invited_at + dt.timedelta(days=13)).date())
    raise AssertionError(name)


def test_every_page_and_email_gives_the_day_to_answer_by(app, runner, invited, smtp_port):
    by = _answer_by(app, "Peer 1")
    path = invited["Peer 1"]
    assert "Please answer by <strong><time datetime=" in app.test_client().get(path).data.decode()
    assert by in app.test_client().get(path).data.decode()
    browser = enter_referee(app, path)
    for url in ("/referee", "/referee/call", "/referee/decline", "/referee/privacy"):
        assert by in browser.get(url).data.decode(), url
    browser = _start(app, path)
    for url in ("/referee/questions/1", "/referee/review", "/referee/all"):
        assert by in browser.get(url).data.decode(), url

    # The invitation and the reminder say the same day, delivered over real SMTP.
    with app.app_context():
        invited_at = db.session.execute(sa.select(sa.func.min(Referee.invited_at))).scalar_one()
    when = (invited_at + dt.timedelta(days=2, hours=1)).replace(tzinfo=None)
    result = runner.invoke(args=["reminders", "send", "--now", when.isoformat()])
    assert result.exit_code == 0, result.output
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert runner.invoke(args=["mail", "send"]).exit_code == 0
    finally:
        controller.stop()
    bodies = {(m["Subject"], m["To"]): m.get_payload(decode=True).decode() for m in inbox.messages}
    for (subject, to), body in bodies.items():
        if to == "peer1@northwind.example":
            assert f"Please answer by {by}." in body, subject
            assert "Amira is asked to name someone else" in body
    assert {s for s, to in bodies if to == "peer1@northwind.example"} == {
        "A reference request from a former colleague",
        "Reminder: a reference request from a former colleague"}


def test_the_answer_by_day_is_never_after_the_due_date(app, invited):
    with app.app_context():
        case = db.session.execute(sa.select(Case)).scalar_one()
        invited_at = db.session.execute(sa.select(sa.func.min(Referee.invited_at))).scalar_one()
        case.due_date = (invited_at + dt.timedelta(days=3)).date()
        db.session.commit()
        due = day(case.due_date)
    assert "Please answer by <strong><time datetime" in app.test_client().get(invited["Peer 1"]).data.decode()
    assert due in app.test_client().get(invited["Peer 1"]).data.decode()


def test_questions_name_the_candidate_and_escape_the_name(app, client, staff):
    odd = send_case(app, staff, ("<b>Zoë</b>-Ann O'Brien", "zoe@example.org"))
    enter_portal(client, odd)
    consent(client, "<b>Zoë</b>-Ann O'Brien")
    nominate(client, **MANAGER)
    nominate(client, **peer(1))
    state_work_history(client)
    page = client.get("/portal/referees")
    client.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)})
    browser = _start(app, invitation_links(app)["Grace Lindqvist"])
    html = browser.get("/referee/questions/1").data.decode()
    assert "the candidate" not in html
    assert "working relationship with &lt;b&gt;Zoë&lt;/b&gt;-Ann?" in html and "<b>Zoë" not in html
    everything = browser.get("/referee/all").data.decode()
    assert "the candidate" not in everything and "<b>Zoë" not in everything
    # The stored questions keep their own words.
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Question).where(
            Question.text.contains("the candidate"))).scalar_one() > 10


def test_a_blank_page_is_shared_but_a_name_never_is(app, client, staff, invited):
    first = _start(app, invited["Peer 1"]).get("/referee/questions/1").data.decode()
    other = send_case(app, staff, ("Bea Lindgren", "bea.lindgren@example.org"))
    second = app.test_client()
    enter_portal(second, other)
    consent(second, "Bea Lindgren")
    nominate(second, **{**MANAGER, "email": "gwen@elsewhere.example", "name": "Gwen Manager"})
    nominate(second, **{**peer(6), "email": "peer6@elsewhere.example", "name": "Pat Peer"})
    state_work_history(second)
    listing = second.get("/portal/referees")
    second.post("/portal/referees/invite", data={"csrf_token": csrf_from(listing.data)})
    elsewhere = _start(app, invitation_links(app)["Pat Peer"]).get("/referee/questions/1").data.decode()
    assert "Amira" in first and "Amira" not in elsewhere and "Bea" in elsewhere
    assert app.extensions["refcheck.blank_question_fields"]


def test_a_page_keeps_only_its_own_questions_whatever_else_is_posted(app, invited):
    peer_id = _referee(app, "Peer 1")[0]
    browser = _start(app, invited["Grace Lindqvist"])
    first = browser.get("/referee/questions/1").data.decode()
    second = browser.get("/referee/questions/2").data.decode()
    own = set(re.findall(r'name="(q\d+)', first))
    others = {name: "Slipped in." for name in set(re.findall(r'name="(q\d+)', second)) - own}
    extra = {"referee_id": peer_id, "state": "submitted", "question_set_id": "1", **others}
    assert browser.post("/referee/questions/1",
                        data={**full_answers(first), **extra, "go": "next"}).status_code == 303
    with app.app_context():
        (draft,) = db.session.execute(sa.select(ResponseDraft)).scalars().all()
        kept = draft.unseal("answers_enc")["answers"]
        assert {f"q{k}" for k in kept} <= own and "Slipped in." not in kept.values()
        assert draft.referee_id != peer_id
        assert db.session.get(Referee, peer_id).state == "invited"
