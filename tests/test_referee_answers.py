"""The referee's path: invitation, link, attestation, answers sealed exactly once, or declining."""

import threading

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import Case, OutboxMessage, Referee, Response

from .conftest import (
    MANAGER,
    attest_referee,
    consent,
    csrf_from,
    enter_portal,
    enter_referee,
    full_answers,
    nominate,
    peer,
)


def _state(app, name):
    with app.app_context():
        for referee in db.session.execute(sa.select(Referee)).scalars():
            if referee.details["name"] == name:
                return referee.state
    return None


def test_invitations_carry_the_code_and_start_collecting(app, client, invited, sent_case):
    assert set(invited) == {"Grace Lindqvist", "Peer 1"}
    with app.app_context():
        assert db.session.get(Case, sent_case.id).state == "collecting"
        message = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.kind == "referee_invitation")).scalars().first()
        body = message.unseal("body_enc")
        referee = db.session.execute(sa.select(Referee)).scalars().first()
        assert referee.verification_code in body or "It should be:" in body
        assert "Northwind Analytics Ltd" in body and "about 10 minutes" in body
        assert message.subject == "A reference request from a former colleague"
    page = client.get("/portal/referees")
    assert b"Invited" in page.data
    assert _state(app, "Grace Lindqvist") == "invited"


def test_invitations_wait_until_the_scope_is_covered(app, client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    nominate(client, **MANAGER)
    page = client.get("/portal/referees")
    response = client.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)},
                           follow_redirects=True)
    assert b"still needs 1 peer" in response.data
    assert _state(app, "Grace Lindqvist") == "nominated"


def test_referee_answers_once_and_answers_are_sealed(app, invited):
    path = invited["Grace Lindqvist"]
    assert app.test_client().get(path).status_code == 200
    assert _state(app, "Grace Lindqvist") == "invited"  # a GET changes nothing
    browser = enter_referee(app, path)
    assert _state(app, "Grace Lindqvist") == "opened"
    page = attest_referee(browser)
    text = page.data.decode()
    assert "Question 1 of" in text and "I don't know" in text
    assert "1 = Well below what the role needed" in text

    # A missing answer: the page comes back with the message and keeps what was typed.
    data = full_answers(text)
    missing = dict(data)
    radio = sorted(k for k, v in data.items() if k.startswith("q") and v != "Built the data platform."
                   and not k.endswith(("_from", "_to")))
    missing.pop(radio[0])
    again = browser.post("/referee", data=missing)
    assert again.status_code == 422
    assert b"Please answer this question." in again.data
    assert b"Built the data platform." in again.data
    assert _state(app, "Grace Lindqvist") == "opened"

    done = browser.post("/referee", data=data)
    assert done.status_code == 303 and done.headers["Location"].endswith("/referee/thanks")
    assert b"Thank you" in browser.get("/referee/thanks").data
    assert _state(app, "Grace Lindqvist") == "submitted"
    with app.app_context():
        (stored,) = db.session.execute(sa.select(Response)).scalars().all()
        assert b"Built the data platform." not in stored.answers_enc
        sealed = stored.unseal("answers_enc")
        assert "Built the data platform." in sealed["answers"].values()
        assert sealed["facts"]["worked_together_from"] == "2022-01"
        assert sealed["facts"]["worked_together_to"] == "2024-06"
    # The link stays open so the referee can come back to their answers; a second submission saves nothing.
    assert b"You have already sent your answers" in app.test_client().get(path).data
    twice = browser.post("/referee", data=data)
    assert twice.status_code == 303 and twice.headers["Location"].endswith("/referee/answers")
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one() == 1


