"""API keys: made for one organisation, shown once, kept only as a hash, revoked by an admin."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

import sqlalchemy as sa

from . import access, audit, organisations
from .api_models import ApiKey, IdempotentRequest
from .columns import rows_changed
from .errors import CaseError
from .extensions import db
from .text import ONE_LINE_MESSAGE, has_control

# Recognisable in a secret scanner's rules and in a log a person pastes by mistake.
KEY_PREFIX = "rck_"
# How often a key's last use is written: a busy key would otherwise write on every call.
LAST_USE_EVERY = dt.timedelta(minutes=1)


def create(organisation_name: str, name: str, actor: str, now: dt.datetime) -> tuple[ApiKey, str]:
    """Make a key for an organisation and return it with the key itself, which is never kept."""
    organisation = organisations.named(organisation_name)
    if organisation is None:
        raise CaseError(f"There is no organisation called {organisation_name!r}.")
    name = " ".join(name.split()) or "API key"
    if len(name) > 80 or has_control(name):
        raise CaseError(ONE_LINE_MESSAGE if has_control(name) else "Use at most 80 characters for the name.")
    # 256 random bits: the project's token hash (plain SHA-256) is enough, no slow password hash.
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(organisation=organisation, name=name, prefix=key[:12], key_hash=access.hash_token(key),
                 created_by=actor, created_at=now)
    db.session.add(row)
    db.session.flush()
    audit.record("api_key.created", actor, api_key=row.id, organisation_id=organisation.id, name=name)
    return row, key


def listed() -> list[ApiKey]:
    """Return every key, newest first, with its organisation."""
    return list(db.session.execute(
        sa.select(ApiKey).options(sa.orm.joinedload(ApiKey.organisation)).order_by(ApiKey.id.desc())).scalars())


def revoke(key_id: int, actor: str, now: dt.datetime) -> ApiKey:
    """Stop a key from working, at once and for good."""
    row = db.session.get(ApiKey, key_id)
    if row is None:
        raise CaseError(f"There is no API key {key_id}.")
    if row.revoked_at is not None:
        raise CaseError(f"The API key {key_id} was revoked already.")
    row.revoked_at = now
    audit.record("api_key.revoked", actor, api_key=row.id, organisation_id=row.organisation_id)
    return row


def authenticate(presented: str) -> ApiKey | None:
    """Return the live key a request presented, or None."""
    if not presented.startswith(KEY_PREFIX) or len(presented) > 100:
        return None
    digest = access.hash_token(presented)
    row = db.session.execute(sa.select(ApiKey).where(ApiKey.key_hash == digest)).scalar_one_or_none()
    # The look-up is by an index on the hash; the comparison again guards against a collation surprise.
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.key_hash, digest):
        return None
    return row


def forget_orders(now: dt.datetime, hours: int, batch: int = 1000) -> int:
    """Delete up to `batch` Idempotency-Key records older than the time retries are answered from them.

    A batch at a time, each committed by the caller, as sent mail is pruned: no long transaction.
    """
    ids = list(db.session.execute(sa.select(IdempotentRequest.id).where(
        IdempotentRequest.created_at < now - dt.timedelta(hours=hours)).limit(batch)).scalars())
    if not ids:
        return 0
    return rows_changed(db.session.execute(sa.delete(IdempotentRequest).where(
        IdempotentRequest.id.in_(ids)).execution_options(synchronize_session=False)))


def note_use(row: ApiKey, now: dt.datetime) -> None:
    """Note when a key was last used, at most once a minute; the caller's commit writes it."""
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_EVERY:
        row.last_used_at = now
