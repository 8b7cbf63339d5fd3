"""Fixtures for the attack suite: a trap server that records any request, and a case taken to release."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from refcheck import create_app
from refcheck.extensions import db
from refcheck.models import AuditEvent

from ..conftest import free_port, release_case  # noqa: F401 - the suite's tests import it from here


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
        for engine in db.engines.values():
            engine.dispose()
