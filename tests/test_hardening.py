"""Hardening, as an attacker or a careless operator would meet it: sessions, limits, headers, logs, errors."""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import logging
import os
import re
import threading
import uuid
from email import policy
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import BadRequest
from werkzeug.serving import make_server

from refcheck import create_app
from refcheck.extensions import db, limiter
from refcheck.models import PortalSession, Referee, Response, utcnow
from refcheck.question_sets import install_standard_v1
from refcheck.standard_translations import install_standard_translations

from .conftest import (
    CANDIDATE,
    MANAGER,
    OTHER_CANDIDATE,
    PG_URL,
    SentCase,
    consent,
    csrf_from,
    enter_portal,
    full_answers,
    make_staff,
    nominate,
    peer,
    send_case,
    sign_in,
    state_work_history,
)
from .test_cases import GOOD as NEW_CASE_FORM
from .test_staff import test_every_route_declares_who_may_use_it as check_access_rules

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REFCHECK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def build_app(tmp_path, *, tables: bool = True, **overrides):
    """An app like the `app` fixture's, with settings the fixture does not offer."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp_path / 'refcheck.sqlite'}",
        "KEYSTORE_URL": PG_URL or f"sqlite:///{tmp_path / 'keystore.sqlite'}",
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 9,
        "SMTP_TIMEOUT": 5,
        "BASE_URL": "https://refcheck.test",
        **overrides,
    }
    app = create_app(config)
    if tables:
        with app.app_context():
            if PG_URL:
                db.drop_all()
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            db.create_all()
            with db.engine.begin() as conn:
                install_standard_v1(conn)
                install_standard_translations(conn)
    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        if PG_URL:
            db.drop_all()
        for engine in db.engines.values():
            engine.dispose()


def production_settings(tmp_path) -> dict:
    """What a production deployment must provide; the database stays a private SQLite file."""
    return {
        "MODE": "production",
        "SECRET_KEY": "x" * 48,
        "MASTER_KEYS": f"1:{_key()}",
        "LOOKUP_KEY": _key(),
        "KEYSTORE_URL": f"sqlite:///{tmp_path / 'keystore.sqlite'}",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'production.sqlite'}",
    }


@pytest.fixture
def production_app(tmp_path):
    app = create_app({**production_settings(tmp_path), "TESTING": True,
                      "INSTANCE_PATH": str(tmp_path / "prod-instance"), "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _staff_session(app) -> PortalSession:
    (record,) = db.session.execute(
        sa.select(PortalSession).where(PortalSession.kind == "staff", PortalSession.ended_at.is_(None))
    ).scalars().all()
    return record


def _age_session(app, *, idle: dt.timedelta | None = None, age: dt.timedelta | None = None) -> None:
    """Move the live staff session's clocks back in the database, instead of sleeping."""
    with app.app_context():
        record = _staff_session(app)
        if idle is not None:
            record.last_seen_at = utcnow() - idle
        if age is not None:
            record.created_at = utcnow() - age
        db.session.commit()


def _last_seen(app) -> dt.datetime:
    with app.app_context():
        return _staff_session(app).last_seen_at


# ---------------------------------------------------------------- staff sessions

def test_an_idle_staff_session_is_refused(app, client, staff):
    sign_in(client, staff)
    assert client.get("/staff/").status_code == 200
    _age_session(app, idle=dt.timedelta(minutes=app.config["STAFF_IDLE_MINUTES"], seconds=30))
    response = client.get("/staff/")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"


def test_activity_keeps_a_staff_session_alive_and_is_written_at_most_once_a_minute(app, client, staff):
    sign_in(client, staff)
    _age_session(app, idle=dt.timedelta(minutes=29))
    assert client.get("/staff/").status_code == 200
    touched = _last_seen(app)
    assert utcnow() - touched < dt.timedelta(seconds=10)  # the request moved the idle clock
    # A second request within the minute writes nothing.
    assert client.get("/staff/").status_code == 200
    assert _last_seen(app) == touched
    # 29 more idle minutes are fine because of that activity; without it this would be 58.
    _age_session(app, idle=dt.timedelta(minutes=29))
    assert client.get("/staff/").status_code == 200


