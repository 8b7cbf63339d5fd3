"""Experience questions: one optional score and comment after consent, release and a referee's answers."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import sqlalchemy as sa

from . import audit
from .commands import Actor, begin
from .extensions import db
from .lifecycle import REFEREE
from .models import RELEASED, Case, ExperienceAnswer, Referee
from .words import N_

# The moments a candidate is asked about, in words translated where they are shown.
CANDIDATE_MOMENTS = {"consent": N_("deciding on the check"), "release": N_("the whole check")}
# Fewer finished cases than this and a "typical" time would say more about one case than about us.
TYPICAL_MIN_SAMPLES = 5
_TYPICAL_CACHE_SECONDS = 600
_typical_cache: dict[str, tuple[float, int | None]] = {}


def record(case_id: int, actor: Actor, moment: str, score: int | None, comment: str,
           now: dt.datetime) -> ExperienceAnswer | None:
    """Keep one answer per person and moment, replacing an earlier one; None if nothing was given.

    The candidate answers after deciding and after release; a referee after answering.
    """
    case = begin("experience.record", case_id, actor)
    if moment not in (("referee",) if actor.kind == REFEREE else CANDIDATE_MOMENTS):
        return None
    if moment == "release" and case.state != RELEASED:
        return None
    comment = comment.strip()
    if score is None and not comment:
        return None
    respondent = f"referee:{actor.referee_id}" if actor.kind == REFEREE else f"case:{case.id}:{moment}"
    answer = db.session.execute(
        sa.select(ExperienceAnswer).where(ExperienceAnswer.respondent == respondent)
    ).scalar_one_or_none()
    if answer is None:
        answer = ExperienceAnswer(respondent=respondent, case_id=case.id, data_key=case.data_key,
                                  moment=moment, hiring_organisation=case.hiring_organisation)
        db.session.add(answer)
    answer.score = score
    answer.created_at = now
    answer.seal("comment_enc", comment or None)
    audit.record("experience.answered", actor.name, case.id, moment=moment, scored=score is not None)
    return answer


def answered(case: Case, moment: str, referee: Referee | None = None) -> bool:
    """Say whether this person already answered at this moment."""
    respondent = f"referee:{referee.id}" if referee is not None else f"case:{case.id}:{moment}"
    return db.session.execute(
        sa.select(ExperienceAnswer.id).where(ExperienceAnswer.respondent == respondent)
    ).first() is not None


def typical_days(kind: str) -> int | None:
    """Return the median days a step has taken in finished cases, from real data; None if too few.

    "check": consent to release of the report; "referee": invitation to answers.
    Cached for a few minutes per process, since it changes slowly and every portal page shows it.
    """
    cached = _typical_cache.get(kind)
    if cached and time.monotonic() - cached[0] < _TYPICAL_CACHE_SECONDS:
        return cached[1]
    # Start and end of each finished step: consent to release, or invitation to answers.
    start, end = ((Case.consent_decided_at, Case.state_changed_at) if kind == "check"
                  else (Referee.invited_at, Referee.finished_at))
    finished = ((Case.state == RELEASED,) if kind == "check"
                else (Referee.state == "submitted", Referee.finished_at.is_not(None)))
    spans = db.session.execute(sa.select(start, end).where(*finished, start.is_not(None))
                               .order_by(end.desc()).limit(500)).all()
    days = [(end - start).total_seconds() / 86400 for start, end in spans if start and end and end >= start]
    value = max(1, round(statistics.median(days))) if len(days) >= TYPICAL_MIN_SAMPLES else None
    _typical_cache[kind] = (time.monotonic(), value)
    return value
