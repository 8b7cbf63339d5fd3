"""Whether two answers about a fact are the same, as a careful person would judge: pure, no Flask."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from .months import is_month

MONTH_FACTS = {"start_month", "end_month", "worked_together_from", "worked_together_to"}
_LEGAL_SUFFIXES = {
    "ltd", "limited", "inc", "incorporated", "llc", "gmbh", "plc", "corp", "corporation", "co", "company",
    "llp", "lp", "sa", "sas", "sarl", "ag", "bv", "nv", "pty", "srl", "spa", "ab", "as", "oy", "kk",
}
_TITLE_ABBREVIATIONS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "jnr": "junior", "mgr": "manager", "mngr": "manager",
    "eng": "engineer", "engr": "engineer", "dev": "developer", "vp": "vice president", "svp":
    "senior vice president", "evp": "executive vice president", "dir": "director", "assoc": "associate",
    "asst": "assistant", "exec": "executive", "admin": "administrator", "ops": "operations",
    "mktg": "marketing", "hd": "head", "swe": "software engineer", "sde": "software developer",
    "pm": "product manager", "qa": "quality assurance", "hr": "human resources",
    "it": "information technology",
    "cto": "chief technology officer", "ceo": "chief executive officer", "cfo": "chief financial officer",
    "coo": "chief operating officer", "mgmt": "management", "tech": "technical",
}


def _plain(text: str) -> str:
    """Fold accents and case, and turn punctuation into spaces."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def normalise_employer(name: str) -> str:
    """Reduce an employer's name to what identifies it."""
    words = _plain(name).split()
    while words and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def normalise_title(title: str) -> str:
    """Expand common abbreviations so that 'Sr. Data Eng.' reads as 'senior data engineer'."""
    words = []
    for word in _plain(title).split():
        words.extend(_TITLE_ABBREVIATIONS.get(word, word).split())
    return " ".join(words)


def month_index(value: str) -> int | None:
    """Turn 'YYYY-MM' into a month count, or None if it is not a month."""
    text = str(value).strip()
    if not is_month(text):
        return None
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def compare(fact: str, claim: Any, other: Any, tolerance_months: int = 2) -> tuple[bool, str | None]:
    """Say whether two values of a fact agree, and describe any difference within tolerance."""
    if fact in MONTH_FACTS:
        a, b = month_index(claim), month_index(other)
        if a is None or b is None:
            return str(claim).strip() == str(other).strip(), None
        gap = abs(a - b)
        if gap == 0:
            return True, None
        note = f"{gap} month{'s' if gap != 1 else ''} apart"
        return gap <= tolerance_months, note
    if fact == "employer":
        return normalise_employer(claim) == normalise_employer(other), None
    if fact == "title":
        return normalise_title(claim) == normalise_title(other), None
    return _plain(claim) == _plain(other), None


class Valued(Protocol):
    """Anything that carries an answer: a source of a finding."""

    @property
    def value(self) -> Any: ...  # noqa: D102 - the answer


T = TypeVar("T", bound=Valued)


def groups(fact: str, answered: Sequence[T], tolerance: int) -> list[list[T]]:
    """Group answers that agree with each other, in the order first seen."""
    found: list[list[T]] = []
    for source in answered:
        for group in found:
            if compare(fact, group[0].value, source.value, tolerance)[0]:
                group.append(source)
                break
        else:
            found.append([source])
    return found


def months_apart(first: Any, second: Any) -> int | None:
    """Return how many months lie between two months, or None unless both are months."""
    a, b = month_index(first), month_index(second)
    return None if a is None or b is None else abs(a - b)
