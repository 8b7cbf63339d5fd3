"""Months as people type them: read 03/2021, 202103, March 2021, marzo de 2021 or mars 2021 as 2021-03.

Also say what is wrong with a month that cannot be read. The words here are translated where they are
shown (refcheck.web.forms): this module is pure, and refcheck.words, which marks them elsewhere, reads it.
"""

from __future__ import annotations

import re
import unicodedata


def N_(text: str) -> str:  # noqa: N802 - gettext's name for "mark for translation"; refcheck.words imports us
    """Mark a text for extraction into the catalogues; it is translated where it is shown."""
    return text


MONTH_HINT = N_("Month and year, for example March 2021 or 03/2021.")
MONTH_MESSAGE = N_("Give the month and year, for example 03/2021 or March 2021.")
YEAR_MESSAGE = N_("Check the year. Give the month and year, for example 03/2021.")
# Work history starts after 1900; a year outside this range is a typing slip, not a career.
FIRST_YEAR, LAST_YEAR = 1900, 2099
CANONICAL = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

_NAMES = ("january february march april may june july august september october "
          "november december").split()
# Month names and their usual short forms as a Spanish or French speaker types them, written here
# without accents: typed accents are dropped before a name is looked up (août, aout and AOÛT alike).
_SPANISH = ("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
            "diciembre").split()
_FRENCH = ("janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre").split()
_SHORT = {
    # Spanish: the first three letters, and the forms style guides and calendars use.
    "ene": 1, "feb": 2, "mar": 3, "abr": 4, "may": 5, "jun": 6, "jul": 7, "ago": 8, "sep": 9, "set": 9,
    "setiembre": 9, "oct": 10, "nov": 11, "dic": 12,
    # French: the abbreviations of the Imprimerie nationale, and the shorter ones people type.
    "janv": 1, "fev": 2, "fevr": 2, "avr": 4, "juil": 7, "aou": 8, "sept": 9, "dec": 12,
}
_BY_NAME = {**{name: n for n, name in enumerate(_NAMES, 1)},
            **{name[:3]: n for n, name in enumerate(_NAMES, 1)}, "sept": 9,
            **{name: n for n, name in enumerate(_SPANISH, 1)},
            **{name: n for n, name in enumerate(_FRENCH, 1)}, **_SHORT}
# iOS turns a typed hyphen into a dash with smart punctuation on, so every dash separates.
_SEP = r"\s*[-/.\u2010-\u2015\u2212\s]\s*"
_YEAR_FIRST = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})$")
_MONTH_FIRST = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{4}})$")
# "marzo de 2021" and "marzo del 2021", as Spanish writes a month.
_NAME_FIRST = re.compile(r"^([a-z]+)\.?,?(?:\s+del?\s+|\s*[-/\s]\s*)?(\d{4})$")
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
    lowered = _without_accents(text.lower())
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


def _without_accents(text: str) -> str:
    """Return text with the accents taken off its letters: 'février' becomes 'fevrier'."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


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
        return YEAR_MESSAGE
    return None
