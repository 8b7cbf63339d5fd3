"""Benchmark 5: the JSON API's create-check and read-check over gunicorn, against the stack floor.

A hiring system's two commonest calls, sent with one organisation's Bearer key by concurrent
clients: `POST /api/v1/checks` orders a check (the candidate's name and email sealed, the case
opened and sent, the candidate's email queued in the outbox) and `GET /api/v1/checks/<id>` reads
one back. Every call is audited, so each writes an `api.called` event and commits, where the stack
floor only reads one row: the API is expected to be slower than the floor, and the goals say how
much slower it may be. Hello world and the floor are measured before and after the API, on the same
gunicorn settings, and each is taken as the two runs together, so drift meanwhile falls on both.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from . import load
from .common import Results, bench_config, fresh_schema, http, server_env, verdict

API = "/api/v1"
ORGANISATION = "Northwind Analytics Ltd"
WARM_UP = 6  # checks ordered and read first, not measured, so both workers have loaded every path
READS_PER_CHECK = 2
# The floor reads one row and writes nothing. A read-check also authenticates the key, reads the case,
# its progress and timeline and commits an audit event: half the floor's throughput at least. A
# create-check validates the body, seals the candidate under a fresh data key, opens and sends the
# case and writes its audit events and the candidate's email: a quarter of the floor at least.
CREATE_GOAL = 0.25
READ_GOAL = 0.5
CREATE = f"POST {API}/checks (create-check)"
READ = f"GET {API}/checks/<id> (read-check)"


@dataclass
class ApiRun:
    """What one API run measured, and what the database held afterwards."""

    label: str
    create: load.Phase
    read: load.Phase
    calls: int  # every API call sent, warm-up included
    expected: int  # checks ordered, warm-up included
    warm_errors: list[str] = field(default_factory=list)
    ordered: int = 0
    audited: int = 0
    outbox: int = 0

    def errors(self) -> list[str]:
        """Return every error of the warm-up and both steps."""
        return self.warm_errors + self.create.errors + self.read.errors


def seed_key(app: Any) -> tuple[str, int]:
    """Add the organisation, a package of the load benchmark's scope and an API key; return key, package."""
    from refcheck import api_keys, organisations
    from refcheck.extensions import db
    from refcheck.models import Package, utcnow

    with app.app_context():
        organisation = organisations.create(ORGANISATION, "bench")
        package = Package(organisation_id=organisation.id, name="Standard references",
                          scope=load.bench_scope().to_json(),
                          purpose="To confirm the work history you gave us.")
        db.session.add(package)
        db.session.flush()
        _row, key = api_keys.create(ORGANISATION, "Benchmark ATS", "bench", utcnow())
        db.session.commit()
        return key, package.id


def api_steps(port: int, key: str, package_id: int, ids: list[int]) -> tuple[Any, Any]:
    """Return the create-check and read-check calls on the server at `port`; each checks its answer.

    Create takes a number that makes the candidate's email distinct and adds the new check's id to `ids`;
    read takes a check's id.
    """
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    # The API refuses a due date its usual pace cannot meet; 60 days is well beyond it.
    due = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=60)).isoformat()

    def create(n: int) -> float:
        """Order check number n and note its id."""
        email = f"candidate{n}@candidate.example"
        reply = http(port, "POST", f"{API}/checks", request_headers=headers, json_body={
            "package_id": package_id, "candidate": {"name": f"Candidate {n}", "email": email},
            "position": "Data Analyst", "due_date": due, "client_reference": f"bench-{n}"})
        seconds = load.expect(reply, 201, f"POST {API}/checks")
        answer = json.loads(reply.body)
        if answer["client_reference"] != f"bench-{n}" or answer["state"] != "awaiting_consent":
            raise RuntimeError(f"POST {API}/checks: answered {answer['client_reference']}, "
                               f"{answer['state']}")
        ids.append(answer["id"])
        return seconds

    def read(check_id: int) -> float:
        """Read one check and make sure it is the one asked for."""
        reply = http(port, "GET", f"{API}/checks/{check_id}", request_headers=headers)
        seconds = load.expect(reply, 200, f"GET {API}/checks/<id>")
        if json.loads(reply.body)["id"] != check_id:
            raise RuntimeError(f"GET {API}/checks/{check_id}: another check answered")
        return seconds

    return create, read


