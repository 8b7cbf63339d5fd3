"""The candidate asks their named contact a question or raises a concern, from the portal."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, url_for
from flask_babel import LazyString, lazy_gettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from ... import enquiries
from ...dates import day
from ...extensions import limiter
from ...i18n import current_locale, thousands
from ...models import utcnow
from ..common import run
from ..forms import SelectChoice, text_of
from .portal import bp, candidate_required, me

ASK_LIMIT = "10 per hour"


class EnquiryForm(FlaskForm):
    """A question or a concern for the case's contact."""

    kind = RadioField(lazy_gettext("This is"), default="question", choices=[
        SelectChoice("question", lazy_gettext("A question")),
        SelectChoice("concern", lazy_gettext("A concern about the check or the report"))],
        validators=[DataRequired(message=lazy_gettext("Choose whether this is a question or a concern."))])
    text = TextAreaField(lazy_gettext("Your message"), validators=[
        DataRequired(message=lazy_gettext("Write your question, so your contact knows what to answer.")),
        Length(max=enquiries.TEXT_LIMIT,
               message=lazy_gettext("Please keep it under %(limit)s characters.",
                                    limit=LazyString(thousands, enquiries.TEXT_LIMIT)))],
        description=lazy_gettext("Only your contact and our team read it. It is not part of the report."))


@bp.route("/portal/ask", methods=["GET", "POST"])
# Each question emails the contact: a few an hour is plenty for a person, and stops a flood.
@limiter.limit(ASK_LIMIT, methods=["POST"])
@candidate_required
def ask() -> Any:
    """Send the contact a question; the page lists earlier ones with their answers or answer-by dates."""
    form = EnquiryForm()
    if form.validate_on_submit():
        done = run(enquiries.ask, g.case.id, me(), form.kind.data or "question", text_of(form.text), utcnow())
        if done.ok and done.value is not None:
            flash(_("Sent. %(contact)s will answer by %(day)s; we will email you when the answer is here.",
                    contact=g.case.contact.name, day=day(done.value.answer_by, current_locale())), "success")
            return redirect(url_for("portal.ask"), 303)
        done.show_on(form)
    status = 422 if any(field.errors for field in form) else 200
    return render_template("portal/ask.html", case=g.case, form=form, contact=g.case.contact,
                           asked=enquiries.of_case(g.case.id),
                           answer_by=enquiries.answer_by(utcnow())), status
