"""Benchmark 6, batch work: each cron command on databases of two sizes ten times apart, in one run.

For each size the database is seeded (`seed_scale`, timed), then the commands run as cron runs them, each
in a process of its own: `keys status`, `retention purge --dry-run` (every due case listed),
`reminders send` (every running referee looked at), `mail send` until the outbox is empty (to an aiosmtpd
server on loopback that counts connections) and `retention purge` with a date at which one case in a
hundred is due. Each gives the time per item, the process's peak memory, and the longest a concurrent
app write waited: a probe writing an audit event every 100 ms, as the app's audited writes do.

The worker can run another checkout's code (`--tree`): the same measurements of the code before a fix.

    .venv/bin/python -m benchmarks.batch_bench [--sizes 10000 100000] [--postgres] [--tree PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("seed", "keys status", "purge --dry-run", "reminders send", "mail send", "retention purge")
# Goals, set before the first run: at the larger size, time per item and peak memory against the smaller.
PER_ITEM_GOAL, MEMORY_GOAL, PROBE_GOAL_MS, MAIL_GOAL_PER_MINUTE = 1.3, 1.2, 200, 1000
# One case in this many is made due for the timed purge.
PURGE_SHARE = 100


# Run `flask ARGS` and, as it exits, note its peak resident memory (VmHWM). The kernel's rusage would
# not do: a child made by fork counts its parent's memory (here, the seeder's) as its own peak.
_LAUNCH = """
import atexit, re, runpy, sys
out = sys.argv[1]
def note():
    with open("/proc/self/status") as status, open(out, "w") as target:
        target.write(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
atexit.register(note)
sys.argv = ["flask", "--app", "refcheck", *sys.argv[2:]]
runpy.run_module("flask", run_name="__main__")
"""


class _Counting:
    """An SMTP handler that accepts everything and counts messages and the connections they came on."""

    def __init__(self) -> None:
        self.messages = 0
        self.sessions: set[int] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's
        self.messages += 1
        self.sessions.add(id(session))
        return "250 OK"


class _Probe(threading.Thread):
    """Write an audit event every 100 ms, as an app's audited write would, and keep how long each took."""

    def __init__(self, app: Any) -> None:
        super().__init__(daemon=True)
        self.app, self.waits, self.stop = app, [], threading.Event()

        self.warm = threading.Event()

    def run(self) -> None:
        from refcheck import audit
        from refcheck.extensions import db

        with self.app.app_context():
            # The first write opens connections and reads keys: not a wait, and not counted.
            audit.record("bench.probe", "bench", None)
            db.session.commit()
            self.warm.set()
            while not self.stop.is_set():
                started = time.perf_counter()
                audit.record("bench.probe", "bench", None)
                db.session.commit()
                took = time.perf_counter() - started
                self.waits.append(took)
                self.stop.wait(max(0.0, 0.1 - took))


def _run(app: Any, env: dict[str, str], tree: Path, *args: str) -> dict[str, Any]:
    """Run `flask ARGS` in a process of its own while the probe writes; return time, memory and waits."""
    probe = _Probe(app)
    probe.start()
    probe.warm.wait()
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "-c", _LAUNCH, str(peak), *args], cwd=tree, env=env, capture_output=True,
            text=True, check=False)
        seconds = time.perf_counter() - started
        probe.stop.set()
        probe.join()
        peak_kb = int(peak.read_text()) if peak.exists() else None
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr[-2000:]}")
    return {"seconds": seconds, "output": done.stdout, "peak_kb": peak_kb,
            "probe_max_ms": max(probe.waits, default=0) * 1000, "probes": len(probe.waits)}


