"""What a hiring system hears of its checks: events written in the same transaction as the change.

Each event is a row the API's event list reads, and one delivery per endpoint of the organisation
that asked for its type, which `webhooks send` then delivers. A payload holds ids, states and dates,
never anything about the candidate beyond what the hiring side already holds.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from . import progress, timeline
from .api_models import CheckEvent, WebhookDelivery, WebhookEndpoint
from .extensions import db
from .models import Case

CONSENTED = "check.consented"
DECLINED = "check.declined"
WITHDRAWN = "check.withdrawn"
REFEREE_ANSWERED = "check.referee_answered"
DELAYED = "check.delayed"
FINDINGS_SENT = "check.findings_sent"
RELEASED = "check.released"
CANCELLED = "check.cancelled"
ERASED = "check.erased"
# Every type, in the order a check usually meets them, with what each means to a hiring system.
TYPES = {
    CONSENTED: "The candidate agreed to the check.",
    DECLINED: "The candidate declined the check; nothing was checked.",
    WITHDRAWN: "The candidate withdrew their consent; the check stopped.",
    REFEREE_ANSWERED: "A referee sent their answers.",
    DELAYED: "A step is late; the reason is the one the candidate reads.",
    FINDINGS_SENT: "The findings went to the candidate to read and reply to.",
    RELEASED: "The report was released (again, for a new version); it can be downloaded.",
    CANCELLED: "The check was cancelled.",
    ERASED: "The check's data was erased; only its id and this event remain.",
}


def timestamp(moment: dt.datetime) -> str:
    """Write a moment as the API does: UTC, to the second, with a Z."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def emit(case: Case, kind: str, now: dt.datetime, **data: Any) -> CheckEvent:
    """Record an event of a locked case, and queue it for each endpoint that asked for its type."""
    return emit_for(case.id, case.organisation_id, case.state, kind, now, **data)


def emit_for(case_id: int, organisation_id: int, state: str, kind: str, now: dt.datetime,
             **data: Any) -> CheckEvent:
    """Record an event of a check by its ids (an erased check has no row left to pass)."""
    if kind not in TYPES:
        raise ValueError(f"unknown event type {kind!r}")
    payload = {"type": kind, "timestamp": timestamp(now),
               "data": {"check_id": case_id, "state": state, **data}}
    event = CheckEvent(public_id=f"evt_{uuid.uuid4().hex}", organisation_id=organisation_id, case_id=case_id,
                       type=kind, payload=payload, created_at=now)
    db.session.add(event)
    # A stopped endpoint is queued for too: what it missed goes, in order, once it is started again.
    endpoints = db.session.execute(sa.select(WebhookEndpoint).where(
        WebhookEndpoint.organisation_id == organisation_id)).scalars()
    for endpoint in endpoints:
        if not endpoint.events or kind in endpoint.events:
            db.session.add(WebhookDelivery(endpoint_id=endpoint.id, event=event, case_id=case_id,
                                           next_attempt_at=now))
    return event


def delay_data(case: Case, now: dt.datetime) -> dict[str, Any]:
    """Say which step is late, since when it was expected, and why, in the words the candidate reads.

    The reason is the service's own for that step, never the words staff wrote to the candidate,
    which may say something about them that the hiring side does not hold.
    """
    steps = timeline.build(progress.case_facts(case), now)
    late = next((step for step in steps if step.status == "overdue" and step.key != timeline.QUESTION), None)
    if late is None:
        return {"step": None, "expected_by": None, "reason": "The check is taking longer than planned."}
    return {"step": late.key, "expected_by": late.date.isoformat() if late.date else None,
            "reason": timeline.default_delay(late.key)}
