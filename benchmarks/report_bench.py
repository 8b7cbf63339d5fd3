"""Benchmark 2: a standard report rendered through refcheck.report, against WeasyPrint alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .common import Results, bench_config, csrf_from, fresh_schema, median, verdict

EXTRA_QUESTIONS = [
    ("How would you rate the candidate as a collaborator on shared work?", "rating"),
    ("How would you rate the clarity of the direction the candidate gave?", "rating"),
    ("How would you rate the support the candidate gave colleagues in their work?", "rating"),
    ("How would you rate the way the candidate planned their work?", "rating"),
    ("How did the candidate handle a change of plans in a project you shared?", "text"),
]
REFEREES = [("Grace Lindqvist", "manager", "Head of Data"), ("Tomás Ibarra", "peer", "Data Engineer"),
            ("Wei Chen", "direct_report", "Analytics Engineer"), ("Sara Holm", "peer", "Data Engineer"),
            ("Ravi Patel", "client", "Procurement Lead")]


def standard_case(app: Any) -> tuple[int, int]:
    """Build, through the services, a case in candidate review: 5 referees, 20 questions, replies."""
    from refcheck import accounts, answers, cases, question_editor, referees, review
    from refcheck.commands import Actor
    from refcheck.extensions import db
    from refcheck.models import Case, FraudSignal, QuestionSet, utcnow
    from refcheck.scope import Scope

    with app.app_context():
        staff = accounts.create_staff("report@verify.example", "Report Verifier", "admin",
                                      "correct horse battery staple", "bench")
        manager_set = db.session.execute(sa.select(QuestionSet).where(
            QuestionSet.key == "standard", QuestionSet.relationship == "manager",
            QuestionSet.language == "en")).scalar_one()
        draft = question_editor.create_draft("benchmark", "Twenty questions", None, "bench")
        for q in manager_set.questions:
            question_editor.add_question(draft, q.text, q.kind, q.fact_key, list(q.choices or []),
                                         q.required, q.low_label, q.high_label)
        for text, kind in EXTRA_QUESTIONS:
            question_editor.add_question(draft, text, kind, None, [], True,
                                         "Well below what the role needed", "Well above what the role needed")
        question_editor.publish(draft, "bench", utcnow())
        questions = len(draft.questions)
        now = utcnow()
        start = now - dt.timedelta(days=10)
        scope = Scope(checks=("references", "employment_history"), min_referees=3, max_referees=5,
                      relationships={"manager": 1, "peer": 1, "direct_report": 0, "client": 0},
                      period_from="2018-01", period_to="2026-10", question_set="benchmark-v1",
                      report_recipients="Priya Shah, Head of Talent", retention_days=180)
        details = cases.CaseDetails("Amira Okafor", "amira.okafor@candidate.example", "Senior Data Engineer",
                                    "Fabrikam Health Analytics", "To confirm recent work history.", None)
        staff_actor = Actor.staff(staff)

        def done(value: Any = None) -> Any:
            db.session.commit()  # each command commits on its own, as its page would
            return value

        case_id = done(cases.open_case(details, scope, staff_actor, start).id)
        done(cases.invite_candidate(case_id, staff_actor, start))
        actor = Actor.candidate(case_id)
        done(cases.grant_consent(case_id, actor, "Amira Okafor", None, "bench",
                                 start + dt.timedelta(hours=1)))
        done(referees.save_claim(case_id, actor, referees.ClaimFacts(
            employer="Northwind Analytics Ltd", title="Senior Data Engineer", start_month="2021-09",
            end_month="2025-08", reason_for_leaving="resigned",
            responsibilities="Led the move of the reporting platform to streaming pipelines."),
            start + dt.timedelta(hours=2)))
        for name, relationship, title in REFEREES:
            email = name.lower().replace(" ", ".").replace("á", "a") + "@northwind-analytics.example"
            done(referees.nominate(case_id, actor, referees.RefereeDetails(
                name, email, "Northwind Analytics Ltd", title, relationship, "2021-10", "2025-08"),
                start + dt.timedelta(hours=3)))
        links = {referee.id: token for referee, token in
                 referees.send_invitations(case_id, actor, start + dt.timedelta(hours=4))}
        db.session.commit()
        case = db.session.get(Case, case_id)
        scope = Scope.from_json(case.consent.scope)
        listed = [(r.id, r.relationship, r) for r in referees.active_referees(case)]
        for index, (referee_id, relationship, referee) in enumerate(listed):
            opened = start + dt.timedelta(days=1 + index)
            question_set = answers.question_set_for(scope, relationship)
            given = _answers(question_set, referee, mismatch=index == 1)
            referee_actor = Actor.referee(referee_id, case_id)
            done(answers.open_link(case_id, referee_actor, links[referee_id], opened))
            done(answers.attest(case_id, referee_actor, opened))
            done(answers.submit(case_id, referee_actor, question_set, given, None,
                                opened + dt.timedelta(minutes=15)))
        started = review.start_review(case_id, staff_actor, now - dt.timedelta(days=3))
        rows = [(f.id, f.status) for f in started]
        done()
        for finding_id, status in rows:
            if status == "conflict":
                done(review.resolve(case_id, staff_actor, finding_id, "explained",
                                    "The peer joined before the promotion in 2023; the manager and payroll "
                                    "confirm the later title.", now - dt.timedelta(days=3)))
        done(review.send_to_candidate(case_id, staff_actor, now - dt.timedelta(days=2)))
        for n, (finding_id, _status) in enumerate(rows):
            reply = "I was promoted to Senior Data Engineer in March 2023." if n == 0 else ""
            done(review.reply(case_id, actor, finding_id, reply, n != 0, now - dt.timedelta(days=1)))
        signals = db.session.execute(
            sa.select(FraudSignal.id).where(FraudSignal.case_id == case_id)).scalars().all()
        for signal_id in signals:
            done(review.resolve_signal(case_id, staff_actor, signal_id, "Checked by phone; no concern."))
        case = db.session.get(Case, case_id)
        return case.id, questions


def _answers(question_set: Any, referee: Any, mismatch: bool) -> dict[str, Any]:
    details = referee.details
    given: dict[str, Any] = {}
    for question in question_set.questions:
        key = str(question.id)
        if question.kind == "rating":
            given[key] = "3" if mismatch else "4"
        elif question.kind == "yes_no":
            given[key] = "yes"
        elif question.fact_key == "relationship":
            given[key] = referee.relationship
        elif question.fact_key == "reason_for_leaving":
            given[key] = "resigned"
        elif question.fact_key == "worked_together_from":
            given[key] = {"from": details["worked_from"], "to": details["worked_to"]}
        elif question.fact_key == "start_month":
            given[key] = {"from": "2022-05" if mismatch else "2021-09", "to": "2025-08"}
        elif question.fact_key == "employer":
            given[key] = "Northwind Analytics"
        elif question.fact_key == "title":
            given[key] = "Data Engineer" if mismatch else "Senior Data Engineer"
        else:
            given[key] = ("Careful, well-explained work; kept the team informed when plans changed, "
                          "and brought new colleagues up to speed quickly.")
    return given


def run(results: Results, repeat: int = 5) -> None:
    """Time the report path and the bare WeasyPrint render of the same HTML, and a stored download."""
    from flask import render_template

    from refcheck import create_app, report
    from refcheck.commands import Actor
    from refcheck.extensions import db
    from refcheck.models import Case, StaffUser

    name = "2. report"
    with tempfile.TemporaryDirectory(prefix="refcheck-bench-report-") as tmp:
        app = create_app(bench_config(Path(tmp), None))
        fresh_schema(app)
        case_id, questions = standard_case(app)
        with app.app_context():
            case = db.session.get(Case, case_id)
            data = report.gather(case)
            released = dt.date.today()
            digest = report.fingerprint(data, 1)
            html = render_template("report/report.html", data=data, version=1, released=released,
                                   fingerprint=digest, ratings=report._ratings(data),
                                   page_size=app.config["REPORT_PAGE_SIZE"])
            findings = len(data["findings"])
            replies = sum(1 for f in data["findings"] if f["reply"])
            # Warm both paths once (fonts, imports), then alternate them so noise hits both alike.
            report._write_pdf(html)
            report.render(report.gather(case), 1, released)
            ours, alone = [], []
            for _ in range(repeat):
                start = time.perf_counter()
                pdf, _digest = report.render(report.gather(case), 1, released)
                ours.append(time.perf_counter() - start)
                start = time.perf_counter()
                report._write_pdf(html)
                alone.append(time.perf_counter() - start)
            child_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            self_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            tracemalloc.start()
            report._write_pdf(html)
            _size, python_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            pages = _page_count(pdf)
            staff = db.session.execute(sa.select(StaffUser)).scalars().first()
            start = time.perf_counter()
            stored = report.release(case.id, Actor.staff(staff), dt.datetime.now(dt.UTC))
            db.session.commit()
            release_seconds = time.perf_counter() - start
            sha = stored.sha256
            db.session.remove()
        results.add(name, "standard report", f"{len(report_sources(data))} referees, {questions} questions, "
                    f"{findings} findings, {replies} replies, {pages} pages, {len(pdf) // 1024} KiB")
        ratio = median(ours) / median(alone)
        results.add(name, "render through refcheck.report (gather, template, child process)",
                    f"median {median(ours) * 1000:.0f} ms",
                    f"WeasyPrint alone on the same HTML: {median(alone) * 1000:.0f} ms",
                    f"{ratio:.2f}x", "<= 1.5x", verdict(ratio <= 1.5))
        results.add(name, "peak memory", f"render child peak RSS {child_peak_mb:.0f} MB (parent "
                    f"{self_rss_mb:.0f} MB); WeasyPrint's Python heap peak {python_peak / 2**20:.0f} MB")
        results.add(name, "release (render, seal, store, audit, mail)", f"{release_seconds * 1000:.0f} ms")

        client = app.test_client()
        page = client.get("/staff/login")
        client.post("/staff/login", data={"csrf_token": csrf_from(page.data),
                                          "email": "report@verify.example",
                                          "password": "correct horse battery staple"})
        downloads = []
        for _ in range(3 + repeat * 4):
            start = time.perf_counter()
            reply = client.get(f"/staff/cases/{case_id}/report.pdf")
            downloads.append(time.perf_counter() - start)
            if reply.status_code != 200 or hashlib.sha256(reply.data).hexdigest() != sha:
                raise RuntimeError("the download is not the stored report")
        downloads = downloads[3:]
        speedup = median(ours) / median(downloads)
        results.add(name, "repeat download from storage (decrypt, audit, serve)",
                    f"median {median(downloads) * 1000:.1f} ms, same SHA-256 as stored",
                    f"a render: {median(ours) * 1000:.0f} ms", f"{speedup:.0f}x faster", ">= 100x",
                    verdict(speedup >= 100))
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


def _page_count(pdf: bytes) -> str:
    """Count the PDF's pages with pypdf when it is installed (it comes with the test extra)."""
    try:
        from io import BytesIO

        from pypdf import PdfReader
    except ImportError:
        return "?"
    return str(len(PdfReader(BytesIO(pdf)).pages))


def report_sources(data: dict[str, Any]) -> list[Any]:
    """Return the referees a report names."""
    return data["sources"]
