"""Translating a published question set: start a draft in another language, word it, publish it once checked.

A translation has the source's questions, position for position, kind for kind, and changes only their
words: the question, a rating's two labels, a choice question's choices (as many as the source's).
Publishing checks that structure, that every question was translated, and each question with the
linter in its language; like every set, a published translation never changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from . import audit
from .errors import CaseError
from .extensions import db
from .linter import lint
from .models import Question, QuestionSet
from .question_editor import StaleSet, contents_seen, lock_set, require_draft, require_seen
from .text import has_control
from .words import ENGLISH_NAMES, LANGUAGES

TEXT_LIMIT, LABEL_LIMIT = 500, 60


@dataclass(frozen=True)
class Words:
    """What a translator typed for one question."""

    text: str
    low_label: str | None = None
    high_label: str | None = None
    choices: tuple[str, ...] = ()


def translate(source: QuestionSet, language: str, actor: str) -> QuestionSet:
    """Start a draft translation of a published set, its questions in the source's words until translated."""
    lock_set(source)
    if source.translation_of_id is not None:
        raise CaseError("This set is a translation already; translate the set it was made from.")
    if source.state != "published":
        raise CaseError("Publish the set before translating it: a draft can still change.")
    if language not in LANGUAGES or language == source.language:
        raise CaseError("Choose a language to translate the set into.")
    taken = db.session.execute(sa.select(QuestionSet.id).where(
        QuestionSet.translation_of_id == source.id, QuestionSet.language == language)).scalar()
    if taken is not None:
        raise CaseError(f"This set already has a translation into {ENGLISH_NAMES[language]}.")
    draft = QuestionSet(key=source.key, version=source.version, relationship=source.relationship,
                        title=source.title, state="draft", language=language, translation_of=source)
    for question in source.questions:
        draft.questions.append(Question(
            position=question.position, text=question.text, kind=question.kind, fact_key=question.fact_key,
            choices=list(question.choices) if question.choices else None, required=question.required,
            low_label=question.low_label, high_label=question.high_label))
    db.session.add(draft)
    db.session.flush()
    audit.record("question_set.translation_started", actor, set=draft.id, source=source.id, language=language)
    return draft


def word(translation: QuestionSet, title: str, words: dict[int, Words], seen: str) -> None:
    """Keep a draft translation's words; every problem is raised before anything changes.

    `seen` is the digest of the words the translator's page showed: if someone saved other words since,
    nothing is saved, so that neither translator's words are lost without their knowing.
    """
    lock_set(translation)
    require_draft(translation)
    if translation.translation_of_id is None:
        raise CaseError("Only a translation's words are changed here.")
    if seen != contents_seen(translation):
        raise StaleSet("Someone saved other words for this translation after you opened it, so yours were "
                        "not saved. They are still in the form below; open the page in another tab to see "
                        "the saved ones, then save again to keep yours.")
    _check_line(title, "title", "the title", 200)
    for question in translation.questions:
        typed = words.get(question.id)
        if typed is None:
            raise CaseError("The page was out of date: the questions changed. Please try again.")
        name = f"question {question.position}"
        _check(typed.text, f"text-{question.id}", name, TEXT_LIMIT)
        if question.kind == "rating":
            for end, label in (("low", typed.low_label), ("high", typed.high_label)):
                _check_line(label or "", f"{end}-{question.id}",
                            f"the label for {1 if end == 'low' else 5} in {name}", LABEL_LIMIT)
        if question.choices and not question.fact_key and len(typed.choices) != len(question.choices):
            raise CaseError(f"Give {len(question.choices)} choices for {name}, one per line, in the same "
                            "order.", field=f"choices-{question.id}")
        for choice in typed.choices:
            _check_line(choice, f"choices-{question.id}", f"each choice of {name}", LABEL_LIMIT)
    translation.title = title.strip()
    for question in translation.questions:
        typed = words[question.id]
        question.text = typed.text.strip()
        if question.kind == "rating":
            question.low_label = (typed.low_label or "").strip()
            question.high_label = (typed.high_label or "").strip()
        if question.choices and not question.fact_key:
            question.choices = [c.strip() for c in typed.choices]


def publish_translation(translation: QuestionSet, actor: str, now: dt.datetime, seen: str) -> None:
    """Publish a draft translation that has its source's questions, each translated and neutral, as seen."""
    lock_set(translation)
    require_draft(translation)
    require_seen(translation, seen, "published")
    source = translation.translation_of
    if source is None:
        raise CaseError("Only a translation is published here.")
    ours, theirs = translation.questions, source.questions
    if [(q.position, q.kind, q.fact_key, len(q.choices or ())) for q in ours] != \
            [(q.position, q.kind, q.fact_key, len(q.choices or ())) for q in theirs]:
        raise CaseError("This translation no longer has the questions of the set it translates.")
    untranslated = [q.position for q, s in zip(ours, theirs, strict=True) if q.text.strip() == s.text.strip()]
    if untranslated:
        raise CaseError(f"Question {untranslated[0]} is still in the words of the set it translates.")
    for question in ours:
        result = lint(question.text, language=translation.language)
        if not result.ok:
            problem = result.problems[0]
            raise CaseError(f"Question {question.position} is not neutral yet: {problem.message} "
                            f"{problem.suggestion}")
    translation.state = "published"
    translation.published_at = now
    audit.record("question_set.translation_published", actor, set=translation.id, source=source.id,
                 language=translation.language)


def _check(text: str, field: str, name: str, limit: int) -> None:
    """Refuse empty or overlong words."""
    if not text.strip():
        raise CaseError(f"Write {name} in the translation's language.", field=field)
    if len(text.strip()) > limit:
        raise CaseError(f"Keep {name} to {limit} characters.", field=field)


def _check_line(text: str, field: str, name: str, limit: int) -> None:
    """Refuse empty, overlong or multi-line words where one line belongs."""
    _check(text, field, name, limit)
    if has_control(text.strip()):
        raise CaseError(f"Write {name} on one line.", field=field)
