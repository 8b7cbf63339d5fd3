"""Fixtures: a fresh app and database per test, a real SMTP server, staff and cases."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from refcheck import create_app
from refcheck.extensions import db
from refcheck.models import Case, CaseCount, Finding, FraudSignal, OutboxMessage, utcnow
from refcheck.question_sets import install_standard_v1
from refcheck.standard_translations import install_standard_translations

PG_URL = os.environ.get("REFCHECK_TEST_DATABASE_URL")
STAFF_PASSWORD = "correct horse battery staple"
CANDIDATE = ("Amira Okafor", "amira.okafor@candidate.example")
OTHER_CANDIDATE = ("Tomasz Wielgosz", "tomasz.w@elsewhere.example")


class Inbox:
    """Collects what the in-process SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list = []
        # The SMTP session (one per connection) each message came in on, kept so none is reused.
        self.sessions: list = []
        self.lock = threading.Lock()

    def connections(self) -> int:
        """Count the connections messages came in on."""
        return len({id(session) for session in self.sessions})

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.sessions.append(session)
            self.envelopes.append(envelope)
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


def free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """Run a real SMTP server on loopback for one test."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def smtp_port() -> int:
    """A port for SMTP settings; a test starts a server on it only when it wants one."""
    return free_port()


DATABASE_FILE = "refcheck.sqlite"
KEYSTORE_FILE = "keystore.sqlite"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path | None:
    """Build the schema and the standard question sets once, in SQLite files each test copies."""
    if PG_URL:
        return None
    folder = tmp_path_factory.mktemp("template")
    template = create_app({"TESTING": True, "INSTANCE_PATH": str(folder / "instance"),
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / DATABASE_FILE}",
                           "KEYSTORE_URL": f"sqlite:///{folder / KEYSTORE_FILE}"})
    with template.app_context():
        db.create_all()
        # What migrations 0003 and 0028 ship, so every test has the standard question sets and translations.
        with db.engine.begin() as conn:
            install_standard_v1(conn)
            install_standard_translations(conn)
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    # Closing the last connection folds the write-ahead log into the file, so the file alone is the copy.
    assert not any(folder.glob("*-wal")), "the template's write-ahead log outlived its connections"
    return folder


@pytest.fixture
def app(tmp_path, smtp_port, sqlite_template):
    """Build an app on a fresh database: a copy of the SQLite template, or PostgreSQL when configured."""
    if sqlite_template:
        for name in (DATABASE_FILE, KEYSTORE_FILE):
            shutil.copyfile(sqlite_template / name, tmp_path / name)
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp_path / DATABASE_FILE}",
        # The key store is a database of its own; on PostgreSQL runs, a second database on that server.
        "KEYSTORE_URL": pg_keystore_url() or f"sqlite:///{tmp_path / KEYSTORE_FILE}",
        "RATELIMIT_ENABLED": False,
        # Still scrypt, at a 32nd of production's cost: the suite makes hundreds of accounts.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_port,
        "SMTP_TIMEOUT": 5,
        "BASE_URL": "https://refcheck.test",
    }
    app = create_app(config)
    if PG_URL:
        with app.app_context():
            _reset_postgresql()
    yield app
    with app.app_context():
        _counts_kept_right()
        db.session.remove()
        # The key store's engine too: an app left for the garbage collector holds its connections open,
        # dozens of them on PostgreSQL by the middle of a run.
        for engine in db.engines.values():
            engine.dispose()


def _counts_kept_right() -> None:
    """Fail a test that left the counts by state apart from the cases: a change made past case_counts."""
    try:
        kept = {(o, s): n for o, s, n in db.session.execute(
            sa.select(CaseCount.organisation_id, CaseCount.state, CaseCount.count)) if n}
        cases = dict(((o, s), n) for o, s, n in db.session.execute(
            sa.select(Case.organisation_id, Case.state, sa.func.count())
            .group_by(Case.organisation_id, Case.state)))
    except sa.exc.SQLAlchemyError:
        # The test took the tables or the database away: there is nothing to compare.
        return
    finally:
        db.session.rollback()
    assert kept == cases, "the counts by state differ from the cases"


_PG_KEYSTORE: list[str] = []


def pg_keystore_url() -> str | None:
    """Return the PostgreSQL key store's URL (the test database's name plus _keys), creating it once."""
    if not PG_URL:
        return None
    if not _PG_KEYSTORE:
        url = sa.engine.make_url(PG_URL)
        name = f"{url.database}_keys"
        admin = sa.create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        _PG_KEYSTORE.append(url.set(database=name).render_as_string(hide_password=False))
    return _PG_KEYSTORE[0]


def _drop_everything() -> None:
    """Leave the shared PostgreSQL database empty, including Alembic's own table."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


