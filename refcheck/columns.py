"""Column types and defaults every table shares: UTC times on every backend, and random row ids."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

import sqlalchemy as sa


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    """Return a random row id; sealed rows know their id before they are written."""
    return uuid.uuid4().hex


class UTCDateTime(sa.types.TypeDecorator):
    """Store UTC and always return aware datetimes, also on SQLite which drops tzinfo."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Refuse naive datetimes and store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Return aware UTC datetimes."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def rows_changed(result: sa.Result[Any]) -> int:
    """Return how many rows an UPDATE or DELETE changed (its result is a cursor's, with a row count)."""
    return cast(sa.CursorResult[Any], result).rowcount