def api_run(label: str, database_url: str | None, checks: int, concurrency: int) -> ApiRun:
    """Serve refcheck on a fresh database with gunicorn; order `checks` checks through the API, read them."""
    from refcheck import create_app
    from refcheck.extensions import db
    from refcheck.models import AuditEvent, Case, OutboxMessage

    with tempfile.TemporaryDirectory(prefix="refcheck-bench-api-") as tmp:
        workdir = Path(tmp)
        config = bench_config(workdir, database_url)
        app = create_app(config)
        fresh_schema(app)
        key, package_id = seed_key(app)
        with app.app_context():
            # Seeding may queue mail or audit of its own: only what the calls add is counted.
            outbox_before = db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one()
        ids: list[int] = []
        with load.gunicorn("wsgi:app", server_env(config), workdir / "gunicorn.log") as port:
            create, read = api_steps(port, key, package_id, ids)
            warm_up = [load.run_phase("warm-up create", list(range(-WARM_UP, 0)), create, 2, port)]
            warm_up.append(load.run_phase("warm-up read", list(ids), read, 2, port))
            ids.clear()
            created = load.run_phase(CREATE, list(range(checks)), create, concurrency, port)
            print(f"    {label}: {created.describe(95)}", flush=True)
            reads = [check_id for _ in range(READS_PER_CHECK) for check_id in ids]
            read_phase = load.run_phase(READ, reads, read, concurrency, port)
            print(f"    {label}: {read_phase.describe(95)}", flush=True)
        run = ApiRun(label, created, read_phase, calls=2 * WARM_UP + checks + len(reads),
                     expected=WARM_UP + checks,
                     warm_errors=[f"warm-up: {e}" for p in warm_up for e in p.errors])
        with app.app_context():
            run.ordered = db.session.execute(sa.select(sa.func.count(Case.id))
                                             .where(Case.api_key_id.is_not(None))).scalar_one()
            run.audited = db.session.execute(sa.select(sa.func.count(AuditEvent.id))
                                             .where(AuditEvent.action == "api.called")).scalar_one()
            run.outbox = db.session.execute(
                sa.select(sa.func.count(OutboxMessage.id))).scalar_one() - outbox_before
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        load.show_tracebacks(workdir / "gunicorn.log")
    return run


def run(results: Results, label: str, database_url: str | None, checks: int, concurrency: int,
        requests: int) -> None:
    """Measure hello world and the stack floor around an API run on one database; add the rows."""
    hello = [load.hello_run(concurrency, requests)]
    print(f"    hello world: {hello[0].describe()}", flush=True)
    floors = [load.floor_run(concurrency, requests, database_url)]
    print(f"    stack floor: {floors[0].describe()}", flush=True)
    api = api_run(label, database_url, checks, concurrency)
    floors.append(load.floor_run(concurrency, requests, database_url))
    print(f"    stack floor: {floors[1].describe()}", flush=True)
    hello.append(load.hello_run(concurrency, requests))
    report(results, api, load.merged("stack floor GET /<id>", floors),
           load.merged("hello world GET /", hello))


def report(results: Results, api: ApiRun, floor: load.Phase, hello: load.Phase) -> None:
    """Add one database's rows: hello world and the floor, each call against the floor, and the checks."""
    name = f"5. API on {api.label}"
    results.add(name, "hello world GET / (before and after the API run)",
                hello.describe() + (f", {len(hello.errors)} errors" if hello.errors else ""))
    load.report_floor(results, floor, hello, f"{api.label}, before and after the API run", name)
    calls = (("create-check", api.create, CREATE_GOAL), ("read-check", api.read, READ_GOAL))
    for short, phase, goal in calls:
        ratio = phase.throughput / floor.throughput
        results.add(name, phase.name, phase.describe(95) + f", {len(phase.errors)} errors",
                    f"stack floor: {floor.describe(95)}", f"{ratio:.0%}", f">= {goal:.0%} of the floor",
                    verdict(ratio >= goal and not phase.errors))
        if phase.cpu_each and floor.cpu_each:
            share = floor.cpu_each / phase.cpu_each
            results.add(name, f"{short} by server CPU per request (little moved by other load)",
                        f"{phase.cpu_each * 1000:.2f} ms", f"stack floor: {floor.cpu_each * 1000:.2f} ms",
                        f"{share:.0%}", f">= {goal:.0%} of the floor", verdict(share >= goal))
    results.add(name, "create-check and read-check against hello world (reference line)",
                f"{api.create.throughput / hello.throughput:.0%} and "
                f"{api.read.throughput / hello.throughput:.0%}",
                f"hello world: {hello.throughput:.0f}/s", "", "reference line, no goal", "")
    errors = api.errors()
    results.add(name, "errors (warm-up included)", str(len(errors)), "", "", "0", verdict(not errors))
    for error in sorted(set(errors))[:5]:
        results.note(f"API on {api.label}: {error}")
    results.add(name, "checks stored / candidate emails queued",
                f"{api.ordered} of {api.expected} / {api.outbox}", "", "", "all, one email each",
                verdict(api.ordered == api.expected == api.outbox))
    results.add(name, "api.called audit events, one per call", f"{api.audited} for {api.calls} calls", "", "",
                "one per call", verdict(api.audited == api.calls))
