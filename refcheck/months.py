"""Months as people type them: read 03/2021, 202103 or March 2021 as 2021-03, and say what is wrong."""

from __future__ import annotations

import re

MONTH_HINT = "Month and year, for example March 2021 or 03/2021."
MONTH_MESSAGE = "Give the month and year, for example 03/2021 or March 2021."
# Work history starts after 1900; a year outside this range is a typing slip, not a career.
FIRST_YEAR, LAST_YEAR = 1900, 2099
CANONICAL = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

_NAMES = ("january february march april may june july august september october "
          "november december").split()
_BY_NAME = {**{name: n for n, name in enumerate(_NAMES, 1)},
            **{name[:3]: n for n, name in enumerate(_NAMES, 1)}, "sept": 9}
# iOS turns a typed hyphen into a dash with smart punctuation on, so every dash separates.
_SEP = r"\s*[-/.\u2010-\u2015\u2212\s]\s*"
_YEAR_FIRST = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})$")
_MONTH_FIRST = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{4}})$")
_NAME_FIRST = re.compile(r"^([a-z]+)\.?,?(?:\s*[-/\s]\s*)?(\d{4})$")
_NAME_LAST = re.compile(r"^(\d{4}),?(?:\s*[-/\s]\s*)?([a-z]+)\.?$")


def _month(year: str, month: int | str) -> str | None:
    """Return 'YYYY-MM' when the month number exists, else None."""
    number = _BY_NAME.get(month) if isinstance(month, str) and not month.isdigit() else int(month)
    if number is None or not 1 <= number <= 12:
        return None
    return f"{year}-{number:02d}"


def normalise_month(value: str | None) -> str | None:
    """Return a typed month as 'YYYY-MM', or the text unchanged (but trimmed) when it is not one."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    lowered = text.lower()
    found: str | None = None
    if match := _YEAR_FIRST.match(lowered):
        found = _month(match[1], match[2])
    elif match := _MONTH_FIRST.match(lowered):
        found = _month(match[2], match[1])
    elif re.fullmatch(r"\d{6}", lowered):
        # 202103 is year then month; 032021 is month then year. A year starting 19 or 20 is
        # never a month, so the two readings cannot both hold for the years we accept.
        found = _month(lowered[:4], lowered[4:]) or _month(lowered[2:], lowered[:2])
    elif match := _NAME_FIRST.match(lowered):
        found = _month(match[2], match[1])
    elif match := _NAME_LAST.match(lowered):
        found = _month(match[1], match[2])
    return found or text


def is_month(value: str | None) -> bool:
    """Say whether a value is a month in the stored form, 'YYYY-MM'."""
    return CANONICAL.match(value or "") is not None


def month_name(value: str) -> str:
    """Turn '2024-03' into 'March 2024'."""
    year, month = value.split("-")
    return f"{_NAMES[int(month) - 1].capitalize()} {year}"


def month_problem(value: str | None) -> str | None:
    """Return why a normalised month cannot be accepted, or None when it is a real 'YYYY-MM'."""
    match = CANONICAL.match(value or "")
    if match is None:
        return MONTH_MESSAGE
    if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        return "Check the year. Give the month and year, for example 03/2021."
    return None
