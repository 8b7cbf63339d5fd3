"""Benchmark 3: staff pages, search, metrics and the candidate portal on 100,000 cases, in-process."""

from __future__ import annotations

import datetime as dt
import gc
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from .common import Results, bench_config, csrf_from, fresh_schema, median, verdict

GOAL_MS = 30.0


class QueryCounter:
    """Count the SQL statements every engine of the app sends."""

    def __init__(self, engines: list[Any]) -> None:
        self.count = 0
        for engine in engines:
            event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.count += 1


def measure(client: Any, counter: QueryCounter, path: Any, repeat: int, expect: bytes | None = None
            ) -> tuple[float, int, list[int]]:
    """Return the median milliseconds, and the query counts, of `repeat` GETs of a page (after 2 warm-ups).

    `path` may be a function of the request's number, to ask for a different page each time.
    """
    at = path if callable(path) else (lambda _n: path)
    for n in range(2):
        reply = client.get(at(-1 - n))
        if reply.status_code != 200:
            raise RuntimeError(f"{path}: {reply.status_code}")
        if expect is not None and expect not in reply.data:
            raise RuntimeError(f"{path}: the page does not show {expect!r}")
    times, queries = [], []
    for n in range(repeat):
        target = at(n)  # before the clock starts: making the path may write to the database
        counter.count = 0
        start = time.perf_counter()
        reply = client.get(target)
        times.append((time.perf_counter() - start) * 1000)
        queries.append(counter.count)
        if reply.status_code != 200:
            raise RuntimeError(f"{path}: {reply.status_code}")
    return median(times), queries[-1], sorted(set(queries))


def _fresh_period(n: int) -> str:
    """Return the metrics page for a 90-day period ending n + 3 days ago: a different one for each n."""
    end = dt.date.today() - dt.timedelta(days=n + 3)
    return f"/staff/metrics?from={end - dt.timedelta(days=89)}&to={end}"


def after_a_change(app: Any, path: str, case_id: int) -> Any:
    """Return `path` for measure(), recording an audit event on a running case before each request.

    Every change to a case records such an event, so what the list keeps until the next one (the
    cases ready for review) is brought up to date on every measured request, as on a busy day.
    """
    from refcheck import audit
    from refcheck.extensions import db

    def at(_n: int) -> str:
        with app.app_context():
            audit.record("bench.change", "system:bench", case_id)
            db.session.commit()
        return path
    return at


