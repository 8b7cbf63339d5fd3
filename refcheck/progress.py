"""Where cases stand: whose turn it is, whether answers are all in, and which may be late.

Read-only: nothing here changes a case.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from . import pace
from .extensions import db
from .models import (
    AWAITING_CONSENT,
    CANCELLED,
    CANDIDATE_REVIEW,
    COLLECTING,
    DECLINED,
    DRAFT,
    NOMINATING,
    REFEREE_ACTIVE,
    REVIEW,
    WITHDRAWN,
    Case,
    Consent,
    Enquiry,
    Finding,
    Referee,
    Reply,
    utcnow,
)
from .scope import Nominee, Scope, still_needed
from .timeline import CaseFacts, days_before_late


def answers_in(listed: list[Case]) -> dict[int, dt.datetime]:
    """Return, per collecting case, when its last referee answered, if nobody is left to answer.

    Nobody is left when no referee is still to answer and those who answered meet the consented
    scope; such a case waits on staff to review. Two queries, however many cases are listed.
    """
    ids = [case.id for case in listed if case.state == COLLECTING]
    if not ids:
        return {}
    scopes = {case_id: Scope.from_json(scope) for case_id, scope in db.session.execute(
        sa.select(Consent.case_id, Consent.scope)
        .where(Consent.case_id.in_(ids), Consent.decision == "granted", Consent.withdrawn_at.is_(None))
    ).all()}
    pending: set[int] = set()
    answered: dict[int, list[tuple[Nominee, dt.datetime | None]]] = {}
    for row in db.session.execute(
        sa.select(Referee.case_id, Referee.state, Referee.relationship, Referee.email_hash,
                  Referee.finished_at).where(Referee.case_id.in_(ids), Referee.state.in_(REFEREE_ACTIVE))
    ).all():
        if row.state == "submitted":
            answered.setdefault(row.case_id, []).append(
                (Nominee(row.relationship, row.email_hash), row.finished_at))
        else:
            pending.add(row.case_id)
    result = {}
    for case_id, given in answered.items():
        at = _last_answer(scopes.get(case_id), given, case_id in pending)
        if at is not None:
            result[case_id] = at
    return result


def answers_in_loaded(case: Case, listed: list[Referee], scope: Scope | None) -> dict[int, dt.datetime]:
    """Return answers_in([case]) from the case's referees and consented scope, already loaded."""
    if case.state != COLLECTING:
        return {}
    active = [r for r in listed if r.state in REFEREE_ACTIVE]
    given = [(Nominee(r.relationship, r.email_hash), r.finished_at) for r in active if r.state == "submitted"]
    at = _last_answer(scope, given, any(r.state != "submitted" for r in active))
    return {} if at is None else {case.id: at}


def _last_answer(scope: Scope | None, given: list[tuple[Nominee, dt.datetime | None]],
                 pending: bool) -> dt.datetime | None:
    """Return when the last referee answered, if nobody is left to answer and the answers meet the scope."""
    if pending or scope is None or not given or still_needed(scope, [n for n, _ in given]):
        return None
    return max((at for _, at in given if at is not None), default=None)


def replies_in(listed: list[Case], now: dt.datetime | None = None) -> dict[int, dt.datetime]:
    """Return, per case in candidate review, when the candidate's part ended, if it has.

    It ends with a reply to the last finding, or when the time for replies runs out (replies are
    refused after it): the case then waits on staff to release. One query, however many cases.
    """
    now = now or utcnow()
    waiting = {case.id: case for case in listed if case.state == CANDIDATE_REVIEW}
    if not waiting:
        return {}
    counted = {row.case_id: row for row in db.session.execute(
        sa.select(Finding.case_id, sa.func.count(Finding.id).label("findings"),
                  sa.func.count(Reply.id).label("replies"), sa.func.max(Reply.updated_at).label("last"))
        .outerjoin(Reply, Reply.finding_id == Finding.id)
        .where(Finding.case_id.in_(list(waiting))).group_by(Finding.case_id)
    ).all()}
    result = {}
    for case_id, case in waiting.items():
        row = counted.get(case_id)
        if row is None:
            # Nothing to reply to: the candidate was done as soon as the findings reached them.
            result[case_id] = case.state_changed_at
        elif row.replies == row.findings and row.last is not None:
            result[case_id] = row.last
        elif case.reply_due_at is not None and case.reply_due_at <= now:
            result[case_id] = case.reply_due_at
    return result


