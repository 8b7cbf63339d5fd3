"""Twenty copies of one referee's form sent at once: exactly one is saved, the rest see a calm page."""

import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AuditEvent, FraudSignal, Referee, Response

from ..conftest import csrf_from, full_answers
from .conftest import HttpBrowser

COPIES = 20


def _send(base: str, cookie: str, body: bytes, start: threading.Barrier) -> tuple[int, str, str]:
    """Send the form once, from the same session, as soon as every copy is ready."""
    request = urllib.request.Request(base + "/referee", data=body, headers={"Cookie": cookie})
    browser = HttpBrowser(base)
    start.wait(timeout=60)
    try:
        with browser.opener.open(request, timeout=60) as response:
            return response.status, "", response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location", ""), err.read().decode()


def test_twenty_parallel_submissions_of_one_form_save_exactly_one(app, invited, served, runner):
    path = invited["Grace Lindqvist"]
    referee_id = path.split("/")[2]
    browser = HttpBrowser(served.base)
    page = browser.get(path)[1]
    assert browser.post(path, {"csrf_token": csrf_from(page)})[0] == 303
    page = browser.get("/referee")[1]
    assert browser.post("/referee/attest", {"csrf_token": csrf_from(page), "identity": "y",
                                            "truthful": "y"})[0] == 303
    body = urllib.parse.urlencode(full_answers(browser.get("/referee/all")[1])).encode()

    start = threading.Barrier(COPIES)
    with ThreadPoolExecutor(COPIES) as pool:
        results = list(pool.map(lambda _: _send(served.base, browser.cookie_header(), body, start),
                                range(COPIES)))

    outcomes = sorted((status, location) for status, location, _ in results)
    # The one that was saved goes on to be thanked; the others are told their answers are already
    # with us (a twin that lost the race at the database) or shown the answers they already sent.
    saved = [(status, location) for status, location in outcomes
             if status == 303 and location != "/referee/answers"]
    assert len(saved) == 1, outcomes
    for status, location, text in results:
        if (status, location) != saved[0]:
            assert (status == 200 and "Thank you" in text) or (
                status == 303 and location == "/referee/answers"), (status, location)
    assert "Traceback" not in served.log_text()

    with app.app_context():
        count = lambda model, *where: db.session.execute(  # noqa: E731
            sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()
        assert count(Response, Response.referee_id == referee_id) == 1
        assert count(AuditEvent, AuditEvent.action == "referee.submitted") == 1
        signals = db.session.execute(sa.select(FraudSignal.rule).where(
            FraudSignal.referee_id == referee_id)).scalars().all()
        assert len(signals) == len(set(signals))  # each signal once, not once per copy
        assert db.session.get(Referee, referee_id).state == "submitted"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit chain intact" in result.output
