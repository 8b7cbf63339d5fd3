"""Benchmark 1 and 4b: referees opening and submitting their forms over gunicorn, against hello world."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tests.conftest import full_answers

from .common import (
    ROOT,
    VENV_BIN,
    Results,
    bench_config,
    csrf_from,
    free_port,
    fresh_schema,
    http,
    percentile,
    server_env,
    verdict,
)

if TYPE_CHECKING:
    from refcheck.scope import Scope

CONF = Path(__file__).with_name("gunicorn_conf.py")
# The gunicorn master being measured: its workers' CPU time is read from /proc around each step.
_serving: dict[str, int] = {}
# Every gunicorn master up now, by its port: the paired cipher runs serve two at once.
_masters: dict[int, int] = {}
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def server_cpu(master: int | None = None) -> float:
    """Return the CPU seconds (user and system) a gunicorn's workers have used so far.

    `master` is the gunicorn to read, by default the one serving now. Unlike throughput, this hardly
    moves when other processes load the machine.
    """
    master = master or _serving.get("pid")
    if not master:
        return 0.0
    total = 0.0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return 0.0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a worker that has just exited
        total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total
WARM_UP = 6  # referees walked through first, not measured


# ------------------------------------------------------------------ seeding through the services

def bench_scope() -> Scope:
    """Return the scope the benchmark's cases are opened with: two to four referees, a manager and a peer."""
    from refcheck.scope import Scope

    return Scope(checks=("references", "employment_history"), min_referees=2, max_referees=4,
                 relationships={"manager": 1, "peer": 1}, period_from="2019-01", period_to="2026-10",
                 question_set="standard-v1", report_recipients="Priya Shah, Head of Talent",
                 retention_days=180)


def seed_invited_referees(app: Any, cases_count: int) -> list[tuple[str, str]]:
    """Open cases, consent, nominate a manager and two peers per case and invite them; return links.

    Everything goes through refcheck's own services, as the demo does, so tokens, sealed details,
    audit events and outbox emails are all real.
    """
    from refcheck import accounts, cases, referees
    from refcheck.commands import Actor
    from refcheck.extensions import db
    from refcheck.models import utcnow

    links: list[tuple[str, str]] = []
    with app.app_context():
        staff = accounts.create_staff("bench@verify.example", "Bench Verifier", "admin",
                                      "correct horse battery staple", "bench")
        db.session.commit()
        scope = bench_scope()
        for n in range(cases_count):
            now = utcnow()
            details = cases.CaseDetails(f"Candidate {n}", f"candidate{n}@candidate.example",
                                        "Senior Data Engineer", "Northwind Analytics Ltd",
                                        "To confirm work history.", None)
            # Each command is committed on its own, as the page that runs it would.
            case_id = cases.open_case(details, scope, Actor.staff(staff), now).id
            db.session.commit()
            cases.invite_candidate(case_id, Actor.staff(staff), now)
            db.session.commit()
            actor = Actor.candidate(case_id)
            cases.grant_consent(case_id, actor, f"Candidate {n}", "127.0.0.1", "bench", now)
            db.session.commit()
            people = [("manager", "Head of Data"), ("peer", "Data Engineer"), ("peer", "Analyst")]
            for i, (relationship, title) in enumerate(people):
                referees.nominate(case_id, actor, referees.RefereeDetails(
                    f"Referee {n}-{i}", f"referee{n}-{i}@northwind-{n}.example", "Northwind Analytics Ltd",
                    title, relationship, "2021-01", "2024-06"), now)
                db.session.commit()
            # The work history referees are compared with: invitations wait for it.
            referees.save_claim(case_id, actor, referees.ClaimFacts(
                "Northwind Analytics Ltd", "Data Engineer", "2021-01", "2024-06", "resigned"), now)
            db.session.commit()
            sent = referees.send_invitations(case_id, actor, now + dt.timedelta(seconds=1))
            links += [(referee.id, token) for referee, token in sent]
            db.session.commit()
    return links


# ------------------------------------------------------------------ servers

