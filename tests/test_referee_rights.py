"""A referee's rights: read back, correct or withdraw their own answers until release, and be told how."""

import json
import re

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AccessLink, AuditEvent, Case, Finding, OutboxMessage, Referee, Reply, Response

from .conftest import (
    attest_referee,
    csrf_from,
    enter_referee,
    full_answers,
    nominate,
    peer,
    sign_in,
)
from .test_findings import _claim

LINES = 'maxlength="200"'


def _referee(app, name):
    with app.app_context():
        for referee in db.session.execute(sa.select(Referee)).scalars():
            if referee.details["name"] == name:
                return referee.id, referee.state
    raise AssertionError(name)


def _response(app, referee_id):
    """Return (row id, sealed bytes, answers) of a referee's Response, or None when there is none."""
    with app.app_context():
        row = db.session.execute(
            sa.select(Response).where(Response.referee_id == referee_id)).scalar_one_or_none()
        return None if row is None else (row.id, bytes(row.answers_enc), row.unseal("answers_enc"))


def _events(app, action):
    with app.app_context():
        return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def _answer(app, path, title="Senior Data Engineer", text="Built the data platform."):
    """Answer as a referee and return the browser with its session, and the answers sent."""
    browser = enter_referee(app, path)
    page = attest_referee(browser).data.decode()
    data = full_answers(page)
    lines = sorted((n for n in data if data[n] == "Built the data platform." and f'id="{n}" {LINES}' in page),
                   key=lambda n: int(n[1:]))
    data[lines[0]], data[lines[1]] = "Northwind Analytics", title
    essay = re.findall(r'<textarea[^>]*name="(q\d+)"', page)[0]
    data[essay] = text
    sent = browser.post("/referee", data=data)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/referee/thanks")
    return browser, data, lines[1], essay


def _staff_post(staff_client, case_id, path, **data):
    page = staff_client.get(f"/staff/cases/{case_id}")
    return staff_client.post(f"/staff/cases/{case_id}/{path}",
                             data={**data, "csrf_token": csrf_from(page.data)}, follow_redirects=True)


def _findings(app, case_id):
    with app.app_context():
        return {f.fact: (f.id, f.status, f.resolution, f.content) for f in db.session.execute(
            sa.select(Finding).where(Finding.case_id == case_id).order_by(Finding.position)).scalars()}


def test_referee_is_told_what_happens_to_their_answers(app, invited):
    path = invited["Grace Lindqvist"]
    opening = app.test_client().get(path).data.decode()
    for page in (opening,):
        assert "Who sees them" in page and "Our verification team at Refcheck Verification Services" in page
        assert "Never under your name" in page
        assert "in the findings as coming from “their manager at Northwind Analytics”" in page
        # Grouped by default: a lone manager's ratings and comments are never shown as theirs.
        assert "together with those of other managers, and only when at least 2 answered" in page
        assert "Northwind Analytics Ltd, which receives the same report: it goes to Priya Shah" in page
        assert "We delete them 180 days after the check ends" in page
        assert "until the report is released, you can read your answers again, correct them" in page
        assert "privacy@refcheck.example" in page
    browser, *_ = _answer(app, path)
    thanks = browser.get("/referee/thanks").data.decode()
    answers_page = browser.get("/referee/answers").data.decode()
    # The notice is given once; later pages link to it rather than repeat it.
    for page in (thanks, answers_page):
        assert "Who sees them" not in page and 'href="/referee/privacy">How we use your answers' in page
    notice = browser.get("/referee/privacy").data.decode()
    assert "Never under your name" in notice and "180 days after the check ends" in notice
    assert "privacy@refcheck.example" in notice
    assert "you can correct or withdraw your answers until the report is released" in thanks
    # The link in the email still opens, and says what it is for now.
    again = app.test_client().get(path).data.decode()
    assert "You have already sent your answers" in again and "Who sees them" in again