def case_facts(case: Case, answered: dict[int, dt.datetime] | None = None,
               replied: dict[int, dt.datetime] | None = None,
               asked: dict[int, dt.datetime] | None = None) -> CaseFacts:
    """Collect what the timeline needs from a case.

    `answered`, `replied` and `asked` are answers_in(), replies_in() and questions_waiting() for a
    list of cases; each is looked up for this case alone when not given.
    """
    if answered is None:
        answered = answers_in([case])
    if replied is None:
        replied = replies_in([case])
    if asked is None:
        asked = questions_waiting([case.id])
    entered = {state: dt.datetime.fromisoformat(at) for state, at in (case_stage_times(case)).items()}
    # Said to the candidate, in the language of the page (staff pages are English, the hiring side
    # writes its own: refcheck.hiring_side).
    stopped = None
    if case.state == DECLINED:
        stopped = gettext("You declined, so nothing was checked.")
    elif case.state == WITHDRAWN:
        stopped = gettext("You withdrew your consent, so the check stopped.")
    elif case.state == CANCELLED:
        stopped = (gettext("The case was cancelled: %(reason)s", reason=case.delay_reason)
                   if case.delay_reason else gettext("The case was cancelled."))
    return CaseFacts(
        state=case.state, created_at=case.created_at, entered=entered,
        pace_days=pace_days(),
        due_date=case.due_date, delay_reason=case.delay_reason if case.state != CANCELLED else None,
        stopped_reason=stopped, answers_in=answered.get(case.id), replies_in=replied.get(case.id),
        question_due=asked.get(case.id),
    )


def pace_days() -> dict[str, int]:
    """Return the days each timeline step is expected to take once it starts, as configured."""
    return pace.days_from(current_app.config)


def could_be_late(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Filter the running cases whose current step may be late by `now`: those the timeline must judge.

    Every case this leaves out is on time, because a step is late only once the days expected
    of it have passed since the case entered its state (when `move` set state_changed_at), or,
    for a case whose answers are all in, since the last answer (see answers_in).
    """
    pace = pace_days()

    def entered_before(days: int) -> sa.ColumnElement[bool]:
        return Case.state_changed_at < now - dt.timedelta(days=days)

    clauses = [sa.and_(Case.state == state, entered_before(days))
               for state in (DRAFT, AWAITING_CONSENT, NOMINATING, REVIEW, CANDIDATE_REVIEW)
               if (days := days_before_late(state, pace)) is not None]
    waiting = sa.exists().where(Referee.case_id == Case.id,
                                Referee.state.in_([s for s in REFEREE_ACTIVE if s != "submitted"]))
    clauses.append(sa.and_(Case.state == COLLECTING, entered_before(days_before_late(COLLECTING, pace) or 0),
                           sa.or_(entered_before(pace["collecting"]), ~waiting)))
    return sa.or_(*clauses)


def case_stage_times(case: Case) -> dict[str, str]:
    """Return when the case entered each state it has been in."""
    return dict(case.stage_times or {})


def questions_waiting(case_ids: list[int]) -> dict[int, dt.datetime]:
    """Return, per case, the earliest answer-by date of its unanswered questions; one query for a list."""
    if not case_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Enquiry.case_id, sa.func.min(Enquiry.answer_by))
        .where(Enquiry.case_id.in_(case_ids), Enquiry.answered_at.is_(None))
        .group_by(Enquiry.case_id)
    ).all())
