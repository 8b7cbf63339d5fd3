"""The hiring side's own view: their organisation's checks, where each stands, and the released report.

A client reads only what the candidate agreed to share with them: before release, a check's state
and dates; after it, the report. Referees, answers, findings, replies, staff notes, the reasons staff
wrote to the candidate and the candidate's questions never reach these pages (refcheck.hiring_side).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy.orm import defer, selectinload

from ... import organisations, progress, report, timeline
from ...extensions import db
from ...hiring_side import CLOSED, state_words
from ...hiring_side import steps as client_steps
from ...models import RELEASED, Candidate, Case, utcnow
from ..common import report_download
from ..staff.accounts import role_required

bp = Blueprint("client", __name__, url_prefix="/client")
client_only = role_required("client")
PAGE_SIZE = 50
# Far past any real list, and small enough for every database's integers (as staff's list).
MAX_PAGE = 1_000_000


@bp.route("/")
@client_only
def home() -> Any:
    """List the organisation's checks, newest first, with who acts next and by when."""
    newest_first = (Case.created_at.desc(), Case.id.desc())
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    page_ids = (sa.select(Case.id).where(organisations.visible(current_user)).order_by(*newest_first)
                .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    # The page's own cases, their candidates and packages: a few queries, however many rows.
    rows = db.session.execute(
        sa.select(Case).where(Case.id.in_(page_ids.scalar_subquery())).order_by(*newest_first)
        .options(selectinload(Case.candidate).joinedload(Candidate.data_key, innerjoin=True),
                 selectinload(Case.package), defer(Case.scope), defer(Case.purpose))).scalars().all()
    now = utcnow()
    answered, replied = progress.answers_in(list(rows)), progress.replies_in(list(rows), now)
    listed = [(case, state_words(case, answered, replied),
               timeline.next_step(client_steps(case, answered, replied, now))) for case in rows]
    return render_template("client/home.html", listed=listed, page=page, page_size=PAGE_SIZE,
                           organisation=current_user.organisation, released=RELEASED, closed=CLOSED)


@bp.route("/cases/<int:case_id>")
@client_only
def case(case_id: int) -> Any:
    """Show one check: its state, dates and timeline; after release, its report."""
    found = db.get_or_404(Case, case_id)
    now = utcnow()
    answered, replied = progress.answers_in([found]), progress.replies_in([found], now)
    steps = client_steps(found, answered, replied, now)
    latest = report.latest(found) if found.state == RELEASED else None
    return render_template("client/case.html", case=found, steps=steps, latest=latest,
                           state=state_words(found, answered, replied), next=timeline.next_step(steps),
                           released=RELEASED, closed=CLOSED)


@bp.route("/cases/<int:case_id>/report.pdf")
@client_only
def report_pdf(case_id: int) -> Any:
    """Download the released report: the very file the candidate downloads, the download audited."""
    found = db.get_or_404(Case, case_id)
    if found.state != RELEASED:
        abort(404)
    return report_download(found, f"client:{current_user.id}")
