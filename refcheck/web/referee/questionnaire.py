"""The questionnaire as a form: one class per published set, built once, bound to each request."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ...answers import TEXT_LIMIT, UNKNOWN, AskedQuestion, PublishedSet, choice_options, field_name
from ...errors import CaseError
from ...months import MONTH_HINT, normalise_month
from ..forms import MONTH, MONTH_INPUT, ONE_LINE, MonthField, SelectChoice

# A set's form class, kept as long as the process keeps its copy of the set (which never changes).
_CLASSES: weakref.WeakKeyDictionary[PublishedSet, type[FlaskForm]] = weakref.WeakKeyDictionary()


def form_class(question_set: PublishedSet) -> type[FlaskForm]:
    """Return the form class of a question set; classes hold no request data, so one serves every request."""
    found = _CLASSES.get(question_set)
    if found is None:
        found = _CLASSES[question_set] = _questionnaire_class(question_set.questions)
    return found


def _questionnaire_class(questions: Sequence[AskedQuestion]) -> type[FlaskForm]:
    """Build the form class of a set's questions."""

    class QuestionnaireForm(FlaskForm):
        pass

    for question in questions:
        name = field_name(question)
        answer_needed = InputRequired(message="Please answer this question.")
        required = [answer_needed] if question.required else [Optional()]
        if question.kind in ("rating", "yes_no", "choice"):
            choices = [SelectChoice(value, words) for value, words in choice_options(question)]
            setattr(QuestionnaireForm, name, RadioField(question.text, choices=choices, validators=required))
        elif question.kind == "month_range":
            setattr(QuestionnaireForm, f"{name}_from", MonthField(
                "From", validators=[Optional(), MONTH], filters=[normalise_month],
                description=MONTH_HINT, render_kw=MONTH_INPUT))
            setattr(QuestionnaireForm, f"{name}_to", MonthField(
                "To", validators=[Optional(), MONTH], filters=[normalise_month],
                description=MONTH_HINT, render_kw=MONTH_INPUT))
            setattr(QuestionnaireForm, f"{name}_unknown", BooleanField("I don't remember"))
        elif question.fact_key:
            # A fact (employer, job title) is a line, not an essay.
            setattr(QuestionnaireForm, name, StringField(
                question.text, validators=[*required, Length(max=200), ONE_LINE],
                render_kw={"maxlength": 200}))
        else:
            setattr(QuestionnaireForm, name, TextAreaField(
                question.text, validators=[*required, Length(max=TEXT_LIMIT)],
                render_kw={"maxlength": TEXT_LIMIT, "rows": 4}))
    return QuestionnaireForm


def build_form(question_set: PublishedSet, formdata: Any = None,
               data: dict[str, Any] | None = None) -> FlaskForm:
    """Return the set's questionnaire bound to the request.

    `data` pre-fills the form (a correction starts from the sealed answers); a posted form ignores it.
    The form is `blank` when nothing of the referee's can be in it: no data given and nothing posted.
    """
    cls = form_class(question_set)
    if formdata is not None:
        form = cls(formdata=formdata)
    elif data is not None:
        form = cls(data=data)
    else:
        form = cls()
    form.questions = list(question_set.questions)
    form.blank = formdata is None and data is None and not form.is_submitted()
    return form


def read_answers(form: FlaskForm, questions: Sequence[AskedQuestion]) -> dict[str, Any]:
    """Return the answers keyed by question id, or raise CaseError naming the first gap."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = field_name(question)
        if question.kind == "month_range":
            start, end = form[f"{name}_from"].data, form[f"{name}_to"].data
            if form[f"{name}_unknown"].data:
                answers[str(question.id)] = UNKNOWN
            elif start and end:
                if end < start:
                    raise CaseError("The end cannot be before the start.", field=f"{name}_to")
                answers[str(question.id)] = {"from": start, "to": end}
            elif question.required:
                raise CaseError("Give both months, or tick \u201cI don't remember\u201d.",
                                field=f"{name}_from")
        else:
            value = form[name].data
            answers[str(question.id)] = value.strip() if isinstance(value, str) else value
    return answers
