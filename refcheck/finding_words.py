"""Findings in words: third person for staff and the report, "you" for the candidate. Pure, no Flask.

A finding's sentence is written from its sources (what each said, and whether it agrees with the
claim), so a finding frozen long ago reads in today's words, to each reader in their own voice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .dates import month
from .likeness import MONTH_FACTS, groups, months_apart
from .months import normalise_month

UNKNOWN = "unknown"
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
# A reason for leaving as a sentence can hold it, whoever gave it ("I resigned" is only the candidate's).
REASON_WORDS = {"resigned": "resignation", "contract_ended": "end of contract",
                "laid_off": "redundancy (laid off)", "dismissed": "dismissal", "other": "another reason",
                "still_employed": "still employed there"}
YES_NO_WORDS = {"yes": "yes", "no": "no", "true": "yes", "false": "no"}
# What kind of finding it is, for staff and the report, and for the candidate.
KIND_WORDS = {"corroborated": "corroborated", "single_source": "single source",
              "minor_difference": "minor difference", "conflict": "conflict", "unverified": "unverified"}
KIND_WORDS_FOR_CANDIDATE = {
    "corroborated": "Confirmed by several referees", "single_source": "Confirmed by one referee",
    "minor_difference": "Agrees, with a small difference", "conflict": "Referees remember it differently",
    "unverified": "Not confirmed"}
_COUNTS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
           9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}


class Source(Protocol):
    """What one source said about a fact (refcheck.crossverify.Source is one)."""

    @property
    def source(self) -> str: ...  # noqa: D102 - the fields are named as in crossverify
    @property
    def relationship(self) -> str | None: ...  # noqa: D102
    @property
    def value(self) -> Any: ...  # noqa: D102
    @property
    def agrees(self) -> bool | None: ...  # noqa: D102
    @property
    def difference(self) -> str | None: ...  # noqa: D102


class Finding(Protocol):
    """A fact and its sources (refcheck.crossverify.Finding is one)."""

    @property
    def fact(self) -> str: ...  # noqa: D102
    @property
    def sources(self) -> Sequence[Source]: ...  # noqa: D102


def count(number: int) -> str:
    """Write a small count as a word: 'two'."""
    return _COUNTS.get(number, str(number))


def fact_words(fact: str) -> str:
    """Name a fact in a sentence: 'the job title'."""
    return FACT_WORDS.get(fact, "the " + fact.replace("_", " "))


def value_words(fact: str, value: Any) -> str:
    """Write an answer as a person would: 'August 2023', 'resignation', 'direct report'."""
    if value is None or value == "":
        return ""
    if value == UNKNOWN:
        return "did not know"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).strip()
    if fact in MONTH_FACTS:
        return month(normalise_month(text))
    if fact == "reason_for_leaving":
        return REASON_WORDS.get(text, text.replace("_", " "))
    if fact == "relationship" and text in RELATIONSHIP_WORDS:
        return RELATIONSHIP_WORDS[text][0]
    if fact == "rehire_eligible":
        return YES_NO_WORDS.get(text.lower(), text)
    return text.replace("_", " ") if "_" in text and " " not in text else text


def apart(gap: int) -> str:
    """Say how far apart two months are: 'two months apart'."""
    return f"{count(gap)} month{'s' if gap != 1 else ''} apart"


class _Voice:
    """Who a sentence is written to: staff and the report (third person), or the candidate ("you")."""

    def __init__(self, for_candidate: bool) -> None:
        self.you = for_candidate
        self.candidate = "you" if for_candidate else "the candidate"
        self.candidates = "your" if for_candidate else "the candidate's"

    def who(self, sources: Sequence[Source], fact: str = "") -> str:
        """Name sources by relationship, never by name: "the candidate's manager and a peer"."""
        if fact == "relationship":
            # The relationship itself is in question, so naming the referee by it would beg the question.
            return "the referee" if len(sources) == 1 else f"{count(len(sources))} referees"
        counts: dict[str | None, int] = {}
        for source in sources:
            key = source.relationship if source.relationship in RELATIONSHIP_WORDS else None
            counts[key] = counts.get(key, 0) + 1
        words = []
        for key, number in counts.items():
            singular, plural = RELATIONSHIP_WORDS.get(key or "", ("referee", "referees"))
            if number > 1:
                words.append(f"{count(number)} {plural}")
            elif key == "manager":
                words.append(f"{self.candidates} manager")
            else:
                words.append(f"a {singular}")
        if len(words) == 1:
            return words[0]
        return ", ".join(words[:-1]) + " and " + words[-1]


def explain(finding: Finding, for_candidate: bool = False, tolerance: int = 2) -> str:
    """Say in one sentence what the sources say about the fact, to staff or to the candidate."""
    voice = _Voice(for_candidate)
    fact, words = finding.fact, fact_words(finding.fact)
    claim = next((s for s in finding.sources if s.source == "candidate"), None)
    answered = [s for s in finding.sources if s.source != "candidate" and s.value != UNKNOWN]
    if not answered:
        if claim is not None:
            return f"No referee could confirm {words}; it rests on {voice.candidates} own statement."
        return f"No referee knew {words}."
    if claim is None:
        # Referees found to agree (by verify, which knew the staff mapping of employers' other names)
        # are one group; otherwise they are grouped here by their answers alone.
        found = [answered] if all(s.agrees for s in answered) else groups(fact, answered, tolerance)
        if len(found) > 1:
            parts = [f"{voice.who(group, fact)} said {value_words(fact, group[0].value)}" for group in found]
            return f"The referees answered differently about {words}: " + "; ".join(parts) + "."
        answer = value_words(fact, answered[0].value)
        if len(answered) == 1:
            return f"{_capital(voice.who(answered, fact))} answered {answer} about {words}."
        if any(s.difference for s in answered):
            said = "; ".join(f"{voice.who([s], fact)} said {value_words(fact, s.value)}" for s in answered)
            return f"{_capital(voice.who(answered, fact))} agree on {words}, a little apart: {said}."
        return f"{_capital(voice.who(answered, fact))} gave the same answer about {words}: {answer}."
    agreeing = [s for s in answered if s.agrees]
    disagreeing = [s for s in answered if not s.agrees]
    if disagreeing:
        return _conflict(voice, fact, claim, disagreeing, agreeing)
    return _agreement(voice, fact, claim, agreeing)


def _agreement(voice: _Voice, fact: str, claim: Source, agreeing: list[Source]) -> str:
    """Agreement with the claim; a difference within the tolerance is said, with both months."""
    words, who = fact_words(fact), _capital(voice.who(agreeing, fact))
    stated = value_words(fact, claim.value)
    differing: list[tuple[Source, int]] = []
    for source in agreeing:
        gap = months_apart(claim.value, source.value) if source.difference else None
        if gap:
            differing.append((source, gap))
    if not differing:
        return f"{who} confirmed {words}."
    verb = "agrees" if len(agreeing) == 1 else "agree"
    if len(differing) == len(agreeing) and len({s.value for s, _ in differing}) == 1:
        source, gap = differing[0]
        return (f"{who} {verb} on {words}, {apart(gap)} ({value_words(fact, source.value)} against "
                f"{voice.candidates} {stated}).")
    notes = [f"{voice.who([s], fact)} said {value_words(fact, s.value)}, {apart(gap)} from "
             f"{voice.candidates} {stated}" for s, gap in differing]
    return f"{who} {verb} on {words}; " + "; ".join(notes) + "."


def _conflict(voice: _Voice, fact: str, claim: Source, disagreeing: list[Source],
              agreeing: list[Source]) -> str:
    """Say how referees differ from the claim, and who agreed with it."""
    words, first = fact_words(fact), disagreeing[0]
    opening = (f"You gave {words} as" if voice.you else f"The candidate stated {words} as")
    sentence = (f"{opening} {value_words(fact, claim.value)}; {voice.who([first], fact)} remembers "
                f"{value_words(fact, first.value)}")
    gap = months_apart(claim.value, first.value)
    if gap:
        sentence += f" ({apart(gap)})"
    if len(disagreeing) > 1:
        others = len(disagreeing) - 1
        sentence += (", and one other referee also differs" if others == 1 else
                     f", and {count(others)} other referees also differ")
    if agreeing:
        sentence += f"; {voice.who(agreeing, fact)} agreed with {voice.candidate}"
    return sentence + "."


def _capital(text: str) -> str:
    """Start a sentence with a capital letter."""
    return text[:1].upper() + text[1:]
