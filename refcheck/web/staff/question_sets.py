"""Staff pages for question sets: list, draft, add questions with the linter's view, publish, new version."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ... import question_editor, set_translations
from ...errors import CaseError
from ...extensions import db
from ...linter import lint
from ...models import FACT_KEYS, QuestionSet, utcnow
from ...question_editor import (
    KIND_WORDS,
    add_question,
    create_draft,
    new_version,
    publish,
    remove_question,
    reword,
)
from ...question_sets import families
from ...scope import RELATIONSHIPS
from ...words import ENGLISH_NAMES, LANGUAGES
from ..forms import ONE_LINE, ConfirmForm, SelectChoice, show_error, text_of
from .accounts import staff_only

bp = Blueprint("questions", __name__, url_prefix="/staff/question-sets")


class NewSetForm(FlaskForm):
    """Start a draft set."""

    key = StringField(
        "Short name",
        validators=[DataRequired(message="Enter a short name, for example: engineering."), Length(max=40),
                    Regexp(
            r"^[a-z][a-z0-9-]*$",
            message="Use lower-case letters, digits and hyphens, for example: engineering.")],
        description="Scopes name the set as this name plus its version, for example engineering-v1.",
    )
    title = StringField("Title", validators=[DataRequired(message="Enter the set's title."), Length(max=200),
                                             ONE_LINE])
    relationship = SelectField("For referees who are", choices=[SelectChoice("", "Anyone (general set)")] + [
        SelectChoice(key, words[1][0].upper() + words[1][1:]) for key, words in RELATIONSHIPS.items()
    ], validators=[Optional()])


class QuestionForm(FlaskForm):
    """Add a question to a draft."""

    text = TextAreaField("Question", validators=[DataRequired(message="Write the question."),
                                                 Length(max=500)])
    kind = SelectField("Kind of answer", choices=[SelectChoice(k, v) for k, v in KIND_WORDS.items()])
    fact_key = SelectField("Compared with the candidate's claim about", choices=[
        SelectChoice("", "Nothing (an opinion or observation)")] + [
        SelectChoice(k, k.replace("_", " ")) for k in FACT_KEYS], validators=[Optional()])
    choices = TextAreaField("Choices, one per line (for 'one of several')", validators=[Length(max=2000)])
    low_label = StringField("Label for 1 (for ratings)", validators=[Length(max=60), ONE_LINE])
    high_label = StringField("Label for 5 (for ratings)", validators=[Length(max=60), ONE_LINE])
    required = BooleanField("An answer is required", default=True)


class RewordForm(FlaskForm):
    """Accept the linter's neutral wording for a question, in one step."""

    wording = HiddenField(validators=[DataRequired(), Length(max=2000)])


@bp.route("/", methods=["GET", "POST"])
@staff_only
def index() -> Any:
    """List every set and start a new draft."""
    form = NewSetForm()
    if form.validate_on_submit():
        try:
            created = create_draft(text_of(form.key), text_of(form.title), form.relationship.data or None,
                                   f"staff:{current_user.id}")
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
    if question_set.translation_of_id is not None:
        return redirect(url_for("questions.translation", set_id=set_id))
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            add_question(question_set, text_of(form.text), text_of(form.kind), form.fact_key.data or None,
                         [c.strip() for c in (form.choices.data or "").splitlines() if c.strip()],
                         bool(form.required.data), form.low_label.data or None, form.high_label.data or None)
        except CaseError as err:
            show_error(form, err.message, err.field)
        else:
            db.session.commit()
            flash("Question added.", "success")
            return redirect(url_for("questions.edit", set_id=set_id) + "#add")
    checks = {q.id: lint(q.text) for q in question_set.questions}
    rewordable = {q.id for q in question_set.questions if question_editor.rewordable(q)}
    translations = db.session.execute(sa.select(QuestionSet).where(
        QuestionSet.translation_of_id == question_set.id).order_by(QuestionSet.language)).scalars().all()
    return render_template("staff/question_set.html", question_set=question_set, form=form, checks=checks,
                           kinds=KIND_WORDS, relationships=RELATIONSHIPS, confirm=ConfirmForm(),
                           reword_form=RewordForm(), rewordable=rewordable, translations=translations,
                           languages=LANGUAGES, seen=question_editor.contents_seen(question_set)), \
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


