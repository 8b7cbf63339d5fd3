"""The report: gathered once, rendered by WeasyPrint once per version, stored sealed, served as stored."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections import Counter
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext

from . import access, audit, check_events, closure, mail
from . import report_summary as summary
from .answers import AskedQuestion
from .cases import base_url, move
from .commands import Actor, begin
from .dates import day
from .errors import CaseError
from .extensions import db
from .finding_words import explain
from .fraud import RULE_WORDS
from .i18n import WORDS, current_language, current_locale, language_name, writing_in
from .lifecycle import allowed
from .models import (
    RELEASED,
    Case,
    Claim,
    ErasedReport,
    FraudSignal,
    Question,
    QuestionSet,
    Referee,
    Report,
    Response,
)
from .report_pdf import pdf_from_html
from .review import RESOLUTION_WORDS, case_findings_rows, heading_in_words, verdict
from .scope import GROUP_MINIMUM, RELATIONSHIP_LABELS, Scope
from .words import N_, join


def language() -> str:
    """Return the language the report is written in: the hiring side's, as this service is set up."""
    return str(current_app.config["REPORT_LANGUAGE"])


def written(case: Case) -> dict[str, Any]:
    """Gather the report's content in the report's language, whoever's request asks for it."""
    with writing_in(language()):
        return gather(case)


def gather(case: Case, attributed: bool = False) -> dict[str, Any]:
    """Collect everything the report shows, decrypted, in a fixed number of queries, in the current language.

    Referees appear as the consented scope says (grouped by relationship, or attributed);
    `attributed` shows each referee anyway, for staff, who see every answer.
    """
    consent = case.consent
    if consent is None:
        raise CaseError("A report is written only for a case the candidate consented to.")
    scope = Scope.from_json(consent.scope)
    grouped = scope.grouped and not attributed
    referees = db.session.execute(
        sa.select(Referee, Response).outerjoin(Response, Response.referee_id == Referee.id)
        .options(sa.orm.selectinload(Referee.data_key), sa.orm.selectinload(Response.data_key))
        .where(Referee.case_id == case.id, Referee.state.in_(("submitted", "declined", "expired")))
        .order_by(Referee.relationship, Referee.nominated_at)
    ).all()
    set_ids = {r.question_set_id for _, r in referees if r is not None}
    questions, shown_in = _questions_as_read(set_ids, current_language())
    signals = db.session.execute(
        sa.select(FraudSignal).where(FraudSignal.case_id == case.id).order_by(FraudSignal.id)
    ).scalars().all()
    claims = db.session.execute(
        sa.select(Claim).options(sa.orm.selectinload(Claim.data_key)).where(Claim.case_id == case.id)
    ).scalars().all()

    sources = []
    for referee, response in referees:
        relationship = gettext(RELATIONSHIP_LABELS.get(referee.relationship, N_("Referee")))
        label = relationship if grouped else gettext(
            "%(relationship)s at %(organisation)s", relationship=relationship,
            organisation=referee.details["organisation"])
        sources.append({
            "id": referee.id, "label": label, "relationship": referee.relationship, "state": referee.state,
            "answers": response.unseal("answers_enc")["answers"] if response else {},
            "submitted": response.submitted_at.date().isoformat() if response else None,
            "language": response.language if response else None,
        })
    if not grouped:
        _number_alike(sources)
    labels = {s["id"]: s["label"] for s in sources}
    findings = [_finding(row, labels, grouped) for row in case_findings_rows(case)]
    cols, notes = summary.columns(sources, grouped, WORDS)
    rows = summary.answer_rows(questions, sources, cols, GROUP_MINIMUM if grouped else 1, WORDS)
    if any(row["withheld"] for row in rows):
        notes.append(gettext("Where fewer than %(minimum)s referees of a group answered a question, their "
                             "answer to it is not shown, so that it does not identify them.",
                             minimum=GROUP_MINIMUM))
    return {
        "case": {"reference": case.reference, "position": case.position,
                 "organisation": case.hiring_organisation, "purpose": case.purpose},
        "candidate": case.candidate.name,
        "scope": scope.describe(WORDS),
        "read_in": language_name(consent.language) if consent.language != current_language() else "",
        "grouped": grouped,
        "consented_on": day(consent.decided_at, current_locale()),
        "claims": sorted((c.facts for c in claims), key=lambda f: f["start_month"]),
        "sources": [{k: v for k, v in s.items() if k != "answers"} for s in sources],
        "columns": [c["label"] for c in cols],
        "column_notes": notes,
        "coverage": summary.coverage(sources, WORDS),
        "verdict": summary.verdict(findings, case.candidate.name, WORDS),
        "replies": summary.replies(findings, WORDS),
        "findings": findings,
        "answers": rows,
        "ratings": summary.ratings(rows, cols),
        "language_note": _language_note(sources, grouped, shown_in),
        "signals": [{"referee": labels.get(sig.referee_id) or gettext("A referee"), "detail": _signal(sig),
                     "resolution": sig.resolved_note or gettext("Not yet resolved by staff.")}
                    for sig in signals],
        "controller": current_app.config["CONTROLLER_NAME"],
        "tolerance_months": current_app.config["CROSSVERIFY_TOLERANCE_MONTHS"],
    }


