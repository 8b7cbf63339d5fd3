"""Pace: remind referees on a schedule, close links that ran out, and tell the candidate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from . import access, audit, mail
from .extensions import db
from .models import COLLECTING, Case, Referee
from .referees import invite
from .scope import RELATIONSHIPS


@dataclass
class Run:
    """What one reminder run did."""

    reminded: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)


def due_referees() -> list[Referee]:
    """Return referees who were invited and have not finished, in running cases."""
    return list(db.session.execute(
        sa.select(Referee).join(Case, Case.id == Referee.case_id)
        .options(sa.orm.selectinload(Referee.data_key), sa.orm.selectinload(Referee.case))
        .where(Referee.state.in_(("invited", "opened")), Case.state == COLLECTING)
        .order_by(Referee.invited_at)
    ).scalars())


def run(now: dt.datetime) -> Run:
    """Send the reminders that are due and expire requests past their time; never commit."""
    schedule = sorted(current_app.config["REMINDER_DAYS"])[: current_app.config["MAX_REMINDERS"]]
    link_days = current_app.config["REFEREE_LINK_DAYS"]
    result = Run()
    for referee in due_referees():
        invited = referee.invited_at or referee.nominated_at
        deadline = invited + dt.timedelta(days=link_days)
        due_date = referee.case.due_date
        if due_date is not None:
            # Nothing is asked after the date the report is due.
            deadline = min(deadline, dt.datetime.combine(due_date, dt.time.max, tzinfo=dt.UTC))
        if now >= deadline:
            _expire(referee, now)
            result.expired.append(referee.id)
        elif referee.reminders_sent < len(schedule) and now >= invited + dt.timedelta(
                days=schedule[referee.reminders_sent]):
            # invite() counts the reminder on the referee.
            invite(referee, now, kind="referee_reminder")
            audit.record("referee.reminded", "system", referee.case_id, referee=referee.id,
                         count=referee.reminders_sent)
            result.reminded.append(referee.id)
    return result


def _expire(referee: Referee, now: dt.datetime) -> None:
    """Close a request that ran out of time and let the candidate name someone else."""
    referee.state = "expired"
    referee.finished_at = now
    access.revoke_referee_links(referee.id, now)
    audit.record("referee.expired", "system", referee.case_id, referee=referee.id)
    case = referee.case
    mail.queue("referee_expired", case.candidate.email, case.data_key, case.id, case=case,
               name=case.candidate.name, relationship=RELATIONSHIPS[referee.relationship][0],
               base_url=current_app.config["BASE_URL"].rstrip("/"))
