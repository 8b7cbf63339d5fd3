"""The questionnaire as a form: one class per published set (and per page), built once, bound to each request.

A phone shows the questions in short pages (`pages`); each page is its own form over its questions.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ...answers import TEXT_LIMIT, UNKNOWN, AskedQuestion, PublishedSet, choice_options, field_name
from ...errors import CaseError
from ...months import normalise_month
from ..forms import MONTH, MONTH_HINT_SHOWN, MONTH_INPUT, ONE_LINE, MonthField, SelectChoice

# A set's form classes (the whole set under None, each page under its number), kept as long as the
# process keeps its copy of the set (which never changes).
_CLASSES: weakref.WeakKeyDictionary[PublishedSet, dict[int | None, type[FlaskForm]]] = \
    weakref.WeakKeyDictionary()
# Questions per page: a page of four fits a phone's screen or two, and a set of 15 makes four pages.
PAGE_SIZE = 4


def pages(question_set: PublishedSet) -> list[tuple[AskedQuestion, ...]]:
    """Split a set's questions into short pages, in the set's order (at least one page)."""
    questions = question_set.questions
    return [questions[i:i + PAGE_SIZE] for i in range(0, len(questions), PAGE_SIZE)] or [()]


def form_class(question_set: PublishedSet, page: int | None = None) -> type[FlaskForm]:
    """Return the form class of a question set, or of one page of it (numbered from 1).

    Classes hold no request data, so one serves every request.
    """
    classes = _CLASSES.setdefault(question_set, {})
    found = classes.get(page)
    if found is None:
        questions = question_set.questions if page is None else pages(question_set)[page - 1]
        found = classes[page] = _questionnaire_class(questions)
    return found


def _questionnaire_class(questions: Sequence[AskedQuestion]) -> type[FlaskForm]:
    """Build the form class of a set's questions."""

    class QuestionnaireForm(FlaskForm):
        pass

    for question in questions:
        name = field_name(question)
        answer_needed = InputRequired(message=lazy_gettext("Please answer this question."))
        required = [answer_needed] if question.required else [Optional()]
        if question.kind in ("rating", "yes_no", "choice"):
            choices = [SelectChoice(value, words) for value, words in choice_options(question)]
            setattr(QuestionnaireForm, name, RadioField(question.text, choices=choices, validators=required))
        elif question.kind == "month_range":
            setattr(QuestionnaireForm, f"{name}_from", MonthField(
                lazy_gettext("From"), validators=[Optional(), MONTH], filters=[normalise_month],
                description=MONTH_HINT_SHOWN, render_kw=MONTH_INPUT))
            setattr(QuestionnaireForm, f"{name}_to", MonthField(
                lazy_gettext("To"), validators=[Optional(), MONTH], filters=[normalise_month],
                description=MONTH_HINT_SHOWN, render_kw=MONTH_INPUT))
            setattr(QuestionnaireForm, f"{name}_unknown", BooleanField(lazy_gettext("I don't remember")))
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
               data: dict[str, Any] | None = None, page: int | None = None) -> FlaskForm:
    """Return the set's questionnaire (or one page of it) bound to the request.

    `data` pre-fills the form (a correction starts from the sealed answers, a page from the draft);
    a posted form ignores it. The form is `blank` when nothing of the referee's can be in it: no
    data given and nothing posted.
    """
    cls = form_class(question_set, page)
    if formdata is not None:
        form = cls(formdata=formdata)
    elif data is not None:
        form = cls(data=data)
    else:
        form = cls()
    form.questions = list(question_set.questions if page is None else pages(question_set)[page - 1])
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
                    raise CaseError(_("The end cannot be before the start."), field=f"{name}_to")
                answers[str(question.id)] = {"from": start, "to": end}
            elif question.required:
                raise CaseError(_("Give both months, or tick \u201cI don't remember\u201d."),
                                field=f"{name}_from")
        else:
            value = form[name].data
            answers[str(question.id)] = value.strip() if isinstance(value, str) else value
    return answers


def read_page(form: FlaskForm, questions: Sequence[AskedQuestion]) -> dict[str, Any]:
    """Return the answers of a page's questions that can be kept as they are, skipping any with a problem.

    Going back keeps what is already right on the page, without asking for what is still missing.
    """
    kept: dict[str, Any] = {}
    for question in questions:
        name = field_name(question)
        names = ((f"{name}_from", f"{name}_to", f"{name}_unknown") if question.kind == "month_range"
                 else (name,))
        if any(form[n].errors for n in names):
            continue
        try:
            kept.update(read_answers(form, [question]))
        except CaseError:
            continue
    return {k: v for k, v in kept.items() if v not in (None, "")}


def gaps(questions: Sequence[AskedQuestion], answers: dict[str, Any]) -> list[int]:
    """Return the positions (from 0) of required questions the answers leave open."""
    return [index for index, question in enumerate(questions)
            if question.required and answers.get(str(question.id)) in (None, "")]


def complete(questions: Sequence[AskedQuestion], answers: dict[str, Any]) -> dict[str, Any]:
    """Return a draft's answers in the shape a one-page questionnaire sends: every question, none extra."""
    return {str(q.id): answers.get(str(q.id)) for q in questions
            if q.kind != "month_range" or answers.get(str(q.id)) is not None}