def test_referee_reads_back_and_corrects_their_own_answers(app, invited):
    grace_id, _ = _referee(app, "Grace Lindqvist")
    browser, sent, _, essay = _answer(app, invited["Grace Lindqvist"], text="Mentored three juniors.")
    other, *_ = _answer(app, invited["Peer 1"], title="Data Engineer", text="Ran the on-call rota.")
    row_id, sealed, stored = _response(app, grace_id)

    page = browser.get("/referee/answers")
    text = page.data.decode()
    assert page.status_code == 200
    assert "What you told us" in text and "Mentored three juniors." in text
    assert "Senior Data Engineer" in text
    assert "January 2022 to June 2024" in text
    assert "Correct my answers" in text and "Withdraw my answers" in text
    assert "Ran the on-call rota." not in text  # a session reaches only its own referee
    assert "Mentored three juniors." not in other.get("/referee/answers").data.decode()

    form = browser.get("/referee/correct")
    html = form.data.decode()
    assert form.status_code == 200 and "Correct your answers" in html
    assert "\nMentored three juniors.</textarea>" in html and 'value="Senior Data Engineer"' in html
    radio = next(k for k, v in sent.items()
                 if re.search(rf'name="{k}"[^>]*type="radio"', html) and v != "unknown")
    checked = rf'<input checked id="[^"]+" name="{radio}"[^>]*type="radio" value="{sent[radio]}"'
    assert re.search(checked, html)
    assert _response(app, grace_id)[1] == sealed  # a GET changes nothing

    # A slip is refused and nothing changes.
    month = next(k for k in sent if k.endswith("_from"))
    bad = browser.post("/referee/correct", data={**full_answers(html, sent), month: "2025-01"})
    assert bad.status_code == 422 and b"The end cannot be before the start." in bad.data
    assert _response(app, grace_id)[1] == sealed

    fixed = browser.post("/referee/correct",
                         data={**full_answers(html, sent), essay: "Led the data platform team."})
    assert fixed.status_code == 303 and fixed.headers["Location"].endswith("/referee/answers")
    after = browser.get("/referee/answers").data.decode()
    assert "Your corrected answers are saved." in after and "Led the data platform team." in after
    new_id, new_sealed, new_stored = _response(app, grace_id)
    assert new_id == row_id and new_sealed != sealed and b"Led the data" not in new_sealed
    assert new_stored["answers"][essay[1:]] == "Led the data platform team."
    assert stored["answers"][essay[1:]] == "Mentored three juniors."
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one() == 2
    (event,) = _events(app, "referee.corrected")
    assert event.actor == f"referee:{grace_id}" and event.details == {"referee": grace_id, "changed": 1}
    assert "Led the data" not in json.dumps(event.details)
    assert _referee(app, "Grace Lindqvist")[1] == "submitted"


def test_withdrawal_deletes_the_answers_and_tells_the_candidate(app, client, invited, staff, sent_case):
    peer_id, _ = _referee(app, "Peer 1")
    path = invited["Peer 1"]
    browser, *_ = _answer(app, path, title="Data Engineer")
    assert _response(app, peer_id) is not None

    confirm = browser.get("/referee/withdraw")
    assert confirm.status_code == 200 and b"cannot be recovered" in confirm.data
    assert _response(app, peer_id) is not None  # a GET changes nothing
    unconfirmed = browser.post("/referee/withdraw", data={"csrf_token": csrf_from(confirm.data)})
    assert unconfirmed.status_code == 422 and b"Tick the box to confirm" in unconfirmed.data
    forged = browser.post("/referee/withdraw", data={"confirm": "y"})
    assert forged.status_code == 400
    assert _response(app, peer_id) is not None

    done = browser.post("/referee/withdraw", data={"csrf_token": csrf_from(confirm.data), "confirm": "y"})
    assert done.status_code == 303
    assert _response(app, peer_id) is None
    assert _referee(app, "Peer 1")[1] == "withdrawn"
    (event,) = _events(app, "referee.withdrawn")
    assert event.details == {"referee": peer_id}
    closed = browser.get("/referee", follow_redirects=True).data.decode()
    assert "You withdrew your answers. They are deleted" in closed
    assert browser.get("/referee/answers", follow_redirects=True).data.decode().count("You withdrew") == 1
    assert app.test_client().get(path).status_code == 404

    with app.app_context():
        message = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.kind == "referee_withdrew")).scalar_one()
        assert message.unseal("recipient_enc") == sent_case.email
        body = message.unseal("body_enc")
        assert "your peer, has withdrawn their answers" in body and "name someone else" in body
        assert message.subject == "One of your referees withdrew their answers"
    portal = client.get("/portal/referees").data.decode()
    assert "Withdrew their answers" in portal and "1 peer" in portal
    assert nominate(client, **peer(2)).status_code == 303
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    case_page = staff_client.get(f"/staff/cases/{sent_case.id}").data.decode()
    assert "Withdrew their answers" in case_page and "they were deleted" in case_page


