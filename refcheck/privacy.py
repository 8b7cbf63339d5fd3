"""Privacy rights: what is held about a candidate (export), retention, and erasure by key destruction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from . import audit, batches, case_counts, check_events, keystore
from .api_models import IdempotentRequest
from .cases import retention_days
from .columns import rows_changed
from .commands import Actor, CommandRefused, begin
from .errors import CaseError
from .extensions import db
from .models import (
    AWAITING_CONSENT,
    CLOSED_STATES,
    DRAFT,
    RELEASED,
    AccessLink,
    AuditEvent,
    Candidate,
    Case,
    Claim,
    Consent,
    DataKey,
    Enquiry,
    ErasedReport,
    ExperienceAnswer,
    Finding,
    FraudSignal,
    OutboxMessage,
    PortalSession,
    Referee,
    Reply,
    Report,
    Response,
    ResponseDraft,
    StaffNote,
)
from .scope import RELATIONSHIPS, Scope

EXPORT_FORMAT = "refcheck-export-v1"
# Mail addressed to referees about the candidate: theirs, not the candidate's.
REFEREE_MAIL = frozenset({"referee_invitation", "referee_reminder", "referee_thanks"})
# Cases a candidate may ask to erase: once nothing more will be checked.
ERASABLE_STATES = CLOSED_STATES


class ErasureRefused(CaseError):
    """An erasure that cannot happen now, with the reason in plain words."""


@dataclass(frozen=True)
class DueCase:
    """A case the purge found due: its id, state, why, and when its retention ended (if it did)."""

    case_id: int
    state: str
    reason: str
    ended: dt.datetime | None = None

    @property
    def label(self) -> str:
        """Say which case this is and why it is due, for the purge's output."""
        why = f"retention ended {self.ended:%Y-%m-%d}" if self.ended else "never answered"
        return f"RC-{self.case_id:05d} ({self.state.replace('_', ' ')}, {why})"


def due_for_erasure(now: dt.datetime) -> Iterator[DueCase]:
    """Yield every case due for erasure: retention over, then never answered; a page at a time.

    Read only, and streamed: a backlog of any size is listed in flat memory. Each case is looked at
    again under its lock when its turn comes (erase_if_due).
    """
    closed = Case.state.in_(CLOSED_STATES)
    # Cases that ended before erasure dates were recorded count from when they ended.
    for undated in batches.pages(sa.select(Case.id).where(closed, Case.erase_after.is_(None)), [Case.id]):
        case = db.session.get(Case, undated.id)
        if case is not None and erase_after(case) <= now:
            yield DueCase(case.id, case.state, "retention_ended", erase_after(case))
    for ended in batches.pages(sa.select(Case.erase_after, Case.id, Case.state).where(
            closed, Case.erase_after <= now), [Case.erase_after, Case.id]):
        yield DueCase(ended.id, ended.state, "retention_ended", ended.erase_after)
    for unanswered in batches.pages(sa.select(Case.id, Case.state).where(_never_answered(now)), [Case.id]):
        yield DueCase(unanswered.id, unanswered.state, "never_answered")


def erase_after(case: Case) -> dt.datetime:
    """Return when a closed case's consented retention runs out."""
    return case.erase_after or case.state_changed_at + dt.timedelta(days=retention_days(case))


