"""Two-step sign-in for staff: enrolment, codes at sign-in, recovery codes, step-up, reset, rules by mode."""

from __future__ import annotations

import datetime as dt
import html
import re

import pyotp
import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import (
    AuditEvent,
    OutboxMessage,
    PortalSession,
    RecoveryCode,
    StaffUser,
    TwoFactor,
    utcnow,
)

from .conftest import csrf_from, make_staff, release_case, sign_in

CODE_PAGE = "/staff/sign-in/code"


def enrol(client) -> tuple[str, list[str]]:
    """Set up an authenticator app through the pages; return its secret and the recovery codes shown."""
    page = client.get("/staff/two-factor")
    key = re.search(r'<code class="setup-key"[^>]*>([A-Z2-7 ]+)</code>', page.data.decode()).group(1)
    secret = key.replace(" ", "")
    done = client.post("/staff/two-factor", data={"csrf_token": csrf_from(page.data),
                                                  "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and b"Your recovery codes" in done.data
    return secret, codes_on(done.data)


def codes_on(page: bytes) -> list[str]:
    """Read the recovery codes a page shows."""
    return re.findall(r"<li><code>([0-9a-f-]{19})</code></li>", page.decode())


def next_code(secret: str) -> str:
    """Return the code of the next time step: within the drift allowed, and after the one just used."""
    return pyotp.TOTP(secret).at(utcnow() + dt.timedelta(seconds=30))


def forget_last_step(app, user_id: int) -> None:
    """Let the test use one more app code at once, as if the next 30 seconds had passed."""
    with app.app_context():
        db.session.execute(sa.update(TwoFactor).where(TwoFactor.staff_user_id == user_id)
                           .values(last_step=None))
        db.session.commit()


def sign_out(client) -> None:
    """Sign out through the page's button."""
    page = client.get("/staff/two-factor")
    client.post("/staff/logout", data={"csrf_token": csrf_from(page.data)})


def type_code(client, code: str):
    """Type a code on the second step of sign-in."""
    page = client.get(CODE_PAGE)
    return client.post(CODE_PAGE, data={"csrf_token": csrf_from(page.data), "code": code})


def mail_to(app, kind: str) -> list[tuple[str, str]]:
    """Return the (recipient, body) of every queued message of a kind, opened from the outbox."""
    with app.app_context():
        rows = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)).scalars().all()
        return [(row.unseal("recipient_enc"), row.unseal("body_enc")) for row in rows]


def actions(app) -> list[str]:
    """Return the audit trail's actions in order."""
    with app.app_context():
        return db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()


def age_step_up(app, user_id: int, minutes: int) -> None:
    """Move the sessions' last confirmation back, as if `minutes` had passed."""
    with app.app_context():
        db.session.execute(sa.update(PortalSession).where(PortalSession.staff_user_id == user_id).values(
            stepped_up_at=utcnow() - dt.timedelta(minutes=minutes)))
        db.session.commit()


