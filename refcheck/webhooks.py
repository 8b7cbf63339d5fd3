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
from collections.abc import Callable, Collection
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


def due(now: dt.datetime, limit: int, skip: Collection[str] = ()) -> list[WebhookDelivery]:
    """Return deliveries whose turn has come: due, to a live endpoint, nothing of the check before them."""
    earlier = aliased(WebhookDelivery)
    waiting_before = sa.exists().where(
        earlier.endpoint_id == WebhookDelivery.endpoint_id, earlier.case_id == WebhookDelivery.case_id,
        earlier.delivered_at.is_(None), earlier.event_id < WebhookDelivery.event_id)
    query = (sa.select(WebhookDelivery).join(WebhookEndpoint)
             .where(WebhookDelivery.delivered_at.is_(None), WebhookDelivery.next_attempt_at <= now,
                    WebhookEndpoint.disabled_at.is_(None), ~waiting_before)
             .order_by(WebhookDelivery.event_id).limit(limit))
    if skip:
        query = query.where(WebhookDelivery.endpoint_id.not_in(list(skip)))
    return list(db.session.execute(query).scalars())


def lease() -> dt.timedelta:
    """Return how long a sender holds a delivery it took: well past the longest a request may take."""
    return max(LEASE, dt.timedelta(seconds=3 * float(current_app.config["WEBHOOK_TIMEOUT"])))


def claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take one delivery for this sender and count the attempt; a sender alongside that took it first wins."""
    return bool(rows_changed(db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.delivered_at.is_(None),
               WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + lease(), attempts=WebhookDelivery.attempts + 1)
        .execution_options(synchronize_session=False))))


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


def post_once(post: Poster, url: str, body: bytes,
              headers: dict[str, str]) -> tuple[int | None, str | None]:
    """Send one request; return its status, or what went wrong (its kind only: no secret, no body)."""
    try:
        status = post(url, body, headers)
    except outbound.Refused as err:
        return None, f"refused: {err}"[:200]
    except Exception as err:  # noqa: BLE001 - whatever a receiver does, the run goes on and records it
        # Timeouts, refused connections, TLS failures and anything odder: the kind, never the message.
        return None, type(err).__name__
    return status, None if 200 <= status < 300 else f"HTTP {status}"


def record(delivery_id: int, status: int | None, error: str | None,
           now: dt.datetime) -> WebhookDelivery | None:
    """Write how one try went on its delivery and endpoint; the caller commits. None if it was not ours."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.delivered_at is not None:
        return None  # removed with its endpoint meanwhile, or delivered by a sender whose lease ran on
    endpoint = delivery.endpoint
    delivery.last_status, delivery.last_error = status, error
    if error is None:
        delivery.delivered_at = now
        endpoint.failing_since = None
        return delivery
    delivery.next_attempt_at = now + RETRY_WAITS[min(delivery.attempts, len(RETRY_WAITS)) - 1]
    endpoint.failing_since = endpoint.failing_since or now
    days = current_app.config["WEBHOOK_DISABLE_AFTER_DAYS"]
    if endpoint.disabled_at is None and status == GONE:
        _stop(endpoint, "The endpoint answered 410 Gone.", now)
    elif endpoint.disabled_at is None and now - endpoint.failing_since >= dt.timedelta(days=days):
        _stop(endpoint, f"Every delivery failed for {days} days (last: {error}).", now)
    return delivery


def _stop(endpoint: WebhookEndpoint, reason: str, now: dt.datetime) -> None:
    """Stop sending to an endpoint, and tell every active admin by email."""
    endpoint.disabled_at, endpoint.disabled_reason = now, reason[:200]
    audit.record("webhook.disabled", "system:webhooks", endpoint=endpoint.id,
                 organisation_id=endpoint.organisation_id, reason=reason[:200])
    admins = db.session.execute(sa.select(StaffUser).where(
        StaffUser.active.is_(True), StaffUser.role == "admin")).scalars()
    for admin in admins:
        # A key of the email's own: removing the endpoint later must not take the email's key with it.
        mail.queue("webhook_disabled", admin.email, DataKey.generate(), None, name=admin.name,
                   organisation=endpoint.organisation.name, url=endpoint.shown_url, reason=reason,
                   endpoint_id=endpoint.id, base_url=current_app.config["BASE_URL"].rstrip("/"))


@dataclass
class Run:
    """What one `webhooks send` run did."""

    delivered: int = 0
    failed: int = 0
    stopped: list[str] = field(default_factory=list)


def send(post: Poster, clock: Callable[[], dt.datetime], batch: int = 50) -> Run:
    """Deliver what is due until nothing is, or the run's time is up.

    A worker loop, like the CLI's `mail send`, so it commits: the claim before each request, and the
    outcome after it, with no transaction open while a receiver is waited on. An endpoint that does
    not answer is passed over for the rest of the run, so one dead receiver does not hold up others. A
    delivery that succeeds may make the next event of its check due, so the run looks again until a
    pass sends nothing.
    """
    run = Run()
    deadline = time.monotonic() + current_app.config["WEBHOOK_RUN_SECONDS"]
    failing: set[str] = set()
    while time.monotonic() < deadline:
        progressed = False
        # Ids only: every commit below lets the rows go, and one may be removed meanwhile.
        turns = [(delivery.id, delivery.endpoint_id) for delivery in due(clock(), batch, failing)]
        for delivery_id, endpoint_id in turns:
            if time.monotonic() >= deadline:
                break
            if endpoint_id in failing:
                continue
            if not claim(delivery_id, clock()):
                db.session.rollback()
                continue
            # The claim is committed first: a sender alongside skips this delivery while it is tried.
            db.session.commit()
            sent = db.session.get(WebhookDelivery, delivery_id)
            if sent is None:
                continue
            url = sent.endpoint.url
            body, headers = request_for(sent.endpoint, sent.event)
            # Nothing is held while the receiver is waited on: no lock, no open transaction.
            db.session.rollback()
            status, error = post_once(post, url, body, headers)
            recorded = record(delivery_id, status, error, clock())
            if recorded is not None and recorded.endpoint.disabled_at is not None and error is not None:
                run.stopped.append(endpoint_id)
            db.session.commit()
            if error is None:
                run.delivered += 1
                progressed = True
            else:
                run.failed += 1
                if status is None:
                    # No answer at all (a timeout, a refused connection): its other deliveries would
                    # most likely cost as much, so the endpoint waits for the next run.
                    failing.add(endpoint_id)
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
