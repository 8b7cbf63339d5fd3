"""A referee's answers so far: saved page by page, sealed like answers, dropped when the request ends.

The questionnaire comes in short pages. Each page's answers are kept as one sealed draft per
referee, so a referee who leaves half-way finds them again through their link. Sending the answers
(refcheck.answers.submit) turns the draft into the one Response; declining, withdrawal, the start of
review, a closed or expired request and erasure all delete it, as they would answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from . import audit
from .columns import rows_changed
from .commands import Actor, begin, referee_of
from .errors import CaseError
from .extensions import db
from .models import Referee, ResponseDraft


def save(case_id: int, actor: Actor, question_set_id: int, page_answers: dict[str, Any],
         question_ids: Sequence[int], now: dt.datetime) -> ResponseDraft:
    """Keep one page's answers with the referee's earlier ones, sealed, while answers are collected.

    `question_ids` are the questions of the set being answered: answers to questions of an earlier
    set (a relationship's own set published meanwhile) are not carried over.
    """
    case = begin("answers.save_draft", case_id, actor)
    referee = referee_of(case, actor)
    if referee.state not in ("invited", "opened"):
        raise CaseError(gettext("This reference request is closed, so nothing more can be saved."))
    if referee.attested_at is None:
        raise CaseError(gettext("Please confirm who you are before answering."))
    draft = _draft_of(referee.id)
    kept: dict[str, Any] = {}
    if draft is None:
        draft = ResponseDraft(referee_id=referee.id, data_key=referee.data_key,
                              question_set_id=question_set_id)
        db.session.add(draft)
    elif draft.question_set_id == question_set_id:
        kept = draft.unseal("answers_enc")["answers"]
    else:
        wanted = {str(i) for i in question_ids}
        kept = {k: v for k, v in draft.unseal("answers_enc")["answers"].items() if k in wanted}
        draft.question_set_id = question_set_id
    kept.update(page_answers)
    draft.seal("answers_enc", {"answers": kept})
    draft.saved_at = now
    # How many answers are kept, never what they say.
    audit.record("referee.draft_saved", actor.name, case.id, referee=referee.id,
                 answered=sum(1 for v in kept.values() if v not in (None, "")))
    return draft


def answers_of(referee: Referee, question_set_id: int) -> dict[str, Any]:
    """Return the referee's saved answers to this set, or none."""
    draft = _draft_of(referee.id)
    if draft is None:
        return {}
    # A draft begun on another set is read by question id: the pages use only their own questions'.
    kept: dict[str, Any] = draft.unseal("answers_enc")["answers"]
    return kept


def drop(referee_ids: Sequence[str]) -> int:
    """Delete these referees' drafts, as their requests end; return how many went. Part of a command."""
    if not referee_ids:
        return 0
    return rows_changed(db.session.execute(
        sa.delete(ResponseDraft).where(ResponseDraft.referee_id.in_(referee_ids)),
        execution_options={"synchronize_session": False}))


def _draft_of(referee_id: str) -> ResponseDraft | None:
    """Return a referee's draft row, if any."""
    return db.session.execute(
        sa.select(ResponseDraft).where(ResponseDraft.referee_id == referee_id)
    ).scalar_one_or_none()