def test_enrolment_shows_a_qr_code_and_switches_on_only_with_a_current_code(app, client, staff):
    sign_in(client, staff)
    page = client.get("/staff/two-factor")
    text = page.data.decode()
    assert page.status_code == 200 and "<svg" in text and 'class="qr"' in text
    assert 'role="img" aria-label="QR code for adding refcheck' in text
    key = re.search(r'<code class="setup-key"[^>]*>([A-Z2-7 ]+)</code>', text).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", key)  # grouped in fours for typing
    secret = key.replace(" ", "")
    assert client.get("/staff/two-factor").data.decode().count(key) == 1  # a reload keeps the same key

    wrong = client.post("/staff/two-factor", data={"csrf_token": csrf_from(page.data), "code": "000000"
                                                   if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert wrong.status_code == 200 and b"That code is not right" in wrong.data
    with app.app_context():
        assert db.session.execute(sa.select(TwoFactor.confirmed_at)).scalar_one() is None

    done = client.post("/staff/two-factor", data={"csrf_token": csrf_from(page.data),
                                                  "code": pyotp.TOTP(secret).now()})
    codes = codes_on(done.data)
    assert len(set(codes)) == 10 and b"only time they are shown" in done.data
    with app.app_context():
        factor = db.session.execute(sa.select(TwoFactor)).scalar_one()
        assert factor.confirmed_at is not None
        # The secret is sealed at rest and the recovery codes are kept only as keyed hashes.
        assert secret.encode() not in factor.secret_enc
        stored = db.session.execute(sa.select(RecoveryCode.code_hash)).scalars().all()
        assert len(stored) == 10 and not {c.replace("-", "") for c in codes} & set(stored)
    assert "staff.two_factor_enrolled" in actions(app)
    assert b"On</strong> since" in client.get("/staff/two-factor").data


def test_sign_in_waits_for_the_code_and_refuses_wrong_and_replayed_codes(app, client, staff):
    sign_in(client, staff)
    secret, _ = enrol(client)
    used = pyotp.TOTP(secret).now()
    sign_out(client)

    response = sign_in(client, staff)
    assert response.status_code == 302 and response.headers["Location"] == CODE_PAGE
    assert client.get("/staff/").status_code == 302  # not signed in before the code
    page = client.get(CODE_PAGE)
    assert b"Type your sign-in code" in page.data and b'autocomplete="one-time-code"' in page.data

    wrong = type_code(client, "12345" + str((int(used[-1]) + 5) % 10))
    assert wrong.status_code == 200 and b"That code is not right" in wrong.data
    replayed = type_code(client, used)
    assert replayed.status_code == 200 and b"already been used" in replayed.data
    assert client.get("/staff/").status_code == 302

    signed_in = type_code(client, next_code(secret))
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert actions(app).count("staff.code_refused") == 2


def test_the_code_page_expires_a_few_minutes_after_the_password(app, client, staff):
    sign_in(client, staff)
    secret, _ = enrol(client)
    sign_out(client)
    sign_in(client, staff)
    token = csrf_from(client.get(CODE_PAGE).data)
    with client.session_transaction() as cookie:
        # Six minutes after the password was typed.
        cookie["staff_pending"] = {**cookie["staff_pending"],
                                   "until": (utcnow() - dt.timedelta(minutes=1)).timestamp()}
    late = client.post(CODE_PAGE, data={"csrf_token": token, "code": next_code(secret)})
    assert late.status_code == 302 and late.headers["Location"] == "/staff/login"
    assert client.get("/staff/").status_code == 302


def test_a_recovery_code_works_once_and_the_owner_is_told(app, client, staff):
    sign_in(client, staff)
    _, codes = enrol(client)
    sign_out(client)
    sign_in(client, staff)
    assert type_code(client, codes[3].upper().replace("-", " ")).headers["Location"] == "/staff/"
    sign_out(client)

    sign_in(client, staff)
    again = type_code(client, codes[3])
    assert again.status_code == 200 and b"That recovery code has already been used" in again.data
    assert client.get("/staff/").status_code == 302
    ((to, body),) = mail_to(app, "two_factor_code_used")
    assert to == staff.email and "You have 9 recovery codes left" in body
    assert codes[3] not in body and codes[3].replace("-", "") not in body


def test_new_recovery_codes_stop_the_old_ones_working(app, client, staff):
    sign_in(client, staff)
    _, old = enrol(client)
    page = client.get("/staff/two-factor")
    renewed = client.post("/staff/two-factor/recovery-codes", data={"csrf_token": csrf_from(page.data)})
    new = codes_on(renewed.data)
    assert len(new) == 10 and not set(new) & set(old)
    ((to, body),) = mail_to(app, "two_factor_codes_renewed")
    assert to == staff.email and not any(code in body for code in new)
    sign_out(client)

    sign_in(client, staff)
    assert b"That code is not right" in type_code(client, old[0]).data
    assert type_code(client, new[0]).headers["Location"] == "/staff/"


def test_step_up_expires_and_the_kept_form_goes_through_with_the_code(app, client, staff):
    sign_in(client, staff)
    secret, _ = enrol(client)
    form = {"name": "Sam Okoro", "email": "sam@verify.example", "role": "verifier",
            "password": "a long first password"}
    age_step_up(app, staff.id, minutes=11)
    page = client.get("/staff/accounts")
    asked = client.post("/staff/accounts", data={**form, "csrf_token": csrf_from(page.data)})
    text = asked.data.decode()
    assert asked.status_code == 200 and "Confirm it is you" in text and "To create an account" in text
    # Everything typed is kept in the page, hidden, to be sent again with the code.
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text))
    assert {k: html.unescape(v) for k, v in kept.items() if k in form} == form and "csrf_token" in kept
    with app.app_context():
        made = db.session.execute(sa.select(StaffUser).where(StaffUser.email == form["email"])).first()
        assert made is None

    wrong = client.post("/staff/accounts", data={**kept, "step_up-code": "abc"})
    assert wrong.status_code == 200 and b"That code is not right" in wrong.data
    forget_last_step(app, staff.id)
    done = client.post("/staff/accounts", data={**kept, "step_up-code": next_code(secret)},
                       follow_redirects=True)
    assert b"Account created." in done.data and b"sam@verify.example" in done.data
    assert actions(app)[-3:] == ["staff.step_up_refused", "staff.stepped_up", "staff.created"]

    # Within the next minutes no second confirmation is asked.
    page = client.get("/staff/accounts")
    again = client.post("/staff/accounts", data={**form, "email": "kim@verify.example",
                                                 "csrf_token": csrf_from(page.data)}, follow_redirects=True)
    assert b"Account created." in again.data


