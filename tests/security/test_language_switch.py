"""The language switch pressed again and again: only the first changes a minute lock the case and audit."""

import re

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.i18n import LANGUAGE_CHOICE_LIMIT
from refcheck.models import AuditEvent, Candidate

from ..conftest import OTHER_CANDIDATE, csrf_from, enter_portal, send_case
from .conftest import rebuilt


def test_a_switch_pressed_thirty_times_keeps_ten_changes_and_never_fails(limited_app, sent_case):
    browser = limited_app.test_client()
    enter_portal(browser, sent_case)
    token = csrf_from(browser.get("/portal").data)
    statuses = []
    for press in range(30):
        language = ("es", "fr")[press % 2]
        pressed = browser.post("/portal", data={"csrf_token": token, "choose_language": language})
        statuses.append(pressed.status_code)
    assert set(statuses) == {303}  # the person is never shown an error for it
    allowed = int(LANGUAGE_CHOICE_LIMIT.split()[0])
    with limited_app.app_context():
        audited = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "language.chosen")).scalar_one()
        kept = db.session.execute(sa.select(Candidate.language)).scalar_one()
    assert audited == allowed
    assert kept == ("es", "fr")[(allowed - 1) % 2]  # the last change kept
    page = browser.get("/portal")
    assert page.status_code == 200
    assert re.search(r'<html lang="([^"]+)"', page.get_data(as_text=True)).group(1) == kept


def test_the_allowance_is_each_persons_not_their_offices(limited_app, staff, sent_case):
    first, second = limited_app.test_client(), limited_app.test_client()
    enter_portal(first, sent_case)
    enter_portal(second, send_case(limited_app, staff, OTHER_CANDIDATE))  # same address, another person
    for browser in (first, second):
        token = csrf_from(browser.get("/portal").data)
        for press in range(12):
            browser.post("/portal", data={"csrf_token": token, "choose_language": ("es", "fr")[press % 2]})
    allowed = int(LANGUAGE_CHOICE_LIMIT.split()[0])
    with limited_app.app_context():
        audited = db.session.execute(sa.select(AuditEvent.case_id, sa.func.count()).where(
            AuditEvent.action == "language.chosen").group_by(AuditEvent.case_id)).all()
    assert sorted(count for _case, count in audited) == [allowed, allowed]


def test_a_language_change_is_kept_when_the_limits_store_is_down(app, sent_case, caplog):
    signed_in = app.test_client()
    enter_portal(signed_in, sent_case)
    # A worker whose limits' store (Redis) is unreachable, nothing listening on port 1, and that has served
    # no rate-limited page since, so nothing has switched it to counting in memory: the change is kept
    # rather than shown as an error page.
    down = rebuilt(app, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                   RATELIMIT_SINGLE_PROCESS=True)
    browser = down.test_client()
    browser.set_cookie(app.config["SESSION_COOKIE_NAME"],
                       signed_in.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    page = browser.get("/portal")
    assert page.status_code == 200
    pressed = browser.post("/portal", data={"csrf_token": csrf_from(page.data), "choose_language": "fr"})
    assert pressed.status_code == 303
    assert "Could not count a language change" in caplog.text  # the store was really asked, and failed
    with down.app_context():
        assert db.session.execute(sa.select(Candidate.language)).scalar_one() == "fr"
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
