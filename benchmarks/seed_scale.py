"""Make a large database quickly: 100,000 cases and 300,000 referees with real sealed values.

Rows go in a batch at a time, by COPY on PostgreSQL and by the driver's executemany on SQLite, but every
personal value is sealed as crypto.seal seals it, under its case's own data key, and each data key is
wrapped by the master key and a share in the key store, exactly as the services do; so every page
decrypts what it shows. Run it on its own:

    .venv/bin/python -m benchmarks.seed_scale --instance /tmp/scale/instance \
        [--database-url postgresql://...] [--cases 100000 --referees 300000]
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import datetime as dt
import json
import multiprocessing
import os
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, NamedTuple

import sqlalchemy as sa

from .seed_load import Loader, indexes_after_load
from .seed_shapes import DECLINE_REASONS, ENDINGS, YEARS_DAYS, referee_state, stage_times, typical_answers

ORGANISATIONS = ["Northwind Analytics Ltd", "Contoso Retail plc", "Fabrikam Health Analytics",
                 "Tailspin Toys", "Woodgrove Bank", "Litware Inc", "Adventure Works Cycles",
                 "Proseware Ltd", "Wide World Importers", "Alpine Ski House"]
POSITIONS = ["Senior Data Engineer", "Product Analyst", "Nurse Practitioner", "Account Manager",
             "Site Reliability Engineer", "Finance Controller", "UX Researcher", "Warehouse Lead"]
BATCH = 2000
BENCH_DETAILS = {"bench": True}


@dataclass(frozen=True)
class _Setting:
    """What every batch's rows are made with, the same for them all."""

    ring: Any
    staff_id: int
    organisation_ids: dict[str, int]
    # (relationship, organisation) -> (question set id, the answers record)
    answers: dict[tuple[str, str], tuple[int, dict[str, Any]]]
    scope_json: str
    scope_sha: str
    disclosure_version: str
    ip_hash: str
    details_json: str
    first_event_id: int


class _CasePlan(NamedTuple):
    """One case as drawn from the random stream, with its events' place in the chain: all but the crypto."""

    n: int
    created: dt.datetime
    stages: dict[str, str]
    state: str
    entered: dict[str, dt.datetime]
    email: str
    # (action, previous hash, hash)
    events: list[tuple[str, str, str]]
    # (relationship, state, times)
    referees: list[tuple[str, str, dict[str, Any]]]


