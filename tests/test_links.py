"""Candidate links: GET changes nothing; bad tokens of every kind get one identical refusal."""

import datetime as dt
import re

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AccessLink, utcnow

from .conftest import OTHER_CANDIDATE, csrf_from, enter_portal, send_case, without_csrf


def _links(app, case_id):
    with app.app_context():
        return db.session.execute(
            sa.select(AccessLink.used_at, AccessLink.revoked_at).where(AccessLink.case_id == case_id)
        ).all()


def test_opening_a_link_with_get_consumes_nothing(app, client, sent_case):
    before = _links(app, sent_case.id)
    for _ in range(3):
        page = client.get(sent_case.path)
        assert page.status_code == 200
        assert b"Continue" in page.data
    assert _links(app, sent_case.id) == before == [(None, None)]
    assert client.get("/portal").status_code == 401
    assert enter_portal(client, sent_case).status_code == 303


def test_only_a_hash_of_the_token_is_stored(app, sent_case):
    with app.app_context():
        stored = db.session.execute(sa.select(AccessLink.token_hash)).scalar_one()
    assert sent_case.token not in stored
    assert len(sent_case.token) >= 43  # 256 bits in URL-safe base64


def test_bad_tokens_get_the_same_response(app, client, staff, sent_case):
    other = send_case(app, staff, OTHER_CANDIDATE)
    # Reused: exchanged once already in another browser.
    enter_portal(app.test_client(), other)
    reused = client.get(other.path)

    altered_token = sent_case.token[:-1] + ("A" if sent_case.token[-1] != "A" else "B")
    altered = client.get(f"/c/{sent_case.id}/{altered_token}")
    truncated = client.get(f"/c/{sent_case.id}/{sent_case.token[:20]}")
    other_case = client.get(f"/c/{other.id}/{sent_case.token}")
    unknown = client.get(f"/c/{sent_case.id}/" + "x" * 43)

    with app.app_context():
        link = db.session.execute(
            sa.select(AccessLink).where(AccessLink.case_id == sent_case.id)
        ).scalar_one()
        link.expires_at = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
    expired = client.get(sent_case.path)

    responses = [reused, altered, truncated, other_case, unknown, expired]
    assert {r.status_code for r in responses} == {404}
    bodies = {without_csrf(r.data) for r in responses}
    assert len(bodies) == 1
    assert b"This link no longer works" in reused.data

    # POSTing an expired link is refused the same way and starts no session.
    post = client.post(sent_case.path, data={"csrf_token": csrf_from(expired.data)})
    assert post.status_code == 404
    assert client.get("/portal").status_code == 401


def test_link_works_once(app, client, sent_case):
    enter_portal(client, sent_case)
    second = app.test_client().get(sent_case.path)
    assert second.status_code == 404


def test_resending_revokes_the_earlier_link(app, client, staff, sent_case):
    from .conftest import sign_in

    sign_in(client, staff)
    page = client.get(f"/staff/cases/{sent_case.id}")
    assert b"Send a new link" in page.data
    client.post(f"/staff/cases/{sent_case.id}/invite", data={"csrf_token": csrf_from(page.data)})
    assert app.test_client().get(sent_case.path).status_code == 404
    assert len(_links(app, sent_case.id)) == 2


def test_request_new_link_answers_the_same_for_unknown_addresses(app, client, sent_case):
    page = client.get("/link")
    known = client.post("/link", data={"csrf_token": csrf_from(page.data), "email": sent_case.email})
    unknown = client.post("/link", data={"csrf_token": csrf_from(page.data),
                                         "email": "nobody@nowhere.example"})
    assert known.status_code == unknown.status_code == 200
    # Byte for byte, but for the form token each page signs afresh (with the time it was written).
    signed = re.compile(rb'name="csrf_token" value="[^"]+"')
    assert signed.sub(b"", known.data) == signed.sub(b"", unknown.data)
    assert len(_links(app, sent_case.id)) == 2
