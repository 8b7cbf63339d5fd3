"""Fault-test fixtures: apps on a broken database, a real gunicorn, plain HTTP browsers, killed workers."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from refcheck import create_app
from refcheck.extensions import db
from refcheck.models import OutboxMessage

from ..conftest import (
    MANAGER,
    PG_URL,
    attest_referee,
    consent,
    csrf_from,
    enter_portal,
    enter_referee,
    free_port,
    full_answers,
    nominate,
    peer,
    release_case,
    send_case,
    state_work_history,
)

ROOT = Path(__file__).resolve().parents[2]
sqlite_only = pytest.mark.skipif(bool(PG_URL),
                                 reason="this fault is SQLite's own; it runs in the SQLite pass")
# Settings a second app, a child process or gunicorn copy from the test's app.
SHARED = ("TESTING", "RATELIMIT_ENABLED", "MAIL_BACKEND", "SMTP_HOST", "SMTP_PORT", "SMTP_TIMEOUT",
          "BASE_URL", "KEYSTORE_URL")


def shared_config(app) -> dict:
    """Return the settings that make another process see the same database, keys and mail server."""
    config = {key: app.config[key] for key in SHARED if app.config.get(key) is not None}
    config.update(INSTANCE_PATH=app.instance_path,
                  SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    return config


def app_on(app, uri: str, **settings):
    """Build a second app with the same keys and secret as `app` but another database address."""
    return create_app({**shared_config(app), "SQLALCHEMY_DATABASE_URI": uri, **settings})


def same_browser(browser, other_app):
    """Return a client of `other_app` carrying `browser`'s cookies: the same person, another server."""
    name = other_app.config["SESSION_COOKIE_NAME"]
    twin = other_app.test_client()
    twin.set_cookie(name, browser.get_cookie(name).value)
    return twin


def referee_at_questions(app, path: str):
    """Open a referee's link, attest, and return the browser and the answers they would send."""
    browser = enter_referee(app, path)
    html = attest_referee(browser).data.decode()
    return browser, full_answers(html)


def invite_referees(app, staff, case_no: int, peers: int = 3) -> list[str]:
    """Send a case, have its candidate consent and invite a manager and peers; return the link paths."""
    sent = send_case(app, staff, (f"Candidate {case_no}", f"candidate{case_no}@candidate.example"))
    client = app.test_client()
    enter_portal(client, sent)
    consent(client, f"Candidate {case_no}")
    nominate(client, **{**MANAGER, "email": f"manager{case_no}@northwind.example"})
    for n in range(1, peers + 1):
        nominate(client, **{**peer(n), "email": f"peer{n}.{case_no}@northwind.example"})
    state_work_history(client)
    page = client.get("/portal/referees")
    invite = client.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)})
    assert invite.status_code == 303
    with app.app_context():
        bodies = [m.unseal("body_enc") for m in db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "referee_invitation",
                                           OutboxMessage.case_id == sent.id)).scalars()]
    return [re.search(r"https://refcheck\.test(/r/\S+)", body).group(1) for body in bodies]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _SecureOverHttp(http.cookiejar.DefaultCookiePolicy):
    def return_ok_secure(self, cookie, request):
        return True


class HttpBrowser:
    """A person's browser over real HTTP: its own cookies, redirects shown rather than followed."""

    def __init__(self, base: str, secure_cookies_over_http: bool = False) -> None:
        self.base = base
        # Production cookies are Secure; a test that talks plain HTTP to loopback sends them anyway.
        self.jar = http.cookiejar.CookieJar(_SecureOverHttp() if secure_cookies_over_http else None)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def get(self, path: str) -> tuple[int, str]:
        return self._open(path, None)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        return self._open(path, urllib.parse.urlencode(data).encode())

    def _open(self, path: str, body: bytes | None) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


class Server:
    """A running gunicorn: its address and its log."""

    def __init__(self, base: str, log: Path) -> None:
        self.base = base
        self.log = log

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def gunicorn_env(app) -> dict[str, str]:
    """Return an environment serving `app`'s database, keys and mail settings, and none of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFCHECK_") and k != "DATABASE_URL"}
    env.update({f"REFCHECK_{k}": str(v) if isinstance(v, str) else repr(v).lower()
                for k, v in shared_config(app).items() if k not in ("TESTING",)})
    env["REFCHECK_DATABASE_URL"] = env.pop("REFCHECK_SQLALCHEMY_DATABASE_URI")
    env["REFCHECK_RATELIMIT_ENABLED"] = "false"
    return env


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path, workers: int = 4, threads: int = 5) -> Iterator[Server]:
    """Run gunicorn on a free loopback port with `env` until the block ends; four workers by default."""
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "gthread",
             "--threads", str(threads), "--no-control-socket", "--bind", f"127.0.0.1:{port}",
             "--timeout", "60", "--graceful-timeout", "5",
             "--access-logfile", "-", "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
             "refcheck:create_app()"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "gunicorn stopped:\n" + server.log_text()
            try:
                with urllib.request.urlopen(server.base + "/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer in 60 s:\n" + server.log_text()
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def served(app, tmp_path) -> Iterator[Server]:
    """Serve the test's database with gunicorn: four worker processes, five threads each, on loopback."""
    with gunicorn(gunicorn_env(app), tmp_path / "gunicorn.log") as server:
        yield server


@pytest.fixture
def ready(app, client, invited, staff, sent_case):
    """A case whose findings the candidate has seen, signals handled; returns the signed-in staff client."""
    staff_client = release_case(app, client, invited, staff, sent_case, answer="Built the data platform.",
                                reply="Fine by me.", note="Checked with both referees.",
                                signal_note="Test network; checked with both referees.", release=False)
    with app.app_context():
        from refcheck.models import Case

        assert db.session.get(Case, sent_case.id).state == "candidate_review"
    return staff_client
