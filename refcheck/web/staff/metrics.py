"""The staff metrics page: figures for a period and organisation, kept until the audit log moves on."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user

from ... import kept
from ...extensions import db
from ...metrics import FIGURES_SECONDS, gather, period_from
from ...models import Case, utcnow
from ...stats import STAGES, duration_words
from .accounts import staff_only

bp = Blueprint("metrics", __name__, url_prefix="/staff")


@bp.route("/metrics")
@staff_only
def page() -> Any:
    """Show how the process is going for a period and, optionally, one hiring organisation."""
    now = utcnow()
    period, problems = period_from(request.args, now.date())
    if not current_user.sees_every_organisation:
        # A verifier's figures cover the organisations they work on, and nothing of the others.
        period = replace(period, among=tuple((each.id, each.name) for each in current_user.assigned))
    head = kept.audit_head()
    organisations = kept.remember("organisations", None, lambda: db.session.execute(
        sa.select(Case.hiring_organisation).distinct().order_by(Case.hiring_organisation)
    ).scalars().all(), now, FIGURES_SECONDS, head)
    if period.among is not None:
        organisations = [name for _id, name in period.among]
    figures = kept.remember("metrics", period, lambda: gather(period, now), now, FIGURES_SECONDS, head)
    return render_template("staff/metrics.html", period=period, problems=problems,
                           organisations=organisations, figures=figures, stages=STAGES,
                           duration=duration_words)
