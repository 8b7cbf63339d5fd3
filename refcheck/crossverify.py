"""Cross-verification: compare each fact across the candidate's claim and every referee.

Pure Python, no Flask import. Agreement is judged as a careful person would (refcheck.likeness):
months within a tolerance agree, but the difference is kept and the finding is a minor difference,
shown to staff and the candidate rather than hidden; employer names agree across case, punctuation
and legal suffixes, job titles across common abbreviations but not across a change of seniority,
and reasons for leaving compare by category.

Explanations are written by refcheck.finding_words: in the third person ("The candidate stated …")
as sealed into the report, and addressed to "you" on the candidate's own pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .finding_words import UNKNOWN, explain
from .likeness import MONTH_FACTS, compare, groups, month_index, normalise_employer, normalise_title

__all__ = ["UNKNOWN", "Finding", "Source", "compare", "coverage", "kind_of", "month_index",
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

    def to_json(self) -> dict[str, Any]:
        """Return the source as JSON data."""
        return {"source": self.source, "relationship": self.relationship, "value": self.value,
                "agrees": self.agrees, "difference": self.difference}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Source:
        """Read a source back from its JSON data (extra keys, such as a label, are ignored)."""
        return cls(data["source"], data.get("relationship"), data.get("value"), data.get("agrees"),
                   data.get("difference"))


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

def verify(claims: dict[str, Any], referees: list[dict[str, Any]],
           tolerance_months: int = 2) -> list[Finding]:
    """Return one finding per fact present in the claims or in any referee's facts."""
    facts: list[str] = list(claims)
    for referee in referees:
        facts.extend(f for f in referee.get("facts", {}) if f not in facts)
    return [_finding(fact, claims, referees, tolerance_months) for fact in facts]


def _finding(fact: str, claims: dict[str, Any], referees: list[dict[str, Any]],
             tolerance: int) -> Finding:
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
            source.agrees, source.difference = compare(fact, claim, value, tolerance)
        answered.append(source)

    if not answered:
        return _explained(Finding(fact, "unverified", "low" if has_claim else "none", "", sources),
                          tolerance)
    if has_claim:
        agreeing = [s for s in answered if s.agrees]
        disagreeing = [s for s in answered if not s.agrees]
    else:
        # Nothing claimed: referees are compared with each other.
        if len(groups(fact, answered, tolerance)) > 1:
            return _explained(Finding(fact, "conflict", _severity(fact, answered, tolerance), "", sources),
                              tolerance)
        agreeing, disagreeing = answered, []
        for source in answered:
            source.agrees = True
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
        gaps = [abs((month_index(s.value) or 0) - (month_index(claim) or 0)) for s in sources]
        return "high" if max(gaps, default=0) > 6 else "medium"
    return "high" if fact in KEY_FACTS else "medium"


def coverage(required: dict[str, int], referees: list[dict[str, Any]]) -> dict[str, Any]:
    """Say whether the referees cover the relationships the scope requires."""
    have: dict[str, int] = {}
    for referee in referees:
        have[referee.get("relationship", "other")] = have.get(referee.get("relationship", "other"), 0) + 1
    missing = {r: n - have.get(r, 0) for r, n in required.items() if have.get(r, 0) < n}
    return {"covered": not missing, "missing": missing, "have": have}
