"""Languages: which one a page or an email is written in, and how a person's choice is found and kept.

A candidate or a referee reads refcheck in their own language: the one on their record once they are
signed in (staff choose the candidate's when opening the case; each person can change theirs from any
page), otherwise the one this browser chose, otherwise the best match for the browser's
Accept-Language. Staff and hiring-side pages stay in English.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from babel import Locale
from babel.numbers import format_decimal
from flask import Flask, abort, current_app, g, has_request_context, redirect, request, session
from flask_babel import Babel, force_locale, get_locale, gettext, ngettext, refresh
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from limits import parse as parse_limit
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response
from wtforms import ValidationError

from . import dates
from .words import ENGLISH_NAMES, LANGUAGES

DEFAULT = "en"
# Babel's locale per language. English dates keep the British order refcheck has always used: 6 December 2026.
LOCALES = {"en": "en_GB", "es": "es", "fr": "fr"}

log = logging.getLogger(__name__)

# The browser's own choice, kept in its signed session cookie until it signs in somewhere.
SESSION_KEY = "language"
# A page opened by a person's emailed link, before it is exchanged for a session, knows whose it is.
READER_KEY = "refcheck_link_reader"
# The switch on every page posts this field to the page itself (refcheck.i18n.language_chosen).
CHOICE_FIELD = "choose_language"
# How often a signed-in person's choice is kept on their record.
LANGUAGE_CHOICE_LIMIT = "10 per minute"

babel = Babel()


class Translated:
    """Words for pure modules (refcheck.words) in the language of the page or email being written."""

    def gettext(self, string: str, **variables: Any) -> str:
        """Return `string` in the current language, its values filled in."""
        return str(gettext(string, **variables))

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        """Return the form for `num` in the current language."""
        return str(ngettext(singular, plural, num, **variables))

    def month(self, value: str) -> str:
        """Write a stored month in the current language."""
        return dates.month(value, current_locale())


WORDS = Translated()


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with refcheck's locale selector; a trans block is one line, however it is laid out."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LOCALES[DEFAULT])
    babel.init_app(app, locale_selector=_locale_for_request)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.before_request(language_chosen)
    app.jinja_env.globals.update(languages=LANGUAGES, current_language=current_language, words=WORDS,
                                  language_names=ENGLISH_NAMES, language_name=language_name)
    for name, write in dates.FOR_PEOPLE.items():
        app.add_template_filter(_in_current_locale(write), name)
    app.add_template_filter(period)
    app.add_template_filter(thousands)


def valid(language: str | None) -> str:
    """Return `language` if refcheck is written in it, else the default: no stored value is trusted."""
    return language if language in LANGUAGES else DEFAULT


def current_language() -> str:
    """Return the language of what is being written now: 'en', 'es' or 'fr'."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


def person_language() -> str | None:
    """Return the signed-in candidate's or referee's stored language, if this request has one."""
    record = g.get("portal_session")
    if record is None:
        return None
    try:
        if record.kind == "referee" and record.referee is not None:
            return record.referee.language
        if record.kind == "candidate" and record.case is not None:
            return record.case.candidate.language
    except sa.orm.exc.ObjectDeletedError:
        # Their session went with their erased case on this very request: they are a visitor again.
        return None
    return None


def visitor_language() -> str:
    """Return this browser's choice, the language of the person whose link it opened, or its best guess."""
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return str(chosen)
    if g.get(READER_KEY) in LANGUAGES:
        return str(g.get(READER_KEY))
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT


def reader_known(language: str) -> None:
    """Write this page in the language of the person a valid emailed link names, unless the browser chose."""
    setattr(g, READER_KEY, language)
    refresh()


def _locale_for_request() -> str:
    """Pick the locale Flask-Babel formats and translates this request in."""
    if not has_request_context():
        return LOCALES[DEFAULT]
    if current_user.is_authenticated:
        # Staff and the hiring side work in English; their pages are not translated.
        return LOCALES[DEFAULT]
    return LOCALES[valid(person_language() or visitor_language())]


def language_name(code: str | None) -> str:
    """Name a language in the one being written now: 'Spanish', 'inglés', 'anglais'."""
    return str(Locale.parse(current_locale()).languages.get(valid(code), valid(code)))


def current_locale() -> str:
    """Return Babel's name for the locale being written in now: 'en_GB', 'es' or 'fr'."""
    return LOCALES[current_language()]


