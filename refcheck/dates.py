"""One way to write dates for people, used by pages, emails and the report: '6 December 2026'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .months import is_month, month_name


def day(value: dt.date | dt.datetime | None) -> str:
    """Write a date as '6 December 2026' (UTC for a moment in time); empty for none."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return f"{value.day} {value:%B %Y}"


def day_time(value: dt.datetime | None) -> str:
    """Write a moment as '6 December 2026, 14:05 UTC'; empty for none."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return f"{day(value)}, {value:%H:%M} UTC"


def month(value: str | None) -> str:
    """Write a stored month '2023-08' as 'August 2023'; other text is returned as it was typed."""
    if not value:
        return ""
    return month_name(value) if is_month(value) else value


def period(start: str | None, end: str | None, ongoing: str = "now") -> str:
    """Write a span of months as 'April 2022 to October 2026', or '… to now' when it has not ended."""
    return f"{month(start)} to {month(end) if end else ongoing}"


def machine(value: dt.date | dt.datetime | None) -> str:
    """Give a <time datetime> value: a date, or a UTC moment to the second (HTML refuses microseconds)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return f"{value:%Y-%m-%dT%H:%M:%S}Z"
    return value.isoformat()


FILTERS: dict[str, Callable[..., str]] = {
    "day": day, "day_time": day_time, "month": month, "period": period, "machine": machine}