def test_a_busy_staff_session_still_ends_after_its_absolute_lifetime(app, client, staff):
    sign_in(client, staff)
    lifetime = dt.timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])
    assert lifetime == dt.timedelta(hours=8)
    _age_session(app, age=lifetime + dt.timedelta(minutes=1), idle=dt.timedelta(0))
    assert client.get("/staff/").status_code == 302
    assert b"Cases" not in client.get("/staff/", follow_redirects=True).data


def test_an_old_cookie_is_refused_after_log_out(app, client, staff):
    sign_in(client, staff)
    page = client.get("/staff/")
    stolen = client.get_cookie("session").value
    client.post("/staff/logout", data={"csrf_token": csrf_from(page.data)})
    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    response = attacker.get("/staff/")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"
    with app.app_context():
        assert db.session.execute(sa.select(PortalSession.ended_at)).scalar_one() is not None


def test_an_old_cookie_is_refused_once_the_account_is_disabled(app, client, staff):
    verifier = make_staff(app, "lee@verify.example", "verifier")
    theirs = app.test_client()
    sign_in(theirs, verifier)
    assert theirs.get("/staff/").status_code == 200
    copied = theirs.get_cookie("session").value
    sign_in(client, staff)
    page = client.get("/staff/accounts")
    client.post(f"/staff/accounts/{verifier.id}/deactivate", data={"csrf_token": csrf_from(page.data)})
    attacker = app.test_client()
    attacker.set_cookie("session", copied)
    assert attacker.get("/staff/").status_code == 302
    assert theirs.get("/staff/").status_code == 302
    # Even re-enabling the account does not bring the ended session back.
    with app.app_context():
        from refcheck.models import StaffUser

        db.session.get(StaffUser, verifier.id).active = True
        db.session.commit()
    assert attacker.get("/staff/").status_code == 302


def _set_cookie(response, name: str) -> str:
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


def test_session_cookie_is_httponly_and_lax_locally_and_also_secure_in_production(
        app, client, staff, production_app):
    local = _set_cookie(sign_in(client, staff), "session")
    assert "HttpOnly" in local and "SameSite=Lax" in local and "Secure" not in local

    login = make_staff(production_app)
    browser = production_app.test_client()
    # "__Host-": browsers keep it only from HTTPS, for this host alone and path "/".
    cookie = _set_cookie(sign_in(browser, login), "__Host-refcheck")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert "Path=/;" in cookie + ";" and "Domain" not in cookie


def test_a_remember_cookie_would_carry_the_same_flags_and_opens_nothing_alone(production_app):
    from flask_login import login_user

    from refcheck.models import StaffUser

    login = make_staff(production_app)

    # Nothing in refcheck issues a remember cookie; this route makes Flask-Login issue one anyway.
    @production_app.route("/remember-me-test")
    def remember_me():
        login_user(db.session.get(StaffUser, login.id), remember=True)
        return "ok"

    browser = production_app.test_client()
    cookie = _set_cookie(browser.get("/remember-me-test"), "__Host-remember")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    # Without a server-side session the remember cookie does not sign anyone in.
    value = re.match(r"__Host-remember=([^;]+)", cookie).group(1)
    stranger = production_app.test_client()
    stranger.set_cookie("__Host-remember", value)
    assert stranger.get("/staff/").status_code == 302


# ---------------------------------------------------------------- rate limits

@pytest.fixture
def limited_app(tmp_path):
    app = build_app(tmp_path, RATELIMIT_ENABLED=True)
    yield app
    dispose(app)


def _seconds_in_words(page: str) -> int:
    """Read 'Please try again in 40 seconds' or 'in about 2 minutes' back as seconds."""
    match = re.search(r"Please try again in (?:about )?(\d+) (second|minute|hour)s?", page)
    assert match, page
    return int(match.group(1)) * {"second": 1, "minute": 60, "hour": 3600}[match.group(2)]