def _never_answered(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Select cases whose candidate never answered, UNANSWERED_ERASE_DAYS after their last link expired.

    A candidate who never answered gave no consent to keep anything. The last link counts, not the
    first: someone sent a new one last week still has time to decide.
    """
    cfg = current_app.config
    before = now - dt.timedelta(days=cfg["CANDIDATE_LINK_DAYS"] + cfg["UNANSWERED_ERASE_DAYS"])
    recent_link = sa.exists().where(AccessLink.case_id == Case.id, AccessLink.purpose == "candidate",
                                    AccessLink.created_at >= before)
    return sa.and_(Case.state.in_((DRAFT, AWAITING_CONSENT)), Case.state_changed_at < before, ~recent_link)


def erase_if_due(case_id: int, actor: Actor, reason: str, now: dt.datetime) -> dict[str, int] | None:
    """Erase a case the purge listed, if it is still due now that its lock is held; None when it is not.

    Between the listing and the lock the candidate may have consented, or asked for a new link.
    """
    # Purges on several machines share the work: a case another one holds is left to it (CaseBusy).
    case = begin("case.erase", case_id, actor, wait=False)
    if reason == "retention_ended":
        due = case.is_closed and erase_after(case) <= now
    else:
        due = db.session.execute(sa.select(Case.id).where(Case.id == case.id, _never_answered(now))).first() \
            is not None
    return _erase(case, reason, actor, now) if due else None


def erase_case(case_id: int, actor: Actor, reason: str, now: dt.datetime) -> dict[str, int]:
    """Delete a case's rows and destroy its data key, leaving only an audit record that it happened.

    The key's share is deleted from the key store once this transaction commits, so even a
    copy of the main database taken before this moment can no longer be read for this case.
    """
    return _erase(begin("case.erase", case_id, actor), reason, actor, now)


def request_erasure(case_id: int, actor: Actor, now: dt.datetime) -> dict[str, int]:
    """Erase a case at its candidate's request, once nothing more will be checked."""
    try:
        case = begin("case.erase_on_request", case_id, actor)
    except CommandRefused as err:
        if err.why == "state":
            err.english = ("Your data can be erased once the check has ended: after the report is "
                           "released, or once you withdraw your consent.")
            err.message = gettext("Your data can be erased once the check has ended: after the report is "
                                  "released, or once you withdraw your consent.")
        raise
    return _erase(case, "candidate_request", actor, now)


def _erase(case: Case, reason: str, actor: Actor, now: dt.datetime) -> dict[str, int]:
    """Delete every row of a locked case, children first, and schedule its key share's destruction."""
    case_id, key_id = case.id, case.data_key_id
    # Read afresh: `keys rotate` may have split the key since this process last read it.
    split = db.session.execute(sa.select(DataKey.split).where(DataKey.id == key_id)).scalar_one()
    referee_ids = sa.select(Referee.id).where(Referee.case_id == case_id).scalar_subquery()
    finding_ids = sa.select(Finding.id).where(Finding.case_id == case_id).scalar_subquery()
    # Children before parents, so foreign keys hold at every step on every backend. A table
    # added later that refers to a case makes the final delete fail loudly rather than leave rows.
    steps: list[tuple[str, Any]] = [
        ("replies", sa.delete(Reply).where(Reply.finding_id.in_(finding_ids))),
        ("findings", sa.delete(Finding).where(Finding.case_id == case_id)),
        ("answers", sa.delete(Response).where(Response.referee_id.in_(referee_ids))),
        ("drafts", sa.delete(ResponseDraft).where(ResponseDraft.referee_id.in_(referee_ids))),
        ("fraud_signals", sa.delete(FraudSignal).where(FraudSignal.case_id == case_id)),
        ("links", sa.delete(AccessLink).where(AccessLink.case_id == case_id)),
        ("sessions", sa.delete(PortalSession).where(
            sa.or_(PortalSession.case_id == case_id, PortalSession.referee_id.in_(referee_ids)))),
        ("emails", sa.delete(OutboxMessage).where(
            sa.or_(OutboxMessage.case_id == case_id, OutboxMessage.data_key_id == key_id))),
        ("claims", sa.delete(Claim).where(Claim.case_id == case_id)),
        ("staff_notes", sa.delete(StaffNote).where(StaffNote.case_id == case_id)),
        ("enquiries", sa.delete(Enquiry).where(Enquiry.case_id == case_id)),
        ("reports", sa.delete(Report).where(Report.case_id == case_id)),
        ("referees", sa.delete(Referee).where(Referee.case_id == case_id)),
        ("consents", sa.delete(Consent).where(Consent.case_id == case_id)),
        # An order's Idempotency-Key record holds a hash of the order, which named the candidate.
        ("idempotency_keys", sa.delete(IdempotentRequest).where(IdempotentRequest.case_id == case_id)),
    ]
    # /verify must still vouch for a report the hiring side holds: keep its fingerprints, nothing else.
    for report in db.session.execute(
            sa.select(Report).where(Report.case_id == case_id, Report.released_at.is_not(None))).scalars():
        db.session.merge(ErasedReport(fingerprint=report.fingerprint, sha256=report.sha256, case_id=case_id,
                                      version=report.version, released_at=report.released_at, erased_at=now))
    counts = {}
    bulk = {"synchronize_session": False}
    for name, statement in steps:
        counts[name] = rows_changed(db.session.execute(statement, execution_options=bulk))
    # Experience scores stay for the metrics, with nothing left that points to the person or the case.
    for answer_id in db.session.execute(
            sa.select(ExperienceAnswer.id).where(ExperienceAnswer.case_id == case_id)).scalars().all():
        db.session.execute(sa.update(ExperienceAnswer).where(ExperienceAnswer.id == answer_id).values(
            case_id=None, data_key_id=None, comment_enc=None, respondent=f"erased:{uuid.uuid4().hex}"),
            execution_options=bulk)
        counts["experience_comments"] = counts.get("experience_comments", 0) + 1
    candidate_id, organisation_id, state = case.candidate_id, case.organisation_id, case.state
    db.session.expunge(case)
    if rows_changed(db.session.execute(sa.delete(Case).where(Case.id == case_id))) != 1:
        raise ErasureRefused(f"Case {case_id} was erased already.")
    case_counts.forget(organisation_id, state)
    db.session.execute(sa.delete(Candidate).where(Candidate.id == candidate_id))
    db.session.execute(sa.delete(DataKey).where(DataKey.id == key_id))
    keystore.destroy_after_commit(key_id)
    db.session.expire_all()
    details: dict[str, Any] = {"reason": reason, "rows": {n: c for n, c in counts.items() if c}}
    if not split:
        # Made before the key store existed: backups stay readable while the old master key exists.
        details["key_without_share"] = True
    audit.record("case.erased", actor.name, case_id, **details)
    check_events.emit_for(case_id, organisation_id, "erased", check_events.ERASED, now)
    return counts


@dataclass(frozen=True)
class _Label:
    """How a referee appears in the export's answers: by relationship and organisation."""

    relationship: str
    organisation: str

    def text(self) -> str:
        """Return the label the report uses too, in the language of the export."""
        word = gettext(RELATIONSHIPS[self.relationship][0])
        word = word[0].upper() + word[1:]
        return gettext("%(relationship)s at %(organisation)s", relationship=word,
                       organisation=self.organisation)


def export_case(case: Case, now: dt.datetime) -> dict[str, Any]:
    """Return everything held about the candidate in one case, decrypted, in a fixed shape.

    Referees' answers appear as the report shows them (by relationship, not name) once
    the report is released; a referee's own reasons for declining are withheld. The words the
    candidate reads (what is withheld and why, relationships, who acted) are in the language of the
    request; field names, codes and what was stored stay as they are.
    """
    cfg = current_app.config
    consents = db.session.execute(
        sa.select(Consent).where(Consent.case_id == case.id).order_by(Consent.decided_at)
    ).scalars().all()
    referees = db.session.execute(
        sa.select(Referee).where(Referee.case_id == case.id).order_by(Referee.nominated_at)
    ).scalars().all()
    claims = db.session.execute(
        sa.select(Claim).where(Claim.case_id == case.id).order_by(Claim.created_at)
    ).scalars().all()
    reports = db.session.execute(
        sa.select(Report.version, Report.fingerprint, Report.sha256, Report.created_at, Report.released_at)
        .where(Report.case_id == case.id).order_by(Report.version)
    ).all()
    emails = db.session.execute(
        sa.select(OutboxMessage.kind, OutboxMessage.subject, OutboxMessage.created_at, OutboxMessage.sent_at)
        .where(OutboxMessage.case_id == case.id).order_by(OutboxMessage.created_at)
    ).all()
    events = db.session.execute(
        sa.select(AuditEvent.at, AuditEvent.action, AuditEvent.actor)
        .where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
    ).all()
    note_count = db.session.execute(
        sa.select(sa.func.count()).select_from(StaffNote).where(StaffNote.case_id == case.id)
    ).scalar_one()

    scope = Scope.from_json(consents[-1].scope if consents else case.scope)
    candidate = case.candidate
    released = case.state == RELEASED
    redactions = [
        gettext("Referees' reasons for declining are their own words about themselves and are not included."),
        gettext("Staff working notes (%(count)s) are not included here; to ask for them, write to %(email)s.",
                count=note_count, email=cfg["CONTROLLER_EMAIL"]),
        gettext("Staff members are shown by role, not by name."),
        gettext("Referees our team added are shown by relationship only: their contact details are theirs."),
        gettext("Emails to your referees are theirs and are not included."),
    ]
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(now),
        "controller": {"name": cfg["CONTROLLER_NAME"], "email": cfg["CONTROLLER_EMAIL"]},
        "case": {
            "reference": case.reference, "position": case.position,
            "hiring_organisation": case.hiring_organisation, "purpose": case.purpose,
            "state": case.state, "opened_at": _iso(case.created_at),
            "stages_entered": dict(case.stage_times or {}), "due_date": _iso(case.due_date),
            "delay_reason": case.delay_reason, "retention_days": scope.retention_days,
            "erase_after": _iso(case.erase_after),
        },
        "you": {"name": candidate.name, "email": candidate.email, "language": candidate.language},
        "consents": [_consent(c) for c in consents],
        "work_history": [c.facts for c in claims],
        "referees_you_named": [_referee(r) for r in referees],
        "findings": [],
        "referee_answers": None,
        "reports": [{"version": r.version, "fingerprint": r.fingerprint, "sha256": r.sha256,
                     "created_at": _iso(r.created_at), "released_at": _iso(r.released_at)}
                    for r in reports],
        "emails_to_you": [{"kind": e.kind, "subject": e.subject, "queued_at": _iso(e.created_at),
                           "sent_at": _iso(e.sent_at)} for e in emails if e.kind not in REFEREE_MAIL],
        "fraud_signals": _signals(case, referees),
        "your_experience_answers": _experience(case),
        "your_questions": [{"kind": q.kind, "asked_at": _iso(q.asked_at), "question": q.unseal("text_enc"),
                            "answer_by": _iso(q.answer_by), "answered_at": _iso(q.answered_at),
                            "answer": q.unseal("answer_enc")}
                           for q in db.session.execute(sa.select(Enquiry).where(Enquiry.case_id == case.id)
                                                       .order_by(Enquiry.asked_at)).scalars()],
        "history": [{"at": _iso(e.at), "action": e.action, "by": _role(e.actor)} for e in events],
        "withheld": redactions,
    }
    # Findings are held from the moment review starts, whether or not the case went on.
    data["findings"] = _findings(case)
    if released and "references" in scope.checks:
        data["referee_answers"] = _answers(case)
    else:
        data["referee_answers_note"] = (
            gettext("Referees' answers appear here as they appear in your report, once it is released.")
            if "references" in scope.checks else gettext("Your consent did not cover referees' answers."))
    return data


