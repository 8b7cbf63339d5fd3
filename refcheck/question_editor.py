"""Question sets: draft, edit, lint, publish; a published set never changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import cast

import sqlalchemy as sa

from . import audit
from .errors import CaseError
from .extensions import db
from .lint_base import is_closed
from .lint_reword import FALLBACK
from .linter import lint, normalise
from .models import FACT_KEYS, QUESTION_KINDS, Question, QuestionSet, utcnow


class StaleSet(CaseError):
    """Someone changed the set after the staff member's page was shown."""


def contents_seen(question_set: QuestionSet) -> str:
    """Return a digest of a set's title and questions as stored: a form carries it, to tell a change since."""
    stored = [question_set.title, *([q.position, q.text, q.kind, q.fact_key, q.choices, q.required,
                                     q.low_label, q.high_label] for q in question_set.questions)]
    return hashlib.sha256(json.dumps(stored, ensure_ascii=False).encode()).hexdigest()[:32]


def require_seen(question_set: QuestionSet, seen: str, what: str) -> None:
    """Refuse to act on a set someone changed after the page that asked for it was shown."""
    if seen != contents_seen(question_set):
        raise StaleSet(f"Someone changed this set after you opened it, so it was not {what}. Look at it "
                       "again as it now stands, then try again.")


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
        QuestionSet.key == key, QuestionSet.state == "draft", QuestionSet.translation_of_id.is_(None))
    ).scalars().all()
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
    _require_source(source)
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
    lock_set(question_set)
    require_draft(question_set)
    _require_source(question_set)
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
    require_draft(question_set)
    _require_source(question_set)
    question_set.questions.remove(question)


# Kinds whose answer fits any rewording; a choice's options and a month range belong to the wording.
REWORDABLE_KINDS = ("text", "yes_no", "rating")
BY_HAND = ("This question is compared with the candidate's claim or has answers of its own, so change it by "
           "hand: remove it and add the new wording with the kind of answer it needs.")


def rewordable(question: Question) -> bool:
    """Say whether a question may take the linter's wording in one step (no fact link, a plain kind)."""
    return question.fact_key is None and question.kind in REWORDABLE_KINDS


def reword(question_set: QuestionSet, question: Question, offered: str, actor: str) -> list[Question]:
    """Replace a flagged question with the linter's neutral rewording, as offered on the page.

    The wording must be the one the linter proposes now: if the question or the linter changed since the
    page was shown, staff see the new suggestion first. A double-barrelled question splits into two; the
    second asks no fact, since a fact is compared from one question only.
    """
    question_id = question.id
    lock_set(question_set)
    require_draft(question_set)
    _require_source(question_set)
    current = next((q for q in question_set.questions if q.id == question_id), None)  # as it now stands
    if current is None:
        raise CaseError("That question is not in this set any more.")
    question = current
    if not rewordable(question):
        # The rewording may ask something else: its answers must not be compared as the old fact.
        raise CaseError(BY_HAND)
    result = lint(question.text)
    if result.ok:
        raise CaseError("This question already reads as neutral; there is nothing to change.")
    if offered.replace("\r\n", "\n").strip() != (result.rewording or ""):
        raise CaseError("The suggested wording has changed since the page was shown. Look at the new "
                        "suggestion and try again.")
    parts = result.rewordings
    codes = sorted({p.code for p in result.problems})
    question.text = parts[0]
    changed = [question]
    later = [q for q in question_set.questions if q.position > question.position]
    for other in later:
        other.position += len(parts) - 1
    for offset, text in enumerate(parts[1:], start=1):
        extra = Question(position=question.position + offset, text=text, kind=question.kind, fact_key=None,
                         choices=list(question.choices) if question.choices else None,
                         required=question.required, low_label=question.low_label,
                         high_label=question.high_label)
        question_set.questions.insert(question_set.questions.index(question) + offset, extra)
        changed.append(extra)
    # The lawful question or the open fallback asks something else than the question did.
    replaced = "protected" in codes or parts[0].startswith(FALLBACK.split("{")[0])
    for item in changed:
        # A yes-or-no answer no longer fits once "Did she always …?" asks "How often …?", nor a
        # rating once the question was replaced by another.
        open_now = item.kind == "yes_no" and not is_closed(normalise(item.text))
        if open_now or (item.kind == "rating" and replaced):
            item.kind, item.low_label, item.high_label = "text", None, None
    audit.record("question.reworded", actor, set=question_set.id, position=question.position, codes=codes,
                 questions=len(parts))
    return changed


def publish(question_set: QuestionSet, actor: str, now: dt.datetime, seen: str) -> None:
    """Publish a draft if every question passes the linter; it can never change afterwards.

    `seen` is the digest of the set the staff member looked at: what is published is what they saw.
    """
    lock_set(question_set)
    require_draft(question_set)
    _require_source(question_set)
    require_seen(question_set, seen, "published")
    if not question_set.questions:
        raise CaseError("Add at least one question before publishing.")
    failing = [(q.position, lint(q.text)) for q in question_set.questions]
    failing = [(position, result) for position, result in failing if not result.ok]
    if failing:
        position, result = failing[0]
        more = f" ({len(failing) - 1} more questions need attention.)" if len(failing) > 1 else ""
        raise CaseError(f"Question {position} is not neutral yet: {result.problems[0].message} "
                        f"{result.problems[0].suggestion} The page suggests a neutral wording.{more}")
    question_set.state = "published"
    question_set.published_at = now
    audit.record("question_set.published", actor, set=question_set.id, family=question_set.family)


def lock_set(question_set: QuestionSet) -> None:
    """Hold the set for the rest of the transaction and read it, and its questions, as they now stand.

    Two staff changing one draft at once (or one form sent twice) must not both decide on what they
    read before: the second waits, then sees the first's change (a reworded question already neutral,
    the position a new question took).
    """
    session = db.session
    table = cast(sa.Table, QuestionSet.__table__)
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # SQLite's one write lock, taken by a write that changes nothing, as refcheck.commands does.
        session.execute(sa.update(table).where(sa.false()).values(state=table.c.state))
    for question in list(question_set.questions):
        session.expire(question)
    session.expire(question_set)
    query = sa.select(QuestionSet).where(QuestionSet.id == question_set.id)
    if dialect == "postgresql":
        query = query.with_for_update()
    session.execute(query.execution_options(populate_existing=True))


def require_draft(question_set: QuestionSet) -> None:
    """Refuse changes to a published set."""
    if question_set.state != "draft":
        raise CaseError("This set is published and cannot change. Make a new version instead.")


def _require_source(question_set: QuestionSet) -> None:
    """Refuse to change a translation's questions: it has its source's, and changes only their words."""
    if question_set.translation_of_id is not None:
        raise CaseError("A translation has the questions of the set it translates; change only their words.")
