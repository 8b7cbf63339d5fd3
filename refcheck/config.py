"""Load configuration: defaults, then instance/config.py, then REFCHECK_* variables."""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url

from .words import LANGUAGES

log = logging.getLogger(__name__)


class Defaults:
    """Settings every deployment starts from; local mode needs nothing else."""

    # "local" generates keys into the instance folder and prints mail; "production" refuses to.
    MODE = "local"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    # Links in email are built from this, never from the request's Host header.
    BASE_URL = "http://127.0.0.1:5000"
    # How many reverse proxies in front of the app to trust for X-Forwarded-For/Proto.
    PROXY_COUNT = 0

    # The key store: a separate database holding each data key's share. Erasing a case deletes its
    # share here, so backups of the main database cannot be read for that case.
    KEYSTORE_URL: str | None = None
    # Candidates who decline have nothing checked: their record goes after this many days at most.
    DECLINED_ERASE_DAYS = 30
    # A case never answered is erased this many days after its candidate's link expired.
    UNANSWERED_ERASE_DAYS = 30
    # A share nothing uses is swept this long after it was made (younger ones may be in flight).
    ORPHAN_SHARE_MINUTES = 60
    # Master keys: "1:<base64 32 bytes>,2:<...>" or a JSON file named by KEYS_FILE.
    MASTER_KEYS: str | None = None
    LOOKUP_KEY: str | None = None
    KEYS_FILE: str | None = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # production mode turns it on
    # Absolute lifetime of a signed-in session, in seconds, however active it is.
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # A staff session left untouched this long ends; activity is recorded at most once a minute.
    STAFF_IDLE_MINUTES = 30
    SESSION_TOUCH_SECONDS = 60
    # A second factor (an authenticator app's code) at sign-in: None means required in production
    # mode and offered in local mode, so the demo stays one command.
    TWO_FACTOR_REQUIRED: bool | None = None
    # Between a right password and the code, the half-signed-in state lasts this long.
    TWO_FACTOR_PENDING_MINUTES = 5
    # Releasing a report and managing accounts need the second factor confirmed this recently.
    STEP_UP_MINUTES = 10
    # Flask-Login's remember cookie is never issued, but should one appear it carries the same flags.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False  # production mode turns it on
    REMEMBER_COOKIE_DURATION = 8 * 3600
    REMEMBER_COOKIE_REFRESH_EACH_REQUEST = False
    WTF_CSRF_TIME_LIMIT = None  # the session's own lifetime bounds the token
    MAX_CONTENT_LENGTH = 1024 * 1024

    RATELIMIT_ENABLED = True
    # "memory://" for one process; "redis://host:6379/0" when several app servers share the limits.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "refcheck"
    RATELIMIT_HEADERS_ENABLED = True
    # If Redis goes away, keep limiting per process rather than failing every request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Production refuses limits kept in memory (each worker would count alone) unless the operator
    # says that exactly one process serves the app.
    RATELIMIT_SINGLE_PROCESS = False

    # Mail: "console" writes to stdout and instance/mail/; "smtp" delivers through SMTP_*.
    MAIL_BACKEND = "console"
    MAIL_FROM = "refcheck@localhost"
    SMTP_HOST = "localhost"
    SMTP_PORT = 25
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    SMTP_TIMEOUT = 10
    MAIL_MAX_ATTEMPTS = 8
    # One `mail send` run goes on this long (cron starts the next), sending at most this many emails a
    # second, as the SMTP provider allows (0: as fast as the server takes them).
    MAIL_RUN_SECONDS = 50
    # A sent email (sealed) is kept this many days, for staff to see what went out, then deleted.
    MAIL_KEEP_SENT_DAYS = 30
    MAIL_RATE_PER_SECOND = 0
    # How staff passwords are hashed, in Werkzeug's words: "scrypt" is scrypt at N=32768, r=8, p=1.
    # The test suite uses a cheaper scrypt; production refuses anything below the default.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  # nosec B105 - an algorithm's name, not a password
    # On SQLite, a cron run leaves the write lock free this many times as long as each item took, so that
    # the pages' writes get in between (0: no pause; PostgreSQL never pauses).
    SQLITE_BATCH_PAUSE = 2

    # Who is responsible for the data (shown on disclosures and consent receipts).
    CONTROLLER_NAME = "Refcheck Verification Services"
    CONTROLLER_EMAIL = "privacy@refcheck.example"
    JURISDICTION = "GB"

    # Pace: how long each step is expected to take, in days.
    CANDIDATE_LINK_DAYS = 14
    CONSENT_DAYS = 5
    NOMINATION_DAYS = 5
    COLLECTION_DAYS = 10
    REVIEW_DAYS = 3
    CANDIDATE_REVIEW_DAYS = 7
    REFEREE_LINK_DAYS = 14
    # Shown in the invitation: how long the questionnaire takes.
    REFEREE_MINUTES = 10
    # Days after the invitation on which referees are reminded, and how many reminders at most.
    REMINDER_DAYS = [2, 4, 7]
    MAX_REMINDERS = 3
    # Months two sources may differ by and still agree (the difference is still shown).
    CROSSVERIFY_TOLERANCE_MONTHS = 2
    # Working days the candidate has to reply to the findings.
    REPLY_WORKING_DAYS = 5
    # Working days within which the case's contact answers a question the candidate asks.
    ENQUIRY_WORKING_DAYS = 2
    # Paper for the PDF report: "A4" or "Letter".
    REPORT_PAGE_SIZE = "A4"
    # The language the report is written in, for the hiring side: "en", "es" or "fr". Candidates and
    # referees read their pages in their own; the report is one document for everyone.
    REPORT_LANGUAGE = "en"
    # Seconds a report may take to render before it is stopped; keep it below the app server's
    # own worker timeout (gunicorn's default is 30) so staff see an error, not a dropped request.
    REPORT_RENDER_TIMEOUT = 25

    # The API: calls a minute per key, and how long an Idempotency-Key is remembered.
    API_RATE_LIMIT = "120 per minute"
    API_IDEMPOTENCY_HOURS = 24
    # Webhooks: seconds to connect and to wait for an answer; days an endpoint may fail before it
    # stops and staff are told; how long one `webhooks send` run goes on.
    WEBHOOK_TIMEOUT = 10
    WEBHOOK_DISABLE_AFTER_DAYS = 5
    WEBHOOK_RUN_SECONDS = 50
    # Plain http endpoints: None allows them in local mode only. Private, loopback and link-local
    # addresses are refused unless the operator allows them (a receiver inside their own network).
    WEBHOOK_ALLOW_HTTP: bool | None = None
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config in order: defaults, instance file, environment, test overrides."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("REFCHECK")
    database_url = os.environ.get("REFCHECK_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if database_url:
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    if test_config:
        app.config.update(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    uri = app.config["SQLALCHEMY_DATABASE_URI"] or (
        "sqlite:///" + str(Path(app.instance_path) / "refcheck.sqlite")
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_uri(uri)
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    # Bound values never appear in SQL logs or database error messages: they can hold personal data.
    options.setdefault("hide_parameters", True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Writers wait for each other instead of failing at once.
        options["connect_args"] = {**options.get("connect_args", {})}
        options["connect_args"].setdefault("timeout", 15)
    else:
        # A pooled connection may have died with a database restart: test it before use, so the
        # first people after a restart are served rather than shown an error page.
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    keystore = app.config["KEYSTORE_URL"] or (
        "sqlite:///" + str(Path(app.instance_path) / "keystore.sqlite")
    )
    binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
    keys_url = _normalise_database_uri(keystore)
    # Engine options reach only the main database's engine; the key store needs its own.
    key_options: dict[str, Any] = {"url": keys_url, "hide_parameters": True}
    if keys_url.startswith("sqlite"):
        key_options["connect_args"] = {"timeout": 15}
    else:
        key_options["pool_pre_ping"] = True  # as for the main database: survive a server restart
        # Every statement the key store runs stands alone (one share written, read or deleted), so
        # it needs no transaction; without one, a page that reads a share saves the BEGIN and the
        # ROLLBACK round trips.
        key_options["isolation_level"] = "AUTOCOMMIT"
    binds["keys"] = key_options
    app.config["SQLALCHEMY_BINDS"] = binds

    if app.config["REPORT_LANGUAGE"] not in LANGUAGES:
        raise RuntimeError(f"REFCHECK_REPORT_LANGUAGE must be one of {', '.join(LANGUAGES)}.")
    if app.config["WEBHOOK_ALLOW_HTTP"] is None:
        app.config["WEBHOOK_ALLOW_HTTP"] = app.config["MODE"] != "production"
    if app.config["TWO_FACTOR_REQUIRED"] is None:
        app.config["TWO_FACTOR_REQUIRED"] = app.config["MODE"] == "production"
    if app.config["MODE"] == "production":
        _require_production_secrets(app)
        _require_shared_limits(app)
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        if app.config.get("APPLICATION_ROOT", "/") == "/" and not app.config.get("SESSION_COOKIE_DOMAIN"):
            # Browsers accept a "__Host-" cookie only over HTTPS, for this exact host and path "/",
            # so a sibling subdomain cannot plant or overwrite the session cookie.
            app.config["SESSION_COOKIE_NAME"] = "__Host-refcheck"
            app.config["REMEMBER_COOKIE_NAME"] = "__Host-remember"
    else:
        _ensure_local_secrets(app)


def _normalise_database_uri(uri: str) -> str:
    """Use psycopg 3 for plain postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


def _require_production_secrets(app: Flask) -> None:
    """Refuse to start in production without a secret key and encryption keys."""
    missing = []
    if not app.config.get("SECRET_KEY"):
        missing.append("REFCHECK_SECRET_KEY")
    if not (app.config.get("MASTER_KEYS") or app.config.get("KEYS_FILE")):
        missing.append("REFCHECK_MASTER_KEYS (or REFCHECK_KEYS_FILE)")
    if not (app.config.get("LOOKUP_KEY") or app.config.get("KEYS_FILE")):
        missing.append("REFCHECK_LOOKUP_KEY (or REFCHECK_KEYS_FILE)")
    if not app.config.get("KEYSTORE_URL"):
        missing.append("REFCHECK_KEYSTORE_URL (a database apart from the main one)")
    elif _same_database(app.config["KEYSTORE_URL"], app.config["SQLALCHEMY_DATABASE_URI"]):
        missing.append("REFCHECK_KEYSTORE_URL naming a database apart from the main one "
                       "(in the main one, every backup would hold the keys)")
    if not _strong_password_hash(str(app.config["PASSWORD_HASH_METHOD"])):
        missing.append("REFCHECK_PASSWORD_HASH_METHOD of scrypt at N=32768 or more (or unset)")
    if missing:
        raise RuntimeError(
            "refcheck will not start in production mode without: " + ", ".join(missing)
        )


def _strong_password_hash(method: str) -> bool:
    """Say whether a Werkzeug hashing method is scrypt at least as costly as Werkzeug's default.

    "scrypt", or "scrypt:N:r:p" with N a power of two of at least 2**15, r at least 8 and p at least 1.
    """
    if method == "scrypt":
        return True
    match = re.fullmatch(r"scrypt:([0-9]+):([0-9]+):([0-9]+)", method)
    if match is None:
        return False
    n, r, p = (int(part) for part in match.groups())
    return n >= 2**15 and n & (n - 1) == 0 and r >= 8 and p >= 1


def _require_shared_limits(app: Flask) -> None:
    """Refuse rate limits that each worker process would count on its own, unless there is one process.

    With the in-memory store, four gunicorn workers allow four times each limit, and more as
    requests spread over them: ten wrong passwords a minute become forty, without a word.
    """
    cfg = app.config
    in_memory = str(cfg["RATELIMIT_STORAGE_URI"]).startswith("memory://")
    if cfg["RATELIMIT_ENABLED"] and in_memory and not cfg["RATELIMIT_SINGLE_PROCESS"]:
        raise RuntimeError(
            "refcheck will not start in production mode with rate limits kept in each process's memory "
            "(RATELIMIT_STORAGE_URI=memory://): every worker would count on its own, so the limits "
            "would not hold. Set REFCHECK_RATELIMIT_STORAGE_URI=redis://HOST:6379/0, or "
            "REFCHECK_RATELIMIT_SINGLE_PROCESS=true if exactly one process serves the app.")


def _same_database(first: str, second: str) -> bool:
    """Say whether two database URLs name the same database on the same server."""
    def place(url: str) -> tuple[Any, ...]:
        parsed = make_url(_normalise_database_uri(url))
        backend = parsed.get_backend_name()
        port = parsed.port or {"postgresql": 5432}.get(backend)
        host = {"localhost": "127.0.0.1"}.get(parsed.host or "", parsed.host)
        return backend, host, port, parsed.database

    return place(first) == place(second)


def _ensure_local_secrets(app: Flask) -> None:
    """Generate a secret key and encryption keys into the instance folder on first run."""
    instance = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        path = instance / "secret_key"
        if not path.exists():
            _write_private(path, secrets.token_urlsafe(48))
            log.warning("Generated a new secret key in the instance folder (local mode).")
        app.config["SECRET_KEY"] = path.read_text().strip()
    if not (app.config.get("MASTER_KEYS") or app.config.get("KEYS_FILE")):
        path = instance / "keys.json"
        if not path.exists():
            keys = {
                "master_keys": {"1": _new_key()},
                "lookup_key": _new_key(),
            }
            _write_private(path, json.dumps(keys, indent=2))
            log.warning("Generated new encryption keys in the instance folder (local mode).")
        app.config["KEYS_FILE"] = str(path)


def _new_key() -> str:
    """Return 32 random bytes as base64 text."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _write_private(path: Path, text: str) -> None:
    """Create a file readable only by its owner, and fail rather than overwrite one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
