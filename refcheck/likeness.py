"""Whether two answers about a fact are the same, as a careful person would judge, and why: pure, no Flask.

Each kind of fact has its own module: months (refcheck.periods), employers (refcheck.employers, with
the staff mapping of other names passed in as plain data) and job titles (refcheck.titles). The
choices a referee picks from (reason for leaving, re-employment, relationship) compare by what they
mean, however they were worded. The rules are those of tests/data/README.md, "How a careful person
labels a scenario"; tests/data/MATCHING.md says where they come from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol, TypeVar

from .employers import AliasBook, compare_employers, normalise_employer
from .months import is_month
from .periods import compare_months, months_apart
from .titles import compare_titles, normalise_title
from .wording import fold

__all__ = ["MONTH_FACTS", "AliasBook", "Match", "compare", "groups", "month_index", "months_apart",
           "normalise_employer", "normalise_title"]

MONTH_FACTS = {"start_month", "end_month", "worked_together_from", "worked_together_to"}
# What each answer to a choice means, however it was worded: the stored code first.
_MEANINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "reason_for_leaving": {
        "resigned": ("resigned", "resignation", "quit", "left voluntarily", "voluntary resignation",
                     "left for another job", "moved on"),
        "contract_ended": ("contract ended", "end of contract", "contract end", "contract expired",
                           "contract finished", "fixed term ended", "fixed term contract ended"),
        "laid_off": ("laid off", "layoff", "redundancy", "made redundant", "redundant", "role eliminated",
                     "position eliminated"),
        "dismissed": ("dismissed", "dismissal", "fired", "sacked", "terminated", "terminated for cause"),
        "still_employed": ("still employed", "still there", "still works there", "current employee"),
    },
    "rehire_eligible": {"yes": ("yes", "y", "true", "eligible", "yes eligible"),
                        "no": ("no", "n", "false", "not eligible", "ineligible")},
    "relationship": {
        "manager": ("manager", "line manager", "supervisor", "boss", "direct manager", "reporting manager"),
        "peer": ("peer", "colleague", "coworker", "co worker", "teammate", "team mate"),
        "direct_report": ("direct report", "report", "subordinate", "reported to me"),
        "client": ("client", "customer"),
    },
}
_MEANING_OF = {fact: {phrase: code for code, phrases in meanings.items() for phrase in phrases}
               for fact, meanings in _MEANINGS.items()}


class Match(NamedTuple):
    """How one answer compares with another: whether they agree, a difference kept, and why they match."""

    agrees: bool
    difference: str | None = None
    why: str | None = None


def _plain(value: Any) -> str:
    """Fold accents and case, and turn punctuation into spaces."""
    return " ".join(fold(part) for part in re.split(r"[\W_]+", str(value)) if fold(part))


def _meaning(fact: str, value: Any) -> str:
    """Return what an answer to a choice means: its code, or its plain words when it is not one."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    plain = _plain(value)
    return _MEANING_OF.get(fact, {}).get(plain, plain)


def compare(fact: str, claim: Any, other: Any, tolerance_months: int = 2,
            aliases: AliasBook | None = None) -> Match:
    """Say whether two answers about a fact agree, describe a difference within tolerance, and say why."""
    if fact in MONTH_FACTS:
        return Match(*compare_months(claim, other, tolerance_months))
    if fact == "employer":
        agrees, why = compare_employers(str(claim), str(other), aliases)
        return Match(agrees, None, why)
    if fact == "title":
        agrees, why = compare_titles(str(claim), str(other))
        return Match(agrees, None, why)
    if fact in _MEANINGS:
        same = _meaning(fact, claim) == _meaning(fact, other)
        worded = same and _plain(claim) != _plain(other)
        return Match(same, None, "the same answer in other words" if worded else None)
    return Match(_plain(claim) == _plain(other))


def month_index(value: str) -> int | None:
    """Turn 'YYYY-MM' into a month count, or None if it is not a month."""
    text = str(value).strip()
    if not is_month(text):
        return None
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


class Valued(Protocol):
    """Anything that carries an answer: a source of a finding."""

    @property
    def value(self) -> Any: ...  # noqa: D102 - the answer


T = TypeVar("T", bound=Valued)


def groups(fact: str, answered: Sequence[T], tolerance: int,
           aliases: AliasBook | None = None) -> list[list[T]]:
    """Group answers that agree with each other, in the order first seen."""
    found: list[list[T]] = []
    for source in answered:
        for group in found:
            if compare(fact, group[0].value, source.value, tolerance, aliases).agrees:
                group.append(source)
                break
        else:
            found.append([source])
    return found