def _in_current_locale(write: Callable[..., str]) -> Callable[..., str]:
    """Return a date filter that writes in the locale of the page or email being rendered."""
    @functools.wraps(write)
    def filter_(value: Any, *args: Any) -> str:
        return write(value, *args, locale=current_locale())
    return filter_


def period(start: str | None, end: str | None) -> str:
    """Write a span of months as 'April 2022 to October 2026', or '… to now', in the current language."""
    return gettext("%(start)s to %(end)s", start=dates.month(start, current_locale()),
                   end=dates.month(end, current_locale()) if end else gettext("now"))


def thousands(number: int) -> str:
    """Write a count as the current language groups its digits: 100,000 in English, 100 000 in French."""
    return format_decimal(number, locale=current_locale())


def language_chosen() -> Response | None:
    """Take a language chosen with the switch on any page, then show that page again in it.

    The switch posts to the page's own address, so no address (nor a link's token in it) is written
    into the page. A signed-in candidate's or referee's choice is kept on their record, through the
    command every change to a case takes; a visitor's in their browser's session.
    """
    if request.method != "POST" or CHOICE_FIELD not in request.form:
        return None
    try:
        # Checked here whatever the page: some pages take no form of their own.
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        abort(400)
    language = request.form[CHOICE_FIELD]
    if language not in LANGUAGES:
        abort(400)
    session[SESSION_KEY] = language
    _keep_on_record(language)
    # A page shown after a form was sent cannot be asked for again: start from the person's first page.
    back = request.full_path.rstrip("?") if _shown_by_get(request.path) else _first_page()
    return redirect(back, 303)


def _shown_by_get(path: str) -> bool:
    """Say whether the page at `path` can be asked for again, as the browser will after the choice."""
    adapter = current_app.create_url_adapter(request)
    try:
        adapter.match(path, method="GET")  # type: ignore[union-attr]
    except HTTPException:
        return False
    return True


def _keep_on_record(language: str) -> None:
    """Keep the language on the signed-in candidate's or referee's record, if someone is signed in."""
    from . import access, languages  # the case commands come after the app's languages, not before
    from .commands import Actor, CommandRefused
    from .extensions import db, limiter
    from .models import utcnow

    lifetime = dt.timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    for kind in ("candidate", "referee"):
        record = access.find_session(session.get(f"{kind}_sid"), kind, utcnow(), lifetime, lifetime)
        if record is None or record.case is None:
            continue
        if kind == "referee":
            if record.referee is None:
                continue
            kept, actor = record.referee.language, Actor.referee(record.referee.id, record.case.id)
        else:
            kept, actor = record.case.candidate.language, Actor.candidate(record.case.id)
        if kept == language:
            # Nothing changes: no lock is taken and nothing is audited for a choice already kept.
            continue
        if not _may_keep_another(limiter, actor.name):
            # Each change locks the case and writes to its audit log: a switch pressed again and again
            # (or scripted) keeps only the first changes a minute; the pages stay in the one last kept.
            continue
        try:
            languages.choose(record.case.id, actor, language)
            db.session.commit()
        except CommandRefused:
            # A case the session has moved past: the browser's choice still holds.
            db.session.rollback()


def _may_keep_another(limiter: Any, person: str) -> bool:
    """Count one more kept choice of this person's against LANGUAGE_CHOICE_LIMIT; False once used up.

    Counted per person, not per address: what is protected is their case's lock and audit log, and
    colleagues behind one office address do not share an allowance.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    limit = parse_limit(LANGUAGE_CHOICE_LIMIT)
    try:
        return bool(limiter.limiter.hit(limit, current_app.config["RATELIMIT_KEY_PREFIX"], "language-choice",
                                        person))
    except Exception:  # the limits' store (Redis) is down: a language change is not worth an error page
        log.warning("Could not count a language change against its limit; it was kept.", exc_info=True)
        return True


def _first_page() -> str:
    """Return the first page of whoever is signed in, or the home page."""
    for kind, path in (("referee", "/referee"), ("candidate", "/portal")):
        if session.get(f"{kind}_sid"):
            return path
    return "/"


@contextmanager
def writing_in(language: str | None) -> Iterator[None]:
    """Write what is rendered inside (an email, a receipt) in `language`, whoever the request is for."""
    with force_locale(LOCALES[valid(language)]):
        yield
