"""The staff answers page: side by side, a constant number of queries, and private notes."""

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import StaffNote

from .conftest import attest_referee, count_queries, csrf_from, enter_referee, full_answers, sign_in
from .test_findings import _claim


def _answer(app, path):
    browser = enter_referee(app, path)
    page = attest_referee(browser)
    assert browser.post("/referee", data=full_answers(page.data.decode())).status_code == 303


def test_answers_side_by_side_with_constantcount_queries(app, client, invited, staff, sent_case):
    _claim(client)
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    url = f"/staff/cases/{sent_case.id}/answers"
    _answer(app, invited["Grace Lindqvist"])
    one = count_queries(app, staff_client, url)
    _answer(app, invited["Peer 1"])
    two = count_queries(app, staff_client, url)
    assert one == two
    page = staff_client.get(url).data.decode()
    assert "Manager at Northwind Analytics" in page and "Peer at Northwind Analytics" in page
    assert "How would you rate the quality of the candidate&#39;s work?" in page
    assert "Average" in page


def test_private_notes_are_sealed_and_staff_only(app, client, invited, staff, sent_case):
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    url = f"/staff/cases/{sent_case.id}/answers"
    page = staff_client.get(url)
    staff_client.post(url, data={"csrf_token": csrf_from(page.data), "reason": "Call the manager on Monday."})
    assert b"Call the manager on Monday." in staff_client.get(url).data
    with app.app_context():
        note = db.session.execute(sa.select(StaffNote)).scalar_one()
        assert b"Monday" not in note.text_enc
    assert b"Call the manager" not in client.get("/portal").data
    assert client.get(url).status_code == 302  # a candidate session is not staff