def _consent(consent: Consent) -> dict[str, Any]:
    """Return one consent decision with everything recorded at the time."""
    return {
        "receipt_id": consent.id, "decision": consent.decision, "decided_at": _iso(consent.decided_at),
        "scope": consent.scope, "scope_sha256": consent.scope_sha256,
        "disclosure_version": consent.disclosure_version,
        # The language the candidate read the scope and decided in (en, es or fr).
        "language": consent.language,
        "typed_signature": consent.unseal("signature_enc"),
        "ip_address": consent.unseal("ip_enc"), "user_agent": consent.unseal("user_agent_enc"),
        "decline_reason": consent.unseal("decline_reason_enc"),
        "withdrawn_at": _iso(consent.withdrawn_at),
        "withdrawal_reason": consent.unseal("withdrawal_reason_enc"),
    }


def _referee(referee: Referee) -> dict[str, Any]:
    """Return what the candidate told us about a referee, and where the request stands.

    A referee staff added is someone else's contact the candidate never gave us: shown by
    relationship and state only.
    """
    if referee.nominated_by != "candidate":
        return {"name": None, "email": None, "relationship": gettext(RELATIONSHIPS[referee.relationship][0]),
                "named_by": referee.nominated_by, "state": referee.state,
                "nominated_at": _iso(referee.nominated_at)}
    details = referee.details
    return {
        "name": details.get("name"), "email": details.get("email"),
        "organisation": details.get("organisation"), "job_title": details.get("job_title"),
        "relationship": gettext(RELATIONSHIPS[referee.relationship][0]),
        "worked_together": {"from": details.get("worked_from"), "to": details.get("worked_to")},
        "named_by": referee.nominated_by, "state": referee.state,
        "nominated_at": _iso(referee.nominated_at), "invited_at": _iso(referee.invited_at),
        "finished_at": _iso(referee.finished_at), "reminders_sent": referee.reminders_sent,
    }


