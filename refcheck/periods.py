"""Months as answers about a fact: a month, a year or a quarter standing for some month in it, or "present".

Pure, no Flask. A typed month is read by refcheck.months.normalise_month; this module adds what people
also write when they do not remember the month (tests/data/README.md, "How a careful person labels a
scenario"): "2021" and "Q1 2021" stand for any month in them, and "present", "current", "still there"
or "now" say the person has not left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from .months import FIRST_YEAR, LAST_YEAR, is_month, month_name, normalise_month

# Said of an end month by someone who is still there. Compared as folded words, so "Present." counts.
PRESENT_WORDS = {
    "present", "current", "currently", "now", "still there", "still here", "still employed", "ongoing",
    "to date", "to present", "till date", "till now", "until now", "to now", "today", "current role",
    "current position", "current job", "still working there", "still works there", "still in post",
    "still with us", "still with the company", "still at the company", "continuing",
}
_QUARTER_NAMES = {"1": 1, "2": 2, "3": 3, "4": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
                  "first": 1, "second": 2, "third": 3, "fourth": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER = [
    re.compile(r"^q([1-4])\s*(?:of\s+)?['’]?(\d{4}|\d{2})$"),
    re.compile(r"^(\d{4})\s*q([1-4])$"),
    re.compile(r"^([1-4])q\s*['’]?(\d{4}|\d{2})$"),
    re.compile(r"^(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?(\d{4})$"),
    # SAS writes quarters in Roman numerals too: "2021QI".
    re.compile(r"^(\d{4})\s*q(iv|i{1,3})$"),
]
# Part of a year, as CVs say it: early, mid and late 2021 are its thirds; H1 and H2 its halves.
_PART = re.compile(r"^(early|mid|late|h1|h2|first half of|second half of)[\s-]*(\d{4})$")
_PARTS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12), "h1": (1, 6), "first half of": (1, 6),
          "h2": (7, 12), "second half of": (7, 12)}
_YEAR = re.compile(r"^(?:in\s+|during\s+|sometime\s+in\s+)?(\d{4})$")
# Month and a two-digit year ("Mar 21", "03/21", "March '21"): the two digits name a year of this century
# below 50, of the last one from 50 (no career reaches back to 1950 and on to 2050 in one answer).
_SHORT_NAMED = re.compile(r"^([a-z]{3,9})\.?,?\s*['’]?(\d{2})$")
_SHORT_NUMBER = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{2})$")
# A day written too ("2021-03-15", "15 March 2021", "March 15, 2021"): the month is what counts.
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# A day, month and year in figures: day first in most countries, month first in the US. Read only when
# one of the two numbers cannot be a month; "05/03/2021" could be either, and is not guessed.
_FIGURES_DAY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_DAY_NAMED = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?,?\s+(\d{4})$")
_NAMED_DAY = re.compile(r"^([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_FAR = 10**6  # where "still there" sits: after every month anyone can name


@dataclass(frozen=True)
class Period:
    """A stretch of months an answer stands for: one month, a quarter, a year, or "still there"."""

    first: int  # month count: year * 12 + month - 1
    last: int
    kind: str  # month | quarter | part (of a year) | year | present
    words: str  # as a person reads it: "March 2021", "Q1 2021", "2021", "present"

    @property
    def present(self) -> bool:
        """Say whether the answer means the person is still there."""
        return self.kind == "present"

    def contains(self, other: Period) -> bool:
        """Say whether every month of the other period lies inside this one."""
        return self.first <= other.first and other.last <= self.last


class MonthMatch(NamedTuple):
    """How two month answers compare: whether they agree, the gap kept, and why."""

    agrees: bool
    difference: str | None
    why: str | None


def _index(year: int, month: int) -> int:
    """Count months from year 0."""
    return year * 12 + month - 1


def _year(text: str) -> int | None:
    """Return a four-digit year, or a two-digit one read as the nearest century; None out of range."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 50 else 1900
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def _month(year_text: str, month_text: str) -> Period | None:
    """Return one month from a year and a month number or name, or None."""
    found = normalise_month(f"{month_text} {year_text}") if len(year_text) == 4 else None
    if found is None or not is_month(found):
        year = _year(year_text)
        canonical = normalise_month(f"{month_text} 2000")
        if year is None or canonical is None or not is_month(canonical):
            return None
        found = f"{year}-{canonical[5:]}"
    year, month = (int(part) for part in found.split("-"))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return Period(_index(year, month), _index(year, month), "month", month_name(found))


def _plain(value: str) -> str:
    """Fold case and spaces, and drop a full stop at the end."""
    return " ".join(str(value).casefold().replace("\u2019", "'").split()).strip(" .")