def test_answers_are_final_once_the_report_is_released(app, client, invited, staff, sent_case):
    _claim(client)
    grace_id, _ = _referee(app, "Grace Lindqvist")
    browser, sent, _, essay = _answer(app, invited["Grace Lindqvist"])
    _answer(app, invited["Peer 1"], title="Data Engineer")
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    _staff_post(staff_client, sent_case.id, "review")
    for fact, (finding_id, status, _, _) in _findings(app, sent_case.id).items():
        if status == "conflict":
            _staff_post(staff_client, sent_case.id, f"findings/{finding_id}", resolution="explained",
                        note=f"Checked {fact} by phone.")
    _staff_post(staff_client, sent_case.id, "send-findings")
    with app.app_context():
        from refcheck.models import FraudSignal

        signals = db.session.execute(sa.select(FraudSignal.id)).scalars().all()
    for signal_id in signals:
        _staff_post(staff_client, sent_case.id, f"signals/{signal_id}", reason="Same test network.")
    released = _staff_post(staff_client, sent_case.id, "release")
    assert b"Version 1 of the report is released" in released.data
    _, sealed, _ = _response(app, grace_id)

    with app.app_context():
        live = db.session.execute(sa.select(AccessLink).where(
            AccessLink.purpose == "referee", AccessLink.revoked_at.is_(None))).scalars().all()
        assert live == []
    assert app.test_client().get(invited["Grace Lindqvist"]).status_code == 404
    # Release ended the referee's session too: the open tab says why, and changes nothing.
    page = browser.get("/referee/answers")
    assert page.status_code == 401
    text = page.data.decode()
    assert "The report was released on" in text and "Built the data platform." not in text
    assert browser.get("/referee/correct").status_code == 401
    refused = browser.post("/referee/correct", data={**sent, essay: "Changed later."})
    assert refused.status_code == 401 and b"the answers in it are final" in refused.data
    withdrawn = browser.post("/referee/withdraw", data={"csrf_token": sent["csrf_token"], "confirm": "y"})
    assert withdrawn.status_code == 401
    with app.app_context():
        attempts = db.session.execute(sa.select(AuditEvent.details).where(
            AuditEvent.action == "action.refused", AuditEvent.actor == f"referee:{grace_id}")).scalars().all()
    assert {a["attempt"] for a in attempts} >= {"referee.correct", "referee.withdraw"}
    assert _response(app, grace_id)[1] == sealed
    assert _referee(app, "Grace Lindqvist")[1] == "submitted"
    assert _events(app, "referee.corrected") == [] and _events(app, "referee.withdrawn") == []


def test_a_stopped_check_says_why_the_answers_cannot_change(app, client, invited):
    browser, *_ = _answer(app, invited["Grace Lindqvist"])
    page = client.get("/portal/withdraw")
    client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    assert app.test_client().get(invited["Grace Lindqvist"]).status_code == 404
    text = browser.get("/referee/answers").data.decode()
    assert "Amira Okafor withdrew their consent, so this check has stopped" in text
    assert "Withdraw my answers" not in text
    assert browser.get("/referee/withdraw").status_code == 409