def test_nominating_too_fast_gets_a_kind_page_with_the_time_to_try_again(limited_app):
    app = limited_app
    staff = make_staff(app)
    sent = send_case(app, staff)
    browser = app.test_client()
    enter_portal(browser, sent)
    consent(browser)
    page = browser.get("/portal/referees")
    token = csrf_from(page.data)
    # Ten tries a minute pass (each refused for its missing email), the eleventh is paused.
    for _ in range(10):
        response = browser.post("/portal/referees", data={**MANAGER, "email": "", "csrf_token": token})
        assert response.status_code == 422
    refused = browser.post("/portal/referees", data={**MANAGER, "csrf_token": token})
    assert refused.status_code == 429
    text = refused.data.decode()
    assert "Please wait a moment" in text and "was not saved" in text
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert abs(_seconds_in_words(text) - retry_after) <= 60
    # The clock time is never too early: it is at or after the moment the limit lifts.
    hour, minute = map(int, re.search(r"\(after (\d\d):(\d\d) UTC\)", text).groups())
    now = dt.datetime.now(dt.UTC)
    after = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if after < now - dt.timedelta(hours=12):
        after += dt.timedelta(days=1)  # across midnight
    lifts = now + dt.timedelta(seconds=retry_after)
    assert lifts - dt.timedelta(seconds=2) <= after <= lifts + dt.timedelta(seconds=61)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Referee)).scalar_one() == 0
    # Reading the page is not limited.
    assert browser.get("/portal/referees").status_code == 200


def test_staff_log_in_is_limited_too(limited_app):
    browser = limited_app.test_client()
    token = csrf_from(browser.get("/staff/login").data)
    statuses = [browser.post("/staff/login", data={"csrf_token": token, "email": "x@verify.example",
                                                   "password": "wrong" * 4}).status_code
                for _ in range(11)]
    assert statuses == [200] * 10 + [429]


def _redis_or_skip():
    redis = pytest.importorskip("redis", reason="the redis client package is not installed")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as err:
        pytest.skip(f"Redis is not answering at {REDIS_URL} ({err}); "
                    "set REFCHECK_TEST_REDIS_URL to test shared rate limits")
    return client


def test_two_app_servers_share_their_limits_through_redis(tmp_path, monkeypatch):
    redis_client = _redis_or_skip()
    prefix = f"refcheck-test-{uuid.uuid4().hex}"
    # Flask-Limiter's one object serves every app in this process and keeps the first key
    # prefix it was given; clear it so this test's own prefix (read from the environment) applies.
    monkeypatch.setattr(limiter, "_key_prefix", "")
    # The production way: settings from the environment.
    monkeypatch.setenv("REFCHECK_RATELIMIT_STORAGE_URI", REDIS_URL)
    monkeypatch.setenv("REFCHECK_RATELIMIT_KEY_PREFIX", prefix)
    first = build_app(tmp_path / "one", RATELIMIT_ENABLED=True)
    try:
        assert first.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        browser = first.test_client()
        token = csrf_from(browser.get("/staff/login").data)
        form = {"csrf_token": token, "email": "x@verify.example", "password": "wrong" * 4}
        for _ in range(6):
            assert browser.post("/staff/login", data=form).status_code == 200
        assert any(redis_client.scan_iter(f"*{prefix}*")), "nothing was counted in Redis"
        # A second app server (memory storage would start from zero here) sees the same count.
        second = build_app(tmp_path / "two", tables=False, RATELIMIT_ENABLED=True,
                           SQLALCHEMY_DATABASE_URI=first.config["SQLALCHEMY_DATABASE_URI"])
        other = second.test_client()
        token = csrf_from(other.get("/staff/login").data)
        form["csrf_token"] = token
        statuses = [other.post("/staff/login", data=form).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]
        with second.app_context():
            db.engine.dispose()
    finally:
        for key in redis_client.scan_iter(f"*{prefix}*"):
            redis_client.delete(key)
        dispose(first)


# ---------------------------------------------------------------- headers and templates

