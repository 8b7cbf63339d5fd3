"""Review commands: freeze the findings, staff resolve them and the signals, the candidate replies to each."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from . import audit, check_events, mail
from .cases import base_url, move, stop_referees
from .commands import Actor, begin
from .crossverify import Finding as Verdict
from .errors import CaseError
from .extensions import db
from .finding_words import KIND_WORDS, KIND_WORDS_FOR_CANDIDATE, explain, fact_words, value_words
from .findings import UNLISTED, CaseFindings, case_findings
from .i18n import WORDS
from .models import (
    CANDIDATE_REVIEW,
    FINDING_RESOLUTIONS,
    RELEASED,
    REVIEW,
    Case,
    Finding,
    FraudSignal,
    Referee,
    Reply,
)
from .scope import RELATIONSHIP_LABELS
from .words import ENGLISH, N_

# The same words in the report (English) and on the candidate's pages, translated where they are shown.
RESOLUTION_WORDS = {"confirmed": N_("Confirmed by our team"), "explained": N_("Explained"),
                    "dismissed": N_("Set aside by our team")}


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """Return the time `days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def case_findings_rows(case: Case) -> list[Finding]:
    """Return a case's frozen findings with their replies, in order, in one query."""
    # No eager load of the case's one key (see Sealed.data_key).
    return list(db.session.execute(
        sa.select(Finding).options(sa.orm.selectinload(Finding.reply))
        .where(Finding.case_id == case.id).order_by(Finding.position)
    ).scalars())


def start_review(case_id: int, actor: Actor, now: dt.datetime) -> list[Finding]:
    """Move a case into review and freeze its findings; requests not yet answered close.

    From here the answers in the findings are the answers: a referee who had not answered sees
    that the check has moved on, and staff see who was closed.
    """
    case = begin("review.start", case_id, actor)
    result, items = _derive_findings(case)
    if result.answered == 0:
        raise CaseError("No referee has answered yet, so there is nothing to review.")
    closed = stop_referees(case, now, reason="closed")
    rows: list[Finding] = []
    for item in items:
        row = Finding(case_id=case.id, data_key=case.data_key, position=len(rows), fact=item["fact"],
                      status=item["status"], severity=item["severity"])
        db.session.add(row)
        row.seal("content_enc", item["content"])
        rows.append(row)
    move(case, REVIEW, now)
    audit.record("review.started", actor.name, case.id, findings=len(rows),
                 coverage=result.coverage["covered"], closed_referees=closed)
    return rows


def _derive_findings(case: Case) -> tuple[CaseFindings, list[dict[str, Any]]]:
    """Return cross-verification's result and the findings as they would be frozen now."""
    result = case_findings(case)
    referees = {r.id: r for r in db.session.execute(
        sa.select(Referee).where(Referee.case_id == case.id)
    ).scalars()}
    groups: list[tuple[str, dict[str, str] | None, Any]] = [
        (f"{p.title} at {p.employer}" if p.employer else p.title, {"title": p.title, "employer": p.employer},
         p.findings) for p in result.positions]
    groups.append((N_("Working relationships and periods"), None, result.relationships))
    items = []
    for heading, position, findings in groups:
        for finding in findings:
            # The position's title and employer apart, so that the heading can be written in any language.
            content = {"heading": heading, "position": position, "explanation": finding.explanation,
                       "sources": [_source(s.to_json(), referees) for s in finding.sources]}
            # The JSON round trip makes fresh content compare equal to what a sealed row returns.
            items.append({"fact": finding.fact, "status": finding.status, "severity": finding.severity,
                          "content": json.loads(json.dumps(content))})
    return result, items


def refresh_findings(case: Case, actor: str, now: dt.datetime) -> int:
    """Bring frozen findings in line with referees' answers after a correction or withdrawal.

    Part of the command that changed the answers, which holds the case's lock.

    A finding that reads exactly as before keeps its resolution and the candidate's reply.
    A changed, new or vanished one loses them, because they answered something that no
    longer stands; if the candidate was already reviewing, the case goes back to staff,
    who resolve and send the findings again. Returns how many findings changed.
    """
    if case.state not in (REVIEW, CANDIDATE_REVIEW):
        return 0
    # The corrected or deleted answers must be visible to the queries below.
    db.session.flush()
    _, items = _derive_findings(case)
    old = {(row.content["heading"], row.fact): row for row in case_findings_rows(case)}
    changed = 0
    for position, item in enumerate(items):
        row = old.pop((item["content"]["heading"], item["fact"]), None)
        if row is not None and _substance(row.status, row.severity, row.content) == _substance(
                item["status"], item["severity"], item["content"]):
            row.position = position
            if row.content != item["content"]:
                # Same answers in newer words (a finding frozen by an earlier version): keep the reply.
                row.seal("content_enc", item["content"])
            continue
        changed += 1
        if row is None:
            row = Finding(case_id=case.id, data_key=case.data_key, fact=item["fact"])
            db.session.add(row)
        else:
            _clear_resolution(row)
        row.position, row.status, row.severity = position, item["status"], item["severity"]
        row.seal("content_enc", item["content"])
    for row in old.values():
        changed += 1
        _clear_resolution(row)
        db.session.delete(row)
    if changed and case.state == CANDIDATE_REVIEW:
        move(case, REVIEW, now)
    audit.record("review.findings_refreshed", actor, case.id, changed=changed, findings=len(items))
    return changed


def _substance(status: str, severity: str, content: dict[str, Any]) -> tuple[Any, ...]:
    """Return what a finding says, apart from its words: its verdict and each source's answer."""
    sources = [(s["source"], s.get("value"), s.get("agrees"), s.get("difference"))
               for s in content["sources"]]
    return status, severity, content["heading"], sources


def _clear_resolution(row: Finding) -> None:
    """Drop a finding's staff resolution and the candidate's reply to it."""
    row.resolution = None
    row.note_enc = None
    row.resolved_by_id = None
    row.resolved_at = None
    if row.reply is not None:
        db.session.delete(row.reply)


def _source(source: dict[str, Any], referees: dict[str, Referee]) -> dict[str, Any]:
    """Describe a source by relationship and organisation; names stay out of findings."""
    referee = referees.get(source["source"])
    if referee is None:
        return {**source, "label": "Candidate"}
    return {**source, "label": source_label(referee.relationship, referee.details["organisation"])}


def source_label(relationship: str, organisation: str) -> str:
    """Label a referee for staff and the report, the same for every reader: 'Direct report at Northwind'."""
    return f"{RELATIONSHIP_LABELS.get(relationship, 'Referee')} at {organisation}"


def resolve(case_id: int, actor: Actor, finding_id: str, resolution: str, note: str,
            now: dt.datetime) -> Finding:
    """Record how staff resolved a finding; a note is required."""
    case = begin("finding.resolve", case_id, actor)
    finding = db.session.get(Finding, finding_id)
    if finding is None or finding.case_id != case.id:
        raise CaseError("This finding is not part of this case.")
    if resolution not in FINDING_RESOLUTIONS:
        raise CaseError("Choose confirmed, explained or dismissed.", field="resolution")
    if not note.strip():
        raise CaseError("Write a note: it appears in the report next to the finding.", field="note")
    finding.resolution = resolution
    finding.seal("note_enc", note.strip())
    finding.resolved_by_id = actor.staff_id
    finding.resolved_at = now
    audit.record("finding.resolved", actor.name, case.id, finding=finding.id, resolution=resolution)
    return finding


def resolve_signal(case_id: int, actor: Actor, signal_id: int, note: str) -> FraudSignal:
    """Record how staff handled a fraud signal; the note appears in the report."""
    case = begin("signal.resolve", case_id, actor)
    signal = db.session.get(FraudSignal, signal_id)
    if signal is None or signal.case_id != case.id:
        raise CaseError("This signal is not part of this case.")
    if not note.strip():
        raise CaseError("Write what was checked and what you concluded.", field="reason")
    signal.resolved_note = note.strip()
    audit.record("fraud_signal.resolved", actor.name, case.id, signal=signal.id)
    return signal


def send_to_candidate(case_id: int, actor: Actor, now: dt.datetime) -> Case:
    """Show the findings to the candidate, who may reply to each until the deadline."""
    case = begin("findings.send", case_id, actor)
    open_conflicts = [f for f in case_findings_rows(case) if f.status == "conflict" and not f.resolution]
    if open_conflicts:
        raise CaseError(f"Resolve every conflict first ({len(open_conflicts)} still open).")
    case.reply_due_at = add_working_days(now, current_app.config["REPLY_WORKING_DAYS"])
    move(case, CANDIDATE_REVIEW, now)
    audit.record("review.sent_to_candidate", actor.name, case.id)
    check_events.emit(case, check_events.FINDINGS_SENT, now)
    mail.queue("findings_ready", case.candidate.email, case.data_key, case.id,
               language=case.candidate.language, case=case,
               name=case.candidate.name, due=case.reply_due_at.date(), base_url=base_url())
    return case


def reply(case_id: int, actor: Actor, finding_id: str, text: str, accepted: bool, now: dt.datetime) -> Reply:
    """Record the candidate's reply to a finding, or their acceptance of it (after release, a dispute)."""
    case = begin("finding.reply", case_id, actor)
    finding = db.session.get(Finding, finding_id)
    if finding is None or finding.case_id != case.id:
        raise CaseError(gettext("This finding is not part of your check."))
    _check_reply_time(case, now)
    if not accepted and not text.strip():
        raise CaseError(gettext("Write your reply, or tick that you accept this finding."), field="text")
    answer = finding.reply
    if answer is None:
        answer = Reply(finding=finding, data_key=case.data_key, created_at=now)
        db.session.add(answer)
    answer.accepted = accepted
    answer.seal("text_enc", text.strip() or None)
    answer.updated_at = now
    # After release a reply is a dispute: staff read it and issue a new version of the report.
    action = "finding.disputed" if case.state == RELEASED else "finding.replied"
    audit.record(action, actor.name, case.id, finding=finding.id, accepted=accepted)
    return answer


def _check_reply_time(case: Case, now: dt.datetime) -> None:
    """Refuse a reply once the time for replies has passed (a dispute after release is never late)."""
    if case.state == CANDIDATE_REVIEW and case.reply_due_at and now > case.reply_due_at:
        raise CaseError(gettext("The time for replies has passed. Write to us if you still need to add "
                                "something."))


def accept_agreeing(case_id: int, actor: Actor, now: dt.datetime) -> int:
    """Accept, in one step, every finding not yet answered in which each referee agrees with the candidate.

    A minor difference, a conflict or a fact nobody confirmed is left for the candidate to read and
    answer one by one; a finding already answered keeps its answer. Returns how many were accepted.
    """
    case = begin("findings.accept_agreeing", case_id, actor)
    _check_reply_time(case, now)
    rows = [row for row in case_findings_rows(case) if row.reply is None and verdict(row).agrees_with_claim]
    if not rows:
        raise CaseError(gettext("There is no finding left that simply agrees with what you told us: every "
                                "one is answered, or needs your own look."))
    for row in rows:
        answer = Reply(finding=row, data_key=case.data_key, created_at=now, updated_at=now, accepted=True)
        db.session.add(answer)
        answer.seal("text_enc", None)
    audit.record("findings.accepted_agreeing", actor.name, case.id, accepted=len(rows))
    return len(rows)


@dataclass(frozen=True)
class ReplyProgress:
    """How many of a case's findings the candidate has answered."""

    answered: int
    total: int

    @property
    def done(self) -> bool:
        """Say whether every finding is answered (with none, there was nothing to answer)."""
        return self.answered == self.total

    @property
    def words(self) -> str:
        """Say it as the page does: '3 of 12 answered', in the page's language."""
        return gettext("%(answered)s of %(total)s answered", answered=self.answered, total=self.total)


@dataclass(frozen=True)
class FindingView:
    """One frozen finding as a reader sees it: in their voice, with values in words."""

    row: Finding
    heading: str
    # The fact as a label: 'End date'.
    name: str
    kind: str
    kind_words: str
    explanation: str
    # (who, what they said in words), in the order the sources were found.
    sources: list[tuple[str, str]]
    agrees_with_claim: bool
    # Why answers written differently were read as the same, once each (none in findings frozen before).
    whys: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """Return the finding's id."""
        return self.row.id


def verdict(row: Finding) -> Verdict:
    """Read a frozen finding back as cross-verification's verdict."""
    return Verdict.from_stored(row.fact, row.status, row.severity, row.content)


def describe(row: Finding, for_candidate: bool = False) -> FindingView:
    """Describe a frozen finding to staff and the report (third person) or to the candidate ("you").

    The sentence is written afresh from the stored sources, so a finding frozen by an earlier version
    reads like a new one.
    """
    found = verdict(row)
    content = row.content
    tolerance = current_app.config["CROSSVERIFY_TOLERANCE_MONTHS"]
    # The candidate reads their findings in their own language; staff and the report read English.
    words = WORDS if for_candidate else ENGLISH
    if for_candidate:
        sources = [(gettext("You") if s["source"] == "candidate" else _label_for_candidate(s),
                    value_words(row.fact, s.get("value"), words)) for s in content["sources"]]
    else:
        sources = [(s.get("label", "A referee"), value_words(row.fact, s.get("value")))
                   for s in content["sources"]]
    kind = found.kind
    name = fact_words(row.fact, words)
    if not for_candidate:
        name = name.removeprefix("the ")
    heading = content["heading"]
    if for_candidate:
        heading = heading_in_words(heading, content.get("position"))
    return FindingView(row, heading, name[:1].upper() + name[1:], kind,
                       gettext(KIND_WORDS_FOR_CANDIDATE[kind]) if for_candidate else KIND_WORDS[kind],
                       explain(found, for_candidate=for_candidate, tolerance=tolerance, words=words), sources,
                       found.agrees_with_claim, tuple(dict.fromkeys(s.why for s in found.sources if s.why)))


def heading_in_words(heading: str, position: dict[str, str] | None = None) -> str:
    """Write a finding's stored heading in the current language: a position's 'title at employer'."""
    if heading in (N_("Working relationships and periods"), UNLISTED):
        return gettext(heading)
    if position:
        if not position.get("employer"):
            return position["title"]
        return gettext("%(title)s at %(organisation)s", title=position["title"],
                       organisation=position["employer"])
    # Frozen before the position was kept apart: the employer is what follows the last " at ".
    title, at, employer = heading.rpartition(" at ")
    return gettext("%(title)s at %(organisation)s", title=title, organisation=employer) if at else heading


def _label_for_candidate(source: dict[str, Any]) -> str:
    """Label a referee for the candidate in their language: 'Responsable en Northwind'.

    The stored label is the staff one ('Manager at Northwind'); its organisation is what follows the
    relationship's own label, which is known, so it is read back rather than parsed at " at ".
    """
    label = source.get("label")
    if not label:
        return gettext("A referee")
    for word in RELATIONSHIP_LABELS.values():
        if label.startswith(word + " at "):
            return gettext("%(relationship)s at %(organisation)s", relationship=gettext(word),
                           organisation=label.removeprefix(word + " at "))
    return str(label)


def describe_all(case: Case, for_candidate: bool = False) -> tuple[list[FindingView], ReplyProgress]:
    """Describe a case's frozen findings in order, and count the candidate's answers, in one query."""
    views = [describe(row, for_candidate) for row in case_findings_rows(case)]
    return views, ReplyProgress(sum(1 for v in views if v.row.reply is not None), len(views))
