"""Webhooks: endpoints an organisation registers, and delivery of check events to them.

Delivery follows the Standard Webhooks specification: each request carries `webhook-id` (the event's
id, the same on every retry), `webhook-timestamp` and `webhook-signature` (HMAC-SHA256 over
"id.timestamp.body" with the endpoint's secret). Events are delivered at least once and in order per
check: an event waits while an earlier one of the same check has not reached the same endpoint.
Failures are retried with growing waits; an endpoint failing for days is stopped and admins told.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from . import audit, keystore, mail, organisations, outbound
from .api_models import CheckEvent, WebhookDelivery, WebhookEndpoint
from .check_events import TYPES
from .columns import new_id, rows_changed
from .errors import CaseError
from .extensions import db
from .models import DataKey, StaffUser

# Waits before each retry, as the specification suggests; the last repeats until the endpoint stops.
RETRY_WAITS = (dt.timedelta(seconds=5), dt.timedelta(minutes=5), dt.timedelta(minutes=30),
               dt.timedelta(hours=2), dt.timedelta(hours=5), dt.timedelta(hours=10))
# How long a sender holds the deliveries it took: past it, another sender may try them again.
LEASE = dt.timedelta(minutes=2)
# Sent by an endpoint that is gone for good: stop at once rather than for days.
GONE = 410

Poster = Callable[[str, bytes, dict[str, str]], int]


def new_secret() -> str:
    """Return a signing secret in the specification's form: whsec_ and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Return the webhook-signature header's value for one request."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def register(organisation_name: str, url: str, events: list[str], actor: str,
             now: dt.datetime) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint for an organisation and return it with its secret, which is shown once."""
    organisation = organisations.named(organisation_name)
    if organisation is None:
        raise CaseError(f"There is no organisation called {organisation_name!r}.")
    unknown = sorted(set(events) - set(TYPES))
    if unknown:
        raise CaseError(f"Unknown event types: {', '.join(unknown)}. Known: {', '.join(TYPES)}.")
    cfg = current_app.config
    try:
        target = outbound.parse(url.strip(), cfg["WEBHOOK_ALLOW_HTTP"])
        outbound.public_address(target.host, target.port, cfg["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"])
    except outbound.Refused as err:
        raise CaseError(str(err), field="url") from err
    secret = new_secret()
    endpoint = WebhookEndpoint(id=new_id(), organisation=organisation, data_key=DataKey.generate(),
                               url=url.strip(), events=sorted(set(events)), created_at=now)
    endpoint.seal("secret_enc", secret)
    db.session.add(endpoint)
    db.session.flush()
    audit.record("webhook.registered", actor, endpoint=endpoint.id, organisation_id=organisation.id,
                 events=endpoint.events)
    return endpoint, secret


def listed() -> list[WebhookEndpoint]:
    """Return every endpoint, newest first, with its organisation."""
    return list(db.session.execute(
        sa.select(WebhookEndpoint).options(sa.orm.joinedload(WebhookEndpoint.organisation))
        .order_by(WebhookEndpoint.created_at.desc())).scalars())


def remove(endpoint_id: str, actor: str) -> None:
    """Delete an endpoint with its secret and what was still waiting to go to it."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise CaseError(f"There is no webhook endpoint {endpoint_id}.")
    key_id = endpoint.data_key_id
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id))
    db.session.delete(endpoint)
    db.session.flush()
    db.session.execute(sa.delete(DataKey).where(DataKey.id == key_id))
    keystore.destroy_after_commit(key_id)
    audit.record("webhook.removed", actor, endpoint=endpoint_id)