@bp.route("/<int:set_id>/questions/<int:question_id>/reword", methods=["POST"])
@staff_only
def use_wording(set_id: int, question_id: int) -> Any:
    """Replace a flagged question with the suggested neutral wording (or split it in two)."""
    question_set = db.get_or_404(QuestionSet, set_id)
    question = next((q for q in question_set.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    form = RewordForm()
    if form.validate_on_submit():
        try:
            changed = reword(question_set, question, form.wording.data or "", f"staff:{current_user.id}")
        except CaseError as err:
            flash(err.message, "error")
        else:
            db.session.commit()
            flash("Question reworded." if len(changed) == 1 else "Question split into two.", "success")
    else:
        flash("The form had expired. Please try again.", "error")
    return redirect(url_for("questions.edit", set_id=set_id) + f"#q{question_id}")


@bp.route("/<int:set_id>/publish", methods=["POST"])
@staff_only
def publish_set(set_id: int) -> Any:
    """Publish a draft that passes the linter."""
    question_set = db.get_or_404(QuestionSet, set_id)
    if ConfirmForm().validate_on_submit():
        try:
            publish(question_set, f"staff:{current_user.id}", utcnow(), request.form.get("seen", ""))
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
            draft = new_version(source, f"staff:{current_user.id}")
        except CaseError as err:
            flash(err.message, "error")
        else:
            db.session.commit()
            return redirect(url_for("questions.edit", set_id=draft.id))
    return redirect(url_for("questions.edit", set_id=set_id))


@bp.route("/<int:set_id>/translate", methods=["POST"])
@staff_only
def translate(set_id: int) -> Any:
    """Start a draft translation of a published set into the language chosen."""
    source = db.get_or_404(QuestionSet, set_id)
    if ConfirmForm().validate_on_submit():
        try:
            draft = set_translations.translate(source, request.form.get("language", ""),
                                               f"staff:{current_user.id}")
        except CaseError as err:
            flash(err.message, "error")
        else:
            db.session.commit()
            return redirect(url_for("questions.translation", set_id=draft.id))
    return redirect(url_for("questions.edit", set_id=set_id))


@bp.route("/<int:set_id>/translation", methods=["GET", "POST"])
@staff_only
def translation(set_id: int) -> Any:
    """Show a translation beside its source, with the linter's view in its language; word a draft."""
    translated = db.get_or_404(QuestionSet, set_id)
    if translated.translation_of is None:
        return redirect(url_for("questions.edit", set_id=set_id))
    form = ConfirmForm()
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        typed = {q.id: set_translations.Words(
            text=request.form.get(f"text-{q.id}", ""), low_label=request.form.get(f"low-{q.id}"),
            high_label=request.form.get(f"high-{q.id}"),
            choices=tuple(line.strip() for line in request.form.get(f"choices-{q.id}", "").splitlines()
                          if line.strip()))
            for q in translated.questions}
        try:
            set_translations.word(translated, request.form.get("title", ""), typed,
                                  request.form.get("seen", ""))
        except CaseError as err:
            db.session.rollback()
            problem = err
        else:
            db.session.commit()
            flash("Translation saved.", "success")
            return redirect(url_for("questions.translation", set_id=set_id))
    checks = {q.id: lint(q.text, language=translated.language) for q in translated.questions}
    pairs = list(zip(translated.questions, translated.translation_of.questions, strict=False))
    return render_template("staff/question_set_translation.html", translation=translated, pairs=pairs,
                           source=translated.translation_of, checks=checks, kinds=KIND_WORDS,
                           relationships=RELATIONSHIPS, languages=LANGUAGES, form=form, problem=problem,
                           typed=request.form if problem else None,
                           # Only a refused stale save takes the saved words as seen; after any other
                           # problem, what the translator's page showed still stands.
                           seen=request.form.get("seen", "") if problem is not None
                           and not isinstance(problem, question_editor.StaleSet)
                           else question_editor.contents_seen(translated)), (422 if problem else 200)


@bp.route("/<int:set_id>/translation/publish", methods=["POST"])
@staff_only
def publish_translation(set_id: int) -> Any:
    """Publish a draft translation that passes its checks."""
    translated = db.get_or_404(QuestionSet, set_id)
    if ConfirmForm().validate_on_submit():
        try:
            set_translations.publish_translation(translated, f"staff:{current_user.id}", utcnow(),
                                                 request.form.get("seen", ""))
        except CaseError as err:
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(f"Published the {ENGLISH_NAMES[translated.language]} translation. It can no longer change.",
                  "success")
    return redirect(url_for("questions.translation", set_id=set_id))