def seed(app: Any, cases: int = 100_000, referees: int = 300_000, seed_value: int = 20261123,
         progress: bool = True, workers: int | None = None) -> dict[str, Any]:
    """Fill an app's (empty) database; return what a benchmark needs to find its way around.

    On PostgreSQL, `workers` processes (by default one per CPU) seal and write the batches, each on
    connections of its own, while this one draws the next; on SQLite, which has one writer at a time,
    this process does it all.
    """
    from refcheck import accounts, audit, case_counts, keystore, organisations
    from refcheck.cases import DISCLOSURE_VERSION
    from refcheck.extensions import db
    from refcheck.models import AuditEvent, QuestionSet, keyring
    from refcheck.scope import Scope

    rng = random.Random(seed_value)  # noqa: S311 - repeatable test data, not secrets
    started = time.perf_counter()
    with app.app_context():
        ring = keyring()
        staff = accounts.create_staff("scale@verify.example", "Scale Verifier", "admin",
                                      "correct horse battery staple", "bench")
        organisation_ids = {name: organisations.create(name, "bench").id for name in ORGANISATIONS}
        db.session.commit()
        staff_id = staff.id
        sets = {s.relationship: s for s in db.session.execute(
            sa.select(QuestionSet).options(sa.orm.selectinload(QuestionSet.questions))
            .where(QuestionSet.key == "standard", QuestionSet.version == 1,
                   QuestionSet.language == "en")).scalars()}
        scope = Scope(checks=("references", "employment_history"), min_referees=3, max_referees=4,
                      relationships={"manager": 1, "peer": 1, "direct_report": 0},
                      period_from="2019-01", period_to="2026-10", question_set="standard-v1",
                      report_recipients="Priya Shah, Head of Talent", retention_days=180)
        # The chain goes on from the events making the staff account and organisations wrote.
        last_event = db.session.execute(sa.select(AuditEvent.id, AuditEvent.hash).order_by(
            AuditEvent.id.desc()).limit(1)).one_or_none()
        head = last_event.hash if last_event else audit.GENESIS
        setting = _Setting(
            ring=ring, staff_id=staff_id, organisation_ids=organisation_ids,
            # Every referee of one relationship at one organisation gives the same answers: made once here.
            answers={(relationship, organisation): (question_set.id, typical_answers(
                question_set, relationship, organisation))
                for relationship in ("manager", "peer", "direct_report") for organisation in ORGANISATIONS
                for question_set in [sets.get(relationship) or sets[None]]},
            # JSON columns are written as the text SQLAlchemy's JSON type would have made of them.
            scope_json=json.dumps(scope.to_json()), scope_sha=scope.fingerprint(),
            disclosure_version=DISCLOSURE_VERSION, ip_hash=ring.lookup_hash("198.51.100.9"),
            details_json=json.dumps(BENCH_DETAILS),
            # Events get ids in chain order, whichever batch is written first.
            first_event_id=(last_event.id if last_event else 0) + 1)
        endings = [s for s, share in ENDINGS for _ in range(share)]
        with_referees = lambda state: state not in ("draft", "awaiting_consent", "declined")  # noqa: E731
        ages = [rng.uniform(0.2, YEARS_DAYS) for _ in range(cases)]
        # Oldest first, so ids (and references) grow with time as they do in a real database.
        ages.sort(reverse=True)
        now = dt.datetime.now(dt.UTC)

        def path(age: float, source: random.Random) -> dict[str, str]:
            return stage_times(endings[source.randrange(100)], now - dt.timedelta(days=age), now, source)

        # Each case's path is drawn twice from the same stretch of the random stream: here, to count the
        # cases that get referees, and again as the case is planned. A million paths are never held at
        # once, and the data is the same as drawing each path once made.
        paths_rng = random.Random()  # noqa: S311 - as rng
        paths_rng.setstate(rng.getstate())
        eligible = sum(with_referees(_final_state(path(age, rng))) for age in ages)
        base, extra = divmod(referees, eligible) if eligible else (0, 0)
        sample: dict[str, Any] = {"emails": {}, "cases": {}}
        counts = dict.fromkeys(("cases", "referees", "responses", "audit"), 0)
        given = 0
        # The load writes through connections of its own; the session holds nothing open meanwhile.
        db.session.commit()
        with indexes_after_load(db.engine):
            pool = None
            if db.engine.dialect.name == "postgresql" and (workers is None or workers > 1):
                # No connection of this process's pools may be open when the workers start, nor used by them.
                db.session.remove()
                for engine in db.engines.values():
                    engine.dispose()
                workers = workers or os.cpu_count() or 2
                pool = concurrent.futures.ProcessPoolExecutor(
                    workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker, initargs=(setting, _url(db.engine), _url(db.engines["keys"])))
                load = None
            else:
                load = Loader(db.engine, db.engines["keys"])
            pending: collections.deque[concurrent.futures.Future[None]] = collections.deque()
            batch: list[_CasePlan] = []

            for n in range(1, cases + 1):
                stages = path(ages[n - 1], paths_rng)
                state = _final_state(stages)
                created = now - dt.timedelta(days=ages[n - 1])
                email = f"candidate{n:06d}@mail{n % 97}.example"
                if n in (42, 77777) or n % 20000 == 0:
                    sample["emails"][n] = email
                events = []
                for action in ("case.opened", "case.sent"):
                    event = SimpleNamespace(at=created, actor=f"staff:{staff_id}", case_id=n, action=action,
                                            details=BENCH_DETAILS, prev_hash=head)
                    head = audit.event_hash(event, ring.chain_key)
                    events.append((action, event.prev_hash, head))
                counts["cases"] += 1
                counts["audit"] += len(events)
                entered = {k: dt.datetime.fromisoformat(v) for k, v in stages.items()}
                plan_referees = []
                if with_referees(state):
                    # Spread the cases with an extra referee evenly over time; the total comes out exact.
                    want = base + ((given + 1) * extra // eligible - given * extra // eligible)
                    given += 1
                    relationships = ["manager", "peer"] + ["peer", "direct_report"][: max(want - 2, 0)]
                    relationships += ["peer"] * (want - len(relationships))
                    for relationship in relationships:
                        r_state, times = referee_state(state, entered, now, rng)
                        plan_referees.append((relationship, r_state, times))
                        counts["referees"] += 1
                        counts["responses"] += r_state == "submitted"
                batch.append(_CasePlan(n, created, stages, state, entered, email, events, plan_referees))
                if n % BATCH == 0 or n == cases:
                    if pool is None:
                        assert load is not None
                        _write_batch(setting, batch, load)
                    else:
                        # A few batches ahead at most: what waits to be written is never the whole database.
                        while len(pending) > 2 * (workers or 1):
                            pending.popleft().result()
                        pending.append(pool.submit(_write_in_worker, batch))
                    batch = []
                    if progress and n % 20000 == 0:
                        print(f"      {n} cases, {counts['referees']} referees, "
                              f"{time.perf_counter() - started:.0f} s", flush=True)
            if pool is not None:
                for future in pending:
                    future.result()
                pool.shutdown()
            if load is not None:
                load.close()
        # So were the cases: count them by state as the app's hooks would have (case_counts).
        with db.engine.begin() as conn:
            case_counts.recount(conn)
        # The seeded events were written in bulk, past the session's hook: move the key store's
        # checkpoint to the chain's new head, as a commit that added them one by one would have.
        newest = db.session.execute(sa.select(AuditEvent.id, AuditEvent.hash).order_by(
            AuditEvent.id.desc()).limit(1)).one()
        db.session.commit()
        keystore.advance_checkpoint(newest.id, newest.hash, dt.datetime.now(dt.UTC))
        if db.engine.dialect.name == "postgresql":
            # Ids were given explicitly: move the sequences past them.
            for table in ("case", "audit_event"):
                # Fixed table names, no input.
                db.session.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM \"{table}\"))"))
            db.session.commit()
            # What autovacuum does soon after a bulk load in production: statistics for the planner and
            # a visibility map, so index-only scans need not visit the table.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
                # ... and the load's pages written out, as the server's own checkpoints would have done
                # by then, so that the timed pages do not share the machine with that write-back.
                conn.exec_driver_sql("CHECKPOINT")
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        # The same for the files the load wrote: the kernel writes them out now, not while pages are timed.
        os.sync()
        sample["staff_email"] = "scale@verify.example"
        sample["staff_password"] = "correct horse battery staple"  # noqa: S105 - a throw-away database
        sample["counts"] = counts
        sample["seconds"] = time.perf_counter() - started
    return sample


