"""End to end in headless Chromium: staff open a case, the candidate consents, reads, withdraws."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from .conftest import PG_URL, free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("REFCHECK_SCREENSHOTS", "test-artifacts/screenshots"))

pytestmark = pytest.mark.skipif(
    bool(PG_URL) or (not os.path.exists(CHROMIUM) and not os.environ.get("CI")),
    reason="browser journey runs once, on SQLite, where Chromium is installed",
)


@pytest.fixture
def live_server(app, staff, smtp_server):
    """Serve the app on loopback with mail going to the in-process SMTP server."""
    inbox, smtp_port = smtp_server
    port = free_port()
    app.config.update(SMTP_PORT=smtp_port, BASE_URL=f"http://127.0.0.1:{port}")
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", inbox
    server.shutdown()


@pytest.fixture
def page():
    """A fresh headless Chromium page, phone-sized or desktop-sized per call."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


def shoot(page, name: str) -> None:
    """Save a full-page screenshot for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_staff_and_candidate_journey_in_a_real_browser(app, live_server, page, staff, runner, caplog):
    caplog.set_level("INFO")
    base, inbox = live_server
    print(f"\nscreenshots: {SHOTS.resolve()}")

    page.goto(base + "/")
    shoot(page, "01-home")
    page.click("text=Staff sign-in")
    page.fill("#email", staff.email)
    page.fill("#password", staff.password)
    shoot(page, "02-staff-login")
    page.click("button:has-text('Sign in')")
    assert page.locator("h1").inner_text() == "Cases"

    page.click("text=Open a new case")
    page.fill("#candidate_name", "Noor Haddad")
    page.fill("#candidate_email", "noor.haddad@candidate.example")
    page.fill("#position", "Product Designer")
    page.fill("#hiring_organisation", "Brightwater & Co")
    page.fill("#purpose", "To confirm your design work before Brightwater & Co confirms its offer.")
    page.fill("#period_from", "2021-01")
    page.fill("#period_to", "2026-10")
    page.fill("#report_recipients", "Jonas Berg, Design Director")
    page.select_option("#rel_peer", "off")
    page.select_option("#rel_direct_report", "off")
    page.click("button:has-text('Open case as draft')")
    assert page.locator("text=at least two different relationships").first.is_visible()
    shoot(page, "03-staff-case-form-error")
    page.select_option("#rel_peer", "1")
    page.click("button:has-text('Open case as draft')")
    assert "ready" in page.locator(".flash").inner_text()
    page.click("button:has-text('Send to candidate')")
    shoot(page, "04-staff-case")

    assert "Sent 1" in runner.invoke(args=["mail", "send"]).output
    body = inbox.messages[-1].get_payload(decode=True).decode()
    link = re.search(r"http://127\.0\.0\.1:\d+/c/\d+/\S+", body).group(0)

    candidate = page.context.browser.new_context(viewport={"width": 390, "height": 844})
    phone = candidate.new_page()
    phone.goto(link)
    shoot(phone, "05-candidate-link")
    phone.click("button:has-text('Continue')")
    assert phone.url == base + "/portal"
    assert "Brightwater &amp; Co" not in phone.content() or "Brightwater & Co" in phone.inner_text("body")
    shoot(phone, "06-candidate-decide")
    phone.click("button:has-text('I agree to this check')")
    assert phone.locator("text=Tick the box to show you agree").is_visible()
    phone.fill("#signature", "Noor Haddad")
    phone.check("#agree")
    phone.click("button:has-text('I agree to this check')")
    assert phone.locator("h1").inner_text() == "Your consent receipt"
    shoot(phone, "07-candidate-receipt")
    phone.click("text=Your check")
    assert phone.locator("text=You name your referees").first.is_visible()
    shoot(phone, "08-candidate-timeline")

    # The candidate names a manager and a peer, and sends the invitations.
    phone.click("a:has-text('Name your referees')")
    for name, email, relationship in (("Lena Fischer", "lena.fischer@brightwater.example", "manager"),
                                      ("Omar Haddad", "omar.h@gmail.com", "peer")):
        phone.fill("#name", name)
        phone.fill("#email", email)
        phone.select_option("#relationship", relationship)
        phone.fill("#organisation", "Brightwater & Co")
        phone.fill("#job_title", "Design Lead")
        phone.fill("#worked_from", "2022-02")
        phone.fill("#worked_to", "2024-11")
        phone.click("button:has-text('Add to my list')")
    shoot(phone, "09-candidate-referees")
    phone.click("button:has-text('Send the invitations')")
    assert "We have emailed 2 referees" in phone.locator(".flash").inner_text()

    assert "Sent" in runner.invoke(args=["mail", "send"]).output
    invitation = next(m for m in inbox.messages if "Lena Fischer" in m.get_payload(decode=True).decode())
    invitation_text = invitation.get_payload(decode=True).decode()
    referee_link = re.search(r"http://127\.0\.0\.1:\d+/r/\S+", invitation_text).group(0)
    referee_phone = candidate.browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    referee_phone.goto(referee_link)
    shoot(referee_phone, "10-referee-link")
    referee_phone.click("button:has-text('Continue')")
    referee_phone.click("button:has-text('Confirm and see the questions')")
    assert referee_phone.locator("text=Please confirm this.").first.is_visible()
    referee_phone.check("#identity")
    referee_phone.check("#truthful")
    shoot(referee_phone, "11-referee-attest")
    referee_phone.click("button:has-text('Confirm and see the questions')")
    for group in referee_phone.locator(".choices").all():
        group.locator(".option").nth(3 if group.locator(".option").count() > 5 else 0).click()
    boxes = referee_phone.locator("textarea").all()
    for box in boxes[:-1]:  # the last one is optional
        box.fill("Clear, careful design work.")
    for line in referee_phone.locator("input[type=text][id^=q]:not([id$='_from']):not([id$='_to'])").all():
        line.fill("Brightwater & Co")
    for field in referee_phone.locator("input[id$='_from']").all():
        field.fill("2022-02")
    for field in referee_phone.locator("input[id$='_to']").all():
        field.fill("2024-11")
    shoot(referee_phone, "12-referee-questions")
    referee_phone.click("button:has-text('Send my answers')")
    if referee_phone.locator("h1").inner_text() != "Thank you":
        shoot(referee_phone, "12b-referee-errors")
        errors = referee_phone.locator(".error").all_inner_texts()
        raise AssertionError(f"answers refused: {errors}")
    shoot(referee_phone, "13-referee-thanks")

    phone.click("text=Your check")
    assert phone.locator("text=Answered").first.is_visible()
    assert "Clear, careful design work." not in phone.content()
    shoot(phone, "14-candidate-progress")
    phone.click("text=Withdraw consent")
    phone.check("#confirm")
    shoot(phone, "15-candidate-withdraw")
    page.reload()
    assert page.locator("text=A personal address (gmail.com)").first.is_visible()
    shoot(page, "16-staff-case-referees")
    phone.click("button:has-text('Withdraw my consent')")
    assert phone.locator("text=You withdrew your consent").first.is_visible()
    shoot(phone, "17-candidate-withdrawn")

    page.reload()
    assert "withdrawn" in page.locator("h1 .badge").inner_text()
    page.goto(base + "/staff/")
    shoot(page, "18-staff-dashboard")

    # The server's request log saw the link, but never its token; nor any personal data.
    token = link.rsplit("/", 1)[1]
    # The test's own SMTP server (logger "mail.log") is the recipient's side, not ours.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "/c/1/[token]" in ours and "/r/" in ours
    referee_token = referee_link.rsplit("/", 1)[1]
    for secret in (token, referee_token, "noor.haddad@candidate.example", "Noor Haddad", "Lena Fischer",
                   "Clear, careful design work.", staff.password):
        assert secret not in ours
