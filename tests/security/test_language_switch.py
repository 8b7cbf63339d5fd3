"""The language switch pressed again and again: only the first changes a minute lock the case and audit."""

import re

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.i18n import LANGUAGE_CHOICE_LIMIT
from refcheck.models import AuditEvent, Candidate

from ..conftest import csrf_from, enter_portal


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
