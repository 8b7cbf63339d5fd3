"""Passkeys beside the authenticator app: added after a step-up, used at sign-in, refused when replayed,
signed by another key, sent from another origin or belonging to someone else; removed, and reset."""

from __future__ import annotations

import datetime as dt
import html
import re

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AuditEvent, Passkey, SignInFailures, utcnow

from .conftest import csrf_from, make_staff, sign_in
from .passkey_device import Device
from .test_two_factor import CODE_PAGE, actions, age_step_up, enrol, mail_to, next_code, sign_out

NEW = "/staff/two-factor/passkeys/new"
SIGN_IN = "/staff/sign-in/passkey"


def options_on(page: bytes) -> str:
    """Read the WebAuthn options a page hands its script."""
    found = re.search(r'data-options="([^"]+)"', page.decode())
    assert found, "the page offers no passkey"
    return html.unescape(found.group(1))


def add_passkey(client, device: Device, name: str = "Work laptop", origin: str | None = None):
    """Open the page that makes a passkey and send what the device answers."""
    page = client.get(NEW)
    return client.post(NEW, data={"csrf_token": csrf_from(page.data), "name": name,
                                  "credential": device.create(options_on(page.data), origin)})


def use_passkey(client, answer) -> tuple:
    """On the code page, answer its passkey challenge with `answer(options)`; return the response."""
    page = client.get(CODE_PAGE)
    return client.post(SIGN_IN, data={"csrf_token": csrf_from(page.data),
                                      "credential": answer(options_on(page.data))})


def stored(app) -> list[Passkey]:
    """Return every passkey row."""
    with app.app_context():
        return db.session.execute(sa.select(Passkey).order_by(Passkey.id)).scalars().all()


def test_a_passkey_is_added_beside_the_app_and_its_owner_is_told(app, client, staff):
    sign_in(client, staff)
    device = Device()
    # Refused before the browser is asked, so the device never keeps a passkey the server would not.
    first = client.get(NEW)
    assert first.status_code == 409 and b"Set up an authenticator app first" in first.data
    assert b"data-options" not in first.data
    assert stored(app) == []

    enrol(client)
    state = client.get("/staff/two-factor").data.decode()
    assert 'href="/staff/two-factor/passkeys/new"' in state and "Add a passkey" in state
    page = client.get(NEW)
    assert b'<script src="/static/passkeys.js"' in page.data and b'data-passkey="create"' in page.data
    # A browser on another site cannot make a passkey for this one.
    elsewhere = add_passkey(client, device, origin="https://refcheck.test.evil.example")
    assert elsewhere.status_code == 422 and b"could not be checked, so no passkey was added" in elsewhere.data
    assert stored(app) == []

    added = add_passkey(client, device)
    assert added.status_code == 302 and added.headers["Location"] == "/staff/two-factor"
    (row,) = stored(app)
    assert (row.staff_user_id, row.name, row.credential_id) == (staff.id, "Work laptop", device.credential_id)
    assert len(row.public_key) > 64 and row.last_used_at is None  # only public material is kept
    assert "Work laptop" in client.get("/staff/two-factor").data.decode()
    ((to, body),) = mail_to(app, "two_factor_passkey_added")
    assert to == staff.email and '"Work laptop"' in body
    assert "staff.passkey_added" in actions(app)
    again = add_passkey(client, device, name="Same again")
    assert again.status_code == 422 and b"already added" in again.data
    # Nothing sent without the device's answer adds anything either.
    page = client.get(NEW)
    empty = client.post(NEW, data={"csrf_token": csrf_from(page.data), "name": "Nothing", "credential": ""})
    assert empty.status_code == 422 and b"Your browser sent no passkey" in empty.data
    assert len(stored(app)) == 1


def test_a_passkey_takes_the_place_of_the_code_once_per_challenge(app, client, staff):
    sign_in(client, staff)
    enrol(client)
    device = Device()
    add_passkey(client, device)
    sign_out(client)

    sign_in(client, staff)
    page = client.get(CODE_PAGE)
    assert b"Use a passkey" in page.data and b'data-passkey="get"' in page.data
    options = options_on(page.data)
    # Synced passkeys report a use counter of 0 every time: nothing but the challenge stops a replay.
    answer = device.get(options, step=0)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    signed_in = client.post(SIGN_IN, data={"csrf_token": csrf_from(page.data), "credential": answer})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "staff.signed_in")
                                   .order_by(AuditEvent.id.desc())).scalars().first()
        assert event.details["second_factor"] == "passkey"
    assert stored(app)[0].last_used_at is not None

    # The same signature again, with the session cookie from before it was used: refused.
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    replayed = other.post(SIGN_IN, data={"csrf_token": csrf_from(page.data), "credential": answer})
    assert replayed.headers["Location"] == CODE_PAGE and other.get("/staff/").status_code == 302
    sign_out(client)

    sign_in(client, staff)
    # An answer to an earlier challenge, another device's key under this credential, another origin.
    token = csrf_from(client.get(CODE_PAGE).data)
    old = client.post(SIGN_IN, data={"csrf_token": token, "credential": answer})
    assert old.headers["Location"] == CODE_PAGE
    assert b"That passkey could not be checked" in client.get(CODE_PAGE).data
    forged = Device()
    forged.credential_id, forged.count = device.credential_id, 100  # only the signature gives it away
    assert use_passkey(client, forged.get).headers["Location"] == CODE_PAGE
    assert use_passkey(client, lambda o: device.get(o, origin="https://refcheck.test.evil.example")
                       ).headers["Location"] == CODE_PAGE
    # A challenge answered after five minutes.
    page = client.get(CODE_PAGE)
    with client.session_transaction() as cookie:
        cookie["passkey_signing_in"] = {**cookie["passkey_signing_in"],
                                        "issued": (utcnow() - dt.timedelta(minutes=6)).timestamp()}
    late = client.post(SIGN_IN, data={"csrf_token": csrf_from(page.data),
                                      "credential": device.get(options_on(page.data))})
    assert late.headers["Location"] == CODE_PAGE and b"took too long" in client.get(CODE_PAGE).data
    assert client.get("/staff/").status_code == 302
    assert "staff.passkey_refused" in actions(app)

    with app.app_context():
        db.session.execute(sa.delete(SignInFailures))  # the waits so far have passed
        db.session.commit()
    # Someone else's passkey does not sign this account in, even with this account's password.
    colleague = make_staff(app, "lee@verify.example", role="verifier")
    theirs = app.test_client()
    sign_in(theirs, colleague)
    enrol(theirs)
    their_device = Device()
    add_passkey(theirs, their_device)
    assert use_passkey(client, their_device.get).headers["Location"] == CODE_PAGE
    assert b"That passkey could not be checked" in client.get(CODE_PAGE).data
    assert client.get("/staff/").status_code == 302
    # Refused passkeys count towards the waits wrong passwords and codes bring: after five, even the
    # right passkey waits.
    for _ in range(4):
        use_passkey(client, their_device.get)
    assert use_passkey(client, device.get).headers["Location"] == CODE_PAGE
    assert "too many unsuccessful attempts" in client.get(CODE_PAGE).data.decode()
    with app.app_context():
        db.session.execute(sa.delete(SignInFailures))  # as if the wait had passed
        db.session.commit()
    # The passkey still works afterwards: refusals moved nothing.
    assert use_passkey(client, device.get).headers["Location"] == "/staff/"


