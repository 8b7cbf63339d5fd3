"""Cross-verification: compare each fact across the candidate's claim and every referee.

Pure Python, no Flask import. Agreement is judged as a careful person would (refcheck.likeness):
months within a tolerance agree, but the difference is kept and the finding is a minor difference,
shown to staff and the candidate rather than hidden, and a year or quarter stands for any month in
it; employer names agree across case, punctuation, legal forms and abbreviations, and across former
names, parents and trading names only through the staff mapping passed in (`aliases`); job titles
agree across abbreviations, word order, spelling and alternate titles of one occupation, but not
across a change of function or seniority; reasons for leaving compare by category. Each source that
agrees says why (`Source.why`) when it was written differently.

Explanations are written by refcheck.finding_words: in the third person ("The candidate stated …")
as sealed into the report, and addressed to "you" on the candidate's own pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .employers import Alias, AliasBook
from .finding_words import UNKNOWN, explain
from .likeness import (
    MONTH_FACTS,
    compare,
    groups,
    month_index,
    months_apart,
    normalise_employer,
    normalise_title,
)

__all__ = ["UNKNOWN", "Alias", "Finding", "Source", "compare", "coverage", "kind_of", "month_index",
           "normalise_employer", "normalise_title", "verify"]

# Facts whose disagreement matters most for a hiring decision.
KEY_FACTS = {"employer", "title", "start_month", "end_month", "reason_for_leaving", "rehire_eligible"}
# Statuses that mean the referees agree (with the claim, or with each other when nothing was claimed).
AGREEING = ("corroborated", "single_source")
MINOR_DIFFERENCE = "minor_difference"


@dataclass
class Source:
    """What one source said about a fact, and how it compares with the claim."""

    source: str  # "candidate" or a referee id
    relationship: str | None
    value: Any
    agrees: bool | None = None
    difference: str | None = None
    # Why it agrees though written differently: "same title: 'Sr.' is short for 'Senior'".
    why: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the source as JSON data."""
        return {"source": self.source, "relationship": self.relationship, "value": self.value,
                "agrees": self.agrees, "difference": self.difference, "why": self.why}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Source:
        """Read a source back from its JSON data (extra keys, such as a label, are ignored).

        Findings frozen before matches said why have no `why`; they read as None.
        """
        return cls(data["source"], data.get("relationship"), data.get("value"), data.get("agrees"),
                   data.get("difference"), data.get("why"))


@dataclass
class Finding:
    """The verdict on one fact."""

    fact: str
    status: str  # corroborated | single_source | conflict | unverified
    severity: str  # none | low | medium | high
    explanation: str
    sources: list[Source] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """Say what kind of finding it is: its status, or a minor difference (see kind_of)."""
        return kind_of(self.status, self.sources)

    @property
    def agrees_with_claim(self) -> bool:
        """Say whether every referee who knew the fact agreed exactly with what the candidate said."""
        return self.kind in AGREEING and any(s.source == "candidate" for s in self.sources)

    def to_json(self) -> dict[str, Any]:
        """Return the finding as JSON data."""
        return {"fact": self.fact, "status": self.status, "kind": self.kind, "severity": self.severity,
                "explanation": self.explanation, "sources": [s.to_json() for s in self.sources]}

    @classmethod
    def from_stored(cls, fact: str, status: str, severity: str, content: dict[str, Any]) -> Finding:
        """Read a frozen finding back: its fact, status and severity, and its sealed content."""
        return cls(fact, status, severity, content.get("explanation", ""),
                   [Source.from_json(s) for s in content.get("sources", [])])


def kind_of(status: str, sources: list[Source]) -> str:
    """Return a finding's kind: its status, except that agreement with a difference is a minor difference.

    Read off the sources, so a finding frozen before minor differences had a name reads as one too.
    """
    if status in AGREEING and any(s.agrees and s.difference for s in sources):
        return MINOR_DIFFERENCE
    return status