@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], log: Path, ready_path: str = "/"):
    """Serve `app_spec` with the benchmark's gunicorn settings on a free loopback port; yield the port."""
    port = free_port()
    command = [str(VENV_BIN / "gunicorn"), "-c", str(CONF), "--bind", f"127.0.0.1:{port}", app_spec]
    with open(log, "ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603 - our argv
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start; see {log}")
            try:
                if http(port, "GET", ready_path, timeout=5).status < 500:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")
            time.sleep(0.2)
        # Both workers load the app lazily: warm them so the first measured requests are not imports.
        for _ in range(8):
            http(port, "GET", ready_path)
        _serving["pid"] = _masters[port] = process.pid
        yield port
    finally:
        _masters.pop(port, None)
        if _serving.get("pid") == process.pid:
            _serving.pop("pid")
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ------------------------------------------------------------------ load

@dataclass
class Phase:
    """One step done by every referee at once: how long it took and each request's latency."""

    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def count(self) -> int:
        """Return how many requests succeeded."""
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        """Return successful requests per second of the step's wall time."""
        return self.count / self.seconds if self.seconds else 0.0

    def describe(self, tail: int = 99) -> str:
        """Return throughput and latency in words: the median and the `tail` percentile."""
        text = (f"{self.throughput:.0f}/s, p50 {percentile(self.latencies, 50) * 1000:.1f} ms, "
                f"p{tail} {percentile(self.latencies, tail) * 1000:.1f} ms")
        return text + (f", {self.cpu_each * 1000:.1f} ms server CPU each" if self.server_cpu else "")

    @property
    def cpu_each(self) -> float:
        """Return the server's CPU seconds per successful request."""
        return self.server_cpu / self.count if self.count else 0.0


def merged(name: str, phases: list[Phase]) -> Phase:
    """Return several runs of one step as one: their time, latencies, errors and CPU added up."""
    total = Phase(name)
    for p in phases:
        total.seconds += p.seconds
        total.latencies += p.latencies
        total.errors += p.errors
        total.client_cpu += p.client_cpu
        total.server_cpu += p.server_cpu
    return total


def run_phase(name: str, items: list[Any], work: Any, concurrency: int, port: int | None = None) -> Phase:
    """Run `work(item)` for every item with `concurrency` clients at once; collect latency and errors.

    The server CPU is read from the gunicorn on `port`, by default the one serving now.
    """
    master = _masters.get(port) if port else None
    phase = Phase(name)

    def one(item: Any) -> None:
        try:
            seconds = work(item)
            phase.latencies.append(seconds)
        except Exception as exc:  # an error is a result to count and show, not a crash
            phase.errors.append(f"{type(exc).__name__}: {exc}"[:200])

    cpu = time.process_time()
    served = server_cpu(master)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, items))
    phase.seconds = time.perf_counter() - start
    phase.client_cpu = time.process_time() - cpu
    phase.server_cpu = server_cpu(master) - served
    return phase


def hello_phase(port: int, requests: int, concurrency: int) -> Phase:
    """GET / on the hello-world app `requests` times."""

    def get(_: int) -> float:
        reply = http(port, "GET", "/")
        if reply.status != 200 or reply.body != b"Hello, world!":
            raise RuntimeError(f"hello: {reply.status}")
        return reply.seconds

    return run_phase("hello world GET /", list(range(requests)), get, concurrency)


@dataclass
class Referee:
    """One simulated referee: their link, cookie jar and the page last seen."""

    id: str
    token: str
    cookies: dict[str, str] = field(default_factory=dict)
    page: bytes = b""

    @property
    def link(self) -> str:
        """Return the path of the emailed link."""
        return f"/r/{self.id}/{self.token}"


def expect(reply: Any, status: int, what: str, location: str | None = None) -> float:
    """Return a reply's latency, or raise if its status (or redirect) is not the expected one."""
    if reply.status != status:
        raise RuntimeError(f"{what}: {reply.status} instead of {status}")
    if location and location not in reply.headers.get("location", ""):
        raise RuntimeError(f"{what}: redirected to {reply.headers.get('location')}")
    return reply.seconds


def referee_phases(port: int, people: list[Referee], concurrency: int) -> list[Phase]:
    """Walk every referee through the flow one step at a time, all referees concurrently per step."""
    return [run_phase(name, people, work, concurrency, port) for name, work in referee_steps(port)]


