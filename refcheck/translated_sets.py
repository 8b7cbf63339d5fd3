"""Question sets in other languages: a published translation read over the set it translates.

A translation has the source's questions, position for position, in another language. A referee who
reads that language sees its words; the questions keep the source's ids, so answers, drafts,
cross-verification and the report work on one set whatever language each referee answered in.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from flask import current_app

from .answers import PublishedSet, question_set_by_id
from .extensions import db
from .models import QuestionSet

_PUBLISHED_TRANSLATION = (
    sa.select(QuestionSet.id).where(
        QuestionSet.translation_of_id == sa.bindparam("source"),
        QuestionSet.language == sa.bindparam("language"), QuestionSet.state == "published")
)


def in_language(source: PublishedSet, language: str) -> PublishedSet:
    """Return the set in `language` if a translation of it is published; else the set as it is."""
    if language == source.language:
        return source
    # Asked every time: a translation may be published while referees are answering the source.
    found = db.session.execute(_PUBLISHED_TRANSLATION, {"source": source.id, "language": language}).scalar()
    if found is None:
        return source
    translated = question_set_by_id(found)
    # One copy per source and translation as published, as answers keeps one per set: the questionnaire's
    # rendered questions are kept per copy, and neither set can change once published.
    cache: dict[tuple, PublishedSet] = current_app.extensions.setdefault("refcheck.translated_sets", {})
    key = (source.id, source.published_at, translated.id, translated.published_at)
    copy = cache.get(key)
    if copy is None:
        copy = cache[key] = _read_over(source, translated)
    return copy


def _read_over(source: PublishedSet, translated: PublishedSet) -> PublishedSet:
    """Return the source set with the translation's words, question by question, keeping the source's ids."""
    words = {q.position: q for q in translated.questions}
    questions = tuple(
        dataclasses.replace(
            q, text=t.text, low_label=t.low_label, high_label=t.high_label,
            # A custom choice question's words; a fact's choices are worded by the page in every language.
            choice_labels=t.choices if q.choices and not q.fact_key and t.choices else None)
        if (t := words.get(q.position)) is not None else q
        for q in source.questions)
    return dataclasses.replace(source, questions=questions, language=translated.language)