def test_release_asks_for_the_password_again_when_there_is_no_second_factor(app, client, invited, staff,
                                                                             sent_case):
    staff_client = release_case(app, client, invited, staff, sent_case, answer="Led the platform.",
                                reply="Correct.", note="Checked.", release=False)
    age_step_up(app, staff.id, minutes=11)
    base = f"/staff/cases/{sent_case.id}"
    token = csrf_from(staff_client.get(base).data)
    asked = staff_client.post(f"{base}/release", data={"csrf_token": token})
    assert b"To release the report, confirm it is you" in asked.data
    assert b'name="step_up-password"' in asked.data
    wrong = staff_client.post(f"{base}/release", data={"csrf_token": token, "step_up-password": "not it"})
    assert b"That password is not right" in wrong.data
    done = staff_client.post(f"{base}/release", data={"csrf_token": token, "step_up-password": staff.password,
                                                      "step_up-sent": "1"}, follow_redirects=True)
    assert b"Version 1 of the report is released" in done.data


def test_an_admin_resets_someone_elses_factor_with_a_reason_but_never_their_own(app, client, staff):
    colleague = make_staff(app, "lee@verify.example", role="verifier")
    theirs = app.test_client()
    sign_in(theirs, colleague)
    enrol(theirs)
    sign_in(client, staff)
    enrol(client)

    accounts = client.get("/staff/accounts").data.decode()
    assert f"/staff/accounts/{colleague.id}/two-factor/reset" in accounts
    assert f"/staff/accounts/{staff.id}/two-factor/reset" not in accounts
    page = client.get(f"/staff/accounts/{colleague.id}/two-factor/reset")
    empty = client.post(f"/staff/accounts/{colleague.id}/two-factor/reset",
                        data={"csrf_token": csrf_from(page.data), "reason": " "})
    assert b"Say why, for the record" in empty.data
    done = client.post(f"/staff/accounts/{colleague.id}/two-factor/reset",
                       data={"csrf_token": csrf_from(page.data),
                             "reason": "Lost their phone; checked on a call."},
                       follow_redirects=True)
    assert b"second step was removed" in done.data
    assert theirs.get("/staff/").status_code == 302  # their live session ended
    with app.app_context():
        left = db.session.execute(sa.select(TwoFactor.id).where(TwoFactor.staff_user_id == colleague.id))
        assert left.first() is None
        event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "staff.two_factor_reset")
                                   ).scalar_one()
        assert event.actor == f"staff:{staff.id}" and event.details["staff_id"] == colleague.id
        assert event.details["reason"] == "Lost their phone; checked on a call."
    ((to, body),) = mail_to(app, "two_factor_reset")
    assert to == colleague.email and "Dana Verifier" in body and "Lost their phone" in body

    own = client.post(f"/staff/accounts/{staff.id}/two-factor/reset",
                      data={"csrf_token": csrf_from(page.data), "reason": "Mine"}, follow_redirects=True)
    assert b"You cannot reset your own second step" in own.data
    with app.app_context():
        assert db.session.execute(sa.select(TwoFactor.id).where(TwoFactor.staff_user_id == staff.id)).first()

    # Required now: the colleague signs in with the password alone and may only set up a new app.
    app.config["TWO_FACTOR_REQUIRED"] = True
    assert sign_in(theirs, colleague).headers["Location"] == "/staff/two-factor"
    assert theirs.get("/staff/").headers["Location"] == "/staff/two-factor"


