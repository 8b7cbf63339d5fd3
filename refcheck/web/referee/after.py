"""The referee's rights after answering: read their answers back, correct them, or withdraw them.

Until the report is released; afterwards the answers are shown as final and nothing changes.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ... import answers
from ...i18n import current_language
from ...models import Referee, utcnow
from ...translated_sets import in_language
from ..common import run
from .pages import (
    bp,
    me,
    questionnaire_page,
    referee_context,
    referee_required,
    reread,
    send_answers,
)
from .questionnaire import build_form


class WithdrawAnswersForm(FlaskForm):
    """The referee confirms that their answers should be deleted."""

    confirm = BooleanField(
        lazy_gettext("Yes, delete my answers. I understand this cannot be undone."),
        validators=[DataRequired(
            message=lazy_gettext("Tick the box to confirm, or go back to keep your answers."))],
    )


@bp.route("/referee/answers", methods=["GET"])
@referee_required
def your_answers() -> Any:
    """Show the referee their own answers, read back from the sealed record; a GET changes nothing."""
    referee: Referee = g.referee
    if referee.state != "submitted":
        return redirect(url_for("referee.form"))
    return answers_page(referee)


@bp.route("/referee/correct", methods=["GET", "POST"])
@referee_required
def correct() -> Any:
    """Show the questionnaire filled with the referee's answers, and re-seal what they correct."""
    referee: Referee = g.referee
    elsewhere = _not_changeable(referee)
    if elsewhere is not None:
        return elsewhere
    response = answers.response_of(referee)
    question_set = in_language(answers.question_set_by_id(response.question_set_id), current_language())
    questions = list(question_set.questions)
    if request.method == "POST":
        questionnaire = build_form(question_set)
        if questionnaire.validate_on_submit():
            done = send_answers(questionnaire, question_set, answers.correct)
            if done.ok:
                flash(_("Your corrected answers are saved. Thank you."), "success")
                return redirect(url_for("referee.your_answers"), 303)
            if done.moved_on:
                return answers_page(reread(referee), refused=True)
            done.show_on(questionnaire)
    else:
        questionnaire = build_form(
            question_set, data=answers.prefill(questions, response.unseal("answers_enc")["answers"]))
    return questionnaire_page(referee, question_set, questionnaire, correcting=True)


@bp.route("/referee/withdraw", methods=["GET", "POST"])
@referee_required
def withdraw() -> Any:
    """Ask the referee to confirm, then delete their answers and tell the candidate."""
    referee: Referee = g.referee
    elsewhere = _not_changeable(referee)
    if elsewhere is not None:
        return elsewhere
    withdraw_form = WithdrawAnswersForm()
    if withdraw_form.validate_on_submit():
        done = run(answers.withdraw, referee.case_id, me(), utcnow())
        if done.moved_on:
            return answers_page(reread(referee), refused=True)
        # A twin request that withdrew them first leaves nothing to do: the answers are gone either way.
        return redirect(url_for("referee.form"), 303)
    return render_template("referee/withdraw.html", **referee_context(referee), form=withdraw_form), \
        (422 if withdraw_form.errors else 200)


def _not_changeable(referee: Referee) -> Any | None:
    """Send a referee with no answers to the form; show locked answers rather than a form to change them."""
    if referee.state != "submitted":
        return redirect(url_for("referee.form"), 303)
    if request.method == "GET" and answers.locked_reason(referee):
        return answers_page(referee, refused=True)
    return None


def answers_page(referee: Referee, refused: bool = False) -> Any:
    """Render the referee's answers; with `refused`, say why a change was not made (409)."""
    response = answers.response_of(referee)
    question_set = in_language(answers.question_set_by_id(response.question_set_id), current_language())
    shown = answers.read_back(question_set, response.unseal("answers_enc")["answers"])
    return render_template("referee/answers.html", **referee_context(referee), shown=shown, refused=refused,
                           submitted_at=response.submitted_at), (409 if refused else 200)
