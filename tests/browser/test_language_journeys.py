"""The whole journey in Spanish and in French: a candidate and their referees, each in their own language.

Staff open the case in the candidate's language; the candidate agrees, states a position and names two
referees; the referees answer the questions in that language on their phones; the candidate replies to
the findings; staff release the report. Every page is screenshotted and checked by axe-core and the Nu
checker (see conftest), and each says it is written in the person's language.
"""

from __future__ import annotations

import io
import re
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext, ngettext
from playwright.sync_api import expect
from pypdf import PdfReader

from refcheck.i18n import LOCALES

from .conftest import ONLY_WHERE_CHROMIUM, Journey, answer_question_page

pytestmark = ONLY_WHERE_CHROMIUM

PEOPLE = {
    "es": ("Lucía Fernández", "lucia.fernandez@candidate.example",
           [("Marta Ruiz", "marta.ruiz@brightwater.example", "manager"),
            ("Javier Soto", "javier.soto@brightwater.example", "peer")]),
    "fr": ("Camille Laurent", "camille.laurent@candidate.example",
           [("Élodie Martin", "elodie.martin@brightwater.example", "manager"),
            ("Hugo Bernard", "hugo.bernard@brightwater.example", "peer")]),
}


def _words(app, language: str):
    """Return what a page says for an English text in `language`, read from the catalogues as the app does."""
    def said(text: str, **values) -> str:
        with app.test_request_context(), force_locale(LOCALES[language]):
            return gettext(text, **values)
    return said


def _plural(app, language: str, forms: tuple[str, str], count: int) -> str:
    """Return what a page says for a count, in `language`."""
    with app.test_request_context(), force_locale(LOCALES[language]):
        return ngettext(*forms, count)


def _in_language(page, language: str) -> None:
    """Fail unless the page says it is written in the person's language."""
    assert page.locator("html").get_attribute("lang") == language, page.url


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_candidate_and_referees_go_through_the_whole_check_in_their_language(app, journey, staff, language):
    t = _words(app, language)
    name, email, referees = PEOPLE[language]
    page = journey.person()
    journey.staff_sign_in(page, staff)
    _open_case(journey, page, name, email, language)

    # The candidate: the emailed link, the scope in their language, their consent.
    phone = journey.person(phone=True)
    message = next(m for m in journey_mail(journey) if email in m["To"])
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == t("Your reference check: please read and decide")
    phone.goto(journey.link_for(name, "c"))
    _in_language(phone, language)
    journey.shoot(phone, f"{language}-candidate-link")
    phone.get_by_role("button", name=t("Continue")).first.click()
    expect(phone).to_have_url(journey.base + "/portal")
    _in_language(phone, language)
    expect(phone.locator("h2", has_text=t("Exactly what you are agreeing to"))).to_be_visible()
    journey.shoot(phone, f"{language}-candidate-decide")
    phone.fill("#signature", name)
    phone.check("#agree")
    phone.get_by_role("button", name=t("I agree to this check")).first.click()
    expect(phone.locator("h1")).to_have_text(t("Your consent receipt"))
    expect(phone.locator(f"dd[lang='{language}']")).to_be_visible()
    journey.shoot(phone, f"{language}-candidate-receipt")

    # Their work history, then their referees.
    phone.goto(journey.base + "/portal")
    phone.get_by_role("link", name=t("Your work history")).first.click()
    _in_language(phone, language)
    phone.fill("#employer", "Brightwater & Co")
    phone.fill("#title", "Senior Product Designer")
    phone.fill("#start_month", "02/2022")
    phone.fill("#end_month", "11/2024")
    phone.select_option("#reason_for_leaving", "resigned")
    phone.get_by_role("button", name=t("Save this position")).first.click()
    expect(phone.locator(".flash")).to_be_visible()
    journey.shoot(phone, f"{language}-candidate-history")
    phone.goto(journey.base + "/portal")
    phone.get_by_role("link", name=t("Name your referees")).first.click()
    for referee, address, relationship in referees:
        phone.fill("#name", referee)
        phone.fill("#email", address)
        phone.select_option("#relationship", relationship)
        phone.fill("#organisation", "Brightwater & Co")
        phone.fill("#job_title", "Design Lead")
        phone.fill("#worked_from", "02/2022")
        phone.fill("#worked_to", "11/2024")
        phone.get_by_role("button", name=t("Add to my list")).first.click()
    _in_language(phone, language)
    journey.shoot(phone, f"{language}-candidate-referees")
    phone.get_by_role("button", name=t("Send the invitations")).first.click()
    expect(phone.locator(".flash")).to_contain_text(_plural(app, language, (
        "We have emailed %(num)d referee. You can follow their progress here.",
        "We have emailed %(num)d referees. You can follow their progress here."), 2))

    # Each referee, in the candidate's language until they choose another: the same questions, in it.
    _referee_answers(journey, t, language, referees[0][0], "Senior Product Designer", 0)
    _referee_answers(journey, t, language, referees[1][0], "Product Designer", 1)

    # Staff (in English) review the findings and send them to the candidate.
    page.reload()
    page.click("button:has-text('Start review with these findings')")
    journey.resolve_findings(page)
    page.click("button:has-text('Send the findings to the candidate')")
    expect(page.locator(".flash")).to_contain_text("asked to read the findings")

    # The candidate replies to the findings in their language.
    phone.goto(journey.base + "/portal")
    phone.get_by_role("link", name=t("Read the findings")).first.click()
    _in_language(phone, language)
    journey.shoot(phone, f"{language}-candidate-findings")
    # The findings' own sentences are written afresh in the candidate's language, from what was stored.
    findings = phone.locator("main").inner_text()
    assert t("Referees remember it differently") in findings and t("your manager").capitalize() in findings
    assert "remembers" not in findings and "confirmed the" not in findings
    conflict = phone.locator(".finding.severity-high").first
    conflict.locator("summary", has_text=t("Add a reply")).click()
    reply = {"es": "Me ascendieron a diseñadora sénior en marzo de 2023.",
             "fr": "J'ai été promue designer senior en mars 2023."}[language]
    conflict.locator("textarea").fill(reply)
    conflict.get_by_role("button", name=t("Save my reply")).click()
    expect(phone.locator(".flash")).to_be_visible()
    accept_all = phone.locator(".accept-all button")
    if accept_all.count():
        with phone.expect_navigation():
            accept_all.click()
    accept = phone.locator(".answer form.inline").get_by_role("button", name=t("Accept"), exact=True)
    while accept.count():
        with phone.expect_navigation():
            accept.first.click()
    expect(phone.locator("#progress")).to_contain_text(t("You have answered every finding"))
    journey.shoot(phone, f"{language}-candidate-findings-done")

    # Staff release the report; the candidate downloads the same document the hiring side gets.
    page.reload()
    journey.handle_signals(page)
    page.click("button:has-text('Release the report')")
    expect(page.locator(".flash")).to_contain_text("Version 1 of the report is released")
    phone.goto(journey.base + "/portal")
    expect(phone.locator(".status")).to_contain_text(t("Your check is complete"))
    _in_language(phone, language)
    journey.shoot(phone, f"{language}-candidate-report-ready")
    with phone.expect_download() as download:
        phone.get_by_role("link", name=t("Download your report (PDF)")).first.click()
    pdf = Path(download.value.path()).read_bytes()
    (journey.folder / f"report-{language}.pdf").write_bytes(pdf)
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    # Written for the hiring side, in English, with each question as they read it; the answers' language said.
    spoken = {"es": "Spanish", "fr": "French"}[language]
    assert reply in text and "What was your working relationship with the candidate?" in text
    assert f"in {spoken}" in text and "asked in English" in text


