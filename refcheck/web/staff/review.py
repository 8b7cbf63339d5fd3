"""Staff pages for review: frozen findings, resolutions, signals, answers side by side, notes, release."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ... import audit, cases, report, review
from ...extensions import db
from ...models import Case, Finding, FraudSignal, StaffNote, utcnow
from ..common import report_download, run
from ..forms import ReasonForm, ResolveForm
from .accounts import staff_only
from .cases import bp, confirmed, me
from .step_up import step_up_required


@bp.route("/cases/<int:case_id>/review", methods=["POST"])
@staff_only
def start_review(case_id: int) -> Response:
    """Freeze the findings and start review; requests not yet answered close."""
    return confirmed(case_id, review.start_review, lambda rows: f"Review started with {len(rows)} findings. "
                     "Resolve each conflict, then send them to the candidate.", "#review")


@bp.route("/cases/<int:case_id>/findings/<finding_id>", methods=["POST"])
@staff_only
def resolve_finding(case_id: int, finding_id: str) -> Response:
    """Resolve one finding with a note."""
    _part_of_case(Finding, finding_id, case_id)
    form = ResolveForm()
    if form.validate_on_submit():
        done = run(review.resolve, case_id, me(), finding_id, form.resolution.data, form.note.data or "",
                   utcnow())
        if done.ok:
            flash("Resolution saved.", "success")
        done.flash_refusal()
    return redirect(url_for("staff.case", case_id=case_id) + f"#finding-{finding_id}")


@bp.route("/cases/<int:case_id>/send-findings", methods=["POST"])
@staff_only
def send_findings(case_id: int) -> Response:
    """Show the findings to the candidate for their replies."""
    return confirmed(case_id, review.send_to_candidate,
                     "The candidate has been asked to read the findings and reply.", "#review")


@bp.route("/cases/<int:case_id>/answers", methods=["GET", "POST"])
@staff_only
def answers(case_id: int) -> Any:
    """Show answers side by side with findings, signals and ratings on top, and keep private notes."""
    case = db.get_or_404(Case, case_id)
    if case.consent is None or case.consent.decision != "granted":
        abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        done = run(cases.add_note, case_id, me(), form.reason.data or "", utcnow())
        if done.ok and done.value is not None:
            flash("Note saved. Only staff can see it.", "success")
        done.flash_refusal()
        return redirect(url_for("staff.answers", case_id=case_id) + "#notes")
    data = report.gather(case, attributed=True)  # staff see each referee, whatever the report shows
    notes = db.session.execute(
        sa.select(StaffNote).options(selectinload(StaffNote.data_key), selectinload(StaffNote.author))
        .where(StaffNote.case_id == case.id).order_by(StaffNote.created_at.desc())
    ).scalars().all()
    audit.record("case.answers_viewed", me().name, case.id)
    db.session.commit()
    return render_template("staff/answers.html", case=case, data=data, notes=notes, form=form,
                           ratings=data["ratings"])


@bp.route("/cases/<int:case_id>/signals/<int:signal_id>", methods=["POST"])
@staff_only
def resolve_signal(case_id: int, signal_id: int) -> Response:
    """Record how staff handled a fraud signal; the note appears in the report."""
    _part_of_case(FraudSignal, signal_id, case_id)
    form = ReasonForm()
    if form.validate_on_submit():
        done = run(review.resolve_signal, case_id, me(), signal_id, form.reason.data or "")
        if done.ok:
            flash("Saved how the signal was handled.", "success")
        done.flash_refusal()
    return redirect(url_for("staff.case", case_id=case_id) + "#referees")


@bp.route("/cases/<int:case_id>/release", methods=["POST"])
@staff_only
@step_up_required("release the report")
def release(case_id: int) -> Response:
    """Render and release the next version of the report."""
    return confirmed(case_id, report.release,
                     lambda released: f"Version {released.version} of the report is released to the "
                     "candidate.")


@bp.route("/cases/<int:case_id>/report.pdf")
@staff_only
def download_report(case_id: int) -> Response:
    """Serve the latest released report exactly as stored; the download is audited."""
    return report_download(db.get_or_404(Case, case_id), f"staff:{current_user.id}")


def _part_of_case(model: Any, row_id: Any, case_id: int) -> None:
    """Answer 404 unless the finding or signal in the URL belongs to the case in the URL."""
    found = db.session.execute(
        sa.select(model.id).where(model.id == row_id, model.case_id == case_id)).first()
    if found is None:
        abort(404)