def _questions_as_read(set_ids: set[int], language: str) -> tuple[list[AskedQuestion], set[str]]:
    """Return the answered sets' questions in `language` where a published translation has them.

    The ids stay the source's, as the answers are kept against them; the languages the questions are
    shown in come back too. Two queries, however many sets.
    """
    if not set_ids:
        return [], set()
    rows = db.session.execute(
        sa.select(Question, QuestionSet.language)
        .join(QuestionSet, QuestionSet.id == Question.question_set_id)
        # The set as well as the position: a fixed order, so the content (and fingerprint) is too.
        .where(Question.question_set_id.in_(set_ids)).order_by(Question.position, Question.question_set_id)
    ).all()
    translated: dict[tuple[int | None, int], Question] = {}
    if any(set_language != language for _, set_language in rows):
        translated = {(source_id, q.position): q for q, source_id in db.session.execute(
            sa.select(Question, QuestionSet.translation_of_id)
            .join(QuestionSet, QuestionSet.id == Question.question_set_id)
            .where(QuestionSet.translation_of_id.in_(set_ids), QuestionSet.language == language,
                   QuestionSet.state == "published")).all()}
    questions, shown_in = [], set()
    for q, set_language in rows:
        t = translated.get((q.question_set_id, q.position)) if set_language != language else None
        shown_in.add(language if t is not None else set_language)
        words = t or q
        questions.append(AskedQuestion(
            id=q.id, position=q.position, text=words.text, kind=q.kind, fact_key=q.fact_key,
            choices=tuple(q.choices) if q.choices else None, required=q.required,
            low_label=words.low_label, high_label=words.high_label,
            # A custom choice question's words; a fact's choices are worded by the report in every language.
            choice_labels=tuple(t.choices) if t is not None and q.choices and not q.fact_key and t.choices
            else None))
    return questions, shown_in


def _signal(signal: FraudSignal) -> str:
    """Say what a fraud signal found: as stored, in English; in another language, what its rule means."""
    if current_language() == "en" or signal.rule not in RULE_WORDS:
        return signal.detail
    return gettext(RULE_WORDS[signal.rule])


def _language_note(sources: list[dict[str, Any]], grouped: bool, shown: set[str]) -> str:
    """Say which answers were given in another language than the questions the report shows, if any."""
    # The questions are shown in the report's language where a translation is published, else as written.
    shown_in = shown.pop() if len(shown) == 1 else current_language()
    other = [s for s in sources if s["state"] == "submitted" and s["language"] not in (None, shown_in)]
    if not other:
        return ""
    if grouped:
        counts = Counter(language_name(s["language"]) for s in other)
        who = join([WORDS.ngettext("%(num)d referee in %(language)s", "%(num)d referees in %(language)s", n,
                                   language=name) for name, n in sorted(counts.items())], WORDS)
        said = gettext("Some referees answered in their own language (%(who)s).", who=who)
    else:
        said = " ".join(gettext("%(referee)s answered in %(language)s.", referee=s["label"],
                                language=language_name(s["language"])) for s in other)
    return gettext("%(said)s They read the same questions in that language; each question is shown here as "
                   "it is asked in %(language)s, and their answers as they wrote them.", said=said,
                   language=language_name(shown_in))


