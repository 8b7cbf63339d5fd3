"""Link attacks: every bad token gets one identical refusal, guessing is rate-limited, and emailed links
never follow a forged Host header."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AccessLink, OutboxMessage, utcnow

from ..conftest import (
    OTHER_CANDIDATE,
    csrf_from,
    enter_portal,
    enter_referee,
    send_case,
    sign_in,
    without_csrf,
)
from .conftest import rebuilt


def _altered(token: str) -> str:
    return token[:10] + ("A" if token[10] != "A" else "B") + token[11:]


def _expire(app, **where):
    with app.app_context():
        db.session.execute(sa.update(AccessLink).filter_by(**where).values(
            expires_at=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()


def test_bad_referee_tokens_of_every_kind_get_one_identical_refusal(app, invited):
    grace_id, grace_token = invited["Grace Lindqvist"].split("/")[2:]
    peer_id, peer_token = invited["Peer 1"].split("/")[2:]
    browser = app.test_client()
    csrf = csrf_from(browser.get(invited["Grace Lindqvist"]).data)
    attempts = {
        "altered": f"/r/{grace_id}/{_altered(grace_token)}",
        "truncated": f"/r/{grace_id}/{grace_token[:-1]}",
        "extended": f"/r/{grace_id}/{grace_token}x",
        "made up": f"/r/{grace_id}/" + "x" * 43,
        "another referee's": f"/r/{grace_id}/{peer_token}",
        "unknown referee": f"/r/{'0' * 32}/{grace_token}",
    }
    # Reused: the peer declines, which closes the link for good.
    peer_browser = enter_referee(app, invited["Peer 1"])
    page = peer_browser.get("/referee")
    peer_browser.post("/referee/decline", data={"csrf_token": csrf_from(page.data), "reason": ""})
    attempts["reused"] = invited["Peer 1"]
    _expire(app, referee_id=grace_id)
    attempts["expired"] = invited["Grace Lindqvist"]

    responses = {kind: browser.get(path) for kind, path in attempts.items()}
    responses.update({f"{kind} (POST)": browser.post(path, data={"csrf_token": csrf})
                      for kind, path in attempts.items()})
    assert {r.status_code for r in responses.values()} == {404}, {k: r.status_code
                                                                 for k, r in responses.items()}
    bodies = {without_csrf(r.data) for r in responses.values()}
    assert len(bodies) == 1
    assert b"This link no longer works" in bodies.pop()
    assert browser.get("/referee").status_code == 401  # no attempt started a session
    assert peer_id not in str({r.data for r in responses.values()})


def test_bad_candidate_tokens_of_every_kind_get_one_identical_refusal(app, client, staff, sent_case):
    other = send_case(app, staff, OTHER_CANDIDATE)
    enter_portal(app.test_client(), other)  # other's link is used: a second use is a reuse
    browser = app.test_client()
    csrf = csrf_from(browser.get(sent_case.path).data)
    attempts = {
        "reused": other.path,
        "altered": f"/c/{sent_case.id}/{_altered(sent_case.token)}",
        "truncated": f"/c/{sent_case.id}/{sent_case.token[:-1]}",
        "made up": f"/c/{sent_case.id}/" + "x" * 43,
        "another case's": f"/c/{other.id}/{sent_case.token}",
    }
    _expire(app, case_id=sent_case.id)
    attempts["expired"] = sent_case.path
    responses = {kind: browser.get(path) for kind, path in attempts.items()}
    responses.update({f"{kind} (POST)": browser.post(path, data={"csrf_token": csrf})
                      for kind, path in attempts.items()})
    assert {r.status_code for r in responses.values()} == {404}
    assert len({without_csrf(r.data) for r in responses.values()}) == 1
    assert browser.get("/portal").status_code == 401


@pytest.mark.parametrize("kind", ["referee", "candidate"])
def test_a_thousand_wrong_tokens_from_one_address_are_stopped_with_429(limited_app, invited, sent_case, kind):
    browser = limited_app.test_client()
    attacker = {"REMOTE_ADDR": "198.51.100.23"}
    referee_id = invited["Grace Lindqvist"].split("/")[2]
    statuses = []
    for n in range(1000):
        guess = f"{n:043d}"
        path = f"/r/{referee_id}/{guess}" if kind == "referee" else f"/c/{sent_case.id}/{guess}"
        statuses.append(browser.get(path, environ_base=attacker).status_code)
    assert set(statuses) == {404, 429}
    assert statuses.count(404) <= 30  # a handful of tries, then nothing but 429
    assert statuses[-1] == 429
    path = invited["Grace Lindqvist"] if kind == "referee" else f"/c/{sent_case.id}/" + "y" * 43
    last = browser.get(path, environ_base=attacker)  # even a real link, from this address
    assert last.status_code == 429 and b"Grace" not in last.data and b"Amira" not in last.data
    # Someone else, from another address, is not locked out by the attacker.
    other = limited_app.test_client().get(invited["Grace Lindqvist"],
                                          environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 200


def _links_in_outbox(app) -> list[str]:
    with app.app_context():
        bodies = [m.unseal("body_enc") for m in db.session.execute(sa.select(OutboxMessage)).scalars()]
    return [link for body in bodies for link in re.findall(r"https?://\S+", body)]


FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http",
          "X-Host": "evil.example", "Forwarded": "host=evil.example;proto=http"}


def _forged_post(browser, path, data):
    """POST as the same browser session, but with every host header an attacker can set pointing elsewhere."""
    for cookie in list(browser._cookies.values()):
        browser.set_cookie(cookie.key, cookie.value, domain="evil.example")
    response = browser.post(path, headers=FORGED, data=data)
    assert response.status_code in (200, 302, 303), f"POST {path} was not accepted: {response.status_code}"
    return response


@pytest.mark.parametrize("proxies", [0, 1])
def test_forged_host_header_never_reaches_an_emailed_link(app, staff, proxies):
    from ..conftest import MANAGER, nominate, peer, state_work_history

    served = rebuilt(app, PROXY_COUNT=proxies)
    sent = send_case(served, staff)
    candidate = served.test_client()
    enter_portal(candidate, sent)
    page = candidate.get("/portal")
    _forged_post(candidate, "/portal/consent", {"csrf_token": csrf_from(page.data),
                                                "signature": "Amira Okafor", "agree": "y"})
    nominate(candidate, **MANAGER)
    nominate(candidate, **peer(1))
    state_work_history(candidate)
    page = candidate.get("/portal/referees")
    _forged_post(candidate, "/portal/referees/invite", {"csrf_token": csrf_from(page.data)})
    # A new candidate link asked for from the public page, and staff sending and resending links.
    page = candidate.get("/link")
    _forged_post(candidate, "/link", {"csrf_token": csrf_from(page.data), "email": sent.email})
    staff_client = served.test_client()
    sign_in(staff_client, staff)
    other = send_case(served, staff, OTHER_CANDIDATE)
    token = csrf_from(staff_client.get(f"/staff/cases/{other.id}").data)
    _forged_post(staff_client, f"/staff/cases/{other.id}/invite", {"csrf_token": token})
    with served.app_context():
        from refcheck.models import Referee

        grace = db.session.execute(sa.select(Referee.id).where(Referee.relationship == "manager")).scalar()
    _forged_post(staff_client, f"/staff/cases/{sent.id}/referees/{grace}/resend", {"csrf_token": token})
    with served.app_context():
        kinds = db.session.execute(sa.select(OutboxMessage.kind)).scalars().all()
    for kind in ("consent_confirmation", "referee_invitation", "candidate_new_link", "candidate_invitation",
                 "referee_reminder"):
        assert kind in kinds, f"no {kind} email was queued"
    links = _links_in_outbox(served)
    assert len([link for link in links if "/r/" in link]) >= 3  # two invitations and a resend
    assert len([link for link in links if "/c/" in link]) >= 3
    for link in links:
        assert link.startswith("https://refcheck.test/"), link
        assert "evil" not in link
    with served.app_context():
        db.session.remove()
        db.engine.dispose()
