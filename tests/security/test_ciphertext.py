"""Sealed values moved between rows or altered in the database fail closed: a clean error, never plaintext."""

import pytest
import sqlalchemy as sa

from refcheck.crypto import CryptoError
from refcheck.extensions import db
from refcheck.models import Candidate, Case, DataKey, Referee, Report, Response

from ..conftest import (
    OTHER_CANDIDATE,
    attest_referee,
    enter_portal,
    enter_referee,
    full_answers,
    send_case,
    sign_in,
)
from .conftest import release_case

LEAKS = (b"Grace", b"Lindqvist", b"grace.lindqvist", b"Peer 1", b"peer1@", b"Amira", b"Okafor",
         b"Tomasz", b"Wielgosz", b"Built the data platform", b"Traceback", b"CryptoError", b"InvalidTag",
         b"details_enc", b"answers_enc", b"name_enc", b"does not decrypt", b"%PDF")


def _flip(blob: bytes, at: int = -5) -> bytes:
    data = bytearray(blob)
    data[at] ^= 0x01
    return bytes(data)


def _assert_clean_failure(response, *allowed: bytes) -> None:
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
    for leak in LEAKS:
        if leak not in allowed:
            assert leak not in response.data, f"{leak!r} reached the error page"


@pytest.fixture
def failing_app(app):
    # Show the error page a visitor would see, rather than raising into the test.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def _ids(app):
    with app.app_context():
        return {r.details["name"]: r.id for r in db.session.execute(sa.select(Referee)).scalars()}


def test_referee_details_swapped_between_rows_give_a_clean_error(failing_app, invited, staff, sent_case):
    app = failing_app
    grace_browser = enter_referee(app, invited["Grace Lindqvist"])
    ids = _ids(app)
    with app.app_context():
        grace, peer = (db.session.get(Referee, ids[n]) for n in ("Grace Lindqvist", "Peer 1"))
        grace_blob, peer_blob = grace.details_enc, peer.details_enc
        db.session.execute(sa.update(Referee).where(Referee.id == grace.id).values(details_enc=peer_blob))
        db.session.execute(sa.update(Referee).where(Referee.id == peer.id).values(details_enc=grace_blob))
        db.session.commit()
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    _assert_clean_failure(staff_client.get(f"/staff/cases/{sent_case.id}"))
    _assert_clean_failure(grace_browser.get("/referee"))  # Grace never sees the peer's details
    with app.app_context():
        with pytest.raises(CryptoError) as caught:
            _ = db.session.get(Referee, ids["Grace Lindqvist"]).details
        assert "Peer" not in str(caught.value) and "northwind" not in str(caught.value)


def test_candidate_name_swapped_between_cases_gives_a_clean_error(failing_app, client, staff, sent_case):
    app = failing_app
    other = send_case(app, staff, OTHER_CANDIDATE)
    enter_portal(client, sent_case)
    with app.app_context():
        mine = db.session.get(Case, sent_case.id).candidate
        theirs = db.session.get(Case, other.id).candidate
        db.session.execute(sa.update(Candidate).where(Candidate.id == mine.id).values(
            name_enc=theirs.name_enc, email_enc=theirs.email_enc))
        db.session.commit()
    _assert_clean_failure(client.get("/portal"))
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    _assert_clean_failure(staff_client.get(f"/staff/cases/{sent_case.id}"))


def test_answers_with_one_byte_flipped_give_a_clean_error(failing_app, invited, staff, sent_case):
    app = failing_app
    browser = enter_referee(app, invited["Grace Lindqvist"])
    answers = full_answers(attest_referee(browser).data.decode())
    assert browser.post("/referee", data=answers).status_code == 303
    with app.app_context():
        db.session.execute(sa.update(Response).values(answers_enc=_flip(
            db.session.execute(sa.select(Response.answers_enc)).scalar_one())))
        db.session.commit()
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    # The case page names referees (allowed there); the answers page must not show any answer.
    _assert_clean_failure(staff_client.get(f"/staff/cases/{sent_case.id}/answers"))
    with app.app_context():
        from refcheck import report

        with pytest.raises(CryptoError) as caught:
            report.gather(db.session.get(Case, sent_case.id))
        assert "Built the data platform" not in str(caught.value)


def test_swapped_data_keys_give_a_clean_error(failing_app, client, staff, sent_case):
    app = failing_app
    other = send_case(app, staff, OTHER_CANDIDATE)
    enter_portal(client, sent_case)
    with app.app_context():
        mine = db.session.get(Case, sent_case.id).data_key
        theirs = db.session.get(Case, other.id).data_key
        db.session.execute(sa.update(DataKey).where(DataKey.id == mine.id).values(wrapped=theirs.wrapped))
        db.session.commit()
    _assert_clean_failure(client.get("/portal"))


def test_released_report_with_one_byte_flipped_is_never_served(failing_app, client, invited, staff,
                                                               sent_case):
    app = failing_app
    staff_client = release_case(app, client, invited, staff, sent_case, answer="Fine work.", reply="Agreed.",
                                note="Checked.")
    assert client.get("/portal/report.pdf").data.startswith(b"%PDF")
    with app.app_context():
        db.session.execute(sa.update(Report).values(pdf_enc=_flip(
            db.session.execute(sa.select(Report.pdf_enc)).scalar_one(), at=60)))
        db.session.commit()
    _assert_clean_failure(client.get("/portal/report.pdf"))
    _assert_clean_failure(staff_client.get(f"/staff/cases/{sent_case.id}/report.pdf"))