def test_where_required_every_staff_page_leads_to_enrolment_until_it_is_done(app, client, staff, sent_case):
    app.config["TWO_FACTOR_REQUIRED"] = True
    assert sign_in(client, staff).headers["Location"] == "/staff/two-factor"
    pages = ["/staff/", "/staff/cases/new", f"/staff/cases/{sent_case.id}", "/staff/accounts",
             "/staff/question-sets/", "/staff/metrics"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/staff/two-factor", path
    token = csrf_from(client.get("/staff/two-factor").data)
    refused = client.post(f"/staff/cases/{sent_case.id}/cancel", data={"csrf_token": token})
    assert refused.headers["Location"] == "/staff/two-factor"
    page = client.get("/staff/two-factor")
    assert b"needs a second step at sign-in before you can use refcheck" in page.data
    enrol(client)
    for path in pages:
        assert client.get(path).status_code == 200, path


def test_local_mode_offers_a_second_step_once_and_remembers_not_now(app, client, staff):
    offer = b"Add a second step to your sign-in?"
    assert sign_in(client, staff).headers["Location"] == "/staff/"
    first = client.get("/staff/")
    assert offer in first.data and b"Set up now" in first.data and b"Not now" in first.data
    assert offer not in client.get("/staff/").data  # once per sign-in
    sign_out(client)
    sign_in(client, staff)
    page = client.get("/staff/")
    assert offer in page.data
    client.post("/staff/two-factor/not-now", data={"csrf_token": csrf_from(page.data)})
    sign_out(client)
    sign_in(client, staff)
    assert offer not in client.get("/staff/").data
    with app.app_context():
        assert db.session.get(StaffUser, staff.id).two_factor_declined_at is not None


def test_each_change_to_the_factor_is_emailed_to_its_owner_without_secrets(app, client, runner, staff,
                                                                           smtp_server):
    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    sign_in(client, staff)
    secret, codes = enrol(client)
    result = runner.invoke(args=["mail", "send"])
    # The email every sign-in sends, and the one about the new factor.
    assert "Sent 2, failed 0" in result.output
    (message,) = [m for m in inbox.messages if "code at sign-in" in m["Subject"]]
    assert message["To"] == staff.email
    assert message["Subject"] == "Your refcheck account now asks for a code at sign-in"
    body = message.get_payload(decode=True).decode()
    assert secret not in body and not any(code in body for code in codes)
    assert "https://refcheck.test/staff/login" in body
