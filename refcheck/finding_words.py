"""Findings in words: third person for staff and the report, "you" for the candidate. Pure, no Flask.

A finding's sentence is written from its sources (what each said, and whether it agrees with the
claim), so a finding frozen long ago reads in today's words, to each reader in their own voice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .likeness import MONTH_FACTS, groups, months_apart
from .months import normalise_month
from .words import ENGLISH, N_, Words, join

UNKNOWN = "unknown"
FACT_WORDS = {
    "employer": N_("the employer"), "title": N_("the job title"), "start_month": N_("the start date"),
    "end_month": N_("the end date"), "reason_for_leaving": N_("the reason for leaving"),
    "rehire_eligible": N_("eligibility for re-employment"), "relationship": N_("the working relationship"),
    "worked_together_from": N_("the start of the working relationship"),
    "worked_together_to": N_("the end of the working relationship"),
}
# A relationship's answer as a value ("direct report"), in the reader's language.
RELATIONSHIP_VALUES = {"manager": N_("manager"), "peer": N_("peer"), "direct_report": N_("direct report"),
                       "client": N_("client"), "other": N_("colleague")}
# One referee of a relationship, and several, as a sentence names them; "%(count)s" is a number in words.
ONE_OF = {"peer": N_("a peer"), "direct_report": N_("a direct report"), "client": N_("a client"),
          "other": N_("a colleague"), "": N_("a referee")}
# A reason for leaving as a sentence can hold it, whoever gave it ("I resigned" is only the candidate's).
REASON_WORDS = {"resigned": N_("resignation"), "contract_ended": N_("end of contract"),
                "laid_off": N_("redundancy (laid off)"), "dismissed": N_("dismissal"),
                "other": N_("another reason"),
                "still_employed": N_("still employed there")}
YES_NO_WORDS = {"yes": N_("yes"), "no": N_("no"), "true": N_("yes"), "false": N_("no")}
# What kind of finding it is, for staff and the report, and for the candidate.
KIND_WORDS = {"corroborated": "corroborated", "single_source": "single source",
              "minor_difference": "minor difference", "conflict": "conflict", "unverified": "unverified"}
KIND_WORDS_FOR_CANDIDATE = {
    "corroborated": N_("Confirmed by several referees"), "single_source": N_("Confirmed by one referee"),
    "minor_difference": N_("Agrees, with a small difference"),
    "conflict": N_("Referees remember it differently"),
    "unverified": N_("Not confirmed")}
_COUNTS = {1: N_("one"), 2: N_("two"), 3: N_("three"), 4: N_("four"), 5: N_("five"), 6: N_("six"),
           7: N_("seven"), 8: N_("eight"), 9: N_("nine"), 10: N_("ten"), 11: N_("eleven"), 12: N_("twelve")}


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


def count(number: int, words: Words = ENGLISH) -> str:
    """Write a small count as a word: 'two'."""
    return words.gettext(_COUNTS[number]) if number in _COUNTS else str(number)


def fact_words(fact: str, words: Words = ENGLISH) -> str:
    """Name a fact in a sentence: 'the job title'."""
    return words.gettext(FACT_WORDS[fact]) if fact in FACT_WORDS else "the " + fact.replace("_", " ")


def value_words(fact: str, value: Any, words: Words = ENGLISH) -> str:
    """Write an answer as a person would: 'August 2023', 'resignation', 'direct report'."""
    if value is None or value == "":
        return ""
    if value == UNKNOWN:
        return words.gettext("did not know")
    if isinstance(value, bool):
        return words.gettext("yes") if value else words.gettext("no")
    text = str(value).strip()
    if fact in MONTH_FACTS:
        return words.month(normalise_month(text) or text)
    if fact == "reason_for_leaving":
        return words.gettext(REASON_WORDS[text]) if text in REASON_WORDS else text.replace("_", " ")
    if fact == "relationship" and text in RELATIONSHIP_VALUES:
        return words.gettext(RELATIONSHIP_VALUES[text])
    if fact == "rehire_eligible":
        return words.gettext(YES_NO_WORDS[text.lower()]) if text.lower() in YES_NO_WORDS else text
    return text.replace("_", " ") if "_" in text and " " not in text else text


def apart(gap: int, words: Words = ENGLISH) -> str:
    """Say how far apart two months are: 'two months apart'."""
    return words.ngettext("%(count)s month apart", "%(count)s months apart", gap, count=count(gap, words))


class _Voice:
    """Who a sentence is written to: staff and the report (third person), or the candidate ("you")."""

    def __init__(self, for_candidate: bool, words: Words) -> None:
        self.you = for_candidate
        self.words = words

    def who(self, sources: Sequence[Source], fact: str = "") -> str:
        """Name sources by relationship, never by name: "the candidate's manager and a peer"."""
        words = self.words
        if fact == "relationship":
            # The relationship itself is in question, so naming the referee by it would beg the question.
            return words.ngettext("the referee", "%(count)s referees", len(sources),
                                  count=count(len(sources), words))
        counts: dict[str | None, int] = {}
        for source in sources:
            key = source.relationship if source.relationship in RELATIONSHIP_VALUES else None
            counts[key] = counts.get(key, 0) + 1
        phrases = []
        for key, number in counts.items():
            if number > 1:
                phrases.append(_several(key or "", number, words))
            elif key == "manager":
                phrases.append(words.gettext("your manager") if self.you
                               else words.gettext("the candidate's manager"))
            else:
                phrases.append(words.gettext(ONE_OF[key or ""]))
        return join(phrases, words)

    def candidates(self, stated: str) -> str:
        """Say what the candidate stated: 'your August 2023', "the candidate's August 2023"."""
        return (self.words.gettext("your %(stated)s", stated=stated) if self.you
                else self.words.gettext("the candidate's %(stated)s", stated=stated))


def _several(relationship: str, number: int, words: Words) -> str:
    """Name several referees of one relationship: 'two peers'."""
    said = count(number, words)
    several = {
        "manager": lambda: words.ngettext("%(count)s manager", "%(count)s managers", number, count=said),
        "peer": lambda: words.ngettext("%(count)s peer", "%(count)s peers", number, count=said),
        "direct_report": lambda: words.ngettext("%(count)s direct report", "%(count)s direct reports", number,
                                                count=said),
        "client": lambda: words.ngettext("%(count)s client", "%(count)s clients", number, count=said),
        "other": lambda: words.ngettext("%(count)s colleague", "%(count)s colleagues", number, count=said),
    }
    if relationship in several:
        return several[relationship]()
    return words.ngettext("%(count)s referee", "%(count)s referees", number, count=said)


def explain(finding: Finding, for_candidate: bool = False, tolerance: int = 2,
            words: Words = ENGLISH) -> str:
    """Say in one sentence what the sources say about the fact, to staff or to the candidate."""
    voice = _Voice(for_candidate, words)
    _ = words.gettext
    fact, named = finding.fact, fact_words(finding.fact, words)
    claim = next((s for s in finding.sources if s.source == "candidate"), None)
    answered = [s for s in finding.sources if s.source != "candidate" and s.value != UNKNOWN]
    if not answered:
        if claim is not None:
            if voice.you:
                return _("No referee could confirm %(fact)s; it rests on your own statement.", fact=named)
            return _("No referee could confirm %(fact)s; it rests on the candidate's own statement.",
                     fact=named)
        return _("No referee knew %(fact)s.", fact=named)
    if claim is None:
        # Referees found to agree (by verify, which knew the staff mapping of employers' other names)
        # are one group; otherwise they are grouped here by their answers alone.
        found = [answered] if all(s.agrees for s in answered) else groups(fact, answered, tolerance)
        if len(found) > 1:
            parts = [_("%(who)s said %(value)s", who=voice.who(group, fact),
                       value=value_words(fact, group[0].value, words)) for group in found]
            return _("The referees answered differently about %(fact)s: %(answers)s.", fact=named,
                     answers=_("; ").join(parts))
        answer = value_words(fact, answered[0].value, words)
        # Each sentence starts with a capital wherever a language puts the referees in it.
        who = voice.who(answered, fact)
        if len(answered) == 1:
            return _capital(_("%(who)s answered %(value)s about %(fact)s.", who=who, value=answer,
                              fact=named))
        if any(s.difference for s in answered):
            said = _("; ").join(_("%(who)s said %(value)s", who=voice.who([s], fact),
                                  value=value_words(fact, s.value, words)) for s in answered)
            return _capital(_("%(who)s agree on %(fact)s, a little apart: %(said)s.", who=who, fact=named,
                              said=said))
        return _capital(_("%(who)s gave the same answer about %(fact)s: %(value)s.", who=who, fact=named,
                          value=answer))
    agreeing = [s for s in answered if s.agrees]
    disagreeing = [s for s in answered if not s.agrees]
    if disagreeing:
        return _conflict(voice, fact, claim, disagreeing, agreeing)
    return _agreement(voice, fact, claim, agreeing)


def _agreement(voice: _Voice, fact: str, claim: Source, agreeing: list[Source]) -> str:
    """Agreement with the claim; a difference within the tolerance is said, with both months."""
    words = voice.words
    named, who = fact_words(fact, words), voice.who(agreeing, fact)
    stated = voice.candidates(value_words(fact, claim.value, words))
    differing: list[tuple[Source, int]] = []
    for source in agreeing:
        gap = months_apart(claim.value, source.value) if source.difference else None
        if gap:
            differing.append((source, gap))
    if not differing:
        return _capital(words.gettext("%(who)s confirmed %(fact)s.", who=who, fact=named))
    if len(differing) == len(agreeing) and len({s.value for s, _ in differing}) == 1:
        source, gap = differing[0]
        return _capital(words.ngettext(
            "%(who)s agrees on %(fact)s, %(apart)s (%(value)s against %(stated)s).",
            "%(who)s agree on %(fact)s, %(apart)s (%(value)s against %(stated)s).", len(agreeing),
            who=who, fact=named, apart=apart(gap, words), value=value_words(fact, source.value, words),
            stated=stated))
    notes = words.gettext("; ").join(
        words.gettext("%(who)s said %(value)s, %(apart)s from %(stated)s", who=voice.who([s], fact),
                      value=value_words(fact, s.value, words), apart=apart(gap, words), stated=stated)
        for s, gap in differing)
    return _capital(words.ngettext("%(who)s agrees on %(fact)s; %(notes)s.",
                                   "%(who)s agree on %(fact)s; %(notes)s.", len(agreeing), who=who,
                                   fact=named, notes=notes))


def _conflict(voice: _Voice, fact: str, claim: Source, disagreeing: list[Source],
              agreeing: list[Source]) -> str:
    """Say how referees differ from the claim, and who agreed with it."""
    words, first = voice.words, disagreeing[0]
    values = {"fact": fact_words(fact, words), "stated": value_words(fact, claim.value, words),
              "who": voice.who([first], fact), "value": value_words(fact, first.value, words)}
    sentence = (words.gettext("You gave %(fact)s as %(stated)s; %(who)s remembers %(value)s", **values)
                if voice.you else
                words.gettext("The candidate stated %(fact)s as %(stated)s; %(who)s remembers %(value)s",
                              **values))
    gap = months_apart(claim.value, first.value)
    if gap:
        sentence = words.gettext("%(sentence)s (%(apart)s)", sentence=sentence, apart=apart(gap, words))
    if len(disagreeing) > 1:
        others = len(disagreeing) - 1
        sentence = words.ngettext("%(sentence)s, and %(count)s other referee also differs",
                                  "%(sentence)s, and %(count)s other referees also differ", others,
                                  sentence=sentence, count=count(others, words))
    if agreeing:
        who = voice.who(agreeing, fact)
        sentence = (words.gettext("%(sentence)s; %(who)s agreed with you", sentence=sentence, who=who)
                    if voice.you else
                    words.gettext("%(sentence)s; %(who)s agreed with the candidate", sentence=sentence,
                                  who=who))
    return words.gettext("%(sentence)s.", sentence=sentence)


def _capital(text: str) -> str:
    """Start a sentence with a capital letter."""
    return text[:1].upper() + text[1:]