def _finding(finding: Any, labels: dict[str, str], grouped: bool) -> dict[str, Any]:
    """Return one frozen finding for the report, with its values and explanation in the current language."""
    content = finding.content
    sources = []
    for source in content["sources"]:
        relationship = RELATIONSHIP_LABELS.get(source.get("relationship") or "")
        if grouped:
            # The stored label names the referee's organisation, which a grouped report never shows.
            fallback = gettext(relationship) if relationship else gettext("A referee")
        else:
            fallback = source.get("label") or gettext("A referee")
        label = (gettext("Candidate") if source["source"] == "candidate"
                 else labels.get(source["source"], fallback))
        shown = {**source, "label": label, "words": summary.value_words(finding.fact, source["value"], WORDS)}
        if current_language() != "en":
            # How far apart two months are, and why two spellings were read as one, are stored in English;
            # the values beside them, written in the report's language, say the same.
            shown.pop("difference", None)
            shown.pop("why", None)
        sources.append(shown)
    reply = finding.reply
    tolerance = current_app.config["CROSSVERIFY_TOLERANCE_MONTHS"]
    resolution = RESOLUTION_WORDS.get(finding.resolution or "")
    return {
        "heading": heading_in_words(content["heading"], content.get("position")), "fact": finding.fact,
        "fact_name": summary.fact_name(finding.fact, WORDS), "status": finding.status,
        "status_words": gettext(summary.STATUS_WORDS[finding.status])
        if finding.status in summary.STATUS_WORDS else finding.status,
        "severity": finding.severity,
        "explanation": explain(verdict(finding), tolerance=tolerance, words=WORDS), "sources": sources,
        "resolution": gettext(resolution) if resolution else "",
        "note": finding.unseal("note_enc") if finding.note_enc else "",
        "reply": {"accepted": reply.accepted, "text": reply.unseal("text_enc") or ""} if reply else None,
    }


def _number_alike(sources: list[dict[str, Any]]) -> None:
    """Tell apart referees who share a label ('Peer at Northwind (2)'), since answers line up by label."""
    totals: dict[str, int] = {}
    for source in sources:
        totals[source["label"]] = totals.get(source["label"], 0) + 1
    seen: dict[str, int] = {}
    for source in sources:
        label = source["label"]
        if totals[label] > 1:
            seen[label] = seen.get(label, 0) + 1
            source["label"] = f"{label} ({seen[label]})"