def _write_batch(setting: _Setting, plans: list[_CasePlan], load: Loader) -> None:
    """Make the rows of a batch of planned cases, sealing every personal value, and write them."""
    from refcheck import crypto
    from refcheck.models import search_key
    from refcheck.stats import STAGES, stage_durations

    ring = setting.ring
    for n, created, stages, state, entered, email, events, referees in plans:
        key_id, key = crypto.new_data_key()
        share = crypto.new_share()
        version, wrapped = ring.wrap(key, key_id, share)
        load.add_share({"id": key_id, "share": share, "created_at": created})
        load.add("data_key", {"id": key_id, "master_version": version, "wrapped": wrapped,
                              "split": True, "created_at": created})
        seal = crypto.Sealer(key, key_id).seal

        def sealed(table: str, row_id: str, column: str, value: Any, *,
                   _seal: Callable[[str, Any], bytes] = seal, suffix: str = "") -> bytes:
            return _seal(f"{table}/{row_id}/{column}{suffix}", value)

        candidate_id = uuid.uuid4().hex
        load.add("candidate", {
            "id": candidate_id, "data_key_id": key_id, "created_at": created,
            "name_enc": sealed("candidate", candidate_id, "name_enc", f"Candidate Number {n}"),
            "email_enc": sealed("candidate", candidate_id, "email_enc", email),
            "email_hash": ring.lookup_hash(email)})
        organisation = ORGANISATIONS[n % len(ORGANISATIONS)]
        last = max(entered.values())
        spent = stage_durations(stages)
        load.add("case", {
            "id": n, "candidate_id": candidate_id, "data_key_id": key_id,
            "position": POSITIONS[n % len(POSITIONS)], "hiring_organisation": organisation,
            "organisation_id": setting.organisation_ids[organisation],
            # Bulk writes skip the model's validators: give search its keys here.
            "position_key": search_key(POSITIONS[n % len(POSITIONS)]),
            "organisation_key": search_key(organisation),
            "purpose": "To confirm recent work history before an offer is confirmed.",
            "scope": setting.scope_json, "state": state, "created_by_id": setting.staff_id,
            "created_at": created, "state_changed_at": last, "stage_times": json.dumps(stages),
            "invited_at": entered.get("awaiting_consent"),
            "consent_decided_at": entered.get("nominating") or entered.get("declined"),
            "due_date": (created + dt.timedelta(days=30)).date(),
            "erase_after": last + dt.timedelta(days=180) if state in (
                "released", "declined", "withdrawn", "cancelled") else None,
            # ... and the seconds per stage the model derives from stage_times at each flush.
            **{f"seconds_{stage}": None if spent.get(stage) is None else round(spent[stage])
               for stage in STAGES},
            "seconds_to_release": round((last - created).total_seconds()) if state == "released"
            else None})
        for k, (action, prev_hash, event_hash) in enumerate(events):
            load.add("audit_event", {
                "id": setting.first_event_id + 2 * (n - 1) + k, "at": created,
                "actor": f"staff:{setting.staff_id}", "case_id": n, "action": action,
                "details": setting.details_json, "prev_hash": prev_hash, "hash": event_hash})
        if "nominating" in entered:
            consent_id = uuid.uuid4().hex
            load.add("consent", {
                "id": consent_id, "case_id": n, "data_key_id": key_id, "decision": "granted",
                "scope": setting.scope_json, "scope_sha256": setting.scope_sha,
                "disclosure_version": setting.disclosure_version, "decided_at": entered["nominating"],
                "signature_enc": sealed("consent", consent_id, "signature_enc", f"Candidate Number {n}"),
                "ip_enc": sealed("consent", consent_id, "ip_enc", "203.0.113.7"),
                "user_agent_enc": sealed("consent", consent_id, "user_agent_enc", "Mozilla/5.0"),
                "decline_reason_enc": None, "withdrawn_at": entered.get("withdrawn")})
            claim_id = uuid.uuid4().hex
            load.add("claim", {
                "id": claim_id, "case_id": n, "data_key_id": key_id, "created_at": entered["nominating"],
                "updated_at": entered["nominating"],
                "facts_enc": sealed("claim", claim_id, "facts_enc", {
                    "employer": organisation, "title": "Data Engineer", "start_month": "2021-09",
                    "end_month": "2025-08", "reason_for_leaving": "resigned",
                    "responsibilities": "Led the move of reporting to streaming pipelines."})})
        elif state == "declined":
            # As cases.decline records it: the scope the candidate saw, and a reason if given.
            consent_id, reason = uuid.uuid4().hex, DECLINE_REASONS[n % len(DECLINE_REASONS)]
            load.add("consent", {
                "id": consent_id, "case_id": n, "data_key_id": key_id, "decision": "declined",
                "scope": setting.scope_json, "scope_sha256": setting.scope_sha,
                "disclosure_version": setting.disclosure_version, "decided_at": entered["declined"],
                "signature_enc": None,
                "decline_reason_enc": None if reason is None else sealed(
                    "consent", consent_id, "decline_reason_enc", reason),
                "ip_enc": sealed("consent", consent_id, "ip_enc", "203.0.113.7"),
                "user_agent_enc": sealed("consent", consent_id, "user_agent_enc", "Mozilla/5.0"),
                "withdrawn_at": None})
        for i, (relationship, r_state, times) in enumerate(referees):
            referee_id = uuid.uuid4().hex
            referee_email = f"referee{n:06d}-{i}@{organisation.split()[0].lower()}.example"
            load.add("referee", {
                "id": referee_id, "case_id": n, "data_key_id": key_id, "relationship": relationship,
                "details_enc": sealed("referee", referee_id, "details_enc", {
                    "name": f"Referee {n}-{i}", "email": referee_email, "organisation": organisation,
                    "job_title": "Head of Data" if relationship == "manager" else "Data Engineer",
                    "relationship": relationship, "worked_from": "2021-10", "worked_to": "2025-08"}),
                "email_hash": ring.lookup_hash(referee_email), "state": r_state,
                "nominated_by": "candidate", "verification_code": "ABC-DEF", **times,
                # What the model's defaults would have filled in.
                "reminders_sent": 0, "call_requested": False})
            if r_state == "submitted":
                question_set_id, answers = setting.answers[relationship, organisation]
                response_id = uuid.uuid4().hex
                load.add("response", {
                    "id": response_id, "referee_id": referee_id, "data_key_id": key_id,
                    "question_set_id": question_set_id, "started_at": times["opened_at"],
                    "submitted_at": times["finished_at"], "ip_hash": setting.ip_hash,
                    "answers_enc": sealed("response", response_id, "answers_enc", answers,
                                          suffix=f"/referee/{referee_id}")})
    load.flush()