# ---------------------------------------------------------------- the engine

def verify(claims: dict[str, Any], referees: list[dict[str, Any]], tolerance_months: int = 2,
           aliases: AliasBook | Iterable[Alias | Mapping[str, str]] = ()) -> list[Finding]:
    """Return one finding per fact present in the claims or in any referee's facts.

    `aliases` is the staff mapping of employers' other names: {"name", "same_as", "relation"} each,
    or an AliasBook already made of them.
    """
    facts: list[str] = list(claims)
    for referee in referees:
        facts.extend(f for f in referee.get("facts", {}) if f not in facts)
    book = aliases if isinstance(aliases, AliasBook) else AliasBook(aliases)
    return [_finding(fact, claims, referees, tolerance_months, book) for fact in facts]


def _finding(fact: str, claims: dict[str, Any], referees: list[dict[str, Any]],
             tolerance: int, book: AliasBook) -> Finding:
    """Judge one fact."""
    claim = claims.get(fact)
    has_claim = claim not in (None, "", UNKNOWN)
    sources: list[Source] = []
    if has_claim:
        sources.append(Source("candidate", None, claim))
    answered: list[Source] = []
    for referee in referees:
        value = referee.get("facts", {}).get(fact)
        if value is None or value == "":
            continue
        source = Source(str(referee.get("id")), referee.get("relationship"), value)
        sources.append(source)
        if value == UNKNOWN:
            continue
        if has_claim:
            match = compare(fact, claim, value, tolerance, book)
            source.agrees, source.difference = match.agrees, match.difference
            source.why = match.why if match.agrees else None
        answered.append(source)

    if not answered:
        return _explained(Finding(fact, "unverified", "low" if has_claim else "none", "", sources),
                          tolerance)
    if has_claim:
        agreeing = [s for s in answered if s.agrees]
        disagreeing = [s for s in answered if not s.agrees]
    else:
        # Nothing claimed: referees are compared with each other.
        if len(groups(fact, answered, tolerance, book)) > 1:
            return _explained(Finding(fact, "conflict", _severity(fact, answered, tolerance), "", sources),
                              tolerance)
        agreeing, disagreeing = answered, []
        for source in answered:
            source.agrees = True
            if source is not answered[0]:
                # Compared with the first answer, as the grouping was: a gap within tolerance is kept.
                match = compare(fact, answered[0].value, source.value, tolerance, book)
                source.difference, source.why = match.difference, match.why
    if disagreeing:
        severity = _severity(fact, disagreeing, tolerance, claim)
        return _explained(Finding(fact, "conflict", severity, "", sources), tolerance)
    status = "corroborated" if len(agreeing) >= 2 else "single_source"
    severity = "none" if status == "corroborated" else "low"
    return _explained(Finding(fact, status, severity, "", sources), tolerance)


def _explained(finding: Finding, tolerance: int) -> Finding:
    """Write the finding's sentence as the report keeps it (third person)."""
    finding.explanation = explain(finding, tolerance=tolerance)
    return finding


def _severity(fact: str, sources: list[Source], tolerance: int, claim: Any = None) -> str:
    """Rate how much a disagreement matters."""
    if fact in MONTH_FACTS and claim is not None:
        gaps = [months_apart(s.value, claim) for s in sources]
        # No gap to count: one says the person is still there, the other names a month they left.
        return "high" if any(gap is None or gap > 6 for gap in gaps) else "medium"
    return "high" if fact in KEY_FACTS else "medium"


def coverage(required: dict[str, int], referees: list[dict[str, Any]]) -> dict[str, Any]:
    """Say whether the referees cover the relationships the scope requires."""
    have: dict[str, int] = {}
    for referee in referees:
        have[referee.get("relationship", "other")] = have.get(referee.get("relationship", "other"), 0) + 1
    missing = {r: n - have.get(r, 0) for r, n in required.items() if have.get(r, 0) < n}
    return {"covered": not missing, "missing": missing, "have": have}
