"""Counts of cases by organisation and state, kept with every change so the case list never counts them all.

Every insert, change of state or organisation, and delete of a case, through the ORM or through
`forget` for a bulk delete, adds to the transaction's tally; the tally is written as it commits. By
then an audited transaction holds the chain's head (audit.record), so two transactions never wait on
each other's count rows in turn, and each writes its rows in one order.
"""

from __future__ import annotations

import collections
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .extensions import db
from .models import Case, CaseCount

# A session's tally since its transaction began: (organisation id, state) -> change.
_TALLY = "refcheck.case_counts"
COUNTS = cast(sa.Table, CaseCount.__table__)
CASES = cast(sa.Table, Case.__table__)


def _tally(session: Session | None) -> collections.Counter[tuple[int, str]]:
    """Return the session's tally, made on first use."""
    assert session is not None, "a case is flushed by a session"
    tally: collections.Counter[tuple[int, str]] = session.info.setdefault(_TALLY, collections.Counter())
    return tally


@sa.event.listens_for(Case, "after_insert")
def _opened(_mapper: Any, _connection: Any, case: Case) -> None:
    """Count a new case in its state."""
    _tally(sa.orm.object_session(case))[case.organisation_id, case.state] += 1


@sa.event.listens_for(Case, "before_update")
def _moved(_mapper: Any, connection: sa.Connection, case: Case) -> None:
    """Move a case's count when its state or organisation is about to change."""
    attrs = sa.inspect(case).attrs
    state, organisation = attrs.state.history, attrs.organisation_id.history
    if not (state.has_changes() or organisation.has_changes()):
        return
    before = _before(connection, case, organisation, state)
    after = (organisation.added[0] if organisation.added else before[0],
             state.added[0] if state.added else before[1])
    tally = _tally(sa.orm.object_session(case))
    tally[before] -= 1
    tally[after] += 1


@sa.event.listens_for(Case, "before_delete")
def _deleted(_mapper: Any, connection: sa.Connection, case: Case) -> None:
    """Take a case about to be deleted out of its count."""
    attrs = sa.inspect(case).attrs
    before = _before(connection, case, attrs.organisation_id.history, attrs.state.history)
    _tally(sa.orm.object_session(case))[before] -= 1


def _before(connection: sa.Connection, case: Case, organisation: Any, state: Any) -> tuple[int, str]:
    """Return a case's organisation and state as stored, before this flush writes it.

    A value set on a case that never loaded it has no old value in its history: the row still has it.
    """
    organisation_id = (organisation.deleted or organisation.unchanged or (None,))[0]
    stored_state = (state.deleted or state.unchanged or (None,))[0]
    if organisation_id is None or stored_state is None:
        organisation_id, stored_state = connection.execute(
            sa.select(CASES.c.organisation_id, CASES.c.state).where(CASES.c.id == case.id)).one()
    return organisation_id, stored_state


def forget(organisation_id: int, state: str) -> None:
    """Take out of the counts a case deleted past the ORM (an erasure's bulk delete)."""
    _tally(db.session())[organisation_id, state] -= 1


@sa.event.listens_for(Session, "before_commit")
def _write_tally(session: Session) -> None:
    """Write the transaction's tally as it commits, a row at a time in one order."""
    if not session.info.get(_TALLY) and not (session.new or session.dirty or session.deleted):
        return
    # The commit's own flush comes after this hook: flush now, so its cases are in the tally.
    session.flush()
    tally = session.info.pop(_TALLY, None)
    if not tally:
        return
    dialect = session.get_bind(mapper=sa.inspect(CaseCount)).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for (organisation_id, state), change in sorted(tally.items()):
        if change:
            session.execute(insert(COUNTS).values(organisation_id=organisation_id, state=state, count=change)
                            .on_conflict_do_update(index_elements=[COUNTS.c.organisation_id, COUNTS.c.state],
                                                   set_={"count": COUNTS.c.count + change}))


@sa.event.listens_for(Session, "after_rollback")
def _drop_tally(session: Session) -> None:
    """Forget the tally of a transaction that rolled back: its changes are gone."""
    session.info.pop(_TALLY, None)


def by_state(visible: sa.ColumnElement[bool]) -> dict[str, int]:
    """Return how many cases are in each state, of the organisations `visible` (a condition on the counts)."""
    return {state: int(total) for state, total in db.session.execute(
        sa.select(COUNTS.c.state, sa.func.sum(COUNTS.c.count)).where(visible)
        .group_by(COUNTS.c.state).having(sa.func.sum(COUNTS.c.count) > 0)).all()}


def recount(connection: sa.Connection) -> None:
    """Count every case again, for a database filled past the ORM (a bulk load)."""
    connection.execute(COUNTS.delete())
    connection.execute(COUNTS.insert().from_select(
        ["organisation_id", "state", "count"],
        sa.select(CASES.c.organisation_id, CASES.c.state, sa.func.count())
        .group_by(CASES.c.organisation_id, CASES.c.state)))