# A worker process's setting and connections, made once when it starts.
_WORKER: tuple[_Setting, Loader] | None = None


def _start_worker(setting: _Setting, main_url: str, keys_url: str) -> None:
    """Open a worker's own connections to the main database and the key store."""
    global _WORKER  # noqa: PLW0603 - one per process, as a pool's initializer gives it
    _WORKER = setting, Loader(sa.create_engine(main_url, poolclass=sa.pool.NullPool),
                               sa.create_engine(keys_url, poolclass=sa.pool.NullPool))


def _write_in_worker(plans: list[_CasePlan]) -> None:
    """Write a batch in a worker process."""
    assert _WORKER is not None
    _write_batch(_WORKER[0], plans, _WORKER[1])


def _url(engine: sa.Engine) -> str:
    """Return an engine's URL with its password, for a worker process to connect with."""
    return engine.url.render_as_string(hide_password=False)


def _final_state(stages: dict[str, str]) -> str:
    """Return the state a case entered last (ISO times in UTC sort as they read)."""
    return max(stages, key=stages.__getitem__)


def main() -> None:
    """Seed a database named on the command line (its tables are dropped and made afresh)."""
    from pathlib import Path

    from refcheck import create_app

    from .common import bench_config, fresh_schema

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, help="instance folder (keys are generated there)")
    parser.add_argument("--database-url", help="PostgreSQL URL; SQLite in the instance folder otherwise")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--referees", type=int, default=300_000)
    parser.add_argument("--workers", type=int, help="processes that seal and write, on PostgreSQL")
    args = parser.parse_args()
    workdir = Path(args.instance).resolve().parent
    app = create_app(bench_config(workdir, args.database_url))
    fresh_schema(app)
    sample = seed(app, args.cases, args.referees, workers=args.workers)
    print(f"seeded {sample['counts']} in {sample['seconds']:.0f} s")


if __name__ == "__main__":
    main()
