"""Review: freeze the findings, staff resolve them, and the candidate replies to each."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from . import audit, mail
from .cases import CaseError, candidate_actor, move, staff_actor
from .extensions import db
from .findings import CaseFindings, case_findings
from .models import (
    CANDIDATE_REVIEW,
    COLLECTING,
    FINDING_RESOLUTIONS,
    RELEASED,
    REVIEW,
    Case,
    Finding,
    Referee,
    Reply,
    StaffUser,
    utcnow,
)
from .portal import candidate_required
from .scope import RELATIONSHIP_LABELS

RESOLUTION_WORDS = {"confirmed": "Confirmed by our team", "explained": "Explained",
                    "dismissed": "Set aside by our team"}


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


def start_review(case: Case, staff: StaffUser, now: dt.datetime) -> list[Finding]:
    """Move a case into review and freeze its findings as they stand."""
    if case.state != COLLECTING:
        raise CaseError("Review can start only while answers are being collected.")
    result, items = _derive_findings(case)
    if result.answered == 0:
        raise CaseError("No referee has answered yet, so there is nothing to review.")
    rows = []
    for item in items:
        row = Finding(case_id=case.id, data_key=case.data_key, position=len(rows), fact=item["fact"],
                      status=item["status"], severity=item["severity"])
        db.session.add(row)
        row.seal("content_enc", item["content"])
        rows.append(row)
    move(case, REVIEW, now)
    audit.record("review.started", staff_actor(staff), case.id, findings=len(rows),
                 coverage=result.coverage["covered"])
    return rows


def _derive_findings(case: Case) -> tuple[CaseFindings, list[dict[str, Any]]]:
    """Return cross-verification's result and the findings as they would be frozen now."""
    result = case_findings(case)
    referees = {r.id: r for r in db.session.execute(
        sa.select(Referee).where(Referee.case_id == case.id)
    ).scalars()}
    groups = [(f"{p.title} at {p.employer}" if p.employer else p.title, p.findings) for p in result.positions]
    groups.append(("Working relationships and periods", result.relationships))
    items = []
    for heading, findings in groups:
        for finding in findings:
            content = {"heading": heading, "explanation": finding.explanation,
                       "sources": [_source(s.to_json(), referees) for s in finding.sources]}
            # The JSON round trip makes fresh content compare equal to what a sealed row returns.
            items.append({"fact": finding.fact, "status": finding.status, "severity": finding.severity,
                          "content": json.loads(json.dumps(content))})
    return result, items


