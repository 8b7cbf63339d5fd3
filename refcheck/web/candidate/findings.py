"""The candidate's findings: reading them, replying to each (or disputing after release), and the report."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
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
    if case.state not in (CANDIDATE_REVIEW, RELEASED):
        flash("The findings will appear here once our review is done.", "info")
        return redirect(url_for("portal.home"), 303)
    return render_template("portal/findings.html", case=case, findings=review.case_findings_rows(case),
                           words=review.RESOLUTION_WORDS, form=ReplyForm(),
                           open=case.state in (CANDIDATE_REVIEW, RELEASED), disputing=case.state == RELEASED)


@bp.route("/findings/<finding_id>", methods=["POST"])
@candidate_required
def reply_to(finding_id: str) -> Response:
    """Save the candidate's reply to one finding of their own case."""
    found = db.session.execute(
        sa.select(Finding.id).where(Finding.id == finding_id, Finding.case_id == g.case.id)).first()
    if found is None:
        abort(404)
    form = ReplyForm()
    if form.validate_on_submit():
        done = run(review.reply, g.case.id, me(), finding_id, form.text.data or "", bool(form.accepted.data),
                   utcnow())
        if done.ok:
            flash("Your dispute is saved. Our team will review it and may issue a new version of the "
                  "report." if g.case.state == RELEASED else
                  "Your reply is saved. You can change it until the deadline.", "success")
        done.flash_refusal()
    return redirect(url_for("review.findings") + f"#finding-{finding_id}", 303)


@bp.route("/report.pdf")
@candidate_required
def report_pdf() -> Response:
    """Let the candidate download the released report: the same bytes the hiring side gets."""
    return report_download(g.case, me().name)
