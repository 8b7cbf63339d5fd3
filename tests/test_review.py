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