def _signals(case: Case, referees: Sequence[Referee]) -> list[dict[str, Any]]:
    """Return the fraud signals as the report shows them: by referee label, with staff's resolution."""
    labels = {r.id: _Label(r.relationship, r.details.get("organisation", "")).text() for r in referees}
    rows = db.session.execute(
        sa.select(FraudSignal).where(FraudSignal.case_id == case.id).order_by(FraudSignal.id)).scalars()
    return [{"referee": labels.get(s.referee_id, gettext("A referee")), "detail": s.detail,
             "found_at": _iso(s.created_at), "resolution": s.resolved_note} for s in rows]


def _experience(case: Case) -> list[dict[str, Any]]:
    """Return the candidate's own answers to 'how was this?'."""
    rows = db.session.execute(
        sa.select(ExperienceAnswer).where(ExperienceAnswer.case_id == case.id,
                                          ExperienceAnswer.respondent.like("case:%"))).scalars()
    return [{"moment": a.moment, "score": a.score, "comment": a.unseal("comment_enc"),
             "at": _iso(a.created_at)} for a in rows]


def _findings(case: Case) -> list[dict[str, Any]]:
    """Return the frozen findings with staff's resolution and the candidate's replies."""
    from .review import RESOLUTION_WORDS, case_findings_rows, describe

    rows = []
    for finding in case_findings_rows(case):
        content = finding.content
        # Written to the candidate, in their language, as their findings page writes it.
        view = describe(finding, for_candidate=True)
        rows.append({
            "heading": view.heading, "fact": finding.fact, "status": finding.status,
            "explanation": view.explanation, "sources": content["sources"],
            "resolution": (gettext(RESOLUTION_WORDS[finding.resolution])
                           if finding.resolution in RESOLUTION_WORDS else None),
            "staff_note": finding.unseal("note_enc"),
            "your_reply": ({"accepted": finding.reply.accepted, "text": finding.reply.unseal("text_enc")}
                           if finding.reply else None),
        })
    return rows


def _answers(case: Case) -> list[dict[str, Any]]:
    """Return the answers as the released report lines them up: question by question, per referee or group.

    A group's several answers are one text, one per line, so the export keeps its shape.
    """
    from .report import gather

    return [{**row, "answers": {label: "\n".join(lines) for label, lines in row["answers"].items()}}
            for row in gather(case)["answers"]]


def _role(actor: str) -> str:
    """Show who acted by role only: staff, candidate, referee or the system, in the export's language."""
    kind = actor.split(":", 1)[0]
    return {"staff": gettext("staff"), "candidate": gettext("you"), "referee": gettext("a referee")}.get(
        kind, gettext("system"))


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    """Write a date or time as ISO 8601, or None."""
    return value.isoformat() if value is not None else None
