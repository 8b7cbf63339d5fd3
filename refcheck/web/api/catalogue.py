"""The API's own description, and the packages a key's organisation may order with."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify, render_template

from ...extensions import db
from ...models import Package
from ...scope import Scope
from .base import Problem, bp, key_required, organisation_id, public, reply, spec


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    """Serve the OpenAPI 3.1 document."""
    return jsonify(spec.document())


@bp.get("/docs")
@public
def docs() -> str:
    """Show the API's reference, read from the same document."""
    return render_template("api/reference.html", doc=spec.document(), problems=spec.PROBLEMS,
                           problem_type=spec.problem_type)


# ---------------------------------------------------------------- packages

def package_json(package: Package) -> dict[str, Any]:
    """Return a package as the API shows it: what is checked, whom, over which period, kept how long."""
    scope = Scope.from_json(package.scope)
    return {"id": package.id, "name": package.name, "purpose": package.purpose, "checks": list(scope.checks),
            "referees": {"min": scope.min_referees, "max": scope.max_referees,
                         "required_by_relationship": dict(scope.relationships)},
            "period": {"from": scope.period_from, "to": scope.period_to}, "question_set": scope.question_set,
            "retention_days": scope.retention_days, "attribution": scope.attribution}


def offered() -> sa.Select[Package]:
    """Select the packages the key's organisation may order with."""
    return sa.select(Package).where(Package.organisation_id == organisation_id(), Package.active.is_(True))


@bp.get("/packages")
@key_required
def packages() -> Response:
    """List the packages the organisation may order."""
    rows = db.session.execute(offered().order_by(Package.name)).scalars().all()
    return reply({"data": [package_json(row) for row in rows], "next_cursor": None})


@bp.get("/packages/<int:package_id>")
@key_required
def package(package_id: int) -> Response:
    """Read one package."""
    if package_id > spec.MAX_ID:
        raise Problem("not-found", "There is no such package among yours.")
    row = db.session.execute(offered().where(Package.id == package_id)).scalar_one_or_none()
    if row is None:
        raise Problem("not-found", "There is no such package among yours.")
    return reply(package_json(row))