def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_kind_of_response_sends_a_strict_content_security_policy(app, client, sent_case):
    responses = [client.get(path) for path in
                 ("/", "/staff/login", "/link", "/verify", "/no-such-page", "/static/style.css",
                  sent_case.path, "/portal")]
    responses.append(client.post("/staff/login", data={}))  # a 400 without a CSRF token
    for response in responses:
        header = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header
        directives = _policy(response)
        assert directives["frame-ancestors"] == "frame-ancestors 'none'"
        assert directives["script-src"] == "script-src 'self'"
        assert directives["object-src"] == "object-src 'none'"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in response.headers  # not in local mode


def test_pages_opened_by_a_token_send_no_referrer(app, staff, invited, sent_case):
    fresh = send_case(app, staff, OTHER_CANDIDATE)  # the first candidate's link is used up
    referee_path = next(iter(invited.values()))
    for path, status in ((fresh.path, 200), (referee_path, 200), (sent_case.path, 404)):
        response = app.test_client().get(path)
        assert response.status_code == status
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


def test_hsts_is_sent_in_production_only(client, production_app):
    assert "Strict-Transport-Security" not in client.get("/").headers
    header = production_app.test_client().get("/").headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", header).group(1)) >= 365 * 24 * 3600


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>"  # inline script
    r"|<style\b"  # a style block
    r"|\sstyle\s*="  # a style attribute
    r"|\son[a-z]+\s*="  # an event handler attribute
    r"|javascript:",
    re.IGNORECASE,
)


def test_no_template_a_browser_sees_has_inline_script_or_style():
    # report/ is rendered by WeasyPrint into the PDF; no browser applies our CSP to it.
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if "report" in path.relative_to(ROOT / "templates").parts:
            continue
        for match in INLINE.finditer(path.read_text()):
            found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert found == []


def test_the_inline_check_itself_finds_inline_code():
    samples = ['<script>alert(1)</script>', '<p style="color:red">', '<a onclick="x()">',
               '<style>p{}</style>', '<a href="javascript:x()">']
    assert all(INLINE.search(sample) for sample in samples)
    assert not INLINE.search('<script src="/static/app.js"></script><p class="note">')


# ---------------------------------------------------------------- access rules

def test_the_access_rule_walk_fails_for_a_route_with_no_rule(tmp_path):
    fresh = build_app(tmp_path, tables=False)
    check_access_rules(fresh)  # the real app passes

    @fresh.route("/staff/forgotten")
    def forgotten():
        return "anyone can read this"

    with pytest.raises(AssertionError, match="/staff/forgotten has no access rule"):
        check_access_rules(fresh)
    with fresh.app_context():
        db.engine.dispose()


# ---------------------------------------------------------------- error pages

LEAKS = ("Traceback", 'File "', "SELECT", "answers_enc", "sqlalchemy", "werkzeug", "Werkzeug",
         "SECRET", "postgresql", "sqlite", "/tmp", "Debugger")


@pytest.fixture
def quiet_app(tmp_path):
    """A production-like app: exceptions are handled, never propagated to the client."""
    app = build_app(tmp_path, TESTING=False, PROPAGATE_EXCEPTIONS=False, DEBUG=False)
    secret = app.config["SECRET_KEY"]
    uri = app.config["SQLALCHEMY_DATABASE_URI"]

    @app.route("/explode")
    def explode():
        raise RuntimeError(f"SELECT answers_enc FROM response WHERE id = 7; SECRET_KEY={secret}; {uri}")

    @app.route("/explode-db")
    def explode_db():
        raise sa.exc.OperationalError(
            f"SELECT answers_enc FROM response -- {uri}", {"email": "amira.okafor@candidate.example"},
            Exception(f"SECRET_KEY={secret}"))

    @app.route("/bad-input")
    def bad_input():
        raise BadRequest(f"SELECT answers_enc FROM response; SECRET_KEY={secret}")

    app.extra_leaks = (secret, uri, app.instance_path, "amira.okafor")
    yield app
    dispose(app)


def _assert_no_leak(app, response) -> str:
    text = response.data.decode()
    for leak in LEAKS + app.extra_leaks:
        assert leak not in text, f"{leak!r} shown on a {response.status_code} page"
    assert "Go to the start page" in text
    return text