def journey_mail(journey: Journey) -> list:
    """Deliver the outbox and return every message received so far."""
    assert "failed 0" in journey.runner.invoke(args=["mail", "send"]).output
    return list(journey.inbox.messages)


def _open_case(journey: Journey, page, name: str, email: str, language: str) -> None:
    """Open a case in the candidate's language and send it to them."""
    page.click("text=Open a new case")
    for field, value in (("#candidate_name", name), ("#candidate_email", email),
                         ("#position", "Product Designer"), ("#hiring_organisation", "Brightwater & Co"),
                         ("#purpose", "To confirm your design work before the offer is final."),
                         ("#period_from", "2021-01"), ("#period_to", "2026-10"),
                         ("#report_recipients", "Jonas Berg, Design Director")):
        page.fill(field, value)
    page.select_option("#language", language)
    page.select_option("#rel_direct_report", "off")
    journey.shoot(page, f"{language}-staff-case-form")
    page.click("button:has-text('Open case as draft')")
    expect(page.locator(".flash")).to_contain_text("ready")
    page.click("button:has-text('Send to candidate')")


def _referee_answers(journey: Journey, t, language: str, name: str, title: str,
                     relationship_index: int) -> None:
    """A referee opens their link on a phone, attests and answers each page in their language."""
    page = journey.person(phone=True)
    page.goto(journey.link_for(name, "r"))
    _in_language(page, language)
    journey.shoot(page, f"{language}-referee-link")
    page.get_by_role("button", name=t("Answer the questions")).first.click()
    page.check("#identity")
    page.check("#truthful")
    journey.shoot(page, f"{language}-referee-attest")
    page.get_by_role("button", name=t("Confirm and see the questions")).first.click()
    lines = iter(["Brightwater & Co", title])
    first_choice: int | None = relationship_index
    group_heading = t("Question group %(page)s of %(count)s", page=1, count=9).split("1")[0].strip()
    while True:
        _in_language(page, language)
        assert page.locator("h1").inner_text().startswith(group_heading)
        answer_question_page(page, lines, first_choice, optional=t("(optional)"),
                             text={"es": "Un trabajo de diseño claro y cuidadoso.",
                                   "fr": "Un travail de conception clair et soigné."}[language],
                             months=("02/2022", "11/2024"))
        first_choice = None
        journey.shoot(page, f"{language}-referee-questions")
        if page.get_by_role("button", name=t("Review my answers")).count():
            page.get_by_role("button", name=t("Review my answers")).first.click()
            break
        page.get_by_role("button", name=t("Next")).first.click()
        expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.locator("h1")).to_have_text(t("Check and send your answers"))
    journey.shoot(page, f"{language}-referee-review")
    page.get_by_role("button", name=t("Send my answers")).first.click()
    expect(page.locator("h1")).to_have_text(t("Thank you"))
    _in_language(page, language)
    journey.shoot(page, f"{language}-referee-thanks")
    page.context.close()
