"""Question sets for staff: draft, edit, lint, publish; published sets never change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from . import audit
from .accounts import staff_only
from .cases import CaseError, staff_actor
from .extensions import db
from .forms import ONE_LINE, ConfirmForm, show_error
from .linter import lint
from .models import FACT_KEYS, QUESTION_KINDS, Question, QuestionSet, utcnow
from .question_sets import families
from .scope import RELATIONSHIPS

KIND_WORDS = {
    "rating": "Rating 1 to 5", "yes_no": "Yes / no / don't know", "choice": "One of several choices",
    "month_range": "From month to month", "text": "Free text",
}


def create_draft(key: str, title: str, relationship: str | None, actor: str) -> QuestionSet:
    """Start a new draft set; its version follows the newest of the same key."""
    key = key.strip().lower()
    newest = db.session.execute(
        sa.select(sa.func.max(QuestionSet.version)).where(QuestionSet.key == key)
    ).scalar_one()
    version = (newest or 0) + 1
    drafts = db.session.execute(sa.select(QuestionSet.relationship).where(
        QuestionSet.key == key, QuestionSet.state == "draft")).scalars().all()
    if drafts:
        # A family's sets share a version, so a new relationship joins the draft in progress.
        version = newest or 1
        if relationship in drafts:
            raise CaseError("There is already a draft for this relationship.", field="relationship")
    question_set = QuestionSet(key=key, version=version, relationship=relationship, title=title.strip(),
                               state="draft", created_at=utcnow())
    db.session.add(question_set)
    db.session.flush()
    audit.record("question_set.created", actor, set=question_set.id, family=question_set.family)
    return question_set


def new_version(source: QuestionSet, actor: str) -> QuestionSet:
    """Copy a published set into a draft of the next version, to change it there."""
    draft = create_draft(source.key, source.title, source.relationship, actor)
    for question in source.questions:
        draft.questions.append(Question(
            position=question.position, text=question.text, kind=question.kind, fact_key=question.fact_key,
            choices=list(question.choices) if question.choices else None, required=question.required,
            low_label=question.low_label, high_label=question.high_label,
        ))
    return draft


def add_question(question_set: QuestionSet, text: str, kind: str, fact_key: str | None,
                 choices: list[str], required: bool, low: str | None, high: str | None) -> Question:
    """Append a question to a draft."""
    _require_draft(question_set)
    if kind not in QUESTION_KINDS:
        raise CaseError("Choose a kind of question.", field="kind")
    if fact_key and fact_key not in FACT_KEYS:
        raise CaseError("Choose a known fact, or none.", field="fact_key")
    if kind == "choice" and len(choices) < 2:
        raise CaseError("Give at least two choices, one per line.", field="choices")
    if kind == "rating" and not (low and high):
        raise CaseError("Label both ends of the scale.", field="low_label")
    position = max((q.position for q in question_set.questions), default=0) + 1
    question = Question(position=position, text=text.strip(), kind=kind, fact_key=fact_key or None,
                        choices=choices if kind == "choice" else None, required=required,
                        low_label=low if kind == "rating" else None,
                        high_label=high if kind == "rating" else None)
    question_set.questions.append(question)
    return question


def remove_question(question_set: QuestionSet, question: Question) -> None:
    """Remove a question from a draft."""
    _require_draft(question_set)
    question_set.questions.remove(question)


def publish(question_set: QuestionSet, actor: str, now: dt.datetime) -> None:
    """Publish a draft if every question passes the linter; it can never change afterwards."""
    _require_draft(question_set)
    if not question_set.questions:
        raise CaseError("Add at least one question before publishing.")
    failing = [(q.position, lint(q.text)) for q in question_set.questions]
    failing = [(position, result) for position, result in failing if not result.ok]
    if failing:
        position, result = failing[0]
        more = f" ({len(failing) - 1} more questions need attention.)" if len(failing) > 1 else ""
        raise CaseError(f"Question {position} is not neutral yet: {result.problems[0].message} "
                        f"{result.problems[0].suggestion}{more}")
    question_set.state = "published"
    question_set.published_at = now
    audit.record("question_set.published", actor, set=question_set.id, family=question_set.family)


def _require_draft(question_set: QuestionSet) -> None:
    """Refuse changes to a published set."""
    if question_set.state != "draft":
        raise CaseError("This set is published and cannot change. Make a new version instead.")


# ---------------------------------------------------------------- pages

bp = Blueprint("questions", __name__, url_prefix="/staff/question-sets")


class NewSetForm(FlaskForm):
    """Start a draft set."""

    key = StringField(
        "Short name",
        validators=[DataRequired(), Length(max=40), Regexp(
            r"^[a-z][a-z0-9-]*$",
            message="Use lower-case letters, digits and hyphens, for example: engineering.")],
        description="Scopes name the set as this name plus its version, for example engineering-v1.",
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=200), ONE_LINE])
    relationship = SelectField("For referees who are", choices=[SelectChoice("", "Anyone (general set)")] + [
        SelectChoice(key, words[1][0].upper() + words[1][1:]) for key, words in RELATIONSHIPS.items()
    ], validators=[Optional()])


class QuestionForm(FlaskForm):
    """Add a question to a draft."""

    text = TextAreaField("Question", validators=[DataRequired(), Length(max=500)])
    kind = SelectField("Kind of answer", choices=[SelectChoice(k, v) for k, v in KIND_WORDS.items()])
    fact_key = SelectField("Compared with the candidate's claim about", choices=[
        SelectChoice("", "Nothing (an opinion or observation)")] + [
        SelectChoice(k, k.replace("_", " ")) for k in FACT_KEYS], validators=[Optional()])
    choices = TextAreaField("Choices, one per line (for 'one of several')", validators=[Length(max=2000)])
    low_label = StringField("Label for 1 (for ratings)", validators=[Length(max=60), ONE_LINE])
    high_label = StringField("Label for 5 (for ratings)", validators=[Length(max=60), ONE_LINE])
    required = BooleanField("An answer is required", default=True)


@bp.route("/", methods=["GET", "POST"])
@staff_only
def index() -> Any:
    """List every set and start a new draft."""
    form = NewSetForm()
    if form.validate_on_submit():
        try:
            created = create_draft(form.key.data, form.title.data, form.relationship.data or None,
                                   staff_actor(current_user))
        except CaseError as err:
            show_error(form, err.message, err.field)
        else:
            db.session.commit()
            return redirect(url_for("questions.edit", set_id=created.id))
    sets = db.session.execute(
        sa.select(QuestionSet).options(sa.orm.selectinload(QuestionSet.questions))
        .order_by(QuestionSet.key, QuestionSet.version.desc(), QuestionSet.relationship)
    ).scalars().all()
    return render_template("staff/question_sets.html", sets=sets, form=form, relationships=RELATIONSHIPS,
                           offered=families())


@bp.route("/<int:set_id>", methods=["GET", "POST"])
@staff_only
def edit(set_id: int) -> Any:
    """Show a set with the linter's view of each question, and add questions to a draft."""
    question_set = db.get_or_404(QuestionSet, set_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            add_question(question_set, form.text.data, form.kind.data, form.fact_key.data or None,
                         [c.strip() for c in (form.choices.data or "").splitlines() if c.strip()],
                         bool(form.required.data), form.low_label.data or None, form.high_label.data or None)
        except CaseError as err:
            show_error(form, err.message, err.field)
        else:
            db.session.commit()
            flash("Question added.", "success")
            return redirect(url_for("questions.edit", set_id=set_id) + "#add")
    checks = {q.id: lint(q.text) for q in question_set.questions}
    return render_template("staff/question_set.html", question_set=question_set, form=form, checks=checks,
                           kinds=KIND_WORDS, relationships=RELATIONSHIPS, confirm=ConfirmForm()), \
        (422 if form.errors else 200)


@bp.route("/<int:set_id>/questions/<int:question_id>/remove", methods=["POST"])
@staff_only
def remove(set_id: int, question_id: int) -> Any:
    """Remove a question from a draft."""
    question_set = db.get_or_404(QuestionSet, set_id)
    question = next((q for q in question_set.questions if q.id == question_id), None)
    if question is not None and ConfirmForm().validate_on_submit():
        try:
            remove_question(question_set, question)
        except CaseError as err:
            flash(err.message, "error")
        else:
            db.session.commit()
    return redirect(url_for("questions.edit", set_id=set_id))


@bp.route("/<int:set_id>/publish", methods=["POST"])
@staff_only
def publish_set(set_id: int) -> Any:
    """Publish a draft that passes the linter."""
    question_set = db.get_or_404(QuestionSet, set_id)
    if ConfirmForm().validate_on_submit():
        try:
            publish(question_set, staff_actor(current_user), utcnow())
        except CaseError as err:
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(f"Published {question_set.family}. It can no longer change.", "success")
    return redirect(url_for("questions.edit", set_id=set_id))


@bp.route("/<int:set_id>/new-version", methods=["POST"])
@staff_only
def make_version(set_id: int) -> Any:
    """Copy a set into a new draft version."""
    source = db.get_or_404(QuestionSet, set_id)
    if ConfirmForm().validate_on_submit():
        try:
            draft = new_version(source, staff_actor(current_user))
        except CaseError as err:
            flash(err.message, "error")
        else:
            db.session.commit()
            return redirect(url_for("questions.edit", set_id=draft.id))
    return redirect(url_for("questions.edit", set_id=set_id))
