"""Every page a person can reach is valid HTML: the W3C Nu checker (vnu.jar) finds no errors.

The pages are collected through the test client, written to one folder and checked in a single run of
the checker, since starting Java costs seconds. `.ci/run` installs the checker (`npm install --prefix
.tools vnu-jar`); without it or Java the test is skipped on a laptop and fails under CI (CI set).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # noqa: S404 - runs the checker, a fixed command
from pathlib import Path

import pytest
import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import PortalSession, QuestionSet

from .conftest import (
    MANAGER,
    PG_URL,
    attest_referee,
    consent,
    csrf_from,
    enter_portal,
    enter_referee,
    full_answers,
    invitation_links,
    make_staff,
    nominate,
    peer,
    sign_in,
    state_work_history,
)
from .lifecycle_cases import build

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"))
STATES = ("draft", "awaiting_consent", "declined", "nominating", "collecting", "withdrawn", "cancelled",
          "review", "candidate_review", "released")


# The pages are the same on either database: checked once, on SQLite, like the browser journeys.
pytestmark = pytest.mark.skipif(bool(PG_URL), reason="the HTML is checked once, on SQLite")


def checker() -> list[str]:
    """Return the command that runs the checker, or skip (fail under CI) when it is not installed."""
    java = shutil.which("java")
    if java and VNU_JAR.is_file():
        return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
    missing = "Java" if not java else f"the Nu checker at {VNU_JAR} (npm install --prefix .tools vnu-jar)"
    if os.environ.get("CI"):
        pytest.fail(f"{missing} is missing; .ci/run installs it")
    pytest.skip(f"{missing} is missing")


class Pages:
    """The HTML of each page visited, by a file name that says which page and in which state."""

    def __init__(self) -> None:
        self.html: dict[str, str] = {}

    def get(self, name: str, browser, url: str, status: int = 200) -> str:
        """Fetch a page, check its status and keep its HTML."""
        response = browser.get(url)
        assert response.status_code == status, (name, url, response.status_code)
        return self.keep(name, response)

    def keep(self, name: str, response) -> str:
        """Keep the HTML of a response already fetched."""
        assert response.mimetype == "text/html", (name, response.mimetype)
        text = response.get_data(as_text=True)
        assert name not in self.html, name
        self.html[name] = text
        return text


def staff_pages(app, pages: Pages, staff) -> None:
    """The staff pages: sign-in, the list, a case in every state, review, answers, sets, metrics, accounts."""
    browser = app.test_client()
    pages.get("staff-login", browser, "/staff/login")
    refused = browser.post("/staff/login", data={"csrf_token": csrf_from(pages.html["staff-login"]),
                                                 "email": staff.email, "password": "wrong password!"})
    pages.keep("staff-login-refused", refused)
    sign_in(browser, staff)
    built = {state: build(app, staff.id, state) for state in STATES}
    pages.get("staff-dashboard", browser, "/staff/")
    pages.get("staff-dashboard-collecting", browser, "/staff/?state=collecting")
    pages.get("staff-dashboard-no-match", browser, "/staff/?q=nothing-like-this")
    for state, case in built.items():
        pages.get(f"staff-case-{state}", browser, f"/staff/cases/{case.case_id}")
    pages.get("staff-case-edit", browser, f"/staff/cases/{built['draft'].case_id}/edit")
    for state in ("review", "candidate_review", "released"):
        pages.get(f"staff-answers-{state}", browser, f"/staff/cases/{built[state].case_id}/answers")
    form = pages.get("staff-new-case", browser, "/staff/cases/new")
    empty = browser.post("/staff/cases/new", data={"csrf_token": csrf_from(form)})
    pages.keep("staff-new-case-errors", empty)
    refused_referee = browser.post(f"/staff/cases/{built['collecting'].case_id}/referees",
                                   data={"csrf_token": csrf_from(form)})
    pages.keep("staff-case-referee-errors", refused_referee)
    pages.get("staff-question-sets", browser, "/staff/question-sets/")
    with app.app_context():
        set_ids = db.session.execute(sa.select(QuestionSet.id).order_by(QuestionSet.id)).scalars().all()
        spanish = db.session.execute(sa.select(QuestionSet.id).where(
            QuestionSet.language == "es").order_by(QuestionSet.id)).scalars().first()
    pages.get("staff-question-set", browser, f"/staff/question-sets/{set_ids[0]}")
    # A published translation beside its source, each question in its own language.
    pages.get("staff-question-set-translation", browser, f"/staff/question-sets/{spanish}/translation")
    pages.get("staff-metrics", browser, "/staff/metrics")
    pages.get("staff-accounts", browser, "/staff/accounts")
    integrations = pages.get("staff-integrations-empty", browser, "/staff/integrations")
    token = csrf_from(integrations)
    pages.keep("staff-integrations-key-refused", browser.post("/staff/integrations/keys", data={
        "key-csrf_token": token, "key-organisation": ""}))
    pages.keep("staff-integrations-new-key", browser.post("/staff/integrations/keys", data={
        "key-csrf_token": token, "key-organisation": "Northwind Analytics Ltd", "key-name": "Workable"}))
    pages.keep("staff-integrations-endpoint-refused", browser.post("/staff/integrations/endpoints", data={
        "endpoint-csrf_token": token, "endpoint-organisation": "Northwind Analytics Ltd",
        "endpoint-url": "ftp://example.com/hook"}))
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = True
    pages.keep("staff-integrations-new-endpoint", browser.post("/staff/integrations/endpoints", data={
        "endpoint-csrf_token": token, "endpoint-organisation": "Northwind Analytics Ltd",
        "endpoint-url": "http://127.0.0.1:9/hook", "endpoint-events": ["check.released", "check.cancelled"]}))
    pages.get("staff-integrations", browser, "/staff/integrations")
    names = pages.get("staff-employer-names-empty", browser, "/staff/employer-names")
    pages.keep("staff-employer-names-refused", browser.post("/staff/employer-names", data={
        "csrf_token": csrf_from(names), "name": "", "relation": "former_name", "same_as": ""}))
    browser.post("/staff/employer-names", data={"csrf_token": csrf_from(names), "name": "Contoso Data",
                                                "relation": "former_name", "same_as": "Northwind Analytics"})
    pages.get("staff-employer-names", browser, "/staff/employer-names")
    pages.get("api-reference", browser, "/api/v1/docs")
    pages.get("staff-sessions", browser, "/staff/sessions")
    pages.get("staff-sessions-end-others", browser, "/staff/sessions/end-others")
    pages.get("staff-not-found", browser, "/staff/cases/999999", status=404)
    verifier = app.test_client()
    sign_in(verifier, make_staff(app, "lee@verify.example", "verifier"))
    pages.get("staff-forbidden", verifier, "/staff/accounts", status=403)
    sign_in(app.test_client(), staff)  # a second session of the same person, to be ended
    with app.app_context():
        second = db.session.execute(sa.select(PortalSession.id).where(PortalSession.staff_user_id == staff.id)
                                    .order_by(PortalSession.id.desc())).scalars().first()
    pages.get("staff-sessions-two", browser, "/staff/sessions")
    pages.get("staff-session-end", browser, f"/staff/sessions/{second}/end")
    candidate_pages_by_state(app, pages, built)
    # A referee who had not answered when review started finds their request closed.
    review = built["review"]
    closed = app.test_client().get(f"/r/{review.referees['peer']}/{review.tokens['peer']}")
    pages.keep("referee-closed", closed)


def candidate_pages_by_state(app, pages: Pages, built) -> None:
    """The portal as the candidate sees it in each state, through their emailed link."""
    for state, case in built.items():
        if state == "draft":
            continue
        browser = app.test_client()
        link = f"/c/{case.case_id}/{case.tokens['candidate']}"
        opening = pages.get(f"portal-open-link-{state}", browser, link)
        assert browser.post(link, data={"csrf_token": csrf_from(opening)}).status_code in (302, 303)
        pages.get(f"portal-home-{state}", browser, "/portal")
        if state in ("nominating", "collecting", "review", "candidate_review", "released"):
            pages.get(f"portal-receipt-{state}", browser, "/portal/receipt")
            pages.get(f"portal-my-data-{state}", browser, "/portal/my-data")
        if state in ("nominating", "collecting"):
            pages.get(f"portal-history-{state}", browser, "/portal/history")
            pages.get(f"portal-referees-{state}", browser, "/portal/referees")
            pages.get(f"portal-withdraw-{state}", browser, "/portal/withdraw")
        if state in ("candidate_review", "released"):
            pages.get(f"portal-findings-{state}", browser, "/portal/findings")
        if state in ("declined", "withdrawn", "cancelled", "released"):
            pages.get(f"portal-erase-{state}", browser, "/portal/erase")
        if state == "released":
            token = csrf_from(pages.html["portal-home-released"])
            out = browser.post("/portal/signout", data={"csrf_token": token})
            pages.keep("portal-signed-out", out)


def public_pages(app, pages: Pages) -> None:
    """The pages anyone can open, and what a wrong link shows."""
    browser = app.test_client()
    pages.get("public-index", browser, "/")
    pages.get("public-privacy", browser, "/privacy")
    form = pages.get("public-verify", browser, "/verify")
    pages.keep("public-verify-no-match", browser.post("/verify", data={
        "csrf_token": csrf_from(form), "sha256": "0" * 64}))
    link = pages.get("public-request-link", browser, "/link")
    pages.keep("public-link-sent", browser.post("/link", data={
        "csrf_token": csrf_from(link), "email": "someone@example.org"}))
    pages.get("portal-link-refused", browser, "/c/1/not-a-real-token", status=404)
    pages.get("portal-signed-out-anonymous", browser, "/portal", status=401)
    pages.get("referee-link-refused", browser, "/r/nobody/not-a-real-token", status=404)
    pages.get("not-found", browser, "/no-such-page", status=404)


def journey_pages(app, pages: Pages, staff, sent_case) -> None:
    """A candidate names referees through the forms, and the referees answer, correct and withdraw."""
    candidate = app.test_client()
    opening = candidate.get(sent_case.path)
    assert opening.status_code == 200
    enter_portal(candidate, sent_case)
    pages.get("portal-decide", candidate, "/portal")
    refused = candidate.post("/portal/consent", data={"csrf_token": csrf_from(pages.html["portal-decide"])})
    pages.keep("portal-decide-errors", refused)
    consent(candidate)
    pages.get("portal-home-first-visit", candidate, "/portal")
    pages.get("portal-history-empty", candidate, "/portal/history")
    state_work_history(candidate)
    pages.get("portal-referees-empty", candidate, "/portal/referees")
    pages.keep("portal-referees-errors", nominate(candidate, name=""))
    nominate(candidate, **MANAGER)
    nominate(candidate, **peer(1))
    page = pages.get("portal-referees-named", candidate, "/portal/referees")
    assert candidate.post("/portal/referees/invite", data={"csrf_token": csrf_from(page)}).status_code == 303
    links = invitation_links(app)

    first = app.test_client()
    pages.get("referee-open-link", first, links[MANAGER["name"]])
    first = enter_referee(app, links[MANAGER["name"]])
    pages.get("referee-attest", first, "/referee")
    html = attest_referee(first).get_data(as_text=True)
    pages.keep("referee-questions", first.get("/referee"))
    pages.keep("referee-questions-errors", first.post("/referee", data={"csrf_token": csrf_from(html)}))
    assert first.post("/referee", data=full_answers(html)).status_code == 303
    pages.get("referee-thanks", first, "/referee/thanks")
    pages.get("referee-answers", first, "/referee/answers")
    pages.get("referee-correct", first, "/referee/correct")
    pages.get("referee-withdraw", first, "/referee/withdraw")

    second = enter_referee(app, links["Peer 1"])
    attest_page = second.get("/referee").get_data(as_text=True)
    declined = second.post("/referee/decline", data={"csrf_token": csrf_from(attest_page),
                                                    "reason": "I have moved on.", "call": "y"},
                           follow_redirects=True)
    pages.keep("referee-declined", declined)
    pages.get("portal-home-collecting-journey", candidate, "/portal")


def check(pages: Pages, folder: Path) -> list[str]:
    """Run the checker once over every page kept; return its errors as 'file:line: message'."""
    command = checker()
    for name, text in pages.html.items():
        (folder / f"{name}.html").write_text(text)
    result = subprocess.run([*command, str(folder)], capture_output=True, text=True, timeout=600)  # noqa: S603
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    problems = []
    for message in report["messages"]:
        name = message.get("url", "").rsplit("/", 1)[-1]
        extract = " ".join(message.get("extract", "").split())[:100]
        problems.append(f"{name}:{message.get('lastLine', '?')}: {message['message']}  [{extract}]")
    return problems


# A page broken on purpose, checked in the same run: proves the checker ran and reports file and line.
BROKEN = ('<!DOCTYPE html>\n<html lang="en"><head><title>x</title></head><body>\n'
          '<p id="a">one</p><p id="a">two</p>\n'
          '<time datetime="2026-12-06T10:00:00.123456+00:00">then</time></body></html>\n')


def test_every_page_is_valid_html(app, staff, sent_case, tmp_path):
    checker()  # skip early, before building every page, when the checker is missing
    pages = Pages()
    public_pages(app, pages)
    journey_pages(app, pages, staff, sent_case)
    staff_pages(app, pages, staff)
    assert len(pages.html) > 60
    pages.html["zz-broken-on-purpose"] = BROKEN
    folder = tmp_path / "pages"  # the test's database lives in tmp_path too: check only the pages
    folder.mkdir()
    problems = check(pages, folder)
    planted = [p for p in problems if p.startswith("zz-broken-on-purpose.html:")]
    assert any(p.startswith("zz-broken-on-purpose.html:3: Duplicate ID") for p in planted), problems
    assert any(p.startswith("zz-broken-on-purpose.html:4:") and "fraction of a second" in p
               for p in planted), problems
    problems = [p for p in problems if p not in planted]
    assert problems == [], f"{len(problems)} HTML errors:\n" + "\n".join(problems)
