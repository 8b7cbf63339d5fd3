"""Cross-verification: compare each fact across the candidate's claim and every referee.

Pure Python, no Flask import. Agreement is judged as a careful person would:
months within a tolerance agree (the difference is still listed), employer names
agree across case, punctuation and legal suffixes, job titles agree across common
abbreviations but not across a change of seniority, and reasons for leaving
compare by category.

Explanations are written in the third person ("The candidate stated …"): the same
sentence reaches the candidate, staff and the hiring side, sealed into the report.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .months import is_month, month_name

UNKNOWN = "unknown"
MONTH_FACTS = {"start_month", "end_month", "worked_together_from", "worked_together_to"}
# Facts whose disagreement matters most for a hiring decision.
KEY_FACTS = {"employer", "title", "start_month", "end_month", "reason_for_leaving", "rehire_eligible"}
FACT_WORDS = {
    "employer": "the employer", "title": "the job title", "start_month": "the start date",
    "end_month": "the end date", "reason_for_leaving": "the reason for leaving",
    "rehire_eligible": "eligibility for re-employment", "relationship": "the working relationship",
    "worked_together_from": "the start of the working relationship",
    "worked_together_to": "the end of the working relationship",
}
# relationship -> (singular, plural) as a sentence names a referee.
RELATIONSHIP_WORDS = {"manager": ("manager", "managers"), "peer": ("peer", "peers"),
                      "direct_report": ("direct report", "direct reports"), "client": ("client", "clients"),
                      "other": ("colleague", "colleagues")}
_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
           10: "ten"}
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


@dataclass
class Finding:
    """The verdict on one fact."""

    fact: str
    status: str  # corroborated | single_source | conflict | unverified
    severity: str  # none | low | medium | high
    explanation: str
    sources: list[Source] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the finding as JSON data."""
        return {"fact": self.fact, "status": self.status, "severity": self.severity,
                "explanation": self.explanation, "sources": [s.to_json() for s in self.sources]}


# ---------------------------------------------------------------- normalisation

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
        return Finding(fact, "unverified", "low" if has_claim else "none",
                       _explain_unverified(fact, has_claim), sources)
    if has_claim:
        agreeing = [s for s in answered if s.agrees]
        disagreeing = [s for s in answered if not s.agrees]
    else:
        # Nothing claimed: referees are compared with each other.
        groups = _groups(fact, answered, tolerance)
        if len(groups) > 1:
            return Finding(fact, "conflict", _severity(fact, answered, tolerance),
                           _explain_split(fact, groups), sources)
        agreeing, disagreeing = answered, []
        for source in answered:
            source.agrees = True
    if disagreeing:
        return Finding(fact, "conflict", _severity(fact, disagreeing, tolerance, claim),
                       _explain_conflict(fact, claim, disagreeing, agreeing), sources)
    status = "corroborated" if len(agreeing) >= 2 else "single_source"
    return Finding(fact, status, "none" if status == "corroborated" else "low",
                   _explain_agreement(fact, agreeing, has_claim), sources)


def _groups(fact: str, answered: list[Source], tolerance: int) -> list[list[Source]]:
    """Group referees whose answers agree with each other."""
    groups: list[list[Source]] = []
    for source in answered:
        for group in groups:
            if compare(fact, group[0].value, source.value, tolerance)[0]:
                group.append(source)
                break
        else:
            groups.append([source])
    return groups


def _severity(fact: str, sources: list[Source], tolerance: int, claim: Any = None) -> str:
    """Rate how much a disagreement matters."""
    if fact in MONTH_FACTS and claim is not None:
        gaps = [abs((month_index(s.value) or 0) - (month_index(claim) or 0)) for s in sources]
        return "high" if max(gaps, default=0) > 6 else "medium"
    return "high" if fact in KEY_FACTS else "medium"


def _words(fact: str) -> str:
    """Name a fact in a sentence: 'the job title'."""
    return FACT_WORDS.get(fact, "the " + fact.replace("_", " "))


def _who(sources: list[Source], fact: str = "") -> str:
    """Name sources by relationship, never by name: "the candidate's manager and a peer"."""
    if fact == "relationship":
        # The relationship itself is in question, so naming the referee by it would beg the question.
        return "the referee" if len(sources) == 1 else f"{_count(len(sources))} referees"
    counts: dict[str | None, int] = {}
    for source in sources:
        key = source.relationship if source.relationship in RELATIONSHIP_WORDS else None
        counts[key] = counts.get(key, 0) + 1
    words = []
    for key, count in counts.items():
        singular, plural = RELATIONSHIP_WORDS.get(key or "", ("referee", "referees"))
        if count > 1:
            words.append(f"{_count(count)} {plural}")
        elif key == "manager":
            words.append("the candidate's manager")
        else:
            words.append(f"a {singular}")
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _count(number: int) -> str:
    """Write a small count as a word: 'two'."""
    return _COUNTS.get(number, str(number))


def _value(fact: str, value: Any) -> str:
    """Show a value as a person would write it."""
    if fact in MONTH_FACTS and month_index(value) is not None:
        return month_name(str(value).strip())
    return str(value).replace("_", " ")


def _explain_agreement(fact: str, agreeing: list[Source], has_claim: bool) -> str:
    """Explain agreement in one sentence."""
    words = _words(fact)
    notes = [s.difference for s in agreeing if s.difference]
    tail = f" (within the tolerance: {'; '.join(notes)})" if notes else ""
    who = _capital(_who(agreeing, fact))
    if has_claim:
        return f"{who} confirmed {words}{tail}."
    answer = _value(fact, agreeing[0].value)
    if len(agreeing) == 1:
        return f"{who} answered {answer} about {words}."
    return f"{who} gave the same answer about {words}: {answer}."


def _explain_conflict(fact: str, claim: Any, disagreeing: list[Source], agreeing: list[Source]) -> str:
    """Explain a disagreement with the claim in one sentence."""
    words = _words(fact)
    first = disagreeing[0]
    sentence = (f"The candidate stated {words} as {_value(fact, claim)}; {_who([first], fact)} remembers "
                f"{_value(fact, first.value)}")
    if first.difference:
        sentence += f" ({first.difference})"
    if len(disagreeing) > 1:
        others = len(disagreeing) - 1
        sentence += (", and one other referee also differs" if others == 1 else
                     f", and {_count(others)} other referees also differ")
    if agreeing:
        sentence += f"; {_who(agreeing, fact)} agreed with the candidate"
    return sentence + "."


def _explain_split(fact: str, groups: list[list[Source]]) -> str:
    """Explain referees disagreeing among themselves in one sentence."""
    words = _words(fact)
    parts = [f"{_who(group, fact)} said {_value(fact, group[0].value)}" for group in groups]
    return f"The referees answered differently about {words}: " + "; ".join(parts) + "."


def _explain_unverified(fact: str, has_claim: bool) -> str:
    """Explain that nobody could confirm a fact."""
    words = _words(fact)
    if has_claim:
        return f"No referee could confirm {words}; it rests on the candidate's own statement."
    return f"No referee knew {words}."


def _capital(text: str) -> str:
    """Start a sentence with a capital letter."""
    return text[:1].upper() + text[1:]


def coverage(required: dict[str, int], referees: list[dict[str, Any]]) -> dict[str, Any]:
    """Say whether the referees cover the relationships the scope requires."""
    have: dict[str, int] = {}
    for referee in referees:
        have[referee.get("relationship", "other")] = have.get(referee.get("relationship", "other"), 0) + 1
    missing = {r: n - have.get(r, 0) for r, n in required.items() if have.get(r, 0) < n}
    return {"covered": not missing, "missing": missing, "have": have}
