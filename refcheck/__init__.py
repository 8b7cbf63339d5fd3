"""refcheck: reference checks that treat the candidate as a customer."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import time
from pathlib import Path
from typing import Any

from flask import Flask, abort, g, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    case_counts,  # noqa: F401 - its hooks keep the counts by state with every change
    config,
    dates,
    i18n,
    logs,
)
from .extensions import csrf, db, limiter, login_manager, migrate
from .report_summary import spaced_fingerprint
from .words import ENGLISH, Words

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors and commands."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("REFCHECK_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
        template_folder=str(template_folder()),
    )
    config.load(app, test_config)
    logs.install()
    if app.config["PROXY_COUNT"]:
        # Behind N trusted proxies, take the client address and scheme from their headers.
        # Flask's documented way to wrap its WSGI app; mypy sees only a method being replaced.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"],  # type: ignore[method-assign]
                                x_proto=app.config["PROXY_COUNT"])
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_response_hooks(app)
    app.add_template_filter(spaced_fingerprint, "fingerprint")
    app.add_template_filter(dates.machine, "machine")
    register_commands(app)
    return app


def template_folder() -> Path:
    """Return the templates: inside the package when installed, beside it in a checkout."""
    installed = Path(__file__).resolve().parent / "templates"
    return installed if installed.is_dir() else ROOT / "templates"


def register_extensions(app: Flask) -> None:
    """Bind the extensions, the key ring and SQLite's safety settings to the app."""
    from .crypto import KeyRing

    app.extensions["refcheck.keyring"] = KeyRing.from_config(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None  # server-side sessions do this job, see accounts.py
    limiter.init_app(app)
    i18n.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
        # The key store has one small table outside the main database's migrations.
        from . import api_models, keystore, models  # noqa: F401 - every table in the one metadata

        keystore.ensure_table()
        app.extensions["refcheck.keyring_stamp"] = models.keys_file_stamp()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on foreign keys, write-ahead logging and a busy timeout for every connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten in the file, so an erased case leaves nothing in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    """Attach the pages of every audience."""
    from . import web

    web.register_blueprints(app)


# The API's problem type for each error status the app raises: JSON there, never an HTML page.
API_PROBLEMS = {400: "invalid-json", 401: "unauthorized", 403: "not-found", 404: "not-found",
                405: "method-not-allowed", 413: "too-large", 429: "rate-limited", 500: "server-error",
                503: "unavailable"}


def _api_detail(code: int, error: Any) -> str:
    """Say what went wrong with an API call, in the API's words."""
    if code in (403, 404):
        return "There is nothing here, or nothing of yours."
    if code == 405:
        return f"This route does not take {request.method}."
    if code == 400:
        return "The request could not be read."
    return str(getattr(error, "description", "")) or "Something went wrong on our side; nothing was saved."


def register_errorhandlers(app: Flask) -> None:
    """Render a kind page per error status, never a stack trace; the API answers in problem details."""
    from .web.api import base as api

    def render_error(error: Any) -> Any:
        code = getattr(error, "code", 500) or 500
        if code == 500:
            db.session.rollback()
        if api.is_api_request():
            # Keep what the error says in its headers: a 405 names the methods that are allowed.
            headers = dict(error.get_headers()) if hasattr(error, "get_headers") else {}
            kept = {name: value for name, value in headers.items() if name in ("Allow", "Retry-After")}
            return api.problem_response(API_PROBLEMS.get(code, "server-error"), _api_detail(code, error),
                                        headers=kept)
        return render_template("error.html", code=code, error=error), code

    for code in (400, 401, 403, 404, 405, 413, 500):
        app.register_error_handler(code, render_error)
    app.register_error_handler(429, rate_limited)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template("error.html", code=400, error=error, csrf=True), 400

    app.register_error_handler(DBAPIError, database_error)


# SQLite result codes and PostgreSQL SQLSTATEs that mean "cannot write now, try again later"
# (busy, read-only, disk full, connection lost, shutting down, serialisation failure), not a bug.
SQLITE_UNAVAILABLE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR",
                      "SQLITE_CANTOPEN", "SQLITE_PROTOCOL", "SQLITE_NOMEM")
SQLSTATE_UNAVAILABLE = ("08", "25006", "40001", "40P01", "53", "55P03", "57P", "58")


