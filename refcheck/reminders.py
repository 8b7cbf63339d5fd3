"""Pace: remind referees on a schedule, close requests that ran out of time, and tell the candidate.

`due` lists the running cases with referees waiting, a page at a time; `remind_case` is the command
for one case's referees, run under its lock, so a reminder never goes to a referee whose case moved on
meanwhile. The CLI commits after each case, so a run holds no lock for longer than one case's
referees take, and a run stopped half-way leaves each referee reminded once or not yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext

from . import access, audit, batches, drafts, mail
from .cases import base_url
from .commands import Actor, begin, one_of_its_referees
from .extensions import db
from .models import COLLECTING, Case, Referee
from .referees import invite, request_closes
from .scope import RELATIONSHIPS

SYSTEM = Actor.system()
# A referee asked and not finished: the ones reminders and expiry are about.
WAITING = ("invited", "opened")


def due() -> Iterator[int]:
    """Yield each running case with a referee invited and not finished, by id, a page at a time.

    Streamed, so a backlog of any size is gone through in flat memory.
    """
    waiting = sa.exists().where(Referee.case_id == Case.id, Referee.state.in_(WAITING))
    for row in batches.pages(sa.select(Case.id).where(Case.state == COLLECTING, waiting), [Case.id]):
        yield row.id


def remind_case(case_id: int, now: dt.datetime) -> list[str]:
    """Remind or expire each of a case's waiting referees that is due, under one lock; say what was done.

    The referees are read under the lock, so the run that holds a case does all of them. A case another
    run (or a page) holds raises CaseBusy rather than wait: runs on several machines share the work
    case by case (a case skipped because a page held it waits for the next run).
    """
    case = begin("referee.remind", case_id, SYSTEM, wait=False)
    waiting = db.session.execute(sa.select(Referee.id).where(
        Referee.case_id == case.id, Referee.state.in_(WAITING)).order_by(Referee.id)).scalars().all()
    return [outcome for referee_id in waiting if (outcome := _remind_or_expire(case, referee_id, now))]


def _remind_or_expire(case: Case, referee_id: str, now: dt.datetime) -> str | None:
    """Remind or expire one referee of a locked case ("reminded", "expired"), or do nothing (None).

    The case's state was checked under its lock: a case that moved on since `due` listed it is left alone.
    """
    referee = one_of_its_referees(case, referee_id)
    if referee.state not in WAITING:
        return None
    schedule = sorted(current_app.config["REMINDER_DAYS"])[: current_app.config["MAX_REMINDERS"]]
    invited = referee.invited_at or referee.nominated_at
    # Nothing is asked after the date the report is due; the referee's pages show the same date.
    deadline = request_closes(invited, case.due_date)
    if now >= deadline:
        _expire(case, referee, now)
        return "expired"
    if referee.reminders_sent < len(schedule) and now >= invited + dt.timedelta(
            days=schedule[referee.reminders_sent]):
        # invite() counts the reminder on the referee.
        invite(referee, now, kind="referee_reminder")
        audit.record("referee.reminded", SYSTEM.name, case.id, referee=referee.id,
                     count=referee.reminders_sent)
        return "reminded"
    return None


def _expire(case: Case, referee: Referee, now: dt.datetime) -> None:
    """Close a request that ran out of time and let the candidate name someone else."""
    referee.state = "expired"
    referee.finished_at = now
    access.shut_out_referees([referee.id], now)
    drafts.drop([referee.id])
    audit.record("referee.expired", SYSTEM.name, case.id, referee=referee.id)
    mail.queue("referee_expired", case.candidate.email, case.data_key, case.id,
               language=case.candidate.language, case=case,
               name=case.candidate.name, relationship=lazy_gettext(RELATIONSHIPS[referee.relationship][0]),
               base_url=base_url())
