"""Run every benchmark on this machine and print one table: `python -m benchmarks [--save]`."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from . import api_bench, batch_bench, breakdown, crypto_bench, load, report_bench, scale
from .common import Results, ensure_pg_database, pg_available, verdict

RESULTS_FILE = Path(__file__).with_name("RESULTS.md")
BEFORE_FILE = Path(__file__).with_name("RESULTS-before.md")
FIXES_FILE = Path(__file__).with_name("FIXES.md")


def machine() -> str:
    """Describe the machine: cores, memory, Python."""
    memory = "?"
    try:
        with open("/proc/meminfo") as handle:
            kib = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
            memory = f"{kib / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return (f"{os.cpu_count()} CPUs (nproc), {memory} memory, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}")


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages, as `uptime` shows them."""
    try:
        # uptime from PATH, as a person would run it.
        return subprocess.run(["uptime"], capture_output=True, text=True,  # noqa: S607
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return " ".join(f"{x:.2f}" for x in os.getloadavg())


def encryption_rows(results: Results, encrypted: load.LoadRun, plain: load.LoadRun, turns: int) -> None:
    """Compare submissions with AES-GCM against the no-op cipher, both served at once and interleaved."""
    name = "POST /referee (submission)"
    real, noop = encrypted.phase(name), plain.phase(name)
    ratio = real.throughput / noop.throughput
    errors = len(encrypted.errors()) + len(plain.errors())
    all_stored = encrypted.stored == plain.stored == encrypted.expected
    results.add("4. encryption",
                f"submissions over gunicorn, SQLite (both served at once, {turns} turns each, interleaved)",
                f"AES-256-GCM: {real.throughput:.0f}/s", f"no-op cipher: {noop.throughput:.0f}/s",
                f"{ratio:.0%}", ">= 90%", verdict(ratio >= 0.9 and errors == 0))
    share = noop.cpu_each / real.cpu_each
    results.add("4. encryption", "the same, by server CPU per submission (little moved by other load)",
                f"AES-256-GCM: {real.cpu_each * 1000:.2f} ms", f"no-op cipher: {noop.cpu_each * 1000:.2f} ms",
                f"{share:.0%}", ">= 90%", verdict(share >= 0.9))
    results.add("4. encryption", "both runs: errors, Response rows stored",
                f"{errors} errors, {encrypted.stored} and {plain.stored} of {encrypted.expected} stored",
                "", "", "0, all", verdict(errors == 0 and all_stored))


def main() -> int:
    """Run the benchmarks chosen on the command line; print the table; save it with --save."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", nargs="*", choices=["crypto", "report", "load", "floor", "scale", "api",
                                                         "batch"],
                        default=["crypto", "report", "load", "scale", "api", "batch"],
                        help="floor: hello world and the stack floor alone (load measures them too)")
    parser.add_argument("--quick", action="store_true", help="small sizes, to try the benchmarks out")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--scale-postgres", action="store_true",
                        help="also seed and measure the 100,000-case database on PostgreSQL (minutes)")
    parser.add_argument("--scale-million", action="store_true",
                        help="benchmark 3 on PostgreSQL at 1,000,000 cases and 3,000,000 referees (about 10 "
                        "minutes more; about 10 GB of disk)")
    parser.add_argument("--batch-sizes", nargs=2, type=int, metavar=("SMALL", "LARGE"),
                        help="the two database sizes of benchmark 6 (default 10,000 and 100,000 cases)")
    parser.add_argument("--save", action="store_true", help=f"write the table to {RESULTS_FILE.name}")
    parser.add_argument("--save-as", type=Path, help="write the table to this file instead")
    args = parser.parse_args()

    quick = args.quick
    cases_for_load = 20 if quick else 100  # three referees each
    concurrency = 16
    hello_requests = 500 if quick else 2000
    scale_cases, scale_referees = (5_000, 15_000) if quick else (100_000, 300_000)
    api_checks = 100 if quick else 500  # each read twice
    batch_sizes = tuple(args.batch_sizes or ((1_000, 10_000) if quick else (10_000, 100_000)))
    postgres = not args.no_postgres and pg_available()
    started = time.perf_counter()
    began = dt.datetime.now(dt.UTC)
    load_before = load_average()
    results = Results()
    print(f"refcheck benchmarks on {machine()}\nload before: {load_before}", flush=True)
    if not args.no_postgres and not postgres:
        results.note("PostgreSQL is not reachable on 127.0.0.1:5432: its rows are skipped.")

    def step(title: str, work) -> None:
        print(f"\n== {title}", flush=True)
        try:
            work()
        except Exception as exc:  # one failing benchmark must not hide the others' figures
            traceback.print_exc()
            results.add(title, "failed", f"{type(exc).__name__}: {exc}"[:300], verdict=verdict(False))

    if "crypto" in args.only:
        step("4. encryption, in-process", lambda: crypto_bench.run(results, 0.3 if quick else 1.0))
    if "report" in args.only:
        step("2. report", lambda: report_bench.run(results, 3 if quick else 5))
    def floor_against_hello(between: Callable[[], None] | None) -> load.Phase:
        """Measure hello world, the stack floor on SQLite and hello world again; return hello's figures.

        `between` runs after the floor, before the second hello world (the SQLite referee run).
        """
        hello = [load.hello_run(concurrency, hello_requests)]
        print(f"    hello world: {hello[0].describe()}", flush=True)
        floor = load.floor_run(concurrency, hello_requests)
        print(f"    stack floor: {floor.describe()}", flush=True)
        if between is not None:
            between()
        hello.append(load.hello_run(concurrency, hello_requests))
        baseline = load.merged("hello world GET /", hello)
        around = "before and after the SQLite run" if between is not None else "before and after it"
        results.add("1. baseline", f"hello world GET / ({around})",
                    baseline.describe() + (f", {len(baseline.errors)} errors" if baseline.errors else ""))
        load.report_floor(results, floor, baseline, "SQLite")
        return baseline

    if "floor" in args.only and "load" not in args.only:
        step("1. stack floor against hello world", lambda: floor_against_hello(None))
    if "load" in args.only:
        def referees() -> None:
            results.note(f"Load: {cases_for_load * 3} invited referees per run, {concurrency} concurrent "
                         "clients, each step done by every referee before the next; gunicorn 2 sync workers "
                         "on 127.0.0.1 for both apps; rate limits off (RATELIMIT_ENABLED=false); mail "
                         "stays queued in the outbox (no SMTP server).")
            runs: dict[str, load.LoadRun] = {}
            baseline = floor_against_hello(
                lambda: runs.update(sqlite=load.refcheck_run("SQLite", None, cases_for_load, concurrency)))
            load.report_backend(results, runs["sqlite"], baseline)
            if postgres:
                url = ensure_pg_database("refcheck_bench")
                pg = load.refcheck_run("PostgreSQL", url, cases_for_load, concurrency)
                hello_pg = load.hello_run(concurrency, hello_requests)
                results.add("1. baseline", "hello world GET / (after PostgreSQL run)", hello_pg.describe())
                load.report_floor(results, load.floor_run(concurrency, hello_requests, url), hello_pg,
                                  "PostgreSQL, after its run")
                load.report_backend(results, pg, hello_pg)
            # Encryption is priced by serving refcheck twice at once, with AES-GCM and with a no-op
            # cipher, and interleaving their submissions in turns: runs one after the other differed
            # by more than the cipher costs.
            turns = 10
            encrypted, plain = load.cipher_pair(cases_for_load, concurrency, turns)
            encryption_rows(results, encrypted, plain, turns)

        step("1. referees under load", referees)
        step("1. where the time goes", lambda: breakdown.run(results, 10 if quick else 20))
    if "scale" in args.only:
        step("3. scale, SQLite", lambda: scale.run(results, "SQLite", None, scale_cases, scale_referees,
                                                   10 if quick else 20))
        if postgres and args.scale_postgres:
            url = ensure_pg_database("refcheck_bench_scale")
            step("3. scale, PostgreSQL", lambda: scale.run(results, "PostgreSQL", url, scale_cases,
                                                           scale_referees, 10 if quick else 20))
        elif postgres:
            results.note("Scale on PostgreSQL not run (add --scale-postgres).")
        if postgres and args.scale_million:
            url = ensure_pg_database("refcheck_bench_million")
            step("3. scale, PostgreSQL, a million", lambda: scale.run(
                results, "PostgreSQL, 1,000,000 cases", url, 1_000_000, 3_000_000, 20))
    if "api" in args.only:
        results.note(f"API: {api_checks} checks ordered, then each read {api_bench.READS_PER_CHECK} times, "
                     f"by {concurrency} concurrent clients with one organisation's key; gunicorn 2 sync "
                     "workers; rate limits off; hello world and the stack floor measured before and after "
                     "each run.")
        step("5. API, SQLite", lambda: api_bench.run(results, "SQLite", None, api_checks, concurrency,
                                                     hello_requests))
        if postgres:
            step("5. API, PostgreSQL", lambda: api_bench.run(
                results, "PostgreSQL", ensure_pg_database("refcheck_bench_api"), api_checks, concurrency,
                hello_requests))
    if "batch" in args.only:
        results.note("Batch work: each size seeded afresh; commands run as cron runs them, a process each, "
                     "against an aiosmtpd server on loopback; `retention purge` with the date at which one "
                     f"case in {batch_bench.PURGE_SHARE} is past its retention.")
        step("6. batch work, SQLite", lambda: batch_bench.run(results, "SQLite", (None, None), batch_sizes))
        if postgres:
            step("6. batch work, PostgreSQL", lambda: batch_bench.run(
                results, "PostgreSQL", (ensure_pg_database("refcheck_bench_batch_1"),
                                        ensure_pg_database("refcheck_bench_batch_2")), batch_sizes))

    minutes = (time.perf_counter() - started) / 60
    load_after = load_average()
    command = "make bench" + (f" ARGS='{' '.join(sys.argv[1:])}'" if sys.argv[1:] else "")
    met = sum(r.verdict == "yes" for r in results.rows)
    missed = [f"{r.benchmark}: {r.measure}" for r in results.rows if r.verdict == "NO"]
    header = [f"Run: {began:%Y-%m-%d %H:%M} UTC, {minutes:.1f} minutes, `{command}`",
              f"Machine: {machine()}",
              f"Load before: {load_before}", f"Load after: {load_after}",
              f"Goals: {met} met, {len(missed)} missed" + (f" ({'; '.join(missed)})" if missed else "")]
    print("\n" + "\n".join(header) + "\n\n" + results.table())
    for note in results.notes:
        print("- " + note)
    if args.save or args.save_as:
        target = args.save_as or RESULTS_FILE
        target.write_text(
            "# Benchmark results\n\nEvery figure below was measured by `make bench` in the run described "
            "here; each ratio compares with a baseline measured in the same run. Nothing is typed in.\n\n"
            + "\n".join(f"- {line}" for line in header) + "\n\n" + results.table() + "\n\n"
            + "".join(f"- {note}\n" for note in results.notes)
            + (f"\nThe run before the fixes these benchmarks led to is kept in [{BEFORE_FILE.name}]"
               f"({BEFORE_FILE.name}).\n" if BEFORE_FILE.exists() else "")
            + (f"\nWhere a goal was missed, what profiling found, what was fixed and the figures before "
               f"and after: [{FIXES_FILE.name}]({FIXES_FILE.name}).\n" if FIXES_FILE.exists() else ""))
        print(f"\nSaved to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