def fingerprint(data: dict[str, Any], version: int) -> str:
    """Return the SHA-256 of the report's content and version, printed on every page."""
    text = json.dumps({"version": version, "data": data}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def render(data: dict[str, Any], version: int, released: dt.date) -> tuple[bytes, str]:
    """Render the report PDF; return the bytes and the content fingerprint."""
    digest = fingerprint(data, version)
    # One document for everyone, in the hiring side's language, whoever's request renders it.
    with writing_in(language()):
        html = render_template("report/report.html", data=data, version=version, released=released,
                               fingerprint=digest, verify_url=base_url() + "/verify",
                               page_size=current_app.config["REPORT_PAGE_SIZE"])
    return pdf_from_html(html, current_app.config["REPORT_RENDER_TIMEOUT"]), digest


def latest(case: Case) -> Report | None:
    """Return the newest stored version of a case's report."""
    return db.session.execute(
        sa.select(Report).where(Report.case_id == case.id).order_by(Report.version.desc()).limit(1)
    ).scalar_one_or_none()


def latest_of(listed: list[Case]) -> dict[int, Report]:
    """Return the newest report of each of these cases, in one query, without their PDFs."""
    if not listed:
        return {}
    newest = (sa.select(Report.case_id, sa.func.max(Report.version).label("version"))
              .where(Report.case_id.in_([case.id for case in listed])).group_by(Report.case_id).subquery())
    rows = db.session.execute(sa.select(Report).options(sa.orm.defer(Report.pdf_enc)).join(
        newest, sa.and_(Report.case_id == newest.c.case_id, Report.version == newest.c.version))).scalars()
    return {row.case_id: row for row in rows}


def release(case_id: int, actor: Actor, now: dt.datetime) -> Report:
    """Render the next version, store it sealed, and release it to the candidate and the hiring side.

    Released answers are final: every referee link closes and every referee session ends. The PDF is
    rendered before the case's lock is taken (on SQLite that lock is the database's one write lock,
    and a render takes seconds); under the lock the report's content is gathered again and must
    have the same fingerprint, or it is rendered again there.
    """
    rendered = _render_ahead(case_id, now)
    case = begin("report.release", case_id, actor)
    unresolved = _open_signals(case.id)
    if unresolved:
        raise CaseError(f"Record how each fraud signal was handled first ({unresolved} still open); "
                        "the report shows it.")
    version = _next_version(case)
    data = written(case)
    if rendered is not None and rendered[0] == version and rendered[2] == fingerprint(data, version):
        _, pdf, digest = rendered
    else:
        # Something changed between the render and the lock (rare): render what now stands.
        pdf, digest = render(data, version, now.date())
    report = Report(case_id=case.id, data_key=case.data_key, version=version, fingerprint=digest,
                    sha256=hashlib.sha256(pdf).hexdigest(), language=language(), created_at=now,
                    released_at=now)
    db.session.add(report)
    report.seal("pdf_enc", base64.b64encode(pdf).decode())
    first = case.state != RELEASED
    if first:
        move(case, RELEASED, now)
    access.shut_out_every_referee(case, now)
    audit.record("report.released", actor.name, case.id, version=version, fingerprint=digest,
                 sha256=report.sha256)
    check_events.emit(case, check_events.RELEASED, now, version=version, sha256=report.sha256,
                      fingerprint=digest, language=report.language)
    mail.queue("report_released", case.candidate.email, case.data_key, case.id,
               language=case.candidate.language, case=case,
               name=case.candidate.name, version=version, first=first, base_url=base_url(),
               glance=closure.glance(closure.finding_counts(case.id)), contact=case.contact.name,
               erase_after=case.erase_after, fingerprint=digest)
    if first:
        _thank_referees(case)
    return report


def _thank_referees(case: Case) -> None:
    """Tell each referee who answered that the check is complete, and when their answers are erased."""
    for referee in db.session.execute(
            sa.select(Referee).where(Referee.case_id == case.id, Referee.state == "submitted")).scalars():
        details = referee.details
        mail.queue("referee_thanks", details["email"], case.data_key, case.id, language=referee.language,
                   case=case, referee_name=details["name"], candidate_name=case.candidate.name,
                   erase_after=case.erase_after, controller=current_app.config["CONTROLLER_NAME"])


def _open_signals(case_id: int) -> int:
    """Count the case's fraud signals nobody has recorded a note on."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(FraudSignal)
        .where(FraudSignal.case_id == case_id, FraudSignal.unresolved())
    ).scalar_one()


def _render_ahead(case_id: int, now: dt.datetime) -> tuple[int, bytes, str] | None:
    """Render the next version from an unlocked read, when the case looks ready; None when it does not."""
    case = db.session.get(Case, case_id)
    if case is None or not allowed("report.release", case.state) or _open_signals(case_id):
        return None
    version = _next_version(case)
    pdf, digest = render(written(case), version, now.date())
    return version, pdf, digest


def _next_version(case: Case) -> int:
    """Return the version number the case's next report takes."""
    previous = latest(case)
    return (previous.version + 1) if previous else 1


def pdf_bytes(report: Report) -> bytes:
    """Return a stored report exactly as it was rendered."""
    return base64.b64decode(report.unseal("pdf_enc"))


def find_erased(value: str) -> ErasedReport | None:
    """Find a released report whose case has since been erased, by either of its fingerprints."""
    value = "".join(value.split()).lower()
    return db.session.execute(
        sa.select(ErasedReport).where(sa.or_(ErasedReport.fingerprint == value, ErasedReport.sha256 == value))
    ).scalars().first()


def find_by_fingerprint(value: str) -> Report | None:
    """Find the report version whose content fingerprint or file SHA-256 is `value`."""
    value = "".join(value.split()).lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        return None
    return db.session.execute(
        sa.select(Report).where(sa.or_(Report.fingerprint == value, Report.sha256 == value))
    ).scalars().first()
