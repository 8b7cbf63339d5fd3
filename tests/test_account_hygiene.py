"""Account hygiene for staff: sign-in back-off, password rules, the sessions page and the sign-in email."""

from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from refcheck import signin_guard
from refcheck.extensions import db
from refcheck.models import AuditEvent, OutboxMessage, PortalSession, SignInFailures, StaffUser, utcnow

from .conftest import STAFF_PASSWORD, csrf_from, make_staff

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def attempt(client, email: str, password: str, address: str = "127.0.0.1", agent: str = FIREFOX):
    """Send the sign-in form from one client address and browser."""
    environ = {"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent}
    page = client.get("/staff/login", environ_base=environ)
    return client.post("/staff/login", environ_base=environ, data={
        "csrf_token": csrf_from(page.data), "email": email, "password": password})


def told_to_wait(response) -> bool:
    """Say whether a sign-in was refused for a wait, its password unchecked."""
    return response.status_code == 200 and b"Your password has not been checked" in response.data


def move_back(app, delta: dt.timedelta) -> None:
    """Move every stored failure and wait into the past, as if `delta` had gone by."""
    with app.app_context():
        for row in db.session.execute(sa.select(SignInFailures)).scalars():
            row.last_failed_at -= delta
            if row.wait_until is not None:
                row.wait_until -= delta
        db.session.commit()


def failure_rows(app) -> dict[str, tuple[int, dt.timedelta | None]]:
    """Return each stored row as (failures, wait length), by scope, for one-account tests."""
    with app.app_context():
        rows = db.session.execute(sa.select(SignInFailures)).scalars().all()
        return {row.key: (row.failures, row.wait_until - row.last_failed_at if row.wait_until else None)
                for row in rows}


# ---------------------------------------------------------------- back-off


def test_after_five_failures_even_the_right_password_waits_then_gets_in(app, client, staff):
    for _ in range(5):
        wrong = attempt(client, staff.email, "not the password at all")
        assert wrong.status_code == 200 and b"do not match an active account" in wrong.data
    refused = attempt(client, staff.email, staff.password)
    text = refused.get_data(as_text=True)
    assert told_to_wait(refused)
    assert "wait 15 seconds" in text and "Your password has not been checked" in text
    assert client.get("/staff/").status_code == 302
    # A refused attempt is not counted: waiting out the 15 seconds is enough.
    move_back(app, dt.timedelta(seconds=16))
    assert attempt(client, staff.email, staff.password).status_code == 302
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        paused = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "staff.sign_in_paused")).scalars().all()
        # One row per scope for the failure that started the wait; no email and no address in it.
        assert sorted(event.details["scope"] for event in paused) == ["account", "address"]
        assert all(staff.email not in str(event.details) and "127.0.0.1" not in str(event.details)
                   for event in paused)
        assert {event.details.get("staff_id") for event in paused} == {staff.id, None}


def test_the_wait_for_one_account_never_passes_a_minute(app, client, staff):
    now = utcnow()
    with app.app_context():
        # Twenty guesses from twenty machines: the account's wait stops growing at a minute.
        for n in range(20):
            signin_guard.failed(staff.email, f"10.0.0.{n}", now)
        db.session.commit()
        assert signin_guard.refusal(staff.email, "192.0.2.1", now + dt.timedelta(seconds=59))
        assert signin_guard.refusal(staff.email, "192.0.2.1", now + dt.timedelta(seconds=60)) is None
    key = signin_guard.account_key
    with app.app_context():
        account = failure_rows(app)[key(staff.email)]
    assert account == (20, dt.timedelta(minutes=1))
    assert told_to_wait(attempt(client, staff.email, staff.password, "192.0.2.1"))
    move_back(app, dt.timedelta(minutes=1))
    assert attempt(client, staff.email, staff.password, "192.0.2.1").status_code == 302


def test_one_address_is_slowed_across_many_emails(app, client, staff):
    for n in range(5):
        assert attempt(client, f"guess{n}@verify.example", "not the password at all",
                       "198.51.100.7").status_code == 200
    # The sixth try from that machine waits, whichever account it names...
    assert told_to_wait(attempt(client, staff.email, staff.password, "198.51.100.7"))
    # ...while the real user elsewhere signs in as usual.
    other = app.test_client()
    assert attempt(other, staff.email, staff.password, "203.0.113.9").status_code == 302
    # The address's wait keeps growing, past the account's cap.
    move_back(app, dt.timedelta(seconds=16))
    for _ in range(4):
        attempt(client, "guess@verify.example", "not the password at all", "198.51.100.7")
        move_back(app, dt.timedelta(minutes=5))
    with app.app_context():
        address = failure_rows(app)[signin_guard.address_key("198.51.100.7")]
    assert address == (9, dt.timedelta(minutes=4))


