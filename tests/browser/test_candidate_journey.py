"""End to end in headless Chromium: staff, candidate and referees, each in their own browser."""

from __future__ import annotations

import io
import re
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from .conftest import ONLY_WHERE_CHROMIUM, assert_nothing_asked

pytestmark = ONLY_WHERE_CHROMIUM


def test_consent_nomination_answers_and_withdrawal(app, journey, staff, caplog):
    caplog.set_level("INFO")
    page = journey.person()
    page.goto(journey.base + "/")
    journey.shoot(page, "home")
    journey.staff_sign_in(page, staff)
    journey.open_case(page, "Noor Haddad", "noor.haddad@candidate.example")
    phone = journey.person(phone=True)
    journey.candidate_consents(phone, "Noor Haddad")
    candidate_link = phone.url
    journey.work_history(phone)
    journey.nominate(phone, [("Lena Fischer", "lena.fischer@brightwater.example", "manager"),
                             ("Omar Haddad", "omar.h@gmail.com", "peer")])
    referee_link = journey.referee_answers("Lena Fischer", "Senior Product Designer", 0)

    phone.click("text=Your check")
    expect(phone.locator("text=Answered").first).to_be_visible()
    assert "Clear, careful design work." not in phone.content()
    journey.shoot(phone, "candidate-progress")
    page.reload()
    expect(page.locator("text=A personal address (gmail.com)").first).to_be_visible()
    journey.shoot(page, "staff-case-referees")
    phone.click("text=Withdraw consent")
    phone.check("#confirm")
    journey.shoot(phone, "candidate-withdraw")
    phone.click("button:has-text('Withdraw my consent')")
    expect(phone.locator("text=You withdrew your consent").first).to_be_visible()
    journey.shoot(phone, "candidate-withdrawn")
    page.reload()
    expect(page.locator("h1 .badge")).to_contain_text("withdrawn")
    page.goto(journey.base + "/staff/")
    journey.shoot(page, "staff-dashboard")

    # The server's request log saw the links, but never their tokens, nor any personal data.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "/c/1/[token]" in ours and "/r/" in ours and candidate_link
    for secret in (referee_link.rsplit("/", 1)[1], "noor.haddad@candidate.example", "Noor Haddad",
                   "Lena Fischer", "Clear, careful design work.", staff.password):
        assert secret not in ours


def test_the_whole_journey_to_a_released_report(app, journey, staff):
    page = journey.person()
    journey.staff_sign_in(page, staff)
    journey.open_case(page, "Maya Lindgren", "maya.lindgren@candidate.example")
    phone = journey.person(phone=True)
    journey.candidate_consents(phone, "Maya Lindgren")
    journey.work_history(phone)
    journey.nominate(phone, [("Lena Fischer", "lena.fischer@brightwater.example", "manager"),
                             ("Omar Haddad", "omar.haddad@brightwater.example", "peer")])
    journey.referee_answers("Lena Fischer", "Senior Product Designer", 0)
    journey.referee_answers("Omar Haddad", "Product Designer", 1)  # remembers a different title

    page.reload()
    expect(page.locator("text=a peer remembers Product Designer").first).to_be_visible()
    journey.shoot(page, "staff-findings")
    page.click("button:has-text('Start review with these findings')")
    # Each save reloads the page; an unresolved conflict is the one still open. Each click waits for the
    # page it loads, so a busy machine never has the loop read the page it is leaving.
    journey.resolve_findings(page)
    journey.shoot(page, "staff-review")
    page.click("a:has-text('See every answer side by side')")
    expect(page.locator("text=Every answer")).to_be_visible()
    journey.shoot(page, "staff-answers")
    page.go_back()
    page.click("button:has-text('Send the findings to the candidate')")
    expect(page.locator(".flash")).to_contain_text("asked to read the findings")

    phone.goto(journey.base + "/portal")
    phone.click("a:has-text('Read the findings')")
    journey.shoot(phone, "candidate-findings")
    conflict = phone.locator(".finding.severity-high").first
    # The reply form stays folded away until the candidate asks for it.
    expect(conflict.locator("textarea")).to_be_hidden()
    conflict.locator("summary:has-text('Add a reply')").click()
    conflict.locator("textarea").fill("I was promoted to Senior Product Designer in March 2023.")
    conflict.locator("button:has-text('Save my reply')").click()
    expect(phone.locator(".flash")).to_contain_text("Saved. 1 of")
    # The rest agree or differ a little: accept what agrees in one step, then the others one by one.
    accept_all = phone.locator(".accept-all button")
    if accept_all.count():
        with phone.expect_navigation():
            accept_all.click()
    while phone.locator(".answer form.inline button:has-text('Accept')").count():
        with phone.expect_navigation():
            phone.locator(".answer form.inline button:has-text('Accept')").first.click()
    expect(phone.locator("#progress")).to_contain_text("You have answered every finding")
    journey.shoot(phone, "candidate-findings-done")
    phone.goto(journey.base + "/portal")
    expect(phone.locator(".status")).to_contain_text("Nothing for you to do now")
    assert_nothing_asked(phone.content(), "the portal after the last reply")
    journey.shoot(phone, "candidate-waiting-for-release")

    page.reload()
    # Both referees answered from this machine, and fast: each signal gets a note before release.
    journey.handle_signals(page)
    journey.shoot(page, "staff-signals-handled")
    page.click("button:has-text('Release the report')")
    expect(page.locator(".flash")).to_contain_text("Version 1 of the report is released")
    journey.shoot(page, "staff-released")

    phone.goto(journey.base + "/portal")
    expect(phone.locator(".status")).to_contain_text("Your check is complete")
    journey.shoot(phone, "candidate-report-ready")
    # Closure: after their last step, no page the candidate can reach asks them to do anything.
    for path in ("/portal", "/portal/findings", "/portal/receipt", "/portal/my-data", "/portal/ask"):
        phone.goto(journey.base + path)
        assert_nothing_asked(phone.content(), path)
        journey.shoot(phone, "closed-" + path.strip("/").replace("/", "-"))
    phone.goto(journey.base + "/portal")
    with phone.expect_download() as download:
        phone.click("a:has-text('Download your report (PDF)')")
    pdf = Path(download.value.path()).read_bytes()
    (journey.folder / "report.pdf").write_bytes(pdf)
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "Maya Lindgren" in text and "Product Designer at Brightwater & Co" in text
    assert "I was promoted to Senior Product Designer in March 2023." in text
    assert "The peer worked with her before the promotion in 2023." in text
    # Grouped, as the scope promised by default: answers are by relationship, never by name or employer.
    assert "Peer at Brightwater & Co" not in text and "Omar Haddad" not in text
