"""The candidate's findings: reading them, replying to each (or disputing after release), and the report."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from ... import review
from ...extensions import db
from ...models import CANDIDATE_REVIEW, RELEASED, Case, Finding, utcnow
from ..common import report_download, run
from .portal import candidate_required, me

bp = Blueprint("review", __name__, url_prefix="/portal")
# Badges by finding kind: agreement calm, a difference to look at amber.
KIND_CLASSES = {"corroborated": "status-done", "single_source": "status-current",
                "minor_difference": "status-minor", "conflict": "status-overdue",
                "unverified": "status-stopped"}


class ReplyForm(FlaskForm):
    """The candidate's reply to one finding."""

    text = TextAreaField(lazy_gettext("Your reply (it goes into the report as you write it)"),
                         validators=[Length(max=2000)])
    accepted = BooleanField(lazy_gettext("I accept this finding as it stands"))


@bp.route("/findings", methods=["GET"])
@candidate_required
def findings() -> Any:
    """Show every finding to the candidate as "you", with their progress and a reply only where wanted."""
    case: Case = g.case
    if case.state not in (CANDIDATE_REVIEW, RELEASED):
        flash(_("The findings will appear here once our review is done."), "info")
        return redirect(url_for("portal.home"), 303)
    views, progress = review.describe_all(case, for_candidate=True)
    late = case.state == CANDIDATE_REVIEW and case.reply_due_at is not None and utcnow() > case.reply_due_at
    agreeing = [v for v in views if v.agrees_with_claim and v.row.reply is None]
    waiting = next((v.id for v in views if v.row.reply is None), None)
    return render_template("portal/findings.html", case=case, findings=views, progress=progress,
                           agreeing=agreeing, waiting=waiting, late=late, words=review.RESOLUTION_WORDS,
                           kind_classes=KIND_CLASSES, replying=case.state == CANDIDATE_REVIEW and not late,
                           disputing=case.state == RELEASED)


@bp.route("/findings/<finding_id>", methods=["POST"])
@candidate_required
def reply_to(finding_id: str) -> Response:
    """Save the candidate's reply to one finding of their own case, then show the next one to answer."""
    found = db.session.execute(
        sa.select(Finding.id).where(Finding.id == finding_id, Finding.case_id == g.case.id)).first()
    if found is None:
        abort(404)
    form = ReplyForm()
    anchor = f"#finding-{finding_id}"
    if form.validate_on_submit():
        done = run(review.reply, g.case.id, me(), finding_id, form.text.data or "", bool(form.accepted.data),
                   utcnow())
        if done.ok and g.case.state == RELEASED:
            flash(_("Your dispute is saved. Our team will review it and may issue a new version of the "
                    "report."), "success")
        elif done.ok:
            anchor = _next_to_answer(g.case, finding_id)
        done.flash_refusal()
    return redirect(url_for("review.findings") + anchor, 303)


def _next_to_answer(case: Case, after: str) -> str:
    """Flash the progress and point at the next finding still to answer, or the top when all are."""
    rows = review.case_findings_rows(case)
    progress = review.ReplyProgress(sum(1 for row in rows if row.reply is not None), len(rows))
    ids = [row.id for row in rows]
    later = ids[ids.index(after) + 1:] + ids[:ids.index(after)] if after in ids else ids
    waiting = {row.id for row in rows if row.reply is None}
    upcoming = next((finding_id for finding_id in later if finding_id in waiting), None)
    if upcoming is None:
        flash(_("Saved. %(progress)s: you have answered every finding.", progress=progress.words), "success")
        return ""
    flash(_("Saved. %(progress)s. The next finding to read is below.", progress=progress.words), "success")
    return f"#finding-{upcoming}"


@bp.route("/findings/accept-agreeing", methods=["POST"])
@candidate_required
def accept_agreeing() -> Response:
    """Accept every finding still to answer that simply agrees with what the candidate said."""
    form = FlaskForm()
    if form.validate_on_submit():
        done = run(review.accept_agreeing, g.case.id, me(), utcnow())
        if done.ok and done.value:
            flash(ngettext("You accepted %(num)d finding that agrees with what you told us.",
                           "You accepted %(num)d findings that agree with what you told us.", done.value),
                  "success")
        done.flash_refusal()
    return redirect(url_for("review.findings"), 303)


@bp.route("/report.pdf")
@candidate_required
def report_pdf() -> Response:
    """Let the candidate download the released report: the same bytes the hiring side gets."""
    return report_download(g.case, me().name)