def refresh_findings(case: Case, actor: str, now: dt.datetime) -> int:
    """Bring frozen findings in line with referees' answers after a correction or withdrawal.

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
        if row is not None and (row.status, row.severity, row.content) == (
                item["status"], item["severity"], item["content"]):
            row.position = position
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


def resolve(finding: Finding, staff: StaffUser, resolution: str, note: str, now: dt.datetime) -> None:
    """Record how staff resolved a finding; a note is required."""
    case = db.session.get(Case, finding.case_id)
    if case.state not in (REVIEW, CANDIDATE_REVIEW):
        raise CaseError("Findings can be resolved only during review.")
    if resolution not in FINDING_RESOLUTIONS:
        raise CaseError("Choose confirmed, explained or dismissed.", field="resolution")
    if not note.strip():
        raise CaseError("Write a note: it appears in the report next to the finding.", field="note")
    finding.resolution = resolution
    finding.seal("note_enc", note.strip())
    finding.resolved_by_id = staff.id
    finding.resolved_at = now
    audit.record("finding.resolved", staff_actor(staff), case.id, finding=finding.id, resolution=resolution)


def send_to_candidate(case: Case, staff: StaffUser, now: dt.datetime) -> None:
    """Show the findings to the candidate, who may reply to each until the deadline."""
    if case.state != REVIEW:
        raise CaseError("The findings can be sent once review has started.")
    open_conflicts = [f for f in case_findings_rows(case) if f.status == "conflict" and not f.resolution]
    if open_conflicts:
        raise CaseError(f"Resolve every conflict first ({len(open_conflicts)} still open).")
    case.reply_due_at = add_working_days(now, current_app.config["REPLY_WORKING_DAYS"])
    move(case, CANDIDATE_REVIEW, now)
    audit.record("review.sent_to_candidate", staff_actor(staff), case.id)
    mail.queue("findings_ready", case.candidate.email, case.data_key, case.id, case=case,
               name=case.candidate.name, due=case.reply_due_at.date(),
               base_url=current_app.config["BASE_URL"].rstrip("/"))


def reply(case: Case, finding: Finding, text: str, accepted: bool, now: dt.datetime) -> Reply:
    """Record the candidate's reply to a finding, or their acceptance of it."""
    if finding.case_id != case.id:
        raise CaseError("This finding is not part of your check.")
    if case.state not in (CANDIDATE_REVIEW, RELEASED):
        raise CaseError("Replies are open only while you are reviewing the findings.")
    if case.state == CANDIDATE_REVIEW and case.reply_due_at and now > case.reply_due_at:
        raise CaseError("The time for replies has passed. Write to us if you still need to add something.")
    if not accepted and not text.strip():
        raise CaseError("Write your reply, or tick that you accept this finding.", field="text")
    answer = finding.reply
    if answer is None:
        answer = Reply(finding=finding, data_key=case.data_key, created_at=now)
        db.session.add(answer)
    answer.accepted = accepted
    answer.seal("text_enc", text.strip() or None)
    answer.updated_at = now
    # After release a reply is a dispute: staff read it and issue a new version of the report.
    action = "finding.disputed" if case.state == RELEASED else "finding.replied"
    audit.record(action, candidate_actor(case), case.id, finding=finding.id, accepted=accepted)
    return answer


# ---------------------------------------------------------------- candidate pages

bp = Blueprint("review", __name__, url_prefix="/portal")


class ReplyForm(FlaskForm):
    """The candidate's reply to one finding."""

    text = TextAreaField("Your reply (it goes into the report as you write it)",
                         validators=[Length(max=2000)])
    accepted = BooleanField("I accept this finding as it stands")


@bp.route("/findings", methods=["GET"])
@candidate_required
def findings() -> Any:
    """Show every finding with its resolution, and a reply form while replies are open."""
    case: Case = g.case
    if case.state not in (CANDIDATE_REVIEW, "released"):
        flash("The findings will appear here once our review is done.", "info")
        return redirect(url_for("portal.home"), 303)
    return render_template("portal/findings.html", case=case, findings=case_findings_rows(case),
                           words=RESOLUTION_WORDS, form=ReplyForm(),
                           open=case.state in (CANDIDATE_REVIEW, RELEASED), disputing=case.state == RELEASED)


@bp.route("/findings/<finding_id>", methods=["POST"])
@candidate_required
def reply_to(finding_id: str) -> Any:
    """Save the candidate's reply to one finding of their own case."""
    case: Case = g.case
    finding = db.session.execute(
        sa.select(Finding).where(Finding.id == finding_id, Finding.case_id == case.id)
    ).scalar_one_or_none()
    if finding is None:
        return render_template("error.html", code=404), 404
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            reply(case, finding, form.text.data or "", bool(form.accepted.data), utcnow())
        except CaseError as err:
            audit.refusal(case, "review.reply_to", candidate_actor(case), err.message)
            db.session.commit()
            flash(err.message, "error")
        else:
            db.session.commit()
            flash("Your dispute is saved. Our team will review it and may issue a new version of the "
                  "report." if case.state == RELEASED else
                  "Your reply is saved. You can change it until the deadline.", "success")
    return redirect(url_for("review.findings") + f"#finding-{finding.id}", 303)


@bp.route("/report.pdf")
@candidate_required
def report_pdf() -> Any:
    """Let the candidate download the released report: the same bytes the hiring side gets."""
    from .staff_views import report_response

    return report_response(g.case, candidate_actor(g.case))


for _view in (findings, reply_to, report_pdf):
    _view.access_rule = ("candidate",)  # type: ignore[attr-defined]