def test_a_server_error_shows_no_trace_sql_or_configuration(quiet_app, caplog):
    response = quiet_app.test_client().get("/explode")
    assert response.status_code == 500
    text = _assert_no_leak(quiet_app, response)
    assert "Something went wrong on our side" in text
    # The operator still gets the trace, in the log, not the visitor.
    assert any(record.exc_info for record in caplog.records)


def test_a_database_error_shows_no_sql_or_configuration(quiet_app):
    response = quiet_app.test_client().get("/explode-db")
    assert response.status_code in (500, 503)
    _assert_no_leak(quiet_app, response)


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/no-such-page", 404),
    ("GET", "/staff/logout", 405),
    ("POST", "/staff/login", 400),
    ("GET", "/bad-input", 400),
])
def test_client_errors_show_a_kind_page_and_nothing_internal(quiet_app, method, path, status):
    response = quiet_app.test_client().open(path, method=method)
    assert response.status_code == status
    _assert_no_leak(quiet_app, response)


# ---------------------------------------------------------------- logs

class Browser:
    """A tiny HTTP client over a real socket, with a cookie jar; it writes no logs of its own."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.pages: list[str] = []

    def open(self, method: str, path: str, data: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        raw = conn.getresponse()
        page = _Page(raw.status, raw.read(), raw.headers)
        conn.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "1970" not in header:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        if "text/html" in raw.headers.get("Content-Type", ""):
            self.pages.append(page.data.decode())
        return page

    def get(self, path: str):
        return self.open("GET", path)

    def post(self, path: str, data: dict):
        return self.open("POST", path, data)


class _Page:
    def __init__(self, status: int, data: bytes, headers) -> None:
        self.status_code = status
        self.data = data
        self.headers = headers


class Everything(logging.Handler):
    """Keep every record that reaches the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def all_logs():
    """Capture every log record at DEBUG, SQL statements and rows and request lines included."""
    handler = Everything()
    root = logging.getLogger()
    chatty = ["", "werkzeug", "sqlalchemy.engine", "sqlalchemy.pool", "refcheck", "flask_limiter"]
    levels = {name: logging.getLogger(name).level for name in chatty}
    for name in chatty:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _mail_to(inbox, address: str) -> str:
    bodies = [m for m in inbox.messages if address in m["To"]]
    assert bodies, f"no mail to {address}"
    message = bodies[-1]
    message.policy = policy.default
    part = message.get_body(("plain",)) if message.is_multipart() else message
    return part.get_content() if hasattr(part, "get_content") else part.get_payload(decode=True).decode()


def _deliver(app) -> None:
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output