def test_two_simultaneous_submissions_store_exactly_one(app, invited):
    browsers = [enter_referee(app, invited["Peer 1"]) for _ in range(2)]
    pages = [attest_referee(b) for b in browsers]
    payloads = [full_answers(p.data.decode()) for p in pages]
    start = threading.Barrier(2)
    results = []

    def send(browser, data):
        start.wait()
        results.append(browser.post("/referee", data=data).status_code)

    threads = [threading.Thread(target=send, args=pair) for pair in zip(browsers, payloads, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One stores the answers and redirects; the twin is told they are already in (200 or 422),
    # or, arriving just after, is sent to the answers now on record (303).
    assert sorted(results) in ([200, 303], [303, 422], [303, 303])
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one() == 1
    assert _state(app, "Peer 1") == "submitted"


def test_a_referee_token_does_not_open_another_referees_form(app, invited):
    grace, other = invited["Grace Lindqvist"], invited["Peer 1"]
    grace_id, grace_token = grace.split("/")[2:4]
    other_id = other.split("/")[2]
    assert app.test_client().get(f"/r/{other_id}/{grace_token}").status_code == 404
    assert app.test_client().get(f"/r/{grace_id}/{grace_token}").status_code == 200
    # Nor a candidate link's place.
    assert app.test_client().get(f"/c/1/{grace_token}").status_code == 404


def test_referee_declines_and_the_candidate_can_replace_them(app, client, invited):
    browser = enter_referee(app, invited["Peer 1"])
    page = browser.get("/referee/decline")
    assert b"Decline this request" in page.data and b"I would rather answer in a short call" not in page.data
    browser.post("/referee/decline", data={"csrf_token": csrf_from(page.data), "reason": "On leave"})
    assert b"You declined this request" in browser.get("/referee").data
    assert _state(app, "Peer 1") == "declined"
    with app.app_context():
        message = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.kind == "referee_declined")).scalar_one()
        body = message.unseal("body_enc")
        assert "your peer" in body and "asked for a call" not in body and "On leave" not in body
    page = client.get("/portal/referees")
    assert b"Could not answer" in page.data and b"1 peer" in page.data
    assert nominate(client, **peer(2)).status_code == 303
    page = client.get("/portal/referees")
    client.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)})
    assert _state(app, "Peer 2") == "invited"


def test_answers_are_refused_without_attestation(app, invited):
    browser = enter_referee(app, invited["Grace Lindqvist"])
    page = browser.get("/referee")
    refused = browser.post("/referee/attest", data={"csrf_token": csrf_from(page.data)})
    assert refused.status_code == 422 and b"Please confirm this." in refused.data
    assert b"I am Grace Lindqvist, and I worked with Amira Okafor." in refused.data


def test_candidate_sees_referee_progress_but_never_answers(app, client, invited):
    browser = enter_referee(app, invited["Grace Lindqvist"])
    page = attest_referee(browser)
    browser.post("/referee", data=full_answers(page.data.decode(), {}))
    home = client.get("/portal")
    assert b"Your referees" in home.data
    assert b"Grace Lindqvist" in home.data and b"Answered" in home.data and b"Invited" in home.data
    assert b"Built the data platform." not in home.data
    assert b"Built the data platform." not in client.get("/portal/referees").data


def test_withdrawal_while_collecting_closes_every_referee_request(app, client, invited):
    page = client.get("/portal/withdraw")
    client.post("/portal/withdraw", data={"csrf_token": csrf_from(page.data), "confirm": "y"})
    assert b"You withdrew your consent" in client.get("/portal").data
    for path in invited.values():
        assert app.test_client().get(path).status_code == 404
    assert {_state(app, name) for name in invited} == {"revoked"}


def test_answers_moved_to_another_referee_do_not_open(app, invited):
    import pytest

    from refcheck.crypto import CryptoError

    for name in invited:
        browser = enter_referee(app, invited[name])
        page = attest_referee(browser)
        browser.post("/referee", data=full_answers(page.data.decode()))
    with app.app_context():
        first, second = db.session.execute(sa.select(Response)).scalars().all()
        assert first.unseal("answers_enc")["answers"]
        # Claim one referee's sealed record for the other referee.
        with db.session.no_autoflush:
            first.referee_id = second.referee_id
            with pytest.raises(CryptoError, match="does not decrypt here"):
                first.unseal("answers_enc")
        db.session.rollback()
