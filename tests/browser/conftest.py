"""What the browser journeys share: a live server, headless Chromium, and a Journey of steps with a screenshot
of every page, each checked by axe-core and the Nu HTML checker."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from ..conftest import PG_URL, free_port
from ..test_html_valid import ROOT, Pages, check

AXE = ROOT / ".tools/node_modules/axe-core/axe.min.js"
# What axe-core reports at these levels stops a person from using the page; lesser findings are advice.
AXE_SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => ["serious", "critical"].includes(v.impact))
    .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}"""

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("REFCHECK_SCREENSHOTS", "test-artifacts/screenshots"))
PHONE = {"width": 390, "height": 844}

# Each journey module marks itself with this.
ONLY_WHERE_CHROMIUM = pytest.mark.skipif(
    bool(PG_URL) or (not os.path.exists(CHROMIUM) and not os.environ.get("CI")),
    reason="browser journeys run once, on SQLite, where Chromium is installed",
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
def browser():
    """A headless Chromium; each person gets their own context (cookies) from it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


class Journey:
    """Steps people take, with a screenshot of every page they see."""

    def __init__(self, browser, base, inbox, runner, folder):
        self.browser, self.base, self.inbox, self.runner = browser, base, inbox, runner
        self.folder = SHOTS / folder
        self.count = 0
        # Every page a person looked at, for the Nu checker; and what axe-core found on each.
        self.pages = Pages()
        self.axe: dict[str, list[str]] = {}

    def person(self, phone: bool = False):
        """Open a new browser context for one person."""
        # bypass_csp lets axe-core's script into pages whose policy refuses inline scripts.
        context = self.browser.new_context(viewport=PHONE if phone else {"width": 1280, "height": 900},
                                           accept_downloads=True, bypass_csp=True)
        return context.new_page()

    def shoot(self, page, name: str) -> None:
        """Save a full-page screenshot for a person to look at."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)
        key = f"{self.count:02d}-{name}"
        self.pages.html[key] = page.content()
        if AXE.is_file():
            page.add_script_tag(path=str(AXE))
            self.axe[key] = page.evaluate(AXE_SERIOUS)
        elif os.environ.get("CI"):
            pytest.fail(f"axe-core is missing at {AXE}; .ci/run installs it")

    def check_pages(self, folder: Path) -> None:
        """Assert that axe-core found nothing serious and the Nu checker no error on any page seen."""
        if AXE.is_file():
            assert set(self.axe) == set(self.pages.html)
            # A page broken on purpose proves axe ran and reports what it should.
            planted = self.person()
            planted.set_content('<!doctype html><html lang="en"><title>x</title><body><main>'
                                '<input type="text"></main></body></html>')
            planted.add_script_tag(path=str(AXE))
            assert any(p.startswith("label ") for p in planted.evaluate(AXE_SERIOUS))
            planted.context.close()
        found = {name: problems for name, problems in self.axe.items() if problems}
        assert not found, f"axe-core: {found}"
        folder.mkdir()
        problems = check(self.pages, folder)
        assert problems == [], f"{len(problems)} HTML errors:\n" + "\n".join(problems)

    def link_for(self, who: str, kind: str) -> str:
        """Deliver the outbox and return the newest link of `kind` ('c' or 'r') in mail to `who`."""
        assert "failed 0" in self.runner.invoke(args=["mail", "send"]).output
        for message in reversed(self.inbox.messages):
            body = message.get_payload(decode=True).decode()
            if who in body and (match := re.search(rf"http://127\.0\.0\.1:\d+/{kind}/\S+", body)):
                return match.group(0)
        raise AssertionError(f"no {kind} link for {who}")

    def staff_sign_in(self, page, staff) -> None:
        """Sign in on the staff page."""
        page.goto(self.base + "/staff/login")
        page.fill("#email", staff.email)
        page.fill("#password", staff.password)
        self.shoot(page, "staff-login")
        page.click("button:has-text('Sign in')")
        expect(page.locator("h1")).to_have_text("Cases")

    def open_case(self, page, name: str, email: str) -> None:
        """Open a case through the form, after one mistake, and send it to the candidate."""
        page.click("text=Open a new case")
        for field, value in (("#candidate_name", name), ("#candidate_email", email),
                             ("#position", "Product Designer"), ("#hiring_organisation", "Brightwater & Co"),
                             ("#purpose", "To confirm your design work before the offer is final."),
                             ("#period_from", "2021-01"), ("#period_to", "2026-10"),
                             ("#report_recipients", "Jonas Berg, Design Director")):
            page.fill(field, value)
        page.select_option("#rel_peer", "off")
        page.select_option("#rel_direct_report", "off")
        page.click("button:has-text('Open case as draft')")
        expect(page.locator("text=at least two different relationships").first).to_be_visible()
        self.shoot(page, "staff-case-form-error")
        page.select_option("#rel_peer", "1")
        page.click("button:has-text('Open case as draft')")
        expect(page.locator(".flash")).to_contain_text("ready")
        page.click("button:has-text('Send to candidate')")
        self.shoot(page, "staff-case-sent")

    def candidate_consents(self, phone, name: str) -> None:
        """Open the emailed link, read the scope, and agree after one mistake."""
        phone.goto(self.link_for(name, "c"))
        self.shoot(phone, "candidate-link")
        phone.click("button:has-text('Continue')")
        expect(phone).to_have_url(self.base + "/portal")
        self.shoot(phone, "candidate-decide")
        phone.click("button:has-text('I agree to this check')")
        expect(phone.locator("#agree-error", has_text="Tick the box to show you agree")).to_be_visible()
        expect(phone.locator(".error-summary a[href='#agree']")).to_be_visible()  # the summary links to it
        phone.fill("#signature", name)
        phone.check("#agree")
        phone.click("button:has-text('I agree to this check')")
        expect(phone.locator("h1")).to_have_text("Your consent receipt")
        self.shoot(phone, "candidate-receipt")
        phone.click("text=Your check")
        expect(phone.locator("text=You name your referees").first).to_be_visible()
        self.shoot(phone, "candidate-timeline")

    def nominate(self, phone, referees) -> None:
        """Name referees on the portal and send the invitations."""
        phone.goto(self.base + "/portal")
        phone.click("a:has-text('Name your referees')")
        for name, email, relationship in referees:
            phone.fill("#name", name)
            phone.fill("#email", email)
            phone.select_option("#relationship", relationship)
            phone.fill("#organisation", "Brightwater & Co")
            phone.fill("#job_title", "Design Lead")
            # Typed as on a phone's keyboard; both read as 2022-02 and 2024-11.
            phone.fill("#worked_from", "02/2022")
            phone.fill("#worked_to", "Nov 2024")
            phone.click("button:has-text('Add to my list')")
        self.shoot(phone, "candidate-referees")
        phone.click("button:has-text('Send the invitations')")
        expect(phone.locator(".flash")).to_contain_text(f"We have emailed {len(referees)} referees")

    def work_history(self, phone) -> None:
        """State the position the referees will be asked about."""
        phone.goto(self.base + "/portal")
        phone.click("a:has-text('Your work history')")
        phone.fill("#employer", "Brightwater & Co")
        phone.fill("#title", "Senior Product Designer")
        phone.fill("#start_month", "Feb 2022")
        phone.fill("#end_month", "202411")
        phone.select_option("#reason_for_leaving", "resigned")
        phone.click("button:has-text('Save this position')")
        expect(phone.locator(".flash")).to_contain_text("Saved your time at Brightwater")
        self.shoot(phone, "candidate-history")

    def resolve_findings(self, page) -> None:
        """Staff explain each open conflict, waiting for the page each save loads."""
        for _ in range(page.locator("#review details[open]").count()):
            details = page.locator("#review details[open]").first
            details.locator("select").select_option("explained")
            details.locator("textarea").fill("The peer worked with her before the promotion in 2023.")
            with page.expect_navigation():
                details.locator("button:has-text('Save resolution')").click()
            expect(page.locator(".flash")).to_contain_text("Resolution saved.")
        assert page.locator("#review details[open]").count() == 0

    def handle_signals(self, page) -> None:
        """Staff note how each open fraud signal was handled."""
        for _ in range(page.locator(".signal").filter(has_not_text="Handled:").count()):
            signal = page.locator(".signal").filter(has_not_text="Handled:").first
            signal.locator("summary").click()
            signal.locator("textarea").fill(
                "All answers came from the test machine; checked with both referees.")
            with page.expect_navigation():
                signal.locator("button:has-text('Save')").click()
            expect(page.locator(".flash")).to_contain_text("Saved how the signal was handled.")
        assert page.locator(".signal").filter(has_not_text="Handled:").count() == 0

    def referee_answers(self, name: str, title: str, relationship_index: int) -> str:
        """A referee opens their link on a phone, chooses to answer, attests, answers each page; return it."""
        link = self.link_for(name, "r")
        page = self.person(phone=True)
        page.goto(link)
        expect(page.locator(".answer-by")).to_contain_text("Please answer by")
        self.shoot(page, "referee-link")
        page.click("button:has-text('Answer the questions')")
        page.click("button:has-text('Confirm and see the questions')")
        expect(page.locator("text=Please confirm this.").first).to_be_visible()
        page.check("#identity")
        page.check("#truthful")
        self.shoot(page, "referee-attest")
        page.click("button:has-text('Confirm and see the questions')")
        lines = iter(["Brightwater & Co", title])
        first_choice: int | None = relationship_index
        while True:
            heading = page.locator("h1").inner_text()
            assert heading.startswith("Question group"), heading
            answer_question_page(page, lines, first_choice)
            first_choice = None
            self.shoot(page, "referee-questions")
            if page.locator("button:has-text('Review my answers')").count():
                page.click("button:has-text('Review my answers')")
                break
            page.click("button:has-text('Next')")
            try:
                expect(page.locator(".error-summary")).to_have_count(0)
            except AssertionError as err:
                self.shoot(page, "referee-errors")
                raise AssertionError(f"page refused: {page.locator('.error').all_inner_texts()}") from err
        expect(page.locator("h1")).to_have_text("Check and send your answers")
        expect(page.locator("text=Needs an answer")).to_have_count(0)
        self.shoot(page, "referee-review")
        page.click("button:has-text('Send my answers')")
        try:
            expect(page.locator("h1")).to_have_text("Thank you")
        except AssertionError as err:
            self.shoot(page, "referee-errors")
            raise AssertionError(f"answers refused: {page.locator('.error').all_inner_texts()}") from err
        self.shoot(page, "referee-thanks")
        page.context.close()
        return link


# Words with which a page asks the candidate to act; none may appear once their part is done.
ASKING = ("Your next step", "Please read", "Please decide", "Waiting on you", "Accept each finding",
          "Name your referees", "Send the invitations", "still to answer")


def answer_question_page(page, lines, first_choice: int | None, optional: str = "(optional)",
                         text: str = "Clear, careful design work.",
                         months: tuple[str, str] = ("2022-02", "2024-11")) -> None:
    """Answer one page of a referee's questions as a person would.

    The first choice group takes option `first_choice` when given (the working relationship, on the
    first page); the others a middle rating or the first option. Short lines take the next of `lines`,
    required text boxes `text`, and month ranges `months`.
    """
    for index, group in enumerate(page.locator(".choices").all()):
        options = group.locator(".option")
        if index == 0 and first_choice is not None:
            options.nth(first_choice).click()
        else:
            options.nth(3 if options.count() > 5 else 0).click()
    for line in page.locator("input[type=text][id^=q]:not([id$='_from']):not([id$='_to'])").all():
        line.fill(next(lines, "Brightwater & Co"))
    for question in page.locator("fieldset.question").all():
        boxes = question.locator("textarea")
        if boxes.count() and optional not in question.locator("legend").inner_text():
            boxes.first.fill(text)
    for field in page.locator("input[id$='_from']").all():
        field.fill(months[0])
    for field in page.locator("input[id$='_to']").all():
        field.fill(months[1])


def assert_nothing_asked(html: str, where: str) -> None:
    """Fail if a page asks the candidate to act after their last step."""
    text = re.sub(r"<[^>]+>", " ", html)
    asked = [words for words in ASKING if words in text]
    assert not asked, f"{where} still asks: {asked}"


@pytest.fixture
def journey(browser, live_server, runner, request, tmp_path):
    """Steps and screenshots for one test, in a folder named after it; every page seen is checked after."""
    base, inbox = live_server
    folder = request.node.name.removeprefix("test_")
    print(f"\nscreenshots: {(SHOTS / folder).resolve()}")
    journey = Journey(browser, base, inbox, runner, folder)
    yield journey
    if journey.pages.html:
        journey.check_pages(tmp_path / "seen")
