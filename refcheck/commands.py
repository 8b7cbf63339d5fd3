"""The one way in for every change to a case: lock it, check its state and the actor's, then act.

A command is a service function that starts with `begin(command, case_id, actor)`. That takes
the case's lock (a row lock on PostgreSQL; SQLite's write transaction), reads the case again
under it, asks the lifecycle table whether the command may run in the case's state and by this
kind of person, and checks the actor (an active staff member, the case's own candidate, one of
its referees). Two requests for the same case therefore run one after the other, each seeing
what the other did. Commands never commit: the caller (a page, the CLI) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import get_locale, gettext, ngettext
from sqlalchemy.orm import Session

from . import audit, dates, lifecycle, organisations
from .api_models import ApiKey
from .errors import CaseError
from .extensions import db
from .models import STAFF_ROLES, Case, DataKey, KeyShare, Question, QuestionSet, Referee, StaffUser
from .words import ENGLISH, N_, Words


class CommandRefused(CaseError):
    """A command the case's state or the actor does not allow now, with the reason in plain words.

    `message` is in the reader's language; `english`, the same reason in English, is what the audit
    log keeps (it is the message itself when none is given).
    """

    def __init__(self, message: str, command: str, state: str, why: str, english: str | None = None) -> None:
        super().__init__(message)
        self.command = command
        self.state = state
        # "state": the case is not (or no longer) where the command belongs; "actor": not theirs to do.
        self.why = why
        self.english = english if english is not None else message


class CaseGone(CaseError):
    """The case does not exist (never did, or was erased)."""


class CaseBusy(CaseError):
    """Another transaction holds the case's lock, and this one was asked not to wait for it."""


@dataclass(frozen=True)
class Actor:
    """Who runs a command: their kind, how the audit log names them, and what ties them to a case."""

    kind: str
    name: str
    staff_id: int | None = None
    case_id: int | None = None
    referee_id: str | None = None
    # A hiring system's API key acts for its one organisation.
    api_key_id: int | None = None
    organisation_id: int | None = None

    @classmethod
    def staff(cls, user: StaffUser) -> Actor:
        """Return a staff member as an actor."""
        return cls(lifecycle.STAFF, f"staff:{user.id}", staff_id=user.id)

    @classmethod
    def client(cls, user: StaffUser) -> Actor:
        """Return someone of a hiring organisation as an actor."""
        return cls(lifecycle.CLIENT, f"client:{user.id}", staff_id=user.id)

    @classmethod
    def api_key(cls, key_id: int, organisation_id: int) -> Actor:
        """Return a hiring system, by its API key, as an actor of the hiring side."""
        return cls(lifecycle.CLIENT, f"api-key:{key_id}", api_key_id=key_id, organisation_id=organisation_id)

    @classmethod
    def candidate(cls, case_id: int) -> Actor:
        """Return the candidate of one case as an actor."""
        return cls(lifecycle.CANDIDATE, f"candidate:{case_id}", case_id=case_id)

    @classmethod
    def referee(cls, referee_id: str, case_id: int) -> Actor:
        """Return one referee of one case as an actor."""
        return cls(lifecycle.REFEREE, f"referee:{referee_id}", case_id=case_id, referee_id=referee_id)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """Return the service itself (cron, the CLI, the public link page) as an actor."""
        return cls(lifecycle.SYSTEM, name)

    @classmethod
    def cli(cls) -> Actor:
        """Return an operator at the command line: staff's powers, logged as the CLI."""
        return cls(lifecycle.STAFF, "cli")


# Rows that do not change while a case is locked, or that no command changes: kept in the session
# when everything else is read again under the lock. A data key is unwrapped once per request.
_STABLE = (DataKey, KeyShare, QuestionSet, Question)
_KEPT = "refcheck.stable_rows"
# Cases this transaction created: no other transaction can see them, let alone hold their lock.
CREATED_HERE = "refcheck.cases_created"


def created_here(case: Case) -> None:
    """Note that this transaction created a case, so a command may go on to lock it in the same one."""
    db.session.info.setdefault(CREATED_HERE, set()).add(case.id)


def lock_case(case_id: int, wait: bool = True) -> Case:
    """Take the case's lock for the rest of the transaction and return the case as it now stands.

    Everything the session read before is read again on its next use, so no decision rests on a
    row read before the lock. Take the lock first: nothing may be changed or audited before it.
    With `wait=False` a case another transaction holds raises CaseBusy at once on PostgreSQL, so
    batch runs on several machines share the work; SQLite has one writer, which waits its turn.
    """
    session = db.session
    # A case this transaction made is locked by being invisible to every other one: nothing else can
    # wait for its lock while this transaction holds the audit chain's, so no deadlock can form.
    fresh = case_id in session.info.get(CREATED_HERE, ())
    if not fresh and (session.new or session.dirty or session.deleted or session.info.get(audit.HEAD_LOCKED)):
        # A change or an audit event before the lock would be decided on unlocked rows, and on
        # PostgreSQL the audit chain's lock taken before a case's could deadlock with another command.
        raise RuntimeError("a command must lock its case before it changes or audits anything")
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # SQLite's one write lock is the case's lock: a write that changes nothing takes it, and with
        # it a view of everything committed so far (reads before it ran outside any transaction).
        cases = cast(sa.Table, Case.__table__)
        session.execute(sa.update(cases).where(sa.false()).values(state=cases.c.state))
    stable = []
    for row in list(session.identity_map.values()):
        if isinstance(row, _STABLE):
            stable.append(row)
        else:
            session.expire(row)
    # The session holds its rows weakly: once the rows that pointed to a data key are expired, nothing
    # else would, and the key (with its share from the key store) would be read all over again.
    session.info[_KEPT] = stable
    query = sa.select(Case).where(Case.id == case_id).execution_options(populate_existing=True)
    if dialect == "postgresql":
        # FOR NO KEY UPDATE: commands on the case wait for each other, but a row that merely refers to
        # the case (a foreign key check) does not wait for the command to finish.
        query = query.with_for_update(of=Case, key_share=True, skip_locked=not wait)
    case = session.execute(query).scalar_one_or_none()
    if case is None:
        if not wait and session.execute(sa.select(Case.id).where(Case.id == case_id)).first():
            raise CaseBusy("Another process is working on this case.")
        raise CaseGone("This case no longer exists.")
    return case


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_rollback")
def _let_go(session: Session) -> None:
    """Drop the rows a lock kept: the transaction is over, and everything is read again after it."""
    session.info.pop(_KEPT, None)
    session.info.pop(CREATED_HERE, None)