def _startup(env: dict[str, str], tree: Path) -> float:
    """Time a command with no work (`flask routes`), launched as the others are: start-up alone."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", _LAUNCH, os.devnull, "routes"],  # noqa: S603 - fixed arguments
                   cwd=tree, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


class _Database:
    """One seeded database of the run, its app, the environment its commands run in, and its mail server."""

    def __init__(self, tree: Path, database_url: str | None, cases: int, workdir: Path) -> None:
        import sqlalchemy as sa
        from aiosmtpd.controller import Controller

        from benchmarks import seed_scale
        from benchmarks.common import bench_config, free_port, fresh_schema, server_env
        from refcheck import create_app
        from refcheck.extensions import db
        from refcheck.models import COLLECTING, Case, DataKey, Referee

        config = bench_config(workdir, database_url)
        self.smtp, self.cases, self.tree = _Counting(), cases, tree
        config["SMTP_PORT"] = free_port()
        self.controller = Controller(self.smtp, hostname="127.0.0.1", port=config["SMTP_PORT"])
        self.controller.start()
        self.app = create_app(config)
        fresh_schema(self.app)
        started = time.perf_counter()
        seed_scale.seed(self.app, cases, 3 * cases, progress=False)
        self.figures: dict[str, Any] = {"seed": {"seconds": time.perf_counter() - started, "items": cases,
                                                 "peak_kb": None, "probe_max_ms": None}}
        self.env = {**server_env(config), "REFCHECK_MAIL_RATE_PER_SECOND": "0",
                    "REFCHECK_MAIL_RUN_SECONDS": "3600", "PYTHONPATH": str(tree)}
        with self.app.app_context():
            self.keys = db.session.execute(sa.select(sa.func.count()).select_from(DataKey)).scalar_one()
            self.running = db.session.execute(
                sa.select(sa.func.count()).select_from(Referee).join(Case)
                .where(Referee.state.in_(("invited", "opened")), Case.state == COLLECTING)).scalar_one()
            # The date at which one case in PURGE_SHARE is past its retention.
            self.erase_at = db.session.execute(
                sa.select(Case.erase_after).where(Case.erase_after.is_not(None)).order_by(Case.erase_after)
                .offset(cases // PURGE_SHARE - 1).limit(1)).scalar_one()
            db.session.rollback()

    def run(self, *args: str) -> dict[str, Any]:
        """Run one command on this database, as cron would."""
        return _run(self.app, self.env, self.tree, *args)

    def measure(self, command: str) -> None:
        """Run one of COMMANDS (after the seed) and keep its figures."""
        if command == "start-up":
            # What every run pays before its first item (Python, imports, the app): left out per item.
            self.figures[command] = {"seconds": statistics.median(_startup(self.env, self.tree)
                                                                  for _ in range(3))}
        elif command == "keys status":
            self.figures[command] = {**self.run("keys", "status"), "items": self.keys}
        elif command == "purge --dry-run":
            dry = self.run("retention", "purge", "--dry-run")
            self.figures[command] = {**dry, "items": dry["output"].count("Would erase")}
        elif command == "reminders send":
            self.figures[command] = {**self.run("reminders", "send"), "items": self.running}
        elif command == "mail send":
            # Older code sent at most 500 a run: cron would start it again until the outbox is empty.
            runs = []
            while True:
                runs.append(self.run("mail", "send"))
                if " 0 waiting" in runs[-1]["output"] or "Sent 0," in runs[-1]["output"]:
                    break
            self.figures[command] = {"seconds": sum(r["seconds"] for r in runs), "items": self.smtp.messages,
                                     "runs": len(runs), "connections": len(self.smtp.sessions),
                                     "peak_kb": max(r["peak_kb"] or 0 for r in runs),
                                     "probe_max_ms": max(r["probe_max_ms"] for r in runs)}
        else:
            purge = self.run("retention", "purge", "--now",
                             self.erase_at.replace(tzinfo=None).isoformat(timespec="seconds"))
            self.figures[command] = {**purge, "items": purge["output"].count("Erased RC-")}
        self.figures[command].pop("output", None)

    def close(self) -> None:
        """Stop the mail server and let the database go."""
        from refcheck.extensions import db

        self.controller.stop()
        with self.app.app_context():
            db.engine.dispose()


def measure(tree: Path, sizes: list[tuple[int, str | None]], workdir: Path) -> list[dict[str, Any]]:
    """Seed a database of each size, then run each command on one and then the other; return the figures.

    The sizes take turns command by command, so a change in the machine's load falls on both alike.
    """
    databases = [_Database(tree, url, cases, workdir / str(cases)) for cases, url in sizes]
    for command in ("start-up", *COMMANDS[1:]):
        for database in databases:
            database.measure(command)
    for database in databases:
        database.close()
    return [database.figures for database in databases]


def worker_main(argv: list[str]) -> None:
    """Measure in this process (whose PYTHONPATH picks the code) and print the figures as JSON."""
    tree, workdir, sizes = Path(argv[0]), Path(argv[1]), json.loads(argv[2])
    figures = measure(tree, [(cases, url) for cases, url in sizes], workdir)
    print("FIGURES " + json.dumps(figures, default=str), flush=True)


def measure_in(tree: Path, sizes: list[tuple[int, str | None]]) -> list[dict[str, Any]]:
    """Measure in a fresh process running `tree`'s code (its refcheck, seeder and CLI)."""
    with tempfile.TemporaryDirectory(prefix="refcheck-batch-") as workdir:
        for cases, _url in sizes:
            (Path(workdir) / str(cases)).mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("REFCHECK_")}
        env["PYTHONPATH"] = str(tree)
        done = subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(tree), workdir,
             json.dumps(sizes)], cwd=tree, env=env, capture_output=True, text=True, check=False)
        line = next((x for x in done.stdout.splitlines() if x.startswith("FIGURES ")), None)
        if done.returncode != 0 or line is None:
            raise RuntimeError(f"batch benchmark failed:\n{done.stderr[-3000:]}")
        return json.loads(line.removeprefix("FIGURES "))


