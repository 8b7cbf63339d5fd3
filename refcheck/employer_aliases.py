"""Employers' other names that staff confirm: the mapping cross-verification reads, and its changes.

A former name, a parent company or a trading name cannot be told from the words (tests/data/MATCHING.md);
staff who have checked a register add the pair here, and findings computed afterwards read the two
names as one employer, saying so. Commands check the actor, write the audit event and never commit.
"""

from __future__ import annotations

import sqlalchemy as sa

from . import audit
from .employers import RELATIONS, Alias, same_employer
from .employers import normalise_employer as reduced
from .errors import CaseError
from .extensions import db
from .models import STAFF_ROLES, EmployerAlias, StaffUser
from .text import ONE_LINE_MESSAGE, has_control

NOT_STAFF = "We could not do this: only verification staff keep the employer names."
NOT_EVERY = ("We could not do this: a pair of names changes findings in every organisation's cases, so only "
             "staff who work on every organisation's cases keep them. Ask an admin.")


def _require_staff(user: StaffUser | None) -> StaffUser:
    """Return the acting staff member, or refuse someone who may not change the shared mapping.

    The mapping is read for every organisation's cases, so a verifier kept to some organisations may
    not change it: they could otherwise turn a conflict in a case they cannot see into agreement.
    """
    if user is None or not user.active or user.role not in STAFF_ROLES:
        raise CaseError(NOT_STAFF)
    if not user.sees_every_organisation:
        raise CaseError(NOT_EVERY)
    return user


def _name(text: str, field: str, missing: str) -> str:
    """Return a name on one line, or refuse it with a reason on its field."""
    text = " ".join(str(text or "").split())
    if not text:
        raise CaseError(missing, field=field)
    if has_control(text):
        raise CaseError(ONE_LINE_MESSAGE, field=field)
    if len(text) > 200:
        raise CaseError("Use at most 200 characters.", field=field)
    if not reduced(text):
        raise CaseError("Enter a name with letters or figures in it.", field=field)
    if len(reduced(text)) > 200:  # a name in another script can grow when it is romanised
        raise CaseError("Use a shorter name: at most 200 letters once written in the Latin alphabet.",
                        field=field)
    return text


def add(user: StaffUser | None, name: str, same_as: str, relation: str) -> EmployerAlias:
    """Record that `name` is a former name, the parent or a trading name of `same_as`."""
    actor = _require_staff(user)
    name = _name(name, "name", "Enter the other name, for example the employer's former name.")
    same_as = _name(same_as, "same_as", "Enter the employer's name as candidates usually give it.")
    if relation not in RELATIONS:
        raise CaseError("Choose how the two names are related.", field="relation")
    if same_employer(name, same_as):
        raise CaseError(f"{name} and {same_as} already match without a mapping: they differ only in how "
                        "they are written.", field="same_as")
    keys = (reduced(name), reduced(same_as))
    taken = db.session.execute(sa.select(EmployerAlias.id).where(sa.or_(
        sa.and_(EmployerAlias.name_key == keys[0], EmployerAlias.same_as_key == keys[1]),
        sa.and_(EmployerAlias.name_key == keys[1], EmployerAlias.same_as_key == keys[0])))).first()
    if taken is not None:
        raise CaseError(f"The mapping already links {name} and {same_as}.", field="name")
    alias = EmployerAlias(name=name, same_as=same_as, name_key=keys[0], same_as_key=keys[1],
                          relation=relation, created_by_id=actor.id)
    db.session.add(alias)
    db.session.flush()
    audit.record("employer_alias.added", f"staff:{actor.id}", alias_id=alias.id, name=name, same_as=same_as,
                 relation=relation)
    return alias


def remove(user: StaffUser | None, alias_id: int) -> EmployerAlias:
    """Take a pair of names out of the mapping; findings frozen before keep what they said."""
    actor = _require_staff(user)
    alias = db.session.get(EmployerAlias, alias_id)
    if alias is None:
        raise CaseError("That pair of names is no longer in the mapping.")
    db.session.delete(alias)
    audit.record("employer_alias.removed", f"staff:{actor.id}", alias_id=alias.id, name=alias.name,
                 same_as=alias.same_as, relation=alias.relation)
    return alias


def listed() -> list[EmployerAlias]:
    """Return the mapping as staff read it: by employer, then by the other name."""
    query = (sa.select(EmployerAlias).options(sa.orm.joinedload(EmployerAlias.created_by))
             .order_by(EmployerAlias.same_as_key, EmployerAlias.name_key))
    return list(db.session.execute(query).scalars())


def mapping() -> list[Alias]:
    """Return the mapping as the plain data cross-verification takes, in one query."""
    rows = db.session.execute(sa.select(EmployerAlias.name, EmployerAlias.same_as, EmployerAlias.relation)
                              .order_by(EmployerAlias.id))
    return [Alias(name, same_as, relation) for name, same_as, relation in rows]
