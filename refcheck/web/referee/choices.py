"""The referee's other two choices besides answering, and the notice on how their answers are used.

Asking for a call and declining both end the written request through the one command that records
it (refcheck.answers.decline), which tells the candidate so they can name someone else.
"""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from ... import answers
from ...models import COLLECTING, Referee, utcnow
from ..common import run
from .pages import bp, closed_page, me, referee_context, referee_required


class CallForm(FlaskForm):
    """The referee asks to answer in a short call instead of in writing."""

    note = TextAreaField(
        lazy_gettext("Good times to call you, or anything else our team should know (optional)"),
        validators=[Length(max=1000)],
        description=lazy_gettext("We call the number you gave the person who named you, or write "
                                 "to you to ask for one."))


class DeclineForm(FlaskForm):
    """The referee declines the request."""

    reason = TextAreaField(lazy_gettext("If you like, tell us why (optional)"), validators=[Length(max=1000)],
                           description=lazy_gettext("Your reason stays with our team."))


def _waiting(referee: Referee) -> Any | None:
    """Send a referee who has answered to their answers, and one whose request ended to the closed page."""
    if referee.state == "submitted":
        return redirect(url_for("referee.your_answers"), 303)
    if referee.state not in ("invited", "opened") or referee.case.state != COLLECTING:
        return closed_page(referee, refused=request.method == "POST")
    return None


@bp.route("/referee/call", methods=["GET", "POST"])
@referee_required
def call() -> Any:
    """Ask for a short call instead of the written questions."""
    referee: Referee = g.referee
    elsewhere = _waiting(referee)
    if elsewhere is not None:
        return elsewhere
    form = CallForm()
    if form.validate_on_submit():
        run(answers.decline, referee.case_id, me(), form.note.data or "", True, utcnow()).flash_refusal()
        return redirect(url_for("referee.form"), 303)
    return render_template("referee/call.html", **referee_context(referee), form=form), \
        (422 if form.errors else 200)


@bp.route("/referee/decline", methods=["GET", "POST"])
@referee_required
def decline() -> Any:
    """Decline the request, with a reason if the referee wants to give one."""
    referee: Referee = g.referee
    elsewhere = _waiting(referee)
    if elsewhere is not None:
        return elsewhere
    form = DeclineForm()
    if form.validate_on_submit():
        run(answers.decline, referee.case_id, me(), form.reason.data or "", False, utcnow()).flash_refusal()
        return redirect(url_for("referee.form"), 303)
    return render_template("referee/decline.html", **referee_context(referee), form=form), \
        (422 if form.errors else 200)


@bp.route("/referee/privacy", methods=["GET"])
@referee_required
def privacy() -> Any:
    """Show, on its own page, who asks and what happens to the answers: the notice the first page gave."""
    return render_template("referee/privacy.html", **referee_context(g.referee))