def enable(endpoint_id: str, actor: str) -> WebhookEndpoint:
    """Start a stopped endpoint again: what waited for it goes, in order, from the next run."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise CaseError(f"There is no webhook endpoint {endpoint_id}.")
    endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, None, None
    audit.record("webhook.enabled", actor, endpoint=endpoint.id)
    return endpoint


def due(now: dt.datetime, limit: int) -> list[WebhookDelivery]:
    """Return deliveries whose turn has come: due, to a live endpoint, nothing of the check before them."""
    earlier = aliased(WebhookDelivery)
    waiting_before = sa.exists().where(
        earlier.endpoint_id == WebhookDelivery.endpoint_id, earlier.case_id == WebhookDelivery.case_id,
        earlier.delivered_at.is_(None), earlier.event_id < WebhookDelivery.event_id)
    query = (sa.select(WebhookDelivery).join(WebhookEndpoint)
             .where(WebhookDelivery.delivered_at.is_(None), WebhookDelivery.next_attempt_at <= now,
                    WebhookEndpoint.disabled_at.is_(None), ~waiting_before)
             .order_by(WebhookDelivery.event_id).limit(limit))
    return list(db.session.execute(query).scalars())


def claim(delivery: WebhookDelivery, now: dt.datetime) -> bool:
    """Take one delivery for this sender; a sender running alongside that took it first wins."""
    return bool(rows_changed(db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id, WebhookDelivery.delivered_at.is_(None),
               WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE).execution_options(synchronize_session=False))))


def request_for(endpoint: WebhookEndpoint, event: CheckEvent) -> tuple[bytes, dict[str, str]]:
    """Return the body and headers of one delivery, signed at the moment of sending."""
    body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()
    # The real time, not the run's clock: receivers refuse a signature stamped far from their own.
    stamp = int(time.time())
    return body, {
        "content-type": "application/json",
        "user-agent": "refcheck-webhooks/1",
        "webhook-id": event.public_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(endpoint.secret, event.public_id, stamp, body),
    }


def attempt(delivery: WebhookDelivery, post: Poster, now: dt.datetime) -> bool:
    """Send one delivery and record how it went, on the delivery and its endpoint; never raise."""
    endpoint, event = delivery.endpoint, delivery.event
    delivery.attempts += 1
    body, headers = request_for(endpoint, event)
    status: int | None = None
    error: str | None = None
    try:
        status = post(endpoint.url, body, headers)
    except outbound.Refused as err:
        error = f"refused: {err}"[:200]
    except OSError as err:
        # Timeouts, refused connections and TLS failures; the message names no secret.
        error = type(err).__name__
    else:
        error = None if 200 <= status < 300 else f"HTTP {status}"
    delivery.last_status, delivery.last_error = status, error
    if error is None:
        delivery.delivered_at = now
        endpoint.failing_since = None
        return True
    delivery.next_attempt_at = now + RETRY_WAITS[min(delivery.attempts, len(RETRY_WAITS)) - 1]
    endpoint.failing_since = endpoint.failing_since or now
    days = current_app.config["WEBHOOK_DISABLE_AFTER_DAYS"]
    if status == GONE:
        _stop(endpoint, "The endpoint answered 410 Gone.", now)
    elif now - endpoint.failing_since >= dt.timedelta(days=days):
        _stop(endpoint, f"Every delivery failed for {days} days (last: {error}).", now)
    return False


def _stop(endpoint: WebhookEndpoint, reason: str, now: dt.datetime) -> None:
    """Stop sending to an endpoint, and tell every active admin by email."""
    endpoint.disabled_at, endpoint.disabled_reason = now, reason[:200]
    audit.record("webhook.disabled", "system:webhooks", endpoint=endpoint.id,
                 organisation_id=endpoint.organisation_id, reason=reason[:200])
    admins = db.session.execute(sa.select(StaffUser).where(
        StaffUser.active.is_(True), StaffUser.role == "admin")).scalars()
    for admin in admins:
        mail.queue("webhook_disabled", admin.email, endpoint.data_key, None, name=admin.name,
                   organisation=endpoint.organisation.name, url=endpoint.url, reason=reason,
                   endpoint_id=endpoint.id, base_url=current_app.config["BASE_URL"].rstrip("/"))


@dataclass
class Run:
    """What one `webhooks send` run did."""

    delivered: int = 0
    failed: int = 0
    stopped: list[str] = field(default_factory=list)


def send(post: Poster, clock: Callable[[], dt.datetime], batch: int = 50) -> Run:
    """Deliver what is due until nothing is, or the run's time is up; commit after each delivery.

    A delivery that succeeds may make the next event of its check due, so the run looks again
    until a pass finds nothing it could send.
    """
    run = Run()
    deadline = time.monotonic() + current_app.config["WEBHOOK_RUN_SECONDS"]
    while time.monotonic() < deadline:
        now = clock()
        progressed = False
        for delivery in due(now, batch):
            if time.monotonic() >= deadline:
                break
            if delivery.endpoint.disabled_at is not None or not claim(delivery, now):
                db.session.rollback()
                continue
            # The claim is committed first: a sender alongside skips this delivery while it is tried.
            db.session.commit()
            delivered = attempt(delivery, post, clock())
            if delivery.endpoint.disabled_at is not None:
                run.stopped.append(delivery.endpoint_id)
            db.session.commit()
            run.delivered += delivered
            run.failed += not delivered
            progressed = progressed or delivered
        if not progressed:
            break
    return run


def poster_from(config: dict[str, Any]) -> Poster:
    """Return the function that sends a request, as the configuration allows."""
    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        return outbound.post(url, body, headers, timeout=float(config["WEBHOOK_TIMEOUT"]),
                             allow_http=bool(config["WEBHOOK_ALLOW_HTTP"]),
                             allow_private=bool(config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]))
    return post
