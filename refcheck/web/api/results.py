"""What a check came to, for the hiring system: the released report, and the events its webhooks were sent."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, request

from ... import audit, report
from ...api_models import CheckEvent
from ...extensions import db
from ...models import RELEASED, Case, Report
from .base import (
    Problem,
    actor,
    bp,
    cursor_of,
    key_required,
    organisation_id,
    page_size,
    position_of,
    query_args,
    record_call,
    reply,
    spec,
)
from .base import validate as check_query
from .checks import one_check, report_json

# ---------------------------------------------------------------- reports

def _released(check_id: int) -> tuple[Case, Report]:
    """Return a released check and its latest report, or the problem that says there is none yet."""
    case = one_check(check_id)
    latest = report.latest(case) if case.state == RELEASED else None
    if latest is None:
        raise Problem("not-released", "This check has no released report yet; its state says where it is.")
    return case, latest


@bp.get("/checks/<int:check_id>/report")
@key_required
def report_meta(check_id: int) -> Response:
    """Read the released report's version and fingerprints."""
    case, latest = _released(check_id)
    return reply(report_json(case, latest), case_id=case.id)


@bp.get("/checks/<int:check_id>/report.pdf")
@key_required
def report_pdf(check_id: int) -> Response:
    """Download the released report: the very file the candidate and the pages give."""
    case, latest = _released(check_id)
    body = report.pdf_bytes(latest)
    audit.record("report.downloaded", actor().name, case.id, version=latest.version)
    record_call(200, case.id)
    db.session.commit()
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{case.reference}-v{latest.version}.pdf"'})


# ---------------------------------------------------------------- events

@bp.get("/events")
@key_required
def events() -> Response:
    """List the organisation's events, oldest first, from after a cursor: what its webhooks were sent."""
    args: dict[str, Any] = query_args(spec.EVENT_FILTERS)
    if "check_id" in args and args["check_id"].isdigit() and len(args["check_id"]) < 12:
        args["check_id"] = int(args["check_id"])
    check_query(args, {"type": "object", "properties": spec.EVENT_FILTERS})
    limit = page_size()
    query = sa.select(CheckEvent).where(CheckEvent.organisation_id == organisation_id())
    after = position_of(request.args.get("cursor"))
    if after is not None:
        query = query.where(CheckEvent.id > after)
    if "type" in args:
        query = query.where(CheckEvent.type == args["type"])
    if "check_id" in args:
        query = query.where(CheckEvent.case_id == args["check_id"])
    rows = list(db.session.execute(query.order_by(CheckEvent.id).limit(limit + 1)).scalars())
    page = rows[:limit]
    data = [{"id": row.public_id, **row.payload} for row in page]
    # The cursor after the last event, even on the last page: a poller keeps it and asks again later.
    last = cursor_of(page[-1].id) if page else request.args.get("cursor")
    return reply({"data": data, "next_cursor": last})
