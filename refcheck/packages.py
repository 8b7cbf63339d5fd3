"""Packages: an organisation's ready-made scopes, saved from a case staff set up, for its clients' orders."""

from __future__ import annotations

import sqlalchemy as sa

from . import audit
from .errors import CaseError
from .extensions import db
from .models import Case, Package
from .text import ONE_LINE_MESSAGE, has_control


def save_from_case(case: Case, name: str, actor: str) -> Package:
    """Offer this case's scope and purpose to its organisation's clients, under a name.

    Nothing of the case changes, and nothing of its candidate is copied: only what was asked and why.
    """
    name = " ".join(name.split())
    if not name:
        raise CaseError("Name the package, for example: Senior engineer, two references.", field="name")
    if len(name) > 120 or has_control(name):
        raise CaseError(ONE_LINE_MESSAGE if has_control(name) else "Use at most 120 characters.",
                        field="name")
    taken = db.session.execute(sa.select(Package.id).where(
        Package.organisation_id == case.organisation_id, Package.name == name)).first()
    if taken:
        raise CaseError(f"{case.hiring_organisation} already has a package called {name}.", field="name")
    package = Package(organisation_id=case.organisation_id, name=name, purpose=case.purpose,
                      scope=dict(case.scope))
    db.session.add(package)
    db.session.flush()
    audit.record("package.saved", actor, case.id, package_id=package.id, organisation_id=case.organisation_id)
    return package


def retire(package: Package, actor: str) -> None:
    """Stop offering a package; the cases ordered with it keep it."""
    package.active = False
    audit.record("package.retired", actor, package_id=package.id, organisation_id=package.organisation_id)


def offered(organisation_id: int) -> list[Package]:
    """Return the packages an organisation's clients may order with, by name."""
    return list(db.session.execute(
        sa.select(Package).where(Package.organisation_id == organisation_id, Package.active.is_(True))
        .order_by(Package.name)).scalars())