def test_a_full_journey_leaves_no_personal_data_or_secret_in_the_logs(tmp_path, smtp_server, all_logs):
    inbox, smtp_port = smtp_server
    app = build_app(tmp_path, SMTP_PORT=smtp_port, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_port
    manager = {**MANAGER, "name": "Grace Lindqvist", "email": "grace.lindqvist@northwind.example"}
    colleague = {**peer(1), "name": "Oluwaseun Brightwater", "email": "o.brightwater@peer.example"}
    private_answers = [f"Private remark number {n}: she rebuilt the billing pipeline" for n in range(20)]
    try:
        # Staff signs in, opens a case and sends it.
        login = make_staff(app)
        staff = Browser(port)
        assert sign_in(staff, login).status_code == 302
        page = staff.get("/staff/cases/new")
        created = staff.post("/staff/cases/new", data={**NEW_CASE_FORM, "csrf_token": csrf_from(page.data)})
        assert created.status_code == 302
        case_path = created.headers["Location"].replace(f"http://127.0.0.1:{port}", "")
        case_id = int(re.search(r"/cases/(\d+)", case_path).group(1))
        case_page = staff.get(case_path)
        assert staff.post(f"/staff/cases/{case_id}/invite",
                          data={"csrf_token": csrf_from(case_page.data)}).status_code in (302, 303)
        _deliver(app)
        invitation = _mail_to(inbox, CANDIDATE[1])
        token = re.search(rf"https://refcheck\.test/c/{case_id}/(\S+)", invitation).group(1)

        # The candidate consents and nominates.
        candidate = Browser(port)
        assert enter_portal(candidate, SentCase(case_id, token, *CANDIDATE)).status_code == 303
        assert consent(candidate).status_code in (302, 303)
        assert nominate(candidate, **manager).status_code == 303
        assert nominate(candidate, **colleague).status_code == 303
        state_work_history(candidate)
        page = candidate.get("/portal/referees")
        assert candidate.post("/portal/referees/invite",
                              data={"csrf_token": csrf_from(page.data)}).status_code == 303
        _deliver(app)

        # Both referees answer.
        referee_tokens = []
        for referee in (manager, colleague):
            body = _mail_to(inbox, referee["email"])
            path = re.search(r"https://refcheck\.test(/r/\S+)", body).group(1)
            referee_tokens.append(path.rsplit("/", 1)[1])
            browser = Browser(port)
            page = browser.get(path)
            assert page.status_code == 200
            assert browser.post(path, data={"csrf_token": csrf_from(page.data)}).status_code == 303
            page = browser.get("/referee")
            if b"Before you answer" in page.data:
                browser.post("/referee/attest", data={"csrf_token": csrf_from(page.data),
                                                      "identity": "y", "truthful": "y"})
            page = browser.get("/referee/all")
            answers = full_answers(page.data.decode())
            texts = iter(private_answers)
            answers = {k: (next(texts) if v == "Built the data platform." else v) for k, v in answers.items()}
            assert browser.post("/referee", data=answers).status_code == 303
        # Staff reads the answers.
        assert private_answers[0].encode() in staff.get(f"/staff/cases/{case_id}/answers").data
        with app.app_context():
            assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one() == 2
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        dispose(app)

    # aiosmtpd, the test's own mail server standing in for the recipients' provider, logs
    # what it receives; it is not part of refcheck, so its records are left out.
    ours = [r for r in all_logs.records if not r.name.startswith("mail.log")]
    text = "\n".join(
        "\n".join(filter(None, [r.getMessage(), r.exc_text, r.stack_info])) for r in ours)
    # The capture really saw the service: request lines, SQL and its result rows.
    assert re.search(r'POST /portal/consent HTTP/1\.1\S*" 30\d', text)  # colour codes aside
    assert "SELECT" in text and "Row (" in text
    assert f"/c/{case_id}/[token]" in text
    secrets_and_personal = [CANDIDATE[0], CANDIDATE[1], manager["name"], manager["email"],
                            colleague["name"], colleague["email"], token, *referee_tokens,
                            *private_answers[:2], "rebuilt the billing pipeline"]
    for needle in secrets_and_personal:
        assert needle not in text, f"{needle!r} reached the logs"
    # Every page the journey showed obeys the policy: no inline script or style.
    pages = staff.pages + candidate.pages + browser.pages
    assert pages and not [m.group(0) for p in pages for m in INLINE.finditer(p)]


def test_masking_covers_tokens_emails_and_exception_text():
    from refcheck.logs import mask

    token = "Q" * 20 + "_-" + "z" * 21
    assert mask(f"GET /c/12/{token} HTTP/1.1") == "GET /c/12/[token] HTTP/1.1"
    assert mask(f"GET /r/{'a' * 32}/{token}") == f"GET /r/{'a' * 32}/[token]"
    assert mask(f"token={token}") == "token=[token]"
    assert mask("to Amira.Okafor+jobs@candidate.example ok") == "to [email] ok"
    assert mask("/link?email=amira%40candidate.example") == "/link?email=[email]"
    assert "reference 7 of 12" == mask("reference 7 of 12")

    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    from refcheck import logs

    logs.install()  # what create_app does; a second call changes nothing
    logs.install()
    logger = logging.getLogger("refcheck.test_hardening")
    handler = Keep()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        try:
            raise ValueError("could not reach amira.okafor@candidate.example")
        except ValueError as err:
            logger.error("sending to %s failed: %s", "grace@northwind.example", err, exc_info=True)
        logger.warning("%d mails due", 3)
        # gunicorn's access log passes one dict of request atoms.
        logger.info('%(r)s by %(u)s', {"r": f"GET /c/3/{token} HTTP/1.1", "u": "amira@candidate.example"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    joined = "\n".join(records)
    assert "@" not in joined and "[email]" in joined and "3 mails due" in joined
    assert "GET /c/3/[token] HTTP/1.1 by [email]" in joined and token not in joined
    assert "ValueError" in joined  # the trace is kept, masked


# ---------------------------------------------------------------- the run's figures

def test_the_end_of_run_figures_count_real_outcomes(tmp_path):
    import subprocess
    import sys

    (tmp_path / "tests" / "security").mkdir(parents=True)
    (tmp_path / "tests" / "faults").mkdir()
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_terminal_summary  # noqa\n")
    (tmp_path / "tests" / "security" / "test_attacks.py").write_text(
        "def test_a(): pass\ndef test_b(): pass\ndef test_c(): assert False\n")
    (tmp_path / "tests" / "faults" / "test_faults.py").write_text(
        "import pytest\ndef test_d(): pass\ndef test_e(): pytest.skip('no disk to fill')\n")
    summary = tmp_path / "checks.txt"
    summary.write_text("bandit: 0 high findings\npip-audit: 0 known vulnerabilities in 3 packages\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REFCHECK_CHECKS_SUMMARY": str(summary)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--rootdir",
                          str(tmp_path), str(tmp_path / "tests")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert "attack suite: 2 of 3 refused" in run.stdout, run.stdout + run.stderr
    assert "fault tests: 1 of 2 held (1 skipped)" in run.stdout
    assert "bandit: 0 high findings" in run.stdout
    assert "pip-audit: 0 known vulnerabilities in 3 packages" in run.stdout
    assert run.returncode == 1  # the failing attack test still fails the run


def test_limits_still_hold_per_server_when_redis_is_down(tmp_path, monkeypatch):
    # The one limiter object of this process remembers a dead storage; start and end this test clean.
    monkeypatch.setattr(limiter, "_storage_dead", False)
    # Nothing listens on port 1: every call to this "Redis" fails.
    app = build_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    try:
        browser = app.test_client()
        token = csrf_from(browser.get("/staff/login").data)
        form = {"csrf_token": token, "email": "x@verify.example", "password": "wrong" * 4}
        statuses = [browser.post("/staff/login", data=form).status_code for _ in range(11)]
        assert statuses == [200] * 10 + [429]
    finally:
        dispose(app)


def _ci_checks():
    import importlib.util

    spec = importlib.util.spec_from_file_location("ci_checks", ROOT / ".ci" / "checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bandit_passes_refcheck_and_would_fail_a_high_finding(tmp_path):
    checks = _ci_checks()
    ok, line = checks.run_bandit()
    assert ok and line.startswith("bandit: 0 high findings"), line
    bad = tmp_path / "careless"
    bad.mkdir()
    (bad / "fetch.py").write_text("import requests\n\n\ndef get(url):\n"
                                  "    return requests.get(url, verify=False, timeout=5)\n")
    ok, line = checks.run_bandit(bad)
    assert not ok and line.startswith("bandit: 1 high findings"), line


def test_a_pip_audit_exception_needs_a_written_reason(tmp_path, monkeypatch):
    checks = _ci_checks()
    listed = tmp_path / "exceptions.txt"
    monkeypatch.setattr(checks, "EXCEPTIONS", listed)
    listed.write_text("# comment\nGHSA-aaaa-bbbb-cccc Only the CLI uses it; refcheck never calls it.\n")
    assert checks.read_exceptions() == {
        "GHSA-aaaa-bbbb-cccc": "Only the CLI uses it; refcheck never calls it."}
    listed.write_text("PYSEC-2099-1\n")
    with pytest.raises(SystemExit, match="PYSEC-2099-1 has no written reason"):
        checks.read_exceptions()
    # The repository's own list is well formed.
    monkeypatch.undo()
    assert all(checks.read_exceptions().values())
