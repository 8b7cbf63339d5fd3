"""The staff answers page: side by side, a constant number of queries, and private notes."""

import re

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


def test_two_peers_at_one_organisation_each_keep_their_own_column(app, client, sent_case, staff):
    from refcheck.models import OutboxMessage

    from .conftest import MANAGER, consent, enter_portal, nominate, peer, state_work_history

    enter_portal(client, sent_case)
    consent(client)
    for referee in (MANAGER, peer(1), peer(2)):
        nominate(client, **referee)
    state_work_history(client)
    page = client.get("/portal/referees")
    invite = client.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)})
    assert invite.status_code == 303
    with app.app_context():
        bodies = [m.unseal("body_enc") for m in db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "referee_invitation")).scalars()]
    links = {re.search(r"Hello (.+),", b).group(1): re.search(r"https://refcheck\.test(/r/\S+)", b).group(1)
             for b in bodies}
    for name, text in (("Peer 1", "Ran the nightly loads."), ("Peer 2", "Led the schema migration.")):
        browser = enter_referee(app, links[name])
        html = attest_referee(browser).data.decode()
        data = full_answers(html)
        data[re.findall(r'<textarea[^>]*name="(q\d+)"', html)[0]] = text
        assert browser.post("/referee", data=data).status_code == 303
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    page = staff_client.get(f"/staff/cases/{sent_case.id}/answers").data.decode()
    # Answers line up by label: two peers from one organisation must not share (and overwrite) a column.
    assert "Peer at Northwind Analytics (1)" in page and "Peer at Northwind Analytics (2)" in page
    assert "Ran the nightly loads." in page and "Led the schema migration." in page
    assert "Peer 1" not in page and "Peer 2" not in page


def test_the_case_page_reads_the_case_key_once_however_many_answered(app, client, invited, staff, sent_case):
    from sqlalchemy import event

    _claim(client)
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    url = f"/staff/cases/{sent_case.id}"

    def statements():
        seen = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert staff_client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return seen

    _answer(app, invited["Grace Lindqvist"])
    one = statements()
    _answer(app, invited["Peer 1"])
    two = statements()
    assert len(one) == len(two)
    # Referees, answers, claims and findings are all sealed under the case's one key.
    assert sum("FROM data_key" in s for s in two) == 1