def machine_speed(requests: int = 300) -> float:
    """Return the median microseconds of a hello-world Flask app's GET in-process: the machine's speed now.

    The pages' goals are in milliseconds, and this shared machine's speed moves by half or more from
    one hour to the next; this line, measured next to them, shows how fast it was at the time.
    """
    from flask import Flask

    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, world!")
    client = hello.test_client()
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get("/")
        times.append((time.perf_counter() - start) * 1e6)
    return median(times[requests // 10:])


def candidate_client(app: Any, case_id: int) -> Any:
    """Give a case's candidate a fresh link and enter the portal with it, as a browser would."""
    from refcheck import access
    from refcheck.extensions import db
    from refcheck.models import Case, utcnow

    with app.app_context():
        case = db.session.get(Case, case_id)
        token = access.issue_link(case, "candidate", dt.timedelta(days=14), utcnow())
        db.session.commit()
    client = app.test_client()
    page = client.get(f"/c/{case_id}/{token}")
    reply = client.post(f"/c/{case_id}/{token}", data={"csrf_token": csrf_from(page.data)})
    if reply.status_code != 303:
        raise RuntimeError(f"portal entry for case {case_id}: {reply.status_code}")
    return client


def run(results: Results, label: str, database_url: str | None, cases: int, referees: int,
        repeat: int = 20) -> None:
    """Seed the large database, then time each page and count its queries."""
    from refcheck import create_app
    from refcheck.extensions import db
    from refcheck.models import Case, Referee

    from . import seed_scale

    name = f"3. scale, {label}"
    with tempfile.TemporaryDirectory(prefix="refcheck-bench-scale-") as tmp:
        app = create_app({**bench_config(Path(tmp), database_url), "WTF_CSRF_ENABLED": True})
        fresh_schema(app)
        sample = seed_scale.seed(app, cases, referees)
        counts = sample["counts"]
        results.add(name, "seed_scale.py", f"{counts['cases']:,} cases, {counts['referees']:,} referees, "
                    f"{counts['responses']:,} sealed answers in {sample['seconds']:.0f} s")
        with app.app_context():
            counter = QueryCounter(list(db.engines.values()))
            # Two running cases with answers in, with different numbers of referees: their pages must
            # cost the same number of queries.
            picks = []
            for size in (3, 4):
                picks.append(db.session.execute(
                    sa.select(Case.id).join(Referee, Referee.case_id == Case.id)
                    .where(Case.state == "collecting").group_by(Case.id)
                    .having(sa.func.count(Referee.id) == size,
                            sa.func.sum(sa.case((Referee.state == "submitted", 1), else_=0)) >= 1)
                    .order_by(Case.id.desc()).limit(1)).scalar_one())
        staff = app.test_client()
        page = staff.get("/staff/login")
        signed = staff.post("/staff/login", data={"csrf_token": csrf_from(page.data),
                                                  "email": sample["staff_email"],
                                                  "password": sample["staff_password"]})
        if signed.status_code not in (302, 303):
            raise RuntimeError(f"staff sign-in: {signed.status_code}")
        email = sample["emails"][42]
        every_case = f'<span class="count">{counts["cases"]:,}</span>'.encode()  # as people read it
        pages = [
            ("staff case list /staff/", "/staff/", every_case),
            ("  the same, just after a change to a running case", after_a_change(app, "/staff/", picks[0]),
             b"RC-"),
            ("  page 200 of the list", "/staff/?page=200", b"RC-"),
            ("search ?q=RC-00042", "/staff/?q=RC-00042", b"RC-00042"),
            ("search ?q=<an email>", f"/staff/?q={email}", b"RC-00042"),
            ("search ?q=Wood (organisation prefix)", "/staff/?q=Wood", b"Woodgrove"),
            ("search ?q=Zzz (matches nothing)", "/staff/?q=Zzz", None),
            (f"case page (3 referees) /staff/cases/{picks[0]}", f"/staff/cases/{picks[0]}",
             f"Referee {picks[0]}-2".encode()),
            (f"case page (4 referees) /staff/cases/{picks[1]}", f"/staff/cases/{picks[1]}",
             f"Referee {picks[1]}-3".encode()),
            ("metrics /staff/metrics (last 90 days)", "/staff/metrics", None),
            ("metrics, one organisation", "/staff/metrics?organisation=Woodgrove+Bank", None),
            # A period never asked for before, so its figures are computed afresh on each request.
            ("metrics computed afresh (a new 90-day period each time)", _fresh_period, None),
        ]
        # As wsgi.py does once the app has started: what exists now lives for the whole run, so the
        # collector's full passes need not walk it again during measured requests.
        gc.collect()
        gc.freeze()
        # Requests run outside any app context of ours, so each gets its own session, as in production.
        speed_before = machine_speed()
        try:
            for title, path, expect in pages:
                ms, queries, seen = measure(staff, counter, path, repeat, expect)
                results.add(name, title, f"median {ms:.1f} ms, {queries} queries"
                            + (f" (varied: {seen})" if len(seen) > 1 else ""),
                            "", "", f"< {GOAL_MS:.0f} ms", verdict(ms < GOAL_MS))
            for pick, size in zip(picks, (3, 4), strict=True):
                portal = candidate_client(app, pick)
                ms, queries, seen = measure(portal, counter, "/portal", repeat,
                                            f"Referee {pick}-1".encode())
                results.add(name, f"candidate portal /portal ({size} referees)",
                            f"median {ms:.1f} ms, {queries} queries"
                            + (f" (varied: {seen})" if len(seen) > 1 else ""),
                            "", "", f"< {GOAL_MS:.0f} ms", verdict(ms < GOAL_MS))
            speed = f"median {speed_before:.0f} µs and {machine_speed():.0f} µs"
            results.add(name, "the machine's speed meanwhile: hello-world Flask GET in-process, before and "
                        "after the pages", speed, "", "", "reference line, no goal", "")
        finally:
            gc.unfreeze()
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
