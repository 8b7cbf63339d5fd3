"""End to end in headless Chromium: a hiring client sets up two-step sign-in, signs in with a code, orders a
check, and later downloads the released report, the same bytes the service released."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import pyotp
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from refcheck.extensions import db
from refcheck.models import Case, Report, utcnow

from ..lifecycle_cases import CANDIDATE, build
from ..test_client import HOME_ORG, add_package, make_client
from .conftest import ONLY_WHERE_CHROMIUM

pytestmark = ONLY_WHERE_CHROMIUM


def test_a_client_signs_in_with_a_code_orders_a_check_and_downloads_the_released_report(app, journey, staff):
    add_package(app, HOME_ORG, "Two references and work history")
    client = make_client(app, "priya@northwind.example")
    page = journey.person()

    # First sign-in with the password alone: local mode offers a second step, and she takes it.
    page.goto(journey.base + "/staff/login")
    page.fill("#email", client.email)
    page.fill("#password", client.password)
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Your checks")
    expect(page.locator("text=Add a second step to your sign-in?")).to_be_visible()
    journey.shoot(page, "client-offer")
    page.click("a:has-text('Set up now')")
    expect(page.locator("h1")).to_have_text("Set up two-step sign-in")
    expect(page.locator(".qr-figure svg")).to_be_visible()
    journey.shoot(page, "client-enrol")
    secret = page.locator("code.setup-key").inner_text().replace(" ", "")
    # A wrong code first: refused, and nothing switched on.
    page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("button:has-text('Switch on two-step sign-in')")
    expect(page.locator(".error-summary")).to_be_visible()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button:has-text('Switch on two-step sign-in')")
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    assert len(re.findall(r"\b[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}\b", page.content())) == 10
    journey.shoot(page, "client-recovery-codes")
    page.click("button:has-text('Sign out')")

    # Signing in now asks for the app's code after the password; the next time step, as the last is used.
    page.goto(journey.base + "/staff/login")
    page.fill("#email", client.email)
    page.fill("#password", client.password)
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Type your sign-in code")
    journey.shoot(page, "client-code")
    page.fill("#code", pyotp.TOTP(secret).at(utcnow() + dt.timedelta(seconds=30)))
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Your checks")
    expect(page.locator("text=No checks yet")).to_be_visible()

    # Ordering: one mistake, told plainly, then the check opens for our staff to send.
    page.click("a:has-text('Order a check')")
    expect(page.locator("#purpose")).not_to_be_empty()
    page.fill("#candidate_name", CANDIDATE[0])
    page.fill("#candidate_email", "not an address")
    page.fill("#position", "Senior Data Engineer")
    page.click("button:has-text('Order the check')")
    expect(page.locator("#candidate_email-error")).to_be_visible()
    journey.shoot(page, "client-order-error")
    expect(page.locator("#candidate_name")).to_have_value(CANDIDATE[0])  # nothing typed is lost
    page.fill("#candidate_email", CANDIDATE[1])
    page.click("button:has-text('Order the check')")
    expect(page.locator(".flash")).to_contain_text("is ordered")
    journey.shoot(page, "client-ordered")
    case_id = int(re.search(r"/client/cases/(\d+)$", page.url).group(1))
    with app.app_context():
        ordered = db.session.get(Case, case_id)
        assert (ordered.state, ordered.candidate.email) == ("draft", CANDIDATE[1])
    expect(page.locator("text=Download the report (PDF)")).to_have_count(0)

    # Later: our staff send it, the candidate consents, referees answer, and the report is released.
    build(app, staff.id, "released", case_id)
    page.goto(journey.base + "/client/")
    expect(page.locator("a:has-text('Download report')")).to_have_count(1)
    journey.shoot(page, "client-home-released")
    page.click(f"a:has-text('RC-{case_id:05d}')")
    journey.shoot(page, "client-case-released")
    with page.expect_download() as download:
        page.click("a:has-text('Download the report (PDF)')")
    pdf = Path(download.value.path()).read_bytes()
    (journey.folder / "report.pdf").write_bytes(pdf)
    with app.app_context():
        released = db.session.execute(sa.select(Report.sha256).where(Report.case_id == case_id)).scalar_one()
    assert hashlib.sha256(pdf).hexdigest() == released
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert CANDIDATE[0] in text and "Senior Data Engineer" in text
