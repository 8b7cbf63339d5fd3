"""Hiring organisations: who may see which cases, and the organisations staff create and assign."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import sqlalchemy as sa

from . import audit
from .errors import CaseError
from .extensions import db
from .models import CLIENT, STAFF_ROLES, Case, Organisation, StaffUser, staff_organisation
from .text import ONE_LINE_MESSAGE, has_control, search_key

NOT_YOURS = ("There is no organisation of that name among the ones you work for. "
             "Ask an admin to add it or to assign it to you.")


def named(name: str) -> Organisation | None:
    """Return the organisation with this name, however it is capitalised or spaced."""
    key = search_key(name)
    if not key:
        return None
    return db.session.execute(
        sa.select(Organisation).where(Organisation.name_key == key)).scalar_one_or_none()


def create(name: str, actor: str) -> Organisation:
    """Add an organisation, refusing a second one of the same name."""
    name = " ".join(name.split())
    if not name:
        raise CaseError("Enter the organisation's name.")
    if len(name) > 200 or has_control(name):
        raise CaseError(ONE_LINE_MESSAGE if has_control(name) else "Use at most 200 characters.")
    if named(name) is not None:
        raise CaseError("There is already an organisation of that name.")
    organisation = Organisation(name=name)
    db.session.add(organisation)
    db.session.flush()
    audit.record("organisation.created", actor, organisation_id=organisation.id)
    return organisation


def for_case(name: str, user: StaffUser, actor: str) -> Organisation:
    """Return the organisation a case is opened for, by the name staff typed.

    A client's cases are always their own organisation's. Staff choose among the organisations they
    work for; an admin, or a verifier who works for every organisation, typing a new name adds it.
    """
    if user.role == CLIENT:
        if user.organisation is None:
            raise CaseError("Your account belongs to no organisation. Ask us to set it up.",
                            field="hiring_organisation")
        return user.organisation
    found = named(name)
    if found is None:
        if user.sees_every_organisation:
            return create(name, actor)
        raise CaseError(NOT_YOURS, field="hiring_organisation")
    if not may_use(user, found.id):
        raise CaseError(NOT_YOURS, field="hiring_organisation")
    return found


def may_use(user: StaffUser, organisation_id: int | None) -> bool:
    """Say whether this person may see and work on this organisation's cases."""
    if user.role == CLIENT:
        return organisation_id is not None and organisation_id == user.organisation_id
    if user.role not in STAFF_ROLES:
        return False
    if user.sees_every_organisation:
        return True
    return any(organisation.id == organisation_id for organisation in user.assigned)


def visible(user: StaffUser, organisation_id: Any = None) -> sa.ColumnElement[bool]:
    """Return the condition picking the cases this person may see (or, on `organisation_id`, their counts)."""
    column = Case.organisation_id if organisation_id is None else organisation_id
    if user.role == CLIENT:
        return column == user.organisation_id if user.organisation_id else sa.false()
    if user.role not in STAFF_ROLES:
        return sa.false()
    if user.sees_every_organisation:
        return sa.true()
    return column.in_(
        sa.select(staff_organisation.c.organisation_id).where(staff_organisation.c.staff_user_id == user.id))


def scope_key(user: StaffUser) -> Hashable:
    """Return what makes one person's view of the case list differ from another's, for kept figures."""
    if user.role == CLIENT:
        return ("client", user.organisation_id)
    if user.sees_every_organisation:
        return None
    return ("assigned", tuple(sorted(organisation.id for organisation in user.assigned)))


def may_see_case(user: StaffUser, case_id: int) -> bool:
    """Say whether this person may see this case; a case that does not exist is not seen either."""
    organisation_id = db.session.execute(
        sa.select(Case.organisation_id).where(Case.id == case_id)).scalar_one_or_none()
    return organisation_id is not None and may_use(user, organisation_id)


def usable(user: StaffUser) -> list[Organisation]:
    """Return the organisations this person may open cases for, by name."""
    query = sa.select(Organisation).order_by(Organisation.name_key)
    if user.role == CLIENT:
        query = query.where(Organisation.id == user.organisation_id)
    elif not user.sees_every_organisation:
        query = query.where(Organisation.id.in_(organisation.id for organisation in user.assigned))
    return list(db.session.execute(query).scalars())


def assign(user: StaffUser, organisations: Iterable[Organisation], every: bool, actor: str) -> None:
    """Set which organisations' cases a verifier works on, or that they work on every one's."""
    if user.role != "verifier":
        raise CaseError("Only verifiers are assigned to organisations.")
    user.assigned = sorted(set(organisations), key=lambda organisation: organisation.name_key)
    user.all_organisations = every
    audit.record("staff.organisations_set", actor, staff_id=user.id, every=every,
                 organisations=[organisation.id for organisation in user.assigned])
