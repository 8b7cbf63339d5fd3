"""Tables of the API and its webhooks: keys, idempotent orders, check events, endpoints and deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .columns import UTCDateTime, utcnow
from .extensions import Model
from .models import DataKey, Organisation, Sealed


class ApiKey(Model):
    """A hiring system's key to its organisation's checks; only the key's SHA-256 is kept."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    # The key's first characters, shown in lists so a person can tell their keys apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by: Mapped[str] = mapped_column(sa.String(60))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()


class IdempotentRequest(Model):
    """A POST made with an Idempotency-Key: what was asked (hashed) and which check it made.

    The response is not stored (it names the candidate); a retry is answered from the check itself.
    """

    __tablename__ = "idempotent_request"
    __table_args__ = (sa.UniqueConstraint("api_key_id", "key", name="uq_idempotent_request_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_key.id"))
    key: Mapped[str] = mapped_column(sa.String(255))
    # The SHA-256 of the method, the path and the body: the same key with another request is refused.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    # No foreign key: the record may outlive its check; erasing the check deletes it by this index.
    case_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class CheckEvent(Model):
    """Something that happened to a check, as its organisation's hiring system hears of it.

    Kept beyond the check's erasure: it holds ids, states and dates, never personal data.
    """

    __tablename__ = "check_event"
    __table_args__ = (sa.Index("ix_check_event_organisation", "organisation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What receivers see as the event's id and the webhook-id header: stable across retries.
    public_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    # No foreign key: the event stays when the check is erased.
    case_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    type: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookEndpoint(Sealed, Model):
    """Where an organisation's hiring system hears of its checks; the signing secret is sealed."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    # The event types sent here; an empty list means every type.
    events: Mapped[list[str]] = mapped_column(sa.JSON)
    secret_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Failing since the first failure after the last success; after days of it, the endpoint stops.
    failing_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(200))

    data_key: Mapped[DataKey] = relationship()
    organisation: Mapped[Organisation] = relationship()

    @property
    def shown_url(self) -> str:
        """Return the address as pages, lists and emails show it: a query string (often a token) hidden."""
        base, mark, _query = self.url.partition("?")
        return base + ("?…" if mark else "")

    @property
    def secret(self) -> str:
        """Return the signing secret, decrypted (whsec_...)."""
        return str(self.unseal("secret_enc"))


class WebhookDelivery(Model):
    """One event on its way to one endpoint: tried until delivered, in order per check."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.Index("ix_webhook_delivery_pending", "delivered_at", "next_attempt_at"),
        sa.Index("ix_webhook_delivery_order", "endpoint_id", "case_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("check_event.id"), index=True)
    # The event's check, copied here so that the order per check is one indexed look-up.
    case_id: Mapped[int] = mapped_column(sa.Integer)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.String(200))

    event: Mapped[CheckEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()