def database_unavailable(error: DBAPIError) -> bool:
    """Say whether a database error means the database cannot take the change now, not a bug."""
    if error.connection_invalidated:
        return True
    name = getattr(error.orig, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(SQLITE_UNAVAILABLE)
    state = getattr(error.orig, "sqlstate", None)
    if state is not None:
        return state.startswith(SQLSTATE_UNAVAILABLE)
    # A driver error without a server code: the connection itself could not be made or was lost.
    return isinstance(error, OperationalError)


def database_error(error: DBAPIError) -> Any:
    """Say kindly that nothing was saved and the link still works; let other database errors through."""
    if not database_unavailable(error):
        raise error
    # Drop the failed transaction and hand its connection back. Close rather than roll back: after
    # a failed COMMIT the transaction has already ended, and with no connection the rollback fails too.
    with contextlib.suppress(DBAPIError):
        db.session.close()
    g.pop("mail_queued", None)  # nothing was saved, so nothing waits to be sent
    # The page must not ask the database who is signed in: Flask-Login's template context would.
    g.setdefault("_login_user", login_manager.anonymous_user())
    code = getattr(error.orig, "sqlite_errorname", None) or getattr(error.orig, "sqlstate", None)
    # The error's text can hold SQL parameters: log only its kind.
    log.warning("Database unavailable (%s %s); the change was not saved.", type(error.orig).__name__, code)
    from .web.api import base as api

    if api.is_api_request():
        return api.problem_response("unavailable", "The service cannot take the change now; nothing was "
                                    "saved. Retry after a minute.", headers={"Retry-After": "60"})
    return render_template("error.html", code=503, error=None), 503, {"Retry-After": "60"}


def rate_limited(error: Any) -> Any:
    """Say kindly that a limit was reached and when to try again, in words and in Retry-After."""
    current = limiter.current_limit
    reset_at = current.reset_at if current is not None else time.time() + 60
    wait = max(1, math.ceil(reset_at - time.time()))
    again_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)
    # Round the clock time up, so "after 14:49" is never a moment too early.
    again_at = again_at.replace(second=0, microsecond=0) + dt.timedelta(
        minutes=1 if again_at.second or again_at.microsecond else 0)
    from .web.api import base as api

    if api.is_api_request():
        return api.problem_response("rate-limited", f"Too many calls; try again in {_wait_in_words(wait)}.",
                                    headers={"Retry-After": str(wait)})
    response = make_response(render_template(
        "error.html", code=429, error=error, retry_in=_wait_in_words(wait, i18n.WORDS),
        retry_at=again_at.strftime("%H:%M UTC")), 429)
    response.headers["Retry-After"] = str(wait)
    return response


def _wait_in_words(seconds: int, words: Words = ENGLISH) -> str:
    """Say a short wait the way a person would: '40 seconds', 'about 3 minutes', 'about 2 hours'.

    The page says it in the visitor's language (refcheck.i18n.WORDS); the API in English.
    """
    if seconds < 60:
        return words.ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return words.ngettext("about %(num)d minute", "about %(num)d minutes", minutes)
    return words.ngettext("about %(num)d hour", "about %(num)d hours", math.ceil(minutes / 60))


def register_response_hooks(app: Flask) -> None:
    """Send queued local mail after a request, and set security headers on every response."""
    from . import mail
    from .models import utcnow

    @app.before_request
    def refuse_nul_characters() -> None:
        # No database column can hold a NUL character (PostgreSQL refuses it outright): whatever the
        # field, a request carrying one is answered 400 before anything reads it.
        if any("\x00" in value for values in (request.args, request.form)
               for _, value in values.items(multi=True)):
            abort(400)

    @app.after_request
    def deliver_local_mail(response: Any) -> Any:
        # Local mode shows mail at once so a newcomer can click through without a worker.
        if g.get("mail_queued") and app.config["MAIL_BACKEND"] == "console":
            transport = mail.transport_for(app.config, app.instance_path)
            for message in mail.due_messages(utcnow()):
                mail.attempt(message, transport, utcnow())
            db.session.commit()
        return response

    @app.after_request
    def security_headers(response: Any) -> Any:
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # No other site's window keeps a handle on ours, and no page may ask for devices.
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        # Pages opened from emailed links carry tokens in their URL: never send them onward.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Cache-Control", "no-store")
        if app.config["MODE"] == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def register_commands(app: Flask) -> None:
    """Add the refcheck commands to `flask`."""
    from . import cli

    cli.register(app)