def test_a_removed_passkey_stops_working_and_an_admin_reset_removes_them_all(app, client, staff):
    colleague = make_staff(app, "lee@verify.example", role="verifier")
    theirs = app.test_client()
    sign_in(theirs, colleague)
    enrol(theirs)
    phone, laptop = Device(), Device()
    add_passkey(theirs, phone, "Phone")
    add_passkey(theirs, laptop, "Laptop")
    phone_id = stored(app)[0].id

    # Only one's own passkey can be removed.
    sign_in(client, staff)
    enrol(client)
    token = csrf_from(client.get("/staff/two-factor").data)
    refused = client.post(f"/staff/two-factor/passkeys/{phone_id}/remove", data={"csrf_token": token},
                          follow_redirects=True)
    assert b"not one of yours" in refused.data and len(stored(app)) == 2

    token = csrf_from(theirs.get("/staff/two-factor").data)
    removed = theirs.post(f"/staff/two-factor/passkeys/{phone_id}/remove", data={"csrf_token": token},
                          follow_redirects=True)
    assert "The passkey “Phone” is removed" in removed.data.decode()
    assert [row.name for row in stored(app)] == ["Laptop"]
    ((to, body),) = mail_to(app, "two_factor_passkey_removed")
    assert to == colleague.email and '"Phone"' in body
    sign_out(theirs)
    sign_in(theirs, colleague)
    assert use_passkey(theirs, phone.get).headers["Location"] == CODE_PAGE

    page = client.get(f"/staff/accounts/{colleague.id}/two-factor/reset")
    client.post(f"/staff/accounts/{colleague.id}/two-factor/reset",
                data={"csrf_token": csrf_from(page.data), "reason": "Lost their bag with both devices."})
    assert stored(app) == []


def test_a_service_reached_at_an_ip_address_offers_no_passkeys(app, client, staff):
    sign_in(client, staff)
    enrol(client)
    add_passkey(client, Device())
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    state = client.get("/staff/two-factor").data.decode()
    assert "reached at an IP address" in state and 'href="/staff/two-factor/passkeys/new"' not in state
    assert client.get(NEW).status_code == 409
    sign_out(client)
    sign_in(client, staff)
    assert b"Use a passkey" not in client.get(CODE_PAGE).data


def test_adding_a_passkey_after_a_while_asks_for_the_code_and_keeps_the_answer(app, client, staff):
    sign_in(client, staff)
    secret, _ = enrol(client)
    device = Device()
    age_step_up(app, staff.id, minutes=11)
    page = client.get(NEW)
    asked = client.post(NEW, data={"csrf_token": csrf_from(page.data), "name": "Phone",
                                   "credential": device.create(options_on(page.data))})
    text = asked.data.decode()
    assert "Confirm it is you" in text and "To add a passkey" in text and stored(app) == []
    kept = {name: html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text)}
    done = client.post(NEW, data={**kept, "step_up-code": next_code(secret)})
    assert done.status_code == 302 and [row.name for row in stored(app)] == ["Phone"]
    # An answer sent again later, even with the session cookie it came with, adds nothing: its
    # challenge was taken, and counts for five minutes at most.
    token = csrf_from(client.get(NEW).data)
    again = client.post(NEW, data={**kept, "csrf_token": token})
    assert again.status_code == 422 and len(stored(app)) == 1


def test_the_origin_is_the_one_a_browser_sends():
    from refcheck.passkeys import Party, party_for

    assert party_for("https://Refcheck.Example.org:443/app/") == Party("refcheck.example.org",
                                                                     "https://refcheck.example.org")
    assert party_for("http://localhost:5000") == Party("localhost", "http://localhost:5000")
    assert party_for("http://127.0.0.1:5000") is None and party_for("http://[::1]:5000") is None