def parse_period(value: Any) -> Period | None:
    """Read an answer about a month as the period it stands for, or None when it names no month."""
    if value is None or isinstance(value, bool):
        return None
    text = _plain(str(value))
    if not text:
        return None
    if text in PRESENT_WORDS or re.sub(r"[^a-z ]", "", text) in PRESENT_WORDS:
        return Period(_FAR, _FAR, "present", "present")
    typed = normalise_month(str(value).strip())
    if typed and is_month(typed):
        year, month = (int(part) for part in typed.split("-"))
        if FIRST_YEAR <= year <= LAST_YEAR:
            return Period(_index(year, month), _index(year, month), "month", month_name(typed))
    if match := _YEAR.match(text):
        whole = _year(match[1])
        return None if whole is None else Period(_index(whole, 1), _index(whole, 12), "year", str(whole))
    for number, pattern in enumerate(_QUARTER):
        if match := pattern.match(text):
            quarter_text, year_text = (match[2], match[1]) if number in (1, 4) else (match[1], match[2])
            of = _year(year_text)
            if of is None:
                return None
            quarter = _QUARTER_NAMES[quarter_text]
            first = _index(of, quarter * 3 - 2)
            return Period(first, first + 2, "quarter", f"Q{quarter} {of}")
    if match := _PART.match(text):
        of = _year(match[2])
        if of is None:
            return None
        first_month, last_month = _PARTS[match[1]]
        return Period(_index(of, first_month), _index(of, last_month), "part",
                      f"{match[1].upper() if match[1] in ('h1', 'h2') else match[1]} {of}")
    if match := _SHORT_NAMED.match(text) or _SHORT_NUMBER.match(text):
        return _month(match[2], match[1])
    if match := _ISO_DAY.match(text):
        return _month(match[1], match[2])
    if match := _FIGURES_DAY.match(text):
        first, second = int(match[1]), int(match[2])
        if first == second or second > 12 >= first:
            return _month(match[3], match[1])
        return _month(match[3], match[2]) if first > 12 >= second else None
    if match := _DAY_NAMED.match(text):
        return _month(match[3], match[2])
    if match := _NAMED_DAY.match(text):
        return _month(match[3], match[1])
    return None


def gap(first: Period, second: Period) -> int | None:
    """Return how many months lie between the nearest months of two periods (0 when they overlap)."""
    if first.present or second.present:
        return 0 if first.present and second.present else None
    if first.last < second.first:
        return second.first - first.last
    if second.last < first.first:
        return first.first - second.last
    return 0


def months_apart(first: Any, second: Any) -> int | None:
    """Return the months between two answers' nearest months, or None unless both name months."""
    a, b = parse_period(first), parse_period(second)
    if a is None or b is None or a.present or b.present:
        return None
    return gap(a, b)


def _apart(months: int) -> str:
    """Say a gap as the difference a finding keeps: '2 months apart'."""
    return f"{months} month{'s' if months != 1 else ''} apart"


def compare_months(claim: Any, other: Any, tolerance: int) -> MonthMatch:
    """Compare two answers about a month as the labelling rules do, and say why they match."""
    a, b = parse_period(claim), parse_period(other)
    if a is None or b is None:
        same = _plain(str(claim)) == _plain(str(other))
        return MonthMatch(same, None, None)
    if a.present or b.present:
        if a.present and b.present:
            return MonthMatch(True, None, None if _plain(claim) == _plain(other) else
                              "both say the person is still there")
        # Still there against a month they left: the person has left, or has not.
        return MonthMatch(False, None, None)
    months = gap(a, b)
    assert months is not None  # neither is "present" here, so both name months
    if months == 0:
        return MonthMatch(True, None, _why_overlap(a, b, claim, other))
    within = months <= tolerance
    if a.kind == b.kind == "month":
        # The gap kept ("2 months apart") says it all; the finding's sentence gives both months.
        return MonthMatch(within, _apart(months), None)
    return MonthMatch(within, _apart(months), _why_nearest(a, b, months) if within else None)


def _why_overlap(a: Period, b: Period, claim: Any, other: Any) -> str | None:
    """Say why two periods agree: the same month written differently, or one containing the other."""
    if a == b:
        if _plain(str(claim)) == _plain(str(other)):
            return None
        return f"the same {'month' if a.kind == 'month' else 'period'}: {a.words}"
    if a.contains(b):
        return f"{a.words} contains {b.words}"
    if b.contains(a):
        return f"{b.words} contains {a.words}"
    return f"{a.words} and {b.words} overlap"


def _why_nearest(a: Period, b: Period, months: int) -> str:
    """Say which months are nearest when a year or quarter is within the tolerance of another answer."""
    wide, narrow = (a, b) if a.last - a.first >= b.last - b.first else (b, a)
    nearest = wide.last if wide.last < narrow.first else wide.first
    name = month_name(f"{nearest // 12:04d}-{nearest % 12 + 1:02d}")
    return (f"{name}, the nearest month of {wide.words}, is {months} month{'s' if months != 1 else ''} "
            f"from {narrow.words}")