class _PageWords:
    """Words in the language of the page being written, as refcheck.i18n.WORDS writes them.

    refcheck.i18n keeps a signed-in person's language through the commands here, so it cannot be
    imported by them: the same three calls go straight to Flask-Babel.
    """

    def gettext(self, string: str, **variables: Any) -> str:
        """Return `string` in the current language, its values filled in."""
        return str(gettext(string, **variables))

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        """Return the form for `num` in the current language."""
        return str(ngettext(singular, plural, num, **variables))

    def month(self, value: str) -> str:
        """Write a stored month in the current language."""
        return dates.month(value, str(get_locale() or "en_GB"))


_PAGE_WORDS: Words = _PageWords()


def words_for(actor: Actor) -> Words:
    """Return the words a refusal is written in for `actor`.

    A candidate or a referee reads it in their own language; staff, the hiring side and the service
    read English, whatever language their request came in.
    """
    return _PAGE_WORDS if actor.kind in (lifecycle.CANDIDATE, lifecycle.REFEREE) else ENGLISH


def begin(command: str, case_id: int, actor: Actor, wait: bool = True) -> Case:
    """Lock the case and refuse unless the table allows `command` now and `actor` may run it here.

    Batch runs pass `wait=False`: a case someone else is changing is left to a later run (CaseBusy).
    A refusal is told in the actor's words and kept in English for the audit log.
    """
    case = lock_case(case_id, wait)
    words = words_for(actor)
    problem = lifecycle.state_refusal(command, case.state, actor.kind)
    if problem is not None:
        raise CommandRefused(lifecycle.state_refusal(command, case.state, actor.kind, words) or problem,
                             command, case.state, "state", english=problem)
    problem = lifecycle.actor_refusal(command, actor.kind)
    if problem is not None:
        raise CommandRefused(lifecycle.actor_refusal(command, actor.kind, words) or problem,
                             command, case.state, "actor", english=problem)
    not_theirs = _actor_problem(case, actor)
    if not_theirs is not None:
        raise CommandRefused(words.gettext(not_theirs), command, case.state, "actor", english=not_theirs)
    return case


def _actor_problem(case: Case, actor: Actor) -> str | None:
    """Say, in English, why this particular person may not act on this case; None when they may."""
    not_yours = N_("We could not do this: it is not part of your check.")
    if actor.kind == lifecycle.CANDIDATE and actor.case_id != case.id:
        return not_yours
    if actor.kind == lifecycle.REFEREE:
        # Read whole: the command goes on to use this row (referee_of finds it in the session).
        referee = db.session.get(Referee, actor.referee_id) if actor.case_id == case.id else None
        if referee is None or referee.case_id != case.id:
            return not_yours
    if actor.kind == lifecycle.CLIENT:
        if _client_organisation(actor) != case.organisation_id:
            # Another organisation's check is answered as one that does not exist.
            raise CaseGone("This case no longer exists.")
    if actor.kind == lifecycle.STAFF and actor.staff_id is not None:
        user = db.session.get(StaffUser, actor.staff_id)
        if user is None or not user.active or user.role not in STAFF_ROLES:
            return "We could not do this: your account cannot change cases."
        if not organisations.may_use(user, case.organisation_id):
            # Said like a case that is not there: a verifier learns nothing of other organisations' cases.
            raise CaseGone("This case no longer exists.")
    return None


def _client_organisation(actor: Actor) -> int | None:
    """Return the organisation a client acts for: their account's, or their live API key's; else None."""
    if actor.api_key_id is not None:
        key = db.session.get(ApiKey, actor.api_key_id)
        # A key revoked while its request was under way acts no more.
        return key.organisation_id if key is not None and key.revoked_at is None else None
    user = db.session.get(StaffUser, actor.staff_id) if actor.staff_id is not None else None
    return user.organisation_id if user is not None and user.active and user.is_client else None


def referee_of(case: Case, actor: Actor) -> Referee:
    """Return the acting referee's row, read under the case's lock."""
    referee = db.session.get(Referee, actor.referee_id)
    if referee is None or referee.case_id != case.id:
        english = N_("We could not do this: it is not part of your request.")
        raise CommandRefused(words_for(actor).gettext(english), "", case.state, "actor", english=english)
    return referee


def one_of_its_referees(case: Case, referee_id: str) -> Referee:
    """Return a referee of this case by id, read under its lock; refuse one from another case."""
    referee = db.session.get(Referee, referee_id)
    if referee is None or referee.case_id != case.id:
        raise CaseError("This referee is not part of this case.")
    return referee


def record_refusal(err: CommandRefused, case_id: int | None, actor: Actor, attempt: str) -> None:
    """Drop what the refused command half-did and write that it was refused; the caller commits."""
    db.session.rollback()
    audit.record("action.refused", actor.name, case_id, attempt=attempt or err.command,
                 command=err.command, reason=err.english, state=err.state, why=err.why)