def _per_item(figure: dict[str, Any], startup: float) -> float:
    """Return seconds per item, the process's start-up taken out (the seeder runs in-process)."""
    work = figure["seconds"] - (startup if figure.get("peak_kb") else 0.0) * figure.get("runs", 1)
    return work / figure["items"] if figure["items"] else float("nan")


def run(results: Any, label: str, database_urls: tuple[str | None, str | None], sizes: tuple[int, int],
        tree: Path = ROOT) -> None:
    """Measure both sizes and add a row per command: time per item, peak memory, probe waits."""
    from .common import verdict

    small, large = measure_in(tree, list(zip(sizes, database_urls, strict=True)))
    title = f"6. batch work, {label}"
    for command in COMMANDS:
        a, b = small[command], large[command]
        each_a = _per_item(a, small["start-up"]["seconds"])
        each_b = _per_item(b, large["start-up"]["seconds"])
        ratio = each_b / each_a
        value = (f"{sizes[0]:,} cases: {a['items']:,} items, {each_a * 1000:.2f} ms each; "
                 f"{sizes[1]:,}: {b['items']:,} items, {each_b * 1000:.2f} ms each")
        # Under a second of work at the smaller size is within the start-up's own variation: no verdict.
        judged = each_a * a["items"] >= 1.0
        results.add(title, f"{command}: time per item, larger / smaller", value, "",
                    f"{ratio:.2f}×" if judged else "(too short to time)", f"<= {PER_ITEM_GOAL}×",
                    verdict(ratio <= PER_ITEM_GOAL) if judged else "")
        if a.get("peak_kb") and b.get("peak_kb"):
            grown = b["peak_kb"] / a["peak_kb"]
            results.add(title, f"{command}: peak memory", f"{a['peak_kb'] / 1024:.0f} MB; "
                        f"{b['peak_kb'] / 1024:.0f} MB", "", f"{grown:.2f}×", f"<= {MEMORY_GOAL}×",
                        verdict(grown <= MEMORY_GOAL))
        if a.get("probe_max_ms") is not None:
            worst = max(a["probe_max_ms"], b["probe_max_ms"])
            results.add(title, f"{command}: longest wait of an app write (probe every 100 ms)",
                        f"{a['probe_max_ms']:.0f} ms; {b['probe_max_ms']:.0f} ms", "", "",
                        f"<= {PROBE_GOAL_MS} ms", verdict(worst <= PROBE_GOAL_MS))
    mail = large["mail send"]
    rate = 60 / _per_item(mail, large["start-up"]["seconds"])
    results.add(title, "mail send at the larger size: emails a minute, connections",
                f"{rate:,.0f} a minute; {mail['items']:,} emails over {mail['connections']} connections in "
                f"{mail['runs']} runs", "", "", f">= {MAIL_GOAL_PER_MINUTE:,}, one connection a run",
                verdict(rate >= MAIL_GOAL_PER_MINUTE and mail["connections"] <= mail["runs"]))
    results.note(f"Batch work, {label}: time per item leaves out each process's start-up (Python, imports, "
                 f"the app: {small['start-up']['seconds']:.1f} s and {large['start-up']['seconds']:.1f} s, "
                 "measured in the same run); peak memory is the command's process's own (wait4).")


def main() -> None:
    """Run the benchmark on its own and print its rows."""
    from .common import Results, ensure_pg_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs=2, type=int, default=[10_000, 100_000])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL rather than SQLite")
    parser.add_argument("--tree", type=Path, default=ROOT, help="a checkout whose code to measure")
    args = parser.parse_args()
    results = Results()
    urls = tuple(ensure_pg_database(f"refcheck_bench_batch_{n}") if args.postgres else None for n in (1, 2))
    run(results, "PostgreSQL" if args.postgres else "SQLite", urls, tuple(args.sizes), args.tree.resolve())
    print(results.table())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker_main(sys.argv[2:])
    else:
        main()
