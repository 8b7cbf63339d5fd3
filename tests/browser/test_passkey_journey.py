"""End to end in headless Chromium with its virtual authenticator: a verifier adds a passkey beside their
authenticator app, then signs in with it in place of the code."""

from __future__ import annotations

import datetime as dt

import pyotp
import sqlalchemy as sa
from playwright.sync_api import expect

from refcheck import two_factor
from refcheck.extensions import db
from refcheck.models import Passkey, StaffUser, utcnow

from .conftest import ONLY_WHERE_CHROMIUM

pytestmark = ONLY_WHERE_CHROMIUM


def test_a_verifier_adds_a_passkey_and_signs_in_with_it(app, journey, staff):
    with app.app_context():
        user = db.session.get(StaffUser, staff.id)
        secret = two_factor.begin_enrolment(user, utcnow()).secret
        two_factor.confirm_enrolment(user, pyotp.TOTP(secret).now(), utcnow())
        db.session.commit()
    # Browsers keep passkeys for names, not IP addresses: the service is reached as localhost.
    base = journey.base.replace("127.0.0.1", "localhost")
    app.config["BASE_URL"] = base
    page = journey.person()
    authenticator = page.context.new_cdp_session(page)
    authenticator.send("WebAuthn.enable")
    authenticator.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})

    page.goto(base + "/staff/login")
    page.fill("#email", staff.email)
    page.fill("#password", staff.password)
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Type your sign-in code")
    expect(page.locator("button:has-text('Use a passkey')")).to_have_count(0)  # none yet
    page.fill("#code", pyotp.TOTP(secret).at(utcnow() + dt.timedelta(seconds=30)))
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Cases")

    page.click("a:has-text('Two-step sign-in')")
    page.click("a:has-text('Add a passkey')")
    expect(page.locator("h1")).to_have_text("Add a passkey")
    expect(page.locator("#name")).not_to_be_empty()  # named after the device, to be changed at will
    page.fill("#name", "Work laptop")
    journey.shoot(page, "passkey-add")
    page.click("button:has-text('Create the passkey')")
    expect(page.locator(".flash")).to_contain_text("Your passkey “Work laptop” is added")
    journey.shoot(page, "passkey-listed")
    with app.app_context():
        assert db.session.execute(sa.select(Passkey.name)).scalars().all() == ["Work laptop"]
    page.click("button:has-text('Sign out')")

    page.goto(base + "/staff/login")
    page.fill("#email", staff.email)
    page.fill("#password", staff.password)
    page.click("button:has-text('Sign in')")
    expect(page.locator("button:has-text('Use a passkey')")).to_be_visible()
    journey.shoot(page, "passkey-sign-in")
    page.click("button:has-text('Use a passkey')")
    expect(page.locator("h1")).to_have_text("Cases")
    with app.app_context():
        assert db.session.execute(sa.select(Passkey.last_used_at)).scalar_one() is not None