def test_a_success_clears_the_accounts_count(app, client, staff):
    for n in range(4):
        attempt(client, staff.email, "not the password at all", f"10.1.0.{n}")
    assert attempt(client, staff.email, staff.password, "10.1.1.1").status_code == 302
    for n in range(4):
        attempt(app.test_client(), staff.email, "not the password at all", f"10.2.0.{n}")
    # Four failures since the success, not eight: no wait.
    assert attempt(app.test_client(), staff.email, staff.password, "10.3.0.1").status_code == 302
    with app.app_context():
        assert failure_rows(app).get(signin_guard.account_key(staff.email)) is None


def test_an_unknown_email_is_slowed_like_a_real_one(app, client, staff):
    for n in range(5):
        attempt(client, "nobody@verify.example", "not the password at all", f"10.4.0.{n}")
    real = [attempt(client, staff.email, "not the password at all", f"10.5.0.{n}") for n in range(6)]
    fake = attempt(client, "nobody@verify.example", "not the password at all", "10.4.1.1")
    assert told_to_wait(real[-1]) and told_to_wait(fake)
    assert real[-1].get_data(as_text=True).count("wait") == fake.get_data(as_text=True).count("wait")


def test_concurrent_failures_are_all_counted(app, staff):
    threads, errors = [], []
    start = threading.Barrier(8)
    now = utcnow()

    def fail(n: int) -> None:
        with app.app_context():
            try:
                start.wait()
                signin_guard.failed(staff.email, "203.0.113.50", now + dt.timedelta(milliseconds=n))
                db.session.commit()
            except Exception as err:  # noqa: BLE001 - reported below
                errors.append(err)
            finally:
                db.session.remove()

    for n in range(8):
        threads.append(threading.Thread(target=fail, args=(n,)))
        threads[-1].start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = failure_rows(app)
    with app.app_context():
        assert rows[signin_guard.account_key(staff.email)][0] == 8
        assert rows[signin_guard.address_key("203.0.113.50")][0] == 8


# ---------------------------------------------------------------- password rules


def new_account(client, password: str, email: str = "sam.rivers@verify.example"):
    page = client.get("/staff/accounts")
    return client.post("/staff/accounts", data={
        "csrf_token": csrf_from(page.data), "name": "Sam Rivers", "email": email,
        "role": "verifier", "password": password}, follow_redirects=True)


def test_the_accounts_page_refuses_weak_passwords_and_says_why(app, client, staff):
    attempt(client, staff.email, staff.password)
    page = client.get("/staff/accounts").get_data(as_text=True)
    assert "A few unrelated words with spaces between them" in page
    refusals = {
        "short one": "at least 12 characters",
        "P@ssw0rd2024!": "list of common and leaked passwords",
        "qwertyuiop123": "list of common and leaked passwords",
        "rivers run deep and far": "leave out “rivers”",
        "my refcheck password": "leave out “refcheck”",
        "abababababababab": "repeats the same few characters",
        "w" * 10 + " long " * 22: "at most 128 characters",
    }
    for password, reason in refusals.items():
        text = new_account(client, password).get_data(as_text=True)
        assert reason in text, password
        assert "Account created." not in text
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(StaffUser.id))).scalar() == 1
    long_unicode = "Ünïcödé wörds 🌍 über den Wolken, ça va — 星空の下で " * 2
    assert 64 < len(long_unicode) <= 128
    assert b"Account created." in new_account(client, long_unicode).data
    # The new account signs in with it, exactly as typed.
    assert attempt(app.test_client(), "sam.rivers@verify.example", long_unicode).status_code == 302


def test_create_staff_on_the_command_line_applies_the_same_rules(app, runner):
    common = runner.invoke(args=["create-staff", "lee@verify.example", "--role", "admin"],
                           input="password123456\n")
    assert common.exit_code != 0 and "common and leaked passwords" in common.output
    mine = runner.invoke(args=["create-staff", "lee.okoro@verify.example", "--role", "admin"],
                         input="okoro family holiday\n")
    assert mine.exit_code != 0 and "leave out “okoro”" in mine.output
    good = runner.invoke(args=["create-staff", "lee@verify.example", "--role", "admin"],
                         input="copper kettle on a windy pier\n")
    assert good.exit_code == 0, good.output


