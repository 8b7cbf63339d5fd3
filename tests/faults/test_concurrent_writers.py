"""Several app processes write to the database at once: no "database is locked" and no lost answer."""

import re
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AuditEvent, Referee, Response

from ..conftest import csrf_from, full_answers
from .conftest import HttpBrowser, invite_referees, sqlite_only


def _referee_journey(base: str, path: str, start: threading.Barrier) -> list[tuple[str, int, str]]:
    """Open the link (twice, as from two tabs), attest and answer over HTTP; return every response."""
    browser = HttpBrowser(base)
    seen = []

    def step(label, status_body):
        seen.append((label, *status_body))
        return status_body[1]

    start.wait(timeout=60)
    try:
        for tab in (1, 2):
            page = step(f"open link {tab}", browser.get(path))
            step(f"use link {tab}", browser.post(path, {"csrf_token": csrf_from(page)}))
        page = step("attest page", browser.get("/referee"))
        step("attest", browser.post("/referee/attest", {"csrf_token": csrf_from(page), "identity": "y",
                                                        "truthful": "y"}))
        page = step("questions", browser.get("/referee/all"))
        step("answer", browser.post("/referee", full_answers(page)))
    except AssertionError:
        pass  # a page without its form: the step before it failed, and is in `seen`
    return seen


@sqlite_only
def test_sqlite_with_four_writer_processes_shows_no_user_a_locked_database(app, staff, served, runner):
    links = [link for case_no in (1, 2) for link in invite_referees(app, staff, case_no)]
    assert len(links) == 8
    start = threading.Barrier(len(links))
    with ThreadPoolExecutor(len(links)) as pool:
        journeys = list(pool.map(lambda link: _referee_journey(served.base, link, start), links))

    responses = [step for journey in journeys for step in journey]
    failed = [(label, status) for label, status, body in responses if status not in (200, 303)]
    assert failed == []
    assert len(responses) == 8 * 8
    assert not [label for label, _, body in responses if re.search("database is locked", body, re.I)]
    assert [status for label, status, _ in responses if label == "answer"] == [303] * 8
    log = served.log_text()
    assert "database is locked" not in log and "Traceback" not in log
    # The writes really came from several processes at once.
    assert len(set(re.findall(r"^<(\d+)> POST ", log, re.M))) >= 2

    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one() == 8
        assert set(db.session.execute(sa.select(Referee.state)).scalars()) == {"submitted"}
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit chain intact" in result.output


def _download(base: str, cookie: str, path: str, start: threading.Barrier) -> tuple[int, bytes]:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    start.wait(timeout=60)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@sqlite_only
def test_parallel_audited_downloads_keep_the_audit_chain_whole(app, ready, sent_case, staff, served, runner):
    base = f"/staff/cases/{sent_case.id}"
    released = ready.post(f"{base}/release", data={"csrf_token": csrf_from(ready.get(base).data)},
                          follow_redirects=True)
    assert b"Version 1 of the report is released" in released.data
    browser = HttpBrowser(served.base)
    page = browser.get("/staff/login")[1]
    assert browser.post("/staff/login", {"csrf_token": csrf_from(page), "email": staff.email,
                                         "password": staff.password})[0] in (302, 303)
    # Each download writes one audit event, and each event must follow the one before it.
    start = threading.Barrier(12)
    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(lambda _: _download(served.base, browser.cookie_header(),
                                                    f"{base}/report.pdf", start), range(12)))
    assert [status for status, _ in results] == [200] * 12
    assert len({body for _, body in results}) == 1 and results[0][1].startswith(b"%PDF")
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "report.downloaded")).scalar_one() == 12
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit chain intact" in result.output, result.output