def referee_steps(port: int) -> list[tuple[str, Callable[[Referee], float]]]:
    """Return a referee's steps on the server at `port`, in order: each does one request and checks it."""

    def open_link(r: Referee) -> float:
        reply = http(port, "GET", r.link, r.cookies)
        r.page = reply.body
        return expect(reply, 200, "GET link")

    def use_link(r: Referee) -> float:
        reply = http(port, "POST", r.link, r.cookies, {"csrf_token": csrf_from(r.page)})
        return expect(reply, 303, "POST link", "/referee")

    def attest_page(r: Referee) -> float:
        reply = http(port, "GET", "/referee", r.cookies)
        r.page = reply.body
        if b"Before you answer" not in reply.body:
            raise RuntimeError("GET /referee: no attestation form")
        return expect(reply, 200, "GET /referee (attest)")

    def attest(r: Referee) -> float:
        reply = http(port, "POST", "/referee/attest", r.cookies,
                     {"csrf_token": csrf_from(r.page), "identity": "y", "truthful": "y"})
        return expect(reply, 303, "POST attest")

    def questions_page(r: Referee) -> float:
        # All the questions on one page (the short pages save a draft each, a different load).
        reply = http(port, "GET", "/referee/all", r.cookies)
        r.page = reply.body
        if b'name="q' not in reply.body:
            raise RuntimeError("GET /referee/all: no questions")
        return expect(reply, 200, "GET /referee/all (questions)")

    def submit(r: Referee) -> float:
        reply = http(port, "POST", "/referee", r.cookies, full_answers(r.page.decode()))
        return expect(reply, 303, "POST answers", "/referee/thanks")

    return [("GET /r/<id>/<token> (page)", open_link), ("POST /r/<id>/<token> (session)", use_link),
            ("GET /referee, attest (page)", attest_page), ("POST /referee/attest", attest),
            ("GET /referee/all, questions (page)", questions_page), ("POST /referee (submission)", submit)]


# ------------------------------------------------------------------ one backend

@dataclass
class LoadRun:
    """What one refcheck load run measured."""

    label: str
    phases: list[Phase]
    started: float
    stored: int
    expected: int
    outbox: int
    audited: int

    def phase(self, prefix: str) -> Phase:
        """Return the step whose name starts with `prefix`."""
        return next(p for p in self.phases if p.name.startswith(prefix))

    def pages(self) -> Phase:
        """Return the page views (the GET steps) merged into one."""
        merged = Phase("page views")
        for p in self.phases:
            if "(page)" in p.name:
                merged.seconds += p.seconds
                merged.server_cpu += p.server_cpu
                merged.latencies += p.latencies
                merged.errors += p.errors
        return merged

    def errors(self) -> list[str]:
        """Return every error of every step."""
        return [e for p in self.phases for e in p.errors]


@dataclass
class Served:
    """One refcheck being served for a load run: its port, its referees, and once over, what it stored."""

    label: str
    port: int
    people: list[Referee]
    began: float
    expected: int
    warm_errors: list[str] = field(default_factory=list)
    stored: int = 0
    outbox: int = 0
    audited: int = 0

    def run(self, phases: list[Phase]) -> LoadRun:
        """Return the load run these phases make, with what was stored."""
        if phases:
            phases[0].errors += self.warm_errors
        return LoadRun(self.label, phases, self.began, self.stored, self.expected, self.outbox, self.audited)


