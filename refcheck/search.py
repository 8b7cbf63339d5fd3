"""Staff search: a reference, an email, the start of an organisation or position; cases ready for review."""

from __future__ import annotations

import re
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import load_only

from . import progress
from .extensions import db
from .models import COLLECTING, DRAFT, REFEREE_ACTIVE, Candidate, Case, Referee, keyring
from .text import search_key


def find_cases_for_email(email: str, limit: int = 5) -> list[Case]:
    """Return the sent cases of the person with this email, newest first."""
    digest = keyring().lookup_hash(email)
    return list(db.session.execute(
        sa.select(Case).join(Case.candidate)
        .where(Candidate.email_hash == digest, Case.state != DRAFT)
        .order_by(Case.created_at.desc()).limit(limit)
    ).scalars())


# Above this many matches, a search reads the newest cases first instead of every match.
COMMON_PREFIX = 500


def search_clause(text: str) -> sa.ColumnElement[bool] | None:
    """Turn what staff typed into a filter: a reference, a candidate's email, or an organisation or position.

    Names are sealed, so they cannot be searched; emails are found by their keyed hash,
    and words by the start of the organisation or position.
    """
    text = text.strip()
    if not text:
        return None
    reference = re.fullmatch(r"(?i)(?:RC-?)?0*(\d{1,9})", text)
    if reference:
        return Case.id == int(reference.group(1))
    if "@" in text:
        return Case.candidate_id.in_(
            sa.select(Candidate.id).where(Candidate.email_hash == keyring().lookup_hash(text)))
    start = search_key(text)
    # Everything that starts with `start` sorts between it and the same text with its last
    # character's successor: a range an index serves, with no wildcard characters to escape.
    end = start[:-1] + _successor(start[-1])
    organisation: sa.ColumnElement[str] = Case.organisation_key.expression
    position: sa.ColumnElement[str] = Case.position_key.expression
    matches = db.session.execute(sa.select(sa.func.count()).select_from(
        sa.select(Case.id).where(sa.or_(sa.and_(organisation >= start, organisation < end),
                                        sa.and_(position >= start, position < end)))
        .limit(COMMON_PREFIX + 1).subquery())).scalar_one()
    if matches > COMMON_PREFIX:
        # Many match: walking the newest cases first finds a page of them sooner than sorting
        # every match, so hide the keys' indexes from the planner behind a no-op function.
        organisation, position = sa.func.coalesce(organisation, ""), sa.func.coalesce(position, "")
    return sa.or_(sa.and_(organisation >= start, organisation < end),
                  sa.and_(position >= start, position < end))


def _successor(character: str) -> str:
    """Return the character after this one that text can hold: surrogates are skipped, the last stays."""
    following = min(ord(character) + 1, 0x10FFFF)
    return chr(0xE000 if 0xD800 <= following <= 0xDFFF else following)


def ready_for_review_ids(visible: sa.ColumnElement[bool] | None = None,
                         only: Collection[int] | None = None) -> frozenset[int]:
    """Return the collecting cases whose referees have all answered (progress.answers_in): they wait on staff.

    SQL keeps the collecting cases with an answer and nobody left to answer; answers_in then checks
    those answers against each consented scope, in two more queries however many there are.
    `visible` keeps the cases someone may see (organisations.visible); `only`, these cases alone.
    """
    still_to_answer = [state for state in REFEREE_ACTIVE if state != "submitted"]
    pending = sa.exists().where(Referee.case_id == Case.id, Referee.state.in_(still_to_answer))
    answered = sa.exists().where(Referee.case_id == Case.id, Referee.state == "submitted")
    candidates = db.session.execute(
        sa.select(Case).where(Case.state == COLLECTING, answered, ~pending,
                              sa.true() if visible is None else visible,
                              sa.true() if only is None else Case.id.in_(only))
        .options(load_only(Case.id, Case.state))).scalars().all()
    return frozenset(progress.answers_in(list(candidates)))