# One hash of what a test could change in a PostgreSQL schema: tables, columns and their defaults,
# indexes (valid or not), constraints, triggers, functions and types.
_SCHEMA_HASH = r"""
SELECT md5(coalesce(string_agg(item, E'\n' ORDER BY item), '')) FROM (
  SELECT concat_ws(' ', 'relation', relname, relkind::text) FROM pg_class
    WHERE relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT concat_ws(' ', 'column', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                   a.attnotnull::text, pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT concat_ws(' ', 'index', pg_get_indexdef(i.indexrelid), i.indisvalid::text)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT concat_ws(' ', 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT concat_ws(' ', 'trigger', pg_get_triggerdef(t.oid)) FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
  UNION ALL
  SELECT concat_ws(' ', 'function', oid::regprocedure::text) FROM pg_proc
    WHERE pronamespace = 'public'::regnamespace
  UNION ALL
  SELECT concat_ws(' ', 'type', t.typname, t.typtype::text,
                   (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum e
                     WHERE e.enumtypid = t.oid))
    FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace
) AS schema(item)
"""

# Each database's schema hash (the main one's and the key store's) as create_all built it this run.
_PG_SCHEMAS: dict[str | None, str] = {}


def _schema_hashes() -> dict[str | None, str]:
    """Return the schema hash of the main database and of the key store."""
    hashes = {}
    for key, engine in db.engines.items():
        with engine.connect() as conn:
            hashes[key] = conn.execute(sa.text(_SCHEMA_HASH)).scalar_one()
    return hashes


def _reset_postgresql() -> None:
    """Give the test the tables create_all builds, holding nothing but the standard question sets.

    A schema as built is emptied, which is much quicker than building it again; one a test changed
    (migrations, a dropped table, Alembic's own table) is dropped and built anew. Either way every row
    is gone and every sequence starts again at its first value, as after a fresh build.
    """
    if _PG_SCHEMAS and _schema_hashes() == _PG_SCHEMAS:
        for key, engine in db.engines.items():
            with engine.begin() as conn:
                for table in reversed(db.metadatas[key].sorted_tables):
                    conn.execute(table.delete())
                # DELETE rather than TRUNCATE: TRUNCATE makes new files for each table and index, which
                # took most of a second a test, against a few milliseconds for tables this small.
                conn.exec_driver_sql("SELECT setval(seqrelid, seqstart, false) FROM pg_sequence")
    else:
        _drop_everything()
        db.create_all()
        _PG_SCHEMAS.clear()
        _PG_SCHEMAS.update(_schema_hashes())
    # What migrations 0003 and 0028 ship, so every test has the standard question sets and translations.
    with db.engine.begin() as conn:
        install_standard_v1(conn)
        install_standard_translations(conn)


@pytest.fixture(scope="session", autouse=True)
def postgresql_left_empty(tmp_path_factory) -> Iterator[None]:
    """Leave the PostgreSQL databases without the suite's tables at the end of the run, as before it."""
    yield
    if PG_URL:
        app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path_factory.mktemp("last")),
                          "SQLALCHEMY_DATABASE_URI": PG_URL,
                          "KEYSTORE_URL": pg_keystore_url(), "RATELIMIT_ENABLED": False})
        with app.app_context():
            _drop_everything()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def client(app):
    """A browser-like test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's commands."""
    return app.test_cli_runner()


