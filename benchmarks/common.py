"""Shared pieces of the benchmarks: a throw-away app, a small HTTP client, timing and the table."""

from __future__ import annotations

import json
import os
import socket
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from refcheck import stats

# The suite's own helpers: the benchmarks drive the same forms the tests do.
from tests.conftest import csrf_from, free_port  # noqa: F401 - re-exported for the benchmarks

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
# Our own databases on the local server, never the shared `test` one.
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")


def pg_available() -> bool:
    """Say whether the local PostgreSQL server answers."""
    try:
        engine = sa.create_engine(_psycopg(PG_SERVER + "/postgres"))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # any failure means "skip PostgreSQL", with the reason printed by the caller
        return False


def ensure_pg_database(name: str) -> str:
    """Create our own PostgreSQL database if it is missing; return its URL."""
    engine = sa.create_engine(_psycopg(PG_SERVER + "/postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return f"{PG_SERVER}/{name}"


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def bench_config(workdir: Path, database_url: str | None, base_url: str = "http://127.0.0.1:5000",
                 keystore_url: str | None = None) -> dict[str, Any]:
    """Return settings for a benchmark app: its own instance folder, database, key store, no rate limits.

    Mail goes to SMTP on a port nothing listens on and is never sent during a run: every email stays
    queued in the outbox, as it would until the `mail send` cron job runs.
    """
    return {
        "INSTANCE_PATH": str(workdir / "instance"),
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{workdir / 'refcheck.sqlite'}",
        "KEYSTORE_URL": keystore_url or database_url or f"sqlite:///{workdir / 'keystore.sqlite'}",
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 9,
        "BASE_URL": base_url,
    }


def server_env(config: dict[str, Any]) -> dict[str, str]:
    """Return the environment that gives a gunicorn-served app the same settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFCHECK_") and k != "DATABASE_URL"}
    env.update({
        "REFCHECK_INSTANCE_PATH": config["INSTANCE_PATH"],
        "REFCHECK_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "REFCHECK_KEYSTORE_URL": config["KEYSTORE_URL"],
        "REFCHECK_RATELIMIT_ENABLED": "false",
        "REFCHECK_MAIL_BACKEND": "smtp",
        "REFCHECK_SMTP_HOST": "127.0.0.1",
        "REFCHECK_SMTP_PORT": str(config["SMTP_PORT"]),
        "REFCHECK_BASE_URL": config["BASE_URL"],
        "PYTHONPATH": str(ROOT),
    })
    return env


def fresh_schema(app: Any) -> None:
    """Drop and create every table (both binds) and install the standard question sets."""
    from refcheck.extensions import db
    from refcheck.question_sets import install_standard_v1
    from refcheck.standard_translations import install_standard_translations

    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.create_all()
        with db.engine.begin() as conn:
            install_standard_v1(conn)
            install_standard_translations(conn)


# ------------------------------------------------------------------ a small HTTP/1.1 client

@dataclass
class Reply:
    """One HTTP response as the benchmark needs it."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def http(port: int, method: str, path: str, cookies: dict[str, str] | None = None,
         form: dict[str, str] | None = None, timeout: float = 60,
         request_headers: dict[str, str] | None = None, json_body: Any = None) -> Reply:
    """Send one request on a fresh loopback connection and read the whole answer.

    A raw socket keeps the client's own cost small next to the servers it measures. The body is
    `form` (URL-encoded) or `json_body` (JSON), and `request_headers` are sent as they are.
    """
    content_type, body = None, b""
    if form is not None:
        content_type, body = "application/x-www-form-urlencoded", urlencode(form).encode()
    elif json_body is not None:
        content_type, body = "application/json", json.dumps(json_body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
             "User-Agent: refcheck-bench"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    lines += [f"{name}: {value}" for name, value in (request_headers or {}).items()]
    if content_type is not None:
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    seconds = time.perf_counter() - start
    data = b"".join(chunks)
    head, _, payload = data.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split()[1]) if head_lines and head_lines[0] else 0
    headers: dict[str, str] = {}
    for line in head_lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        headers[name] = headers[name] + "\n" + value if name in headers else value
    if headers.get("transfer-encoding", "").lower() == "chunked":
        payload = _unchunk(payload)
    if cookies is not None:
        for line in headers.get("set-cookie", "").split("\n"):
            if "=" in line:
                pair = line.split(";", 1)[0]
                name, _, value = pair.partition("=")
                cookies[name.strip()] = value.strip()
    return Reply(status, headers, payload, seconds)


def _unchunk(payload: bytes) -> bytes:
    out, rest = [], payload
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2:]
    return b"".join(out)


# ------------------------------------------------------------------ timing and the table

def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) of values as the metrics page computes it, or NaN for nothing."""
    value = stats.percentile(values, q / 100)
    return float("nan") if value is None else value


def median(values: list[float]) -> float:
    """Return the median, or NaN for nothing."""
    return statistics.median(values) if values else float("nan")


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Time a block; the elapsed seconds land in the yielded list."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


@dataclass
class Row:
    """One line of the results table."""

    benchmark: str
    measure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    goal: str = ""
    verdict: str = ""


@dataclass
class Results:
    """Everything a run measured, printed as one table at the end."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *args: Any, **kwargs: Any) -> Row:
        """Add a row and print it at once, so a long run shows progress."""
        row = Row(*args, **kwargs)
        self.rows.append(row)
        print("  " + " | ".join(x for x in (row.benchmark, row.measure, row.value, row.baseline, row.ratio,
                                             row.goal, row.verdict) if x), flush=True)
        return row

    def note(self, text: str) -> None:
        """Add a note printed under the table."""
        self.notes.append(text)
        print("  note: " + text, flush=True)

    def table(self) -> str:
        """Return the rows as a Markdown table."""
        head = ("benchmark", "measure", "value", "baseline (same run)", "ratio", "goal", "met")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in self.rows:
            cells = (r.benchmark, r.measure, r.value, r.baseline, r.ratio, r.goal, r.verdict)
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        return "\n".join(lines)


def verdict(ok: bool) -> str:
    """Word a goal's outcome."""
    return "yes" if ok else "NO"
