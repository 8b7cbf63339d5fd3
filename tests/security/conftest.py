"""Fixtures for the attack suite: a trap server that records any request, and a case taken to release."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from refcheck import create_app
from refcheck.extensions import db
from refcheck.models import AuditEvent, Finding, FraudSignal

from ..conftest import attest_referee, csrf_from, enter_referee, free_port, full_answers, sign_in
from ..test_findings import _claim


@dataclass
class Trap:
    """A real HTTP server on loopback; `hits` lists every path anyone asked it for."""

    port: int
    hits: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def trap() -> Iterator[Trap]:
    """Listen on a free loopback port for the whole test and record every request."""
    result = Trap(free_port())

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's hook name
            result.hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { background: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", result.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield result
    server.shutdown()
    server.server_close()


def hostile_text(trap: Trap) -> str:
    """Markup, template syntax and references to local files and to the trap, in one answer."""
    return (f'<link rel="attachment" href="file:///etc/passwd"> <img src="{trap.url}/img.png"> '
            f'<link rel="stylesheet" href="{trap.url}/style.css"> @import url(file:///etc/passwd); '
            f"@import url({trap.url}/import.css); {{{{7*7}}}} </p><script>alert(1)</script> "
            f"<object data=\"file:///etc/passwd\"></object>")


def release_case(app, client, invited, staff, sent_case, *, answer: str, reply: str, note: str,
                 stop_at_candidate_review: bool = False, signal_note: str | None = None):
    """Take an invited case through answers, review, a reply and release; return the staff client.

    The peer's first free-text answer carries `answer`, the candidate's reply `reply`, and staff's
    resolution and signal notes `note` (the signal notes `signal_note` when given).
    """
    _claim(client)
    for name, path in invited.items():
        browser = enter_referee(app, path)
        html = attest_referee(browser).data.decode()
        data = full_answers(html)
        if name == "Peer 1":
            data[re.findall(r'<textarea[^>]*name="(q\d+)"', html)[0]] = answer
        assert browser.post("/referee", data=data).status_code == 303
    staff_client = app.test_client()
    sign_in(staff_client, staff)
    base = f"/staff/cases/{sent_case.id}"
    token = csrf_from(staff_client.get(base).data)
    staff_client.post(f"{base}/review", data={"csrf_token": token})
    with app.app_context():
        conflicts = db.session.execute(
            sa.select(Finding.id).where(Finding.status == "conflict")).scalars().all()
        first = db.session.execute(sa.select(Finding.id).order_by(Finding.position)).scalars().first()
        signals = db.session.execute(sa.select(FraudSignal.id)).scalars().all()
    for finding_id in {*conflicts, first}:
        staff_client.post(f"{base}/findings/{finding_id}", data={
            "csrf_token": token, "resolution": "explained", "note": note})
    staff_client.post(f"{base}/send-findings", data={"csrf_token": token})
    if stop_at_candidate_review:
        return staff_client
    page = client.get("/portal/findings")
    client.post(f"/portal/findings/{first}", data={"csrf_token": csrf_from(page.data), "text": reply})
    for signal_id in signals:
        staff_client.post(f"{base}/signals/{signal_id}", data={"csrf_token": token,
                                                               "reason": signal_note or note})
    done = staff_client.post(f"{base}/release", data={"csrf_token": token}, follow_redirects=True)
    assert b"Version 1 of the report is released" in done.data
    return staff_client


def audit_actions(app, case_id: int | None = None) -> list[tuple[str, str, dict]]:
    """Return (action, actor, details) of every audit event, oldest first, optionally of one case."""
    with app.app_context():
        query = sa.select(AuditEvent).order_by(AuditEvent.id)
        if case_id is not None:
            query = query.where(AuditEvent.case_id == case_id)
        return [(e.action, e.actor, dict(e.details)) for e in db.session.execute(query).scalars()]


def rebuilt(app, **overrides):
    """A second app on the same database and keys, with some settings changed."""
    config = {"TESTING": True, "INSTANCE_PATH": app.instance_path,
              "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
              "RATELIMIT_ENABLED": False, "MAIL_BACKEND": app.config["MAIL_BACKEND"],
              "SMTP_HOST": app.config["SMTP_HOST"], "SMTP_PORT": app.config["SMTP_PORT"],
              "BASE_URL": app.config["BASE_URL"], **overrides}
    # Settings later added to the suite's app (a key store apart from the database, for one) carry over.
    for key in ("KEYSTORE_URL", "SMTP_TIMEOUT", "MASTER_KEYS", "LOOKUP_KEY", "KEYS_FILE", "SECRET_KEY"):
        if app.config.get(key) is not None:
            config.setdefault(key, app.config[key])
    return create_app(config)


@pytest.fixture
def limited_app(app):
    """The same app with rate limits on, as in production."""
    limited = rebuilt(app, RATELIMIT_ENABLED=True)
    yield limited
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()
