"""One way to write dates for people, per language, used by pages, emails and the report: '6 December 2026'.

Babel writes them as each language does ('6 de diciembre de 2026', '6 décembre 2026'); the functions take
the locale, so this module stays free of Flask. Pages and emails pass the request's (refcheck.i18n).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from babel.dates import format_date, format_skeleton, format_time

from .months import is_month

# British English, as refcheck has always written dates; the other languages' locales are named in i18n.
ENGLISH = "en_GB"


def _utc(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """Return a moment in time in UTC, as every date refcheck shows is; a calendar date as it is."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    return value


def day(value: dt.date | dt.datetime | None, locale: str = ENGLISH) -> str:
    """Write a date as '6 December 2026' (UTC for a moment in time); empty for none."""
    if value is None:
        return ""
    return format_date(_utc(value), "long", locale=locale)


def day_time(value: dt.datetime | None, locale: str = ENGLISH) -> str:
    """Write a moment as '6 December 2026, 14:05 UTC'; empty for none."""
    if value is None:
        return ""
    moment = value.astimezone(dt.UTC) if value.tzinfo is not None else value
    return f"{day(moment, locale)}, {format_time(moment, 'HH:mm', locale=locale)} UTC"


def month(value: str | None, locale: str = ENGLISH) -> str:
    """Write a stored month '2023-08' as 'August 2023'; other text is returned as it was typed."""
    if not value:
        return ""
    if not is_month(value):
        return value
    year, number = value.split("-")
    return format_skeleton("yMMMM", dt.date(int(year), int(number), 1), locale=locale)


def period(start: str | None, end: str | None, ongoing: str = "now") -> str:
    """Write a span of months in English: 'April 2022 to October 2026', or '… to now' if it goes on."""
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


# The filters that write for a person, by their template names; each takes the locale as its last argument.
FOR_PEOPLE: dict[str, Callable[..., str]] = {"day": day, "day_time": day_time, "month": month}