def csrf_from(html: str | bytes) -> str:
    """Return the CSRF token in a rendered form."""
    text = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text) or re.search(
        r'name="csrf_token" value="([^"]+)"', text
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def without_csrf(body: bytes) -> bytes:
    """Return a page with its CSRF tokens blanked: they carry the second they were signed in, so two
    renderings of one page differ only there when a second passes between them."""
    return re.sub(rb'value="[^"]{20,}"', b'value=""', body)


@dataclass
class StaffLogin:
    """A staff account's credentials and id."""

    id: int
    email: str
    password: str


def make_staff(app, email: str = "dana@verify.example", role: str = "admin") -> StaffLogin:
    """Create a staff account through the service and commit it."""
    from refcheck import accounts

    with app.app_context():
        user = accounts.create_staff(email, "Dana Verifier", role, STAFF_PASSWORD, "test")
        db.session.commit()
        return StaffLogin(user.id, user.email, STAFF_PASSWORD)


@pytest.fixture
def staff(app) -> StaffLogin:
    """An admin account."""
    return make_staff(app)


def sign_in(client, login: StaffLogin):
    """Sign in through the real form, CSRF included; return the response."""
    page = client.get("/staff/login")
    return client.post("/staff/login", data={
        "csrf_token": csrf_from(page.data), "email": login.email, "password": login.password,
    })


def default_scope():
    """A sound scope: two referees at least, a manager and a peer."""
    from refcheck.scope import Scope

    return Scope(checks=("references", "employment_history"), min_referees=2, max_referees=4,
                 relationships={"manager": 1, "peer": 1, "client": 0},
                 period_from="2021-01", period_to="2026-10", question_set="standard-v1",
                 report_recipients="Priya Shah, Head of Talent", retention_days=180)


@dataclass
class SentCase:
    """A case sent to its candidate, with the plaintext link token."""

    id: int
    token: str
    name: str
    email: str

    @property
    def path(self) -> str:
        return f"/c/{self.id}/{self.token}"


def send_case(app, staff_login: StaffLogin, who: tuple[str, str] = CANDIDATE) -> SentCase:
    """Open a case and invite its candidate through the services."""
    from refcheck import cases
    from refcheck.commands import Actor
    from refcheck.models import StaffUser

    with app.app_context():
        actor = Actor.staff(db.session.get(StaffUser, staff_login.id))
        details = cases.CaseDetails(who[0], who[1], "Senior Data Engineer",
                                    "Northwind Analytics Ltd", "To confirm work history.", None)
        case_id = cases.open_case(details, default_scope(), actor, utcnow()).id
        db.session.commit()
        token = cases.invite_candidate(case_id, actor, utcnow())
        db.session.commit()
        return SentCase(case_id, token, *who)


@pytest.fixture
def sent_case(app, staff) -> SentCase:
    """A case waiting for its candidate's decision."""
    return send_case(app, staff)


def enter_portal(client, sent: SentCase):
    """Follow the emailed link and exchange it for a session, as a browser would."""
    page = client.get(sent.path)
    assert page.status_code == 200
    return client.post(sent.path, data={"csrf_token": csrf_from(page.data)})


def consent(client, signature: str = "Amira Okafor"):
    """Agree to the scope on the portal."""
    page = client.get("/portal")
    return client.post("/portal/consent", data={
        "csrf_token": csrf_from(page.data), "signature": signature, "agree": "y",
    })


MANAGER = {"name": "Grace Lindqvist", "email": "grace.lindqvist@northwind.example",
           "organisation": "Northwind Analytics", "job_title": "Head of Data",
           "relationship": "manager", "worked_from": "2022-01", "worked_to": "2024-06"}


def peer(n: int) -> dict:
    return {**MANAGER, "name": f"Peer {n}", "email": f"peer{n}@northwind.example",
            "relationship": "peer", "job_title": "Data Engineer"}


def nominate(client, **data):
    page = client.get("/portal/referees")
    return client.post("/portal/referees", data={**data, "csrf_token": csrf_from(page.data)})


@pytest.fixture
def invited(app, client, sent_case):
    """A consented case with a manager and a peer invited; returns {name: link path}."""
    enter_portal(client, sent_case)
    consent(client)
    nominate(client, **MANAGER)
    nominate(client, **peer(1))
    state_work_history(client)
    page = client.get("/portal/referees")
    response = client.post("/portal/referees/invite", data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 303
    return invitation_links(app)


def invitation_links(app) -> dict[str, str]:
    """Return each invited referee's link path by name, read from the sealed invitation emails."""
    links = {}
    with app.app_context():
        for message in db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "referee_invitation")
        ).scalars():
            body = message.unseal("body_enc")
            # The greeting in the referee's language: "Hello Grace,", "Hola, Grace:", "Bonjour Grace,".
            greeting = re.search(r"Hello (.+),|Hola, (.+):|Bonjour (.+?)\s?,", body)
            name = next(group for group in greeting.groups() if group)
            links[name] = re.search(r"https://refcheck\.test(/r/\S+)", body).group(1)
    return links


def enter_referee(app, path):
    browser = app.test_client()
    page = browser.get(path)
    assert page.status_code == 200
    assert browser.post(path, data={"csrf_token": csrf_from(page.data)}).status_code == 303
    return browser