def test_the_test_staff_password_follows_the_rules():
    from refcheck.passwords import context_words, problem

    assert problem(STAFF_PASSWORD, context_words("dana@verify.example", "Dana Verifier")) is None


# ---------------------------------------------------------------- sessions


def test_a_user_sees_their_sessions_and_ends_another_one(app, staff):
    laptop, phone = app.test_client(), app.test_client()
    assert attempt(laptop, staff.email, staff.password, "10.9.0.1", FIREFOX).status_code == 302
    assert attempt(phone, staff.email, staff.password, "10.9.0.2", IPHONE).status_code == 302
    page = laptop.get("/staff/sessions", environ_base={"HTTP_USER_AGENT": FIREFOX})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Firefox on Linux" in text and "Mobile Safari on iOS" in text
    assert text.count("This session") == 1 and 'href="/staff/sessions"' in text
    # The address is not kept anywhere.
    with app.app_context():
        sessions = db.session.execute(sa.select(PortalSession)).scalars().all()
        assert {row.device for row in sessions} == {"Firefox on Linux", "Mobile Safari on iOS"}
        phone_id = next(row.id for row in sessions if row.device == "Mobile Safari on iOS")
    confirm = laptop.get(f"/staff/sessions/{phone_id}/end")
    assert b"End this session?" in confirm.data and b"Mobile Safari on iOS" in confirm.data
    # Without the form's token nothing ends.
    assert laptop.post(f"/staff/sessions/{phone_id}/end").status_code == 400
    assert phone.get("/staff/").status_code == 200
    done = laptop.post(f"/staff/sessions/{phone_id}/end", data={"csrf_token": csrf_from(confirm.data)},
                       follow_redirects=True)
    listed = done.data.split(b'<ul class="people">')[1]
    assert b"has ended" in done.data and b"Mobile Safari on iOS" not in listed
    ended = phone.get("/staff/")
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/staff/login")
    assert laptop.get("/staff/").status_code == 200


def test_ending_all_other_sessions_keeps_this_one(app, staff):
    clients = [app.test_client() for _ in range(3)]
    for n, browser in enumerate(clients):
        attempt(browser, staff.email, staff.password, f"10.8.0.{n}")
    keep = clients[0]
    confirm = keep.get("/staff/sessions/end-others")
    assert b"End all your other sessions?" in confirm.data
    done = keep.post("/staff/sessions/end-others", data={"csrf_token": csrf_from(confirm.data)},
                     follow_redirects=True)
    assert b"2 other sessions ended." in done.data
    assert [browser.get("/staff/").status_code for browser in clients] == [200, 302, 302]


def test_no_one_sees_or_ends_another_persons_session(app, staff):
    other = make_staff(app, "lee@verify.example", "verifier")
    mine, theirs = app.test_client(), app.test_client()
    attempt(mine, staff.email, staff.password, "10.7.0.1")
    attempt(theirs, other.email, other.password, "10.7.0.2")
    with app.app_context():
        their_id = db.session.execute(
            sa.select(PortalSession.id).where(PortalSession.staff_user_id == other.id)).scalar_one()
    assert mine.get(f"/staff/sessions/{their_id}/end").status_code == 404
    token = csrf_from(mine.get("/staff/sessions/end-others").data)
    assert mine.post(f"/staff/sessions/{their_id}/end", data={"csrf_token": token}).status_code == 404
    assert theirs.get("/staff/").status_code == 200
    assert "Dana" not in theirs.get("/staff/sessions").get_data(as_text=True).split("<main")[1]


# ---------------------------------------------------------------- sign-in email


def test_a_new_sign_in_is_emailed_to_the_account_with_the_device(app, client, runner, staff, smtp_server):
    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    assert attempt(client, staff.email, staff.password, "10.6.0.1", IPHONE).status_code == 302
    with app.app_context():
        (message,) = db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "staff_signed_in")).scalars()
        assert staff.email.encode() not in message.recipient_enc  # sealed like every outbox row
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "Sent 1, failed 0" in result.output
    (email,) = inbox.messages
    body = email.get_payload(decode=True).decode()
    assert email["To"] == staff.email
    assert email["Subject"] == "New sign-in to your refcheck staff account"
    assert "Device: Mobile Safari on iOS" in body and " UTC" in body
    assert "https://refcheck.test/staff/sessions" in body and "set a new password" in body
    with app.app_context():
        token_hash = db.session.execute(sa.select(PortalSession.token_hash)).scalar_one()
    assert staff.password not in body and token_hash not in body and "10.6.0.1" not in body
