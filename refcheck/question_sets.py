"""Question sets: the shipped "standard-v1" (frozen: a change is a new version), and the families on offer.

Every question here passes the question linter (tests/test_questionnaires.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from .extensions import db
from .models import QuestionSet
from .scope import QUESTION_SETS

COVERED = ("manager", "peer", "direct_report", "client", "other")

RELATIONSHIP_CHOICES = ["manager", "peer", "direct_report", "client", "other"]
REASON_CHOICES = ["resigned", "contract_ended", "laid_off", "dismissed", "other"]
BELOW, ABOVE = "Well below what the role needed", "Well above what the role needed"


def _q(text: str, kind: str, fact_key: str | None = None, choices: list[str] | None = None,
       required: bool = True, low: str | None = None, high: str | None = None) -> dict[str, Any]:
    """Describe one question."""
    return {"text": text, "kind": kind, "fact_key": fact_key, "choices": choices,
            "required": required, "low_label": low, "high_label": high}


COMMON_START = [
    _q("What was your working relationship with the candidate?", "choice", "relationship",
       RELATIONSHIP_CHOICES),
    _q("From which month to which month did you work with the candidate?", "month_range",
       "worked_together_from"),
    _q("Which organisation employed the candidate when you worked together?", "text", "employer"),
    _q("What was the candidate's job title when you last worked together?", "text", "title"),
]
COMMON_END = [
    _q("What were the candidate's main responsibilities?", "text"),
    _q("Which strengths did you observe in the candidate's work?", "text"),
    _q("In which areas could the candidate develop further?", "text"),
    _q("Is there anything else relevant to the role that you would like to add?", "text",
       required=False),
]
RATE_QUALITY = _q("How would you rate the quality of the candidate's work?", "rating", low=BELOW, high=ABOVE)
RATE_RELIABILITY = _q("How would you rate the candidate's reliability in meeting commitments?", "rating",
                      low=BELOW, high=ABOVE)
RATE_COMMUNICATION = _q("How would you rate the way the candidate communicated with colleagues?", "rating",
                        low=BELOW, high=ABOVE)
RATE_FEEDBACK = _q("How would you rate the way the candidate responded to feedback?", "rating",
                   low=BELOW, high=ABOVE)

STANDARD_V1 = [
    ("manager", "Standard reference questions for a manager", COMMON_START + [
        _q("From which month to which month was the candidate employed there, as far as you know?",
           "month_range", "start_month"),
        _q("Why did the candidate's employment there end, as far as you know?", "choice",
           "reason_for_leaving", REASON_CHOICES + ["still_employed"]),
        _q("Would the organisation consider re-employing the candidate?", "yes_no", "rehire_eligible"),
        RATE_QUALITY, RATE_RELIABILITY, RATE_COMMUNICATION, RATE_FEEDBACK,
    ] + COMMON_END),
    ("peer", "Standard reference questions for a peer", COMMON_START + [
        RATE_QUALITY,
        _q("How would you rate the candidate as a collaborator on shared work?", "rating",
           low=BELOW, high=ABOVE),
        RATE_RELIABILITY, RATE_COMMUNICATION,
    ] + COMMON_END),
    ("direct_report", "Standard reference questions for someone who reported to the candidate",
     COMMON_START + [
         _q("How would you rate the clarity of the direction the candidate gave?", "rating",
            low=BELOW, high=ABOVE),
         _q("How would you rate the support the candidate gave you in your work?", "rating",
            low=BELOW, high=ABOVE),
         RATE_COMMUNICATION, RATE_RELIABILITY,
     ] + COMMON_END),
    (None, "Standard reference questions", COMMON_START + [
        RATE_QUALITY, RATE_RELIABILITY, RATE_COMMUNICATION,
    ] + COMMON_END),
]


def install_standard_v1(bind: sa.engine.Connection) -> None:
    """Insert the standard-v1 sets as published, unless they are already there."""
    question_set = sa.table(
        "question_set", sa.column("id", sa.Integer), sa.column("key", sa.String),
        sa.column("version", sa.Integer), sa.column("relationship", sa.String),
        sa.column("title", sa.String), sa.column("state", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    question = sa.table(
        "question", sa.column("question_set_id", sa.Integer), sa.column("position", sa.Integer),
        sa.column("text", sa.Text), sa.column("kind", sa.String), sa.column("fact_key", sa.String),
        sa.column("choices", sa.JSON), sa.column("required", sa.Boolean),
        sa.column("low_label", sa.String), sa.column("high_label", sa.String),
    )
    exists = bind.execute(sa.select(question_set.c.id).where(
        question_set.c.key == "standard", question_set.c.version == 1)).first()
    if exists:
        return
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    for relationship, title, questions in STANDARD_V1:
        set_id = bind.execute(
            question_set.insert().values(key="standard", version=1, relationship=relationship, title=title,
                                         state="published", created_at=now, published_at=now)
            .returning(question_set.c.id)
        ).scalar_one()
        bind.execute(question.insert(), [{**q, "question_set_id": set_id, "position": i}
                                         for i, q in enumerate(questions, start=1)])


def families() -> dict[str, str]:
    """Return the published families a scope may name, with their titles.

    A family is offered only when every relationship has a set in it, directly or
    through a general set, so that no referee can be left without questions.
    """
    sets = db.session.execute(
        sa.select(QuestionSet)
        .where(QuestionSet.state == "published", QuestionSet.translation_of_id.is_(None))
        .order_by(QuestionSet.key, QuestionSet.version)
    ).scalars().all()
    grouped: dict[str, list[QuestionSet]] = {}
    for item in sets:
        grouped.setdefault(item.family, []).append(item)
    offered = {}
    for family, members in grouped.items():
        relationships = {m.relationship for m in members}
        if None in relationships or set(COVERED) <= relationships:
            general = next((m for m in members if m.relationship is None), members[0])
            offered[family] = QUESTION_SETS.get(family) or f"{general.title} (version {general.version})"
    return offered