def attest_referee(browser):
    """Attest if need be; return the questionnaire on one page, where every answer can be sent at once."""
    page = browser.get("/referee")
    if b'name="identity"' in page.data:  # not attested yet (another tab may have done it)
        browser.post("/referee/attest", data={"csrf_token": csrf_from(page.data), "identity": "y",
                                              "truthful": "y"})
    return browser.get("/referee/all")


def full_answers(html: str, overrides: dict | None = None) -> dict:
    """Answer every question on the page as a careful referee would."""
    data = {"csrf_token": csrf_from(html)}
    for name in set(re.findall(r'name="(q\d+(?:_from|_to)?)"', html)):
        if name.endswith("_from"):
            data[name] = "2022-01"
        elif name.endswith("_to"):
            data[name] = "2024-06"
        else:
            options = re.findall(rf'name="{name}"[^>]*type="radio" value="([^"]+)"', html)
            data[name] = options[0] if options and options[0] != "1" else (options[3] if options else
                                                                             "Built the data platform.")
    data.update(overrides or {})
    return data


def count_queries(app, client, url: str) -> int:
    """Return how many SQL statements the main database ran to serve one page (which must answer 200)."""
    from sqlalchemy import event

    statements = []

    def listener(*args):
        statements.append(args[2])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def state_work_history(client):
    """The candidate states one position, the facts the referees will be compared with (once)."""
    page = client.get("/portal/history")
    if b"What you have told us" in page.data:
        return
    client.post("/portal/history", data={
        "csrf_token": csrf_from(page.data), "employer": "Northwind Analytics Ltd",
        "title": "Senior Data Engineer", "start_month": "2022-01", "end_month": "2024-06",
        "reason_for_leaving": "resigned"})


def release_case(app, client, invited, staff, sent_case, *, answer: str, reply: str, note: str,
                 stop_at_candidate_review: bool = False, signal_note: str | None = None,
                 release: bool = True, facts: dict[str, str] | None = None):
    """Take an invited case through answers, review, a reply and release; return the staff client.

    The peer's first free-text answer carries `answer`, the candidate's reply `reply`, and staff's
    resolution and signal notes `note` (the signal notes `signal_note` when given). With
    release=False it stops just before release, every signal handled. `facts` gives every referee's
    employer and title lines (otherwise they answer both with a sentence, and both conflict).
    """
    state_work_history(client)
    for name, path in invited.items():
        browser = enter_referee(app, path)
        html = attest_referee(browser).data.decode()
        data = full_answers(html)
        if facts:
            # The employer and title lines, in their questions' order: employer first, then title.
            lines = sorted((field for field in data if data[field] == "Built the data platform."
                            and f'id="{field}" maxlength="200"' in html), key=lambda f: int(f[1:]))
            data[lines[0]], data[lines[1]] = facts["employer"], facts["title"]
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
    if not release:
        return staff_client
    done = staff_client.post(f"{base}/release", data={"csrf_token": token}, follow_redirects=True)
    assert b"Version 1 of the report is released" in done.data
    return staff_client


# ---------------------------------------------------------------- figures at the end of a run

# Each group's line counts this run's own outcomes: a test "refuses" or "holds" when it passed.
FIGURE_GROUPS = (("tests/security/", "attack suite", "refused"), ("tests/faults/", "fault tests", "held"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print one line per group of tests, and the scans' lines when make test ran them first."""
    outcome: dict[str, str] = {}
    rank = {"passed": 0, "skipped": 1, "xfailed": 1, "failed": 2, "error": 2, "xpassed": 2}
    for key, worst in rank.items():
        for report in terminalreporter.stats.get(key, []):
            nodeid = getattr(report, "nodeid", "")
            if nodeid and rank.get(outcome.get(nodeid, "passed"), 0) <= worst:
                outcome[nodeid] = key
    lines = []
    for prefix, label, verb in FIGURE_GROUPS:
        group = [state for nodeid, state in outcome.items() if nodeid.startswith(prefix)]
        if group:
            passed = group.count("passed")
            skipped = sum(state in ("skipped", "xfailed") for state in group)
            line = f"{label}: {passed} of {len(group)} {verb}"
            lines.append(line + (f" ({skipped} skipped)" if skipped else ""))
    summary = os.environ.get("REFCHECK_CHECKS_SUMMARY")
    if summary:
        try:
            with open(summary) as handle:
                lines += [line.rstrip() for line in handle if line.strip()]
        except OSError:
            lines.append(f"bandit, pip-audit: no results ({summary} is missing)")
    if lines:
        terminalreporter.write_sep("-", "refcheck figures")
        for line in lines:
            terminalreporter.write_line(line)
