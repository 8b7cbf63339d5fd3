"""Each person's language: guessed from the browser, chosen on any page, kept, and used for their mail."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from refcheck import dates
from refcheck.extensions import db
from refcheck.i18n import writing_in
from refcheck.models import AuditEvent, Candidate, Case, Consent, Finding, OutboxMessage, Referee
from refcheck.review import heading_in_words

from .api_helpers import bearer, order_body, ready
from .conftest import csrf_from, enter_portal, enter_referee, sign_in
from .lifecycle_cases import build
from .test_cases import GOOD


def _lang(page) -> str:
    return re.search(r'<html lang="([^"]+)"', page.get_data(as_text=True)).group(1)


def _choose(client, language: str, on: str = "/"):
    """Press a language's button in the page's switch: it posts to the page itself."""
    page = client.get(on)
    return client.post(on, data={"csrf_token": csrf_from(page.data), "choose_language": language})


def test_a_new_visitor_is_first_guessed_from_accept_language(client):
    assert _lang(client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})) == "fr"
    assert _lang(client.get("/", headers={"Accept-Language": "es-MX,es;q=0.8"})) == "es"
    # A language refcheck is not written in falls through to one it is, or to English.
    assert _lang(client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,es;q=0.5"})) == "es"
    assert _lang(client.get("/", headers={"Accept-Language": "de-DE"})) == "en"
    assert _lang(client.get("/")) == "en"


def test_the_choice_is_kept_over_the_browser_guess_and_leads_back_to_the_same_page(client):
    answer = _choose(client, "es", on="/privacy")
    assert answer.status_code == 303 and answer.headers["Location"] == "/privacy"
    assert _choose(client, "es", on="/verify?fingerprint=x").headers["Location"] == "/verify?fingerprint=x"
    # The browser still says French; the person said Spanish.
    assert _lang(client.get("/privacy", headers={"Accept-Language": "fr"})) == "es"
    page = client.get("/").get_data(as_text=True)
    # The current language is marked, not offered again; the others are buttons named in their own language.
    assert '<span lang="es" aria-current="true">Español</span>' in page
    assert 'value="fr" lang="fr"' in page and 'value="en" lang="en"' in page


def test_the_choice_needs_the_form_token_and_a_known_language(client):
    assert client.post("/privacy", data={"choose_language": "fr"}).status_code == 400
    assert _lang(client.get("/")) == "en"
    assert _choose(client, "de", on="/privacy").status_code == 400
    assert _lang(client.get("/")) == "en"


def test_a_choice_on_a_page_shown_after_a_form_leads_to_the_persons_first_page(app, client, sent_case):
    enter_portal(client, sent_case)
    page = client.get("/portal")
    # The decline page takes only a form; shown again after it, it cannot be asked for.
    answer = client.post("/portal/decline", data={"csrf_token": csrf_from(page.data),
                                                  "choose_language": "fr"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/portal"
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        # Nothing but the language changed: the candidate has not declined.
        assert (case.state, case.candidate.language) == ("awaiting_consent", "fr")


def test_no_address_is_written_into_the_page_for_the_switch(app, invited):
    html = app.test_client().get(invited["Grace Lindqvist"]).get_data(as_text=True)
    token = invited["Grace Lindqvist"].rsplit("/", 1)[1]
    # The link's token is in the address the referee opened, and nowhere in what the page writes.
    assert html.count(token) == 0 and 'name="choose_language"' in html


def test_staff_open_a_case_in_the_candidates_language_and_staff_pages_stay_english(app, client, staff):
    sign_in(client, staff)
    page = client.get("/staff/cases/new", headers={"Accept-Language": "fr"})
    assert _lang(page) == "en"
    text = page.get_data(as_text=True)
    assert '<option value="fr">French</option>' in text
    # No language switch on staff pages: they are written in English.
    assert 'name="choose_language"' not in text
    case_id = _open_case(client, text, language="fr")
    with app.app_context():
        assert db.session.get(Case, case_id).candidate.language == "fr"


def _open_case(client, form_page: str, language: str) -> int:
    data = {**GOOD, "language": language, "csrf_token": csrf_from(form_page)}
    answer = client.post("/staff/cases/new", data=data)
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:2000]
    return int(re.search(r"/staff/cases/(\d+)", answer.headers["Location"]).group(1))


def test_a_hiring_system_orders_in_the_candidates_language_and_only_a_known_one(app, client):
    key, package_id = ready(app)
    body = order_body(package_id)
    german = {**body, "candidate": {**body["candidate"], "language": "de"}}
    refused = client.post("/api/v1/checks", json=german, headers=bearer(key))
    assert refused.status_code == 422
    spanish = {**body, "candidate": {**body["candidate"], "language": "es"}}
    answer = client.post("/api/v1/checks", json=spanish, headers=bearer(key))
    assert answer.status_code == 201, answer.json
    with app.app_context():
        assert db.session.get(Case, answer.json["id"]).candidate.language == "es"


def test_the_candidate_chooses_on_any_page_and_it_is_kept_on_their_record(app, client, sent_case):
    enter_portal(client, sent_case)
    assert _lang(client.get("/portal")) == "en"
    assert _choose(client, "fr", on="/portal").headers["Location"] == "/portal"
    # Kept on the record: another browser, signed in with a new link, reads French too.
    with app.app_context():
        candidate = db.session.get(Case, sent_case.id).candidate
        assert candidate.language == "fr"
        actions = db.session.execute(sa.select(AuditEvent.action, AuditEvent.details).where(
            AuditEvent.case_id == sent_case.id, AuditEvent.action == "language.chosen")).all()
        assert [(a, d["language"]) for a, d in actions] == [("language.chosen", "fr")]
        # Their record, not the browser's guess, decides once they are signed in.
    assert _lang(client.get("/portal", headers={"Accept-Language": "es"})) == "fr"
    # Choosing the language already kept changes nothing and audits nothing.
    _choose(client, "fr", on="/portal")
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "language.chosen")).scalar_one() == 1


def test_referees_start_in_the_candidates_language_and_choose_their_own(app, client, invited):
    with app.app_context():
        case_id = db.session.execute(sa.select(Case.id)).scalar_one()
    browser = enter_referee(app, invited["Grace Lindqvist"])
    assert _lang(browser.get("/referee")) == "en"
    _choose(browser, "es", on="/referee")
    assert _lang(browser.get("/referee")) == "es"
    with app.app_context():
        languages = {r.details["name"]: r.language for r in db.session.execute(
            sa.select(Referee).where(Referee.case_id == case_id)).scalars()}
        # Only the referee who chose changed; the candidate's language is theirs alone.
        assert languages == {"Grace Lindqvist": "es", "Peer 1": "en"}
        assert db.session.execute(sa.select(Candidate.language)).scalar_one() == "en"


def test_a_candidates_emails_are_written_in_their_language_whoever_sends_them(app, client, sent_case):
    enter_portal(client, sent_case)
    _choose(client, "es", on="/portal")
    page = client.get("/portal")
    # The candidate declines; the confirmation is queued in their request, in their language.
    client.post("/portal/decline", data={"csrf_token": csrf_from(page.data), "reason": ""})
    with app.app_context():
        message = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.kind == "consent_declined")).scalar_one()
        assert message.subject == "Ha rechazado la verificación de referencias", message.subject


def test_dates_are_written_as_each_language_writes_them():
    moment = dt.datetime(2026, 12, 6, 14, 5, tzinfo=dt.UTC)
    assert [dates.day_time(moment, locale) for locale in ("en_GB", "es", "fr")] == [
        "6 December 2026, 14:05 UTC", "6 de diciembre de 2026, 14:05 UTC", "6 décembre 2026, 14:05 UTC"]
    assert [dates.month("2023-08", locale) for locale in ("en_GB", "es", "fr")] == [
        "August 2023", "agosto de 2023", "août 2023"]
    # What was typed and is not a month is written as typed.
    assert dates.month("Summer 2019", "fr") == "Summer 2019"


def test_the_receipt_and_the_export_state_the_language_the_candidate_agreed_in(app, client, sent_case):
    import json

    from .conftest import consent

    enter_portal(client, sent_case)
    _choose(client, "es", on="/portal")
    assert consent(client).status_code in (302, 303)
    # Read later in French: the record of the decision still says Spanish, in Spanish.
    _choose(client, "fr", on="/portal")
    page = client.get("/portal/receipt").get_data(as_text=True)
    assert "Lu et décidé en" in page and '<dd lang="es">Español</dd>' in page
    receipt = json.loads(client.get("/portal/receipt.json").data)
    assert receipt["language"] == "es"
    assert receipt["collectionMethod"].startswith("Firmado")
    export = json.loads(client.get("/portal/my-data.json").data)
    assert export["consents"][0]["language"] == "es" and export["you"]["language"] == "fr"
    with app.app_context():
        assert db.session.execute(sa.select(Consent.language)).scalar_one() == "es"


def test_the_consent_records_the_language_of_the_page_agreed_on_not_one_chosen_since(app, client, sent_case):
    enter_portal(client, sent_case)
    _choose(client, "es", on="/portal")
    shown = client.get("/portal").get_data(as_text=True)
    assert 'name="shown_in" value="es"' in shown
    # Another tab switches to French before this one is sent.
    _choose(client, "fr", on="/privacy")
    client.post("/portal/consent", data={"csrf_token": csrf_from(shown), "signature": "Amira Okafor",
                                         "agree": "y", "shown_in": "es"})
    with app.app_context():
        assert db.session.execute(sa.select(Consent.language)).scalar_one() == "es"


def test_a_positions_heading_is_written_from_its_title_and_employer_kept_apart(app, staff):
    # An employer with " at " in its name: the heading is never split inside it.
    with app.test_request_context(), writing_in("es"):
        kept_apart = {"title": "Data Engineer", "employer": "Bank at Home Ltd"}
        assert heading_in_words("Data Engineer at Bank at Home Ltd", kept_apart) == \
            "Data Engineer en Bank at Home Ltd"
        untitled = {"title": "Data Engineer", "employer": ""}
        assert heading_in_words("Data Engineer", untitled) == "Data Engineer"
        # A finding frozen before positions were kept apart: split at its last " at ".
        assert heading_in_words("Data Engineer at Northwind") == "Data Engineer en Northwind"
    built = build(app, staff.id, "candidate_review")
    with app.app_context():
        rows = db.session.execute(sa.select(Finding).where(Finding.case_id == built.case_id)).scalars().all()
        positions = [row.content["position"] for row in rows if row.content["position"]]
        assert positions and all(p["title"] and p["employer"] for p in positions)