def test_a_correction_during_review_refreshes_the_findings(app, client, invited, staff, sent_case):
    _claim(client)
    _answer(app, invited["Grace Lindqvist"])
    browser, sent, title_field, _ = _answer(app, invited["Peer 1"], title="Data Engineer")
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    _staff_post(staff_client, sent_case.id, "review")
    before = _findings(app, sent_case.id)
    assert before["title"][1] == "conflict"
    for fact, (finding_id, _, _, _) in before.items():
        _staff_post(staff_client, sent_case.id, f"findings/{finding_id}", resolution="explained",
                    note=f"Checked {fact} by phone.")
    _staff_post(staff_client, sent_case.id, "send-findings")
    findings_page = client.get("/portal/findings")
    for finding_id, *_ in before.values():
        client.post(f"/portal/findings/{finding_id}", data={"csrf_token": csrf_from(findings_page.data),
                                                            "accepted": "y"})
    with app.app_context():
        assert db.session.get(Case, sent_case.id).state == "candidate_review"

    answers_page = browser.get("/referee/answers").data.decode()
    assert "Our team has started reviewing the answers" in answers_page
    form = browser.get("/referee/correct").data.decode()
    fixed = browser.post("/referee/correct",
                         data={**full_answers(form, sent), title_field: "Senior Data Engineer"})
    assert fixed.status_code == 303

    after = _findings(app, sent_case.id)
    # The title no longer conflicts: staff's resolution and the candidate's reply to it are gone.
    assert after["title"][1] != "conflict" and after["title"][2] is None
    assert "Data Engineer;" not in after["title"][3]["explanation"]
    # A finding that reads as before keeps its resolution and reply.
    assert after["employer"] == before["employer"][:2] + ("explained",) + before["employer"][3:]
    with app.app_context():
        replies = {r.finding_id for r in db.session.execute(sa.select(Reply)).scalars()}
        assert after["employer"][0] in replies and after["title"][0] not in replies
        assert db.session.get(Case, sent_case.id).state == "review"  # back to staff to look again
    (event,) = _events(app, "review.findings_refreshed")
    assert event.details["changed"] >= 1


def test_a_withdrawal_during_review_takes_the_answers_out_of_the_findings(app, client, invited, staff,
                                                                          sent_case):
    _claim(client)
    _answer(app, invited["Grace Lindqvist"])
    browser, *_ = _answer(app, invited["Peer 1"], title="Data Engineer")
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    _staff_post(staff_client, sent_case.id, "review")
    before = _findings(app, sent_case.id)
    assert any("Peer at Northwind Analytics" in json.dumps(f[3]) for f in before.values())

    confirm = browser.get("/referee/withdraw")
    assert b"the findings our team is reviewing are brought up to date" in confirm.data
    browser.post("/referee/withdraw", data={"csrf_token": csrf_from(confirm.data), "confirm": "y"})
    after = _findings(app, sent_case.id)
    assert after and not any("Peer at Northwind Analytics" in json.dumps(f[3]) for f in after.values())
    assert after["title"][1] != "conflict"
    with app.app_context():
        body = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.kind == "referee_withdrew")).scalar_one().unseal("body_enc")
        assert "already started reviewing" in body
    staff_page = staff_client.get(f"/staff/cases/{sent_case.id}/answers")
    assert staff_page.status_code == 200 and b"Peer at Northwind Analytics" not in staff_page.data


def test_referee_pages_need_the_referees_own_session(app, client, invited):
    _answer(app, invited["Grace Lindqvist"])
    stranger = app.test_client()
    for path in ("/referee/answers", "/referee/correct", "/referee/withdraw", "/referee/thanks"):
        assert stranger.get(path).status_code == 401
        assert client.get(path).status_code == 401  # a candidate's session is not a referee's