@contextmanager
def served_refcheck(label: str, database_url: str | None, cases_count: int,
                    noop_cipher: bool = False) -> Iterator[Served]:
    """Seed invited referees on a fresh database and serve refcheck with gunicorn while the block runs.

    Afterwards the database is read back: answers stored, outbox emails added, audit events.
    """
    from refcheck import create_app
    from refcheck.extensions import db
    from refcheck.models import AuditEvent, OutboxMessage, Response

    from .noop_cipher import installed

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="refcheck-bench-") as tmp:
        workdir = Path(tmp)
        config = bench_config(workdir, database_url)
        with installed() if noop_cipher else nullcontext():
            app = create_app(config)
            fresh_schema(app)
            started = time.perf_counter()
            links = seed_invited_referees(app, cases_count + WARM_UP // 3)
            seeded = time.perf_counter() - started
            with app.app_context():
                outbox_before = db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one()
        print(f"    {label}: seeded {len(links)} invited referees through the services in {seeded:.1f} s",
              flush=True)
        env = server_env(config)
        if noop_cipher:
            env["BENCH_NOOP_CIPHER"] = "1"
        people = [Referee(rid, token) for rid, token in links]
        warm, people = people[:WARM_UP], people[WARM_UP:]
        with gunicorn("wsgi:app", env, workdir / "gunicorn.log") as port:
            served = Served(label, port, people, began, len(links))
            # A few referees go first, unmeasured, so both workers have compiled every template.
            for p in referee_phases(port, warm, 2):
                served.warm_errors += [f"warm-up: {e}" for e in p.errors]
            yield served
        with installed() if noop_cipher else nullcontext(), app.app_context():
            served.stored = db.session.execute(sa.select(sa.func.count(Response.id))).scalar_one()
            served.outbox = db.session.execute(
                sa.select(sa.func.count(OutboxMessage.id))).scalar_one() - outbox_before
            served.audited = db.session.execute(sa.select(sa.func.count(AuditEvent.id))
                                                .where(AuditEvent.action == "referee.submitted")).scalar_one()
            # Read one answer back through the app's own code: what was stored is what was sent.
            if not noop_cipher and served.stored:
                first = db.session.execute(sa.select(Response).limit(1)).scalar_one()
                assert first.unseal("answers_enc")["answers"], "a stored answer did not open"
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        show_tracebacks(workdir / "gunicorn.log")


def show_tracebacks(log: Path) -> None:
    """Print the end of a gunicorn log that has tracebacks: the table counts errors, the log says why."""
    text = log.read_text(errors="replace")
    if "Traceback" in text:
        print("    gunicorn log has tracebacks:\n" + text[-3000:], flush=True)


def refcheck_run(label: str, database_url: str | None, cases_count: int, concurrency: int,
                 noop_cipher: bool = False) -> LoadRun:
    """Seed invited referees on a fresh database, serve refcheck with gunicorn and walk them through."""
    with served_refcheck(label, database_url, cases_count, noop_cipher) as served:
        phases = referee_phases(served.port, served.people, concurrency)
    return served.run(phases)


def cipher_pair(cases_count: int, concurrency: int, slices: int) -> tuple[LoadRun, LoadRun]:
    """Serve refcheck twice at once, with AES-GCM and with the no-op cipher; interleave their submissions.

    Both walk their referees up to the questions first. Then the submissions go in `slices` turns
    (AES-GCM, no-op, no-op, AES-GCM, ...), each a share of each side's referees, so that whatever
    the machine does meanwhile falls on both sides alike. A whole run of each, one after the
    other, differed by more than the cipher costs.
    """
    with served_refcheck("SQLite", None, cases_count) as real, \
            served_refcheck("SQLite, no-op cipher", None, cases_count, noop_cipher=True) as plain:
        phases: dict[str, list[Phase]] = {}
        for side in (real, plain):
            *before, _submit = referee_steps(side.port)
            phases[side.label] = [run_phase(name, side.people, work, concurrency, side.port)
                                  for name, work in before]
        name = referee_steps(real.port)[-1][0]
        merged = {real.label: Phase(name), plain.label: Phase(name)}
        size = -(-len(real.people) // slices)
        for turn in range(slices):
            for side in (real, plain) if turn % 2 == 0 else (plain, real):
                _name, submit = referee_steps(side.port)[-1]
                part = run_phase(name, side.people[turn * size:(turn + 1) * size], submit, concurrency,
                                 side.port)
                total = merged[side.label]
                total.seconds += part.seconds
                total.latencies += part.latencies
                total.errors += part.errors
                total.client_cpu += part.client_cpu
                total.server_cpu += part.server_cpu
    return (real.run(phases[real.label] + [merged[real.label]]),
            plain.run(phases[plain.label] + [merged[plain.label]]))


def report_backend(results: Results, run: LoadRun, hello: Phase) -> None:
    """Add one backend's rows: page views and submissions against hello world, and the checks."""
    name = f"1. referees on {run.label}"
    pages = run.pages()
    submissions = run.phase("POST /referee (submission)")
    for p in run.phases:
        results.add(name, p.name, p.describe() + (f", {len(p.errors)} errors" if p.errors else ""))
    ratio = pages.throughput / hello.throughput
    results.add(name, "page views (3 GETs above)", pages.describe(), hello.describe(), f"{ratio:.0%}",
                ">= 50%", verdict(ratio >= 0.5))
    ratio = submissions.throughput / hello.throughput
    results.add(name, "submissions", submissions.describe(), hello.describe(), f"{ratio:.0%}", ">= 35%",
                verdict(ratio >= 0.35))
    for label, phase, goal in (("page views", pages, 0.5), ("submissions", submissions, 0.35)):
        if phase.cpu_each and hello.cpu_each:
            share = hello.cpu_each / phase.cpu_each
            results.add(name, f"{label} by server CPU per request (little moved by other load)",
                        f"{phase.cpu_each * 1000:.2f} ms", f"hello world: {hello.cpu_each * 1000:.2f} ms",
                        f"{share:.0%}", f">= {goal:.0%}", verdict(share >= goal))
    errors = run.errors()
    results.add(name, "errors", str(len(errors)), "", "", "0", verdict(not errors))
    for error in sorted(set(errors))[:5]:
        results.note(f"{run.label}: {error}")
    results.add(name, "Response rows stored", f"{run.stored} of {run.expected}", "", "", "all",
                verdict(run.stored == run.expected))
    results.add(name, "audit events / new outbox emails",
                f"{run.audited} referee.submitted / {run.outbox} queued", "", "", "", "")


def hello_run(concurrency: int, requests: int) -> Phase:
    """Serve the hello-world app with the same gunicorn settings and load it."""
    with tempfile.TemporaryDirectory(prefix="refcheck-bench-hello-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REFCHECK_")}
        env["PYTHONPATH"] = str(ROOT)
        with gunicorn("benchmarks.hello:app", env, Path(tmp) / "gunicorn.log") as port:
            return hello_phase(port, requests, concurrency)


def floor_run(concurrency: int, requests: int, database_url: str | None = None) -> Phase:
    """Serve the stack floor (benchmarks/floor.py) with the same gunicorn settings and load it.

    Visitors keep their cookies, as referees do: each request after a visitor's first sends the
    signed session cookie and the CSRF secret in it, and gets the cookie set again.
    """
    import secrets

    from . import floor

    with tempfile.TemporaryDirectory(prefix="refcheck-bench-floor-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'floor.sqlite'}"
        rows = floor.seed(floor.create_app(url, "seeding"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REFCHECK_", "FLOOR_"))}
        env.update({"PYTHONPATH": str(ROOT), "FLOOR_DATABASE_URL": url,
                    "FLOOR_SECRET_KEY": secrets.token_hex(32)})
        jars: list[dict[str, str]] = [{} for _ in range(rows)]

        def get(n: int) -> float:
            row = n % rows + 1
            reply = http(port, "GET", f"/{row}", jars[row - 1])
            if reply.status != 200 or b'name="csrf_token"' not in reply.body \
                    or "session=" not in reply.headers.get("set-cookie", ""):
                raise RuntimeError(f"floor: {reply.status}")
            return reply.seconds

        with gunicorn("benchmarks.floor:app", env, Path(tmp) / "gunicorn.log", ready_path="/1") as port:
            return run_phase("stack floor GET /<id>", list(range(requests)), get, concurrency)


def report_floor(results: Results, floor: Phase, hello: Phase, label: str,
                 benchmark: str = "1. baseline") -> None:
    """Add the stack floor's rows under `benchmark`: its share of hello world, a reference line, no goal."""
    results.add(benchmark, f"stack floor GET /<id> ({label}; benchmarks/floor.py: one row, a form "
                "with its CSRF token, a template on a base layout, the session cookie)",
                floor.describe() + (f", {len(floor.errors)} errors" if floor.errors else ""),
                hello.describe(), f"{floor.throughput / hello.throughput:.0%}",
                "reference line, no goal", "")
    if floor.cpu_each and hello.cpu_each:
        results.add(benchmark, "stack floor by server CPU per request (reference line)",
                    f"{floor.cpu_each * 1000:.2f} ms", f"hello world: {hello.cpu_each * 1000:.2f} ms",
                    f"{hello.cpu_each / floor.cpu_each:.0%}", "reference line, no goal", "")
