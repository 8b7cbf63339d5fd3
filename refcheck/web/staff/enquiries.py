"""Staff pages for the candidate's contact: who it is, and answering the questions the candidate asks."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ... import enquiries
from ...extensions import db
from ...models import Case, utcnow
from ..common import run
from ..forms import text_of
from .accounts import staff_only
from .cases import bp, me


class AnswerForm(FlaskForm):
    """Staff's answer to one question, which the candidate reads in the portal."""

    text = TextAreaField("Your answer", validators=[
        DataRequired(message="Write the answer the candidate will read."),
        Length(max=enquiries.TEXT_LIMIT,
               message=f"Please keep the answer under {enquiries.TEXT_LIMIT:,} characters.")])


@bp.route("/cases/<int:case_id>/questions/<enquiry_id>/answer", methods=["POST"])
@staff_only
def answer_enquiry(case_id: int, enquiry_id: str) -> Response:
    """Answer the candidate's question; the candidate is emailed that the answer is there."""
    db.get_or_404(Case, case_id)
    form = AnswerForm()
    if form.validate_on_submit():
        done = run(enquiries.answer, case_id, me(), enquiry_id, text_of(form.text), utcnow())
        if done.ok:
            flash("Answer sent. The candidate has been emailed that it is waiting for them.", "success")
        done.flash_refusal()
    else:
        flash(" ".join(form.text.errors) or "The form expired. Please send it again.", "error")
    return redirect(url_for("staff.case", case_id=case_id) + f"#question-{enquiry_id}")


@bp.route("/cases/<int:case_id>/contact", methods=["POST"])
@staff_only
def set_contact(case_id: int) -> Response:
    """Name the verifier the candidate sees as their contact."""
    db.get_or_404(Case, case_id)
    form = FlaskForm()
    chosen = request.form.get("contact", "")
    if form.validate_on_submit() and chosen.isdigit():
        done = run(enquiries.set_contact, case_id, me(), int(chosen), utcnow())
        if done.ok and done.value is not None:
            flash(f"{done.value.name} is now the candidate's contact.", "success")
        done.flash_refusal()
    else:
        flash("Choose a member of staff as the contact.", "error")
    return redirect(url_for("staff.case", case_id=case_id) + "#questions")
