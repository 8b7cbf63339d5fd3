"""Whether two answers name the same employer, and why: pure, no Flask.

The same organisation written differently agrees: case, punctuation, accents, "&" and "and", a
leading "The", legal forms of many countries (refcheck.legal_forms), common abbreviations of words in
the name ("Intl", "Mfg", "Assoc") and British or American spelling. Another name for it (a former
name, a parent company, a trading name) agrees only through the mapping staff keep (EmployerAlias),
passed in as plain data. See tests/data/MATCHING.md.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from .legal_forms import LONGEST, PREFIXES, SUFFIXES
from .wording import Word, american, typed, words

# Letters that German, Danish, Norwegian and Swedish names write out in ASCII ("ü" as "ue", "å" as "aa").
_WRITTEN_OUT = re.compile(r"[äöüåøæÄÖÜÅØÆ]")
# What a name in the staff mapping is to the name it is the same as, in words.
RELATIONS = {"former_name": "a former name of", "parent": "the parent company of",
             "trading_name": "a trading name of"}
# Abbreviations of words in organisations' names, and words read as one ("Services" and "Service"),
# each to one form. "Assoc" stands for "Association" and "Associates" alike, so both read as one.
_WORD_FORMS = {
    "intl": "international", "natl": "national", "corp": "corporation", "mfg": "manufacturing",
    "mfrs": "manufacturers", "assoc": "assoc", "assn": "assoc", "assocs": "assoc", "association": "assoc",
    "associates": "assoc", "svc": "services", "svcs": "services", "srvcs": "services", "service": "services",
    "tech": "technology", "technologies": "technology", "bros": "brothers", "mgmt": "management",
    "mgt": "management", "dept": "department", "univ": "university", "uni": "university",
    "hosp": "hospital", "govt": "government", "co": "company", "cos": "companies", "ctr": "center",
    "cntr": "center", "labs": "laboratories", "lab": "laboratories", "laboratory": "laboratories",
    "pharma": "pharmaceuticals", "pharmaceutical": "pharmaceuticals", "sys": "systems", "system": "systems",
    "solns": "solutions", "solution": "solutions", "grp": "group", "hldgs": "holdings", "hldg": "holdings",
    "holding": "holdings", "inds": "industries", "indus": "industries", "st": "saint", "mt": "mount",
    "eng": "engineering", "engg": "engineering", "mktg": "marketing", "inst": "institute", "med": "medical",
}
# The ones that are abbreviations rather than other forms of a word ("Service", "Technologies").
_ABBREVIATIONS = {
    "intl", "natl", "corp", "mfg", "mfrs", "assoc", "assn", "assocs", "svc", "svcs", "srvcs", "tech", "bros",
    "mgmt", "mgt", "dept", "univ", "uni", "hosp", "govt", "co", "cos", "ctr", "cntr", "labs", "lab", "pharma",
    "sys", "solns", "grp", "hldgs", "hldg", "inds", "indus", "st", "mt", "eng", "engg", "mktg", "inst", "med",
}


class Alias(NamedTuple):
    """One line of the staff mapping: `name` is a former name, parent or trading name of `same_as`."""

    name: str
    same_as: str
    relation: str  # former_name | parent | trading_name

    @classmethod
    def of(cls, data: Mapping[str, str]) -> Alias:
        """Read a line of the mapping from plain data: {"name", "same_as", "relation"}."""
        return cls(str(data["name"]), str(data["same_as"]), str(data["relation"]))

    def words(self) -> str:
        """Say the line in words: 'Contoso Ltd is a former name of Fabrikam Ltd (staff mapping)'."""
        return f"{self.name} is {RELATIONS.get(self.relation, 'the same as')} {self.same_as} (staff mapping)"


@dataclass
class _Key:
    """An employer's name reduced to what identifies it, with what was left out to get there."""

    words: list[Word]
    canonical: list[str]
    # (what kind, which) -> the words of the note; notes both names share say nothing.
    notes: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Return the reduced name as one string."""
        return " ".join(self.canonical)


def _key(name: str) -> _Key:
    """Reduce an employer's name: drop a leading "The" and legal forms, and read words one way."""
    found = words(name)
    notes: dict[tuple[str, str], str] = {}
    if any(w.accented for w in found):
        notes[("accents", "")] = "accents left out"
    for sign in "&+":
        if any(w.surface == sign for w in found):
            notes[("and", sign)] = f"'{sign}' read as 'and'"
    if len(found) > 1 and found[0].text == "the":
        notes[("the", "")] = "a leading 'The' left out"
        found = found[1:]
    found = _strip_forms(name, found, notes)
    canonical = [_WORD_FORMS.get(american(w.text), american(w.text)) for w in found]
    return _Key(found, canonical, notes)


def _strip_forms(name: str, found: list[Word], notes: dict[tuple[str, str], str]) -> list[Word]:
    """Take legal forms off the end (and the few written first off the front), keeping one word at least."""
    changed = True
    while changed:
        changed = False
        for size in range(min(LONGEST, len(found) - 1), 0, -1):
            tail = tuple(w.text for w in found[-size:])
            if tail in SUFFIXES:
                form = typed(name, found[-size:])
                notes[("form", " ".join(tail))] = f"legal form '{form}'"
                found, changed = found[:-size], True
                break
        for size in range(min(LONGEST, len(found) - 1), 0, -1):
            head = tuple(w.text for w in found[:size])
            if head in PREFIXES:
                form = typed(name, found[:size])
                notes[("form", " ".join(head))] = f"legal form '{form}'"
                found, changed = found[size:], True
                break
    return found


class AliasBook:
    """The staff mapping as links between reduced names, to find how two names are the same employer."""

    def __init__(self, aliases: Iterable[Alias | Mapping[str, str]] = ()) -> None:
        self.links: dict[str, list[tuple[str, Alias]]] = {}
        for line in aliases:
            alias = line if isinstance(line, Alias) else Alias.of(line)
            first, second = _joined(_key(alias.name)), _joined(_key(alias.same_as))
            self.links.setdefault(first, []).append((second, alias))
            self.links.setdefault(second, []).append((first, alias))

    def __bool__(self) -> bool:
        return bool(self.links)

    def path(self, first: str, second: str) -> list[Alias] | None:
        """Return the lines of the mapping that lead from one reduced name to another, or None.

        Former and trading names are the same company, so any number of them chain; a parent link is
        crossed once at most, or two subsidiaries of one parent (GEICO and Dairy Queen under Berkshire
        Hathaway) would read as one employer.
        """
        if first not in self.links or second not in self.links:
            return None
        State = tuple[str, bool]  # a name, and whether a parent link was crossed to reach it
        came: dict[State, tuple[State, Alias] | None] = {(first, False): None}
        queue = deque([(first, False)])
        while queue:
            state = queue.popleft()
            here, parented = state
            if here == second:
                lines: list[Alias] = []
                while (step := came[state]) is not None:
                    state, alias = step
                    lines.append(alias)
                return lines[::-1]
            for there, alias in self.links.get(here, []):
                crossing = alias.relation == "parent"
                if crossing and parented:
                    continue
                following = (there, parented or crossing)
                if following not in came:
                    came[following] = (state, alias)
                    queue.append(following)
        return None


def _collapsed(text: str) -> str:
    """Read written-out umlauts and doubled vowels as one letter: "mueller" and "muller" alike."""
    for written, letter in (("ae", "a"), ("oe", "o"), ("ue", "u"), ("aa", "a")):
        text = text.replace(written, letter)
    return text


def _joined(key: _Key) -> str:
    """Return a reduced name without spaces: "Pricewaterhouse Coopers" and "PricewaterhouseCoopers" alike."""
    return "".join(key.canonical)


def normalise_employer(name: str) -> str:
    """Reduce an employer's name to what identifies it: 'The Contoso Retail PLC.' -> 'contoso retail'."""
    return _key(str(name)).text


def compare_employers(claim: str, other: str, book: AliasBook | None = None) -> tuple[bool, str | None]:
    """Say whether two names are the same employer, and why when they are written differently."""
    if " ".join(str(claim).split()) == " ".join(str(other).split()):
        return True, None
    a, b = _key(str(claim)), _key(str(other))
    if _joined(a) and _joined(a) == _joined(b):
        return True, "same employer: " + "; ".join(_differences(a, b))
    # "Müller" is "Mueller" in German and "Muller" with the accent dropped (GLEIF keeps both forms).
    if _WRITTEN_OUT.search(f"{claim}{other}") and _collapsed(_joined(a)) == _collapsed(_joined(b)):
        return True, "same employer: letters such as 'ü' written out ('ue') or without their accent"
    lines = book.path(_joined(a), _joined(b)) if book else None
    if lines:
        return True, "; ".join(line.words() for line in lines)
    return False, None


def same_employer(claim: str, other: str, book: AliasBook | None = None) -> bool:
    """Say whether two names are the same employer."""
    return compare_employers(claim, other, book)[0]


def _differences(a: _Key, b: _Key) -> list[str]:
    """Say what differs between two ways of writing one name."""
    forms = [text for key, text in {**a.notes, **b.notes}.items()
             if key[0] == "form" and (key not in a.notes or key not in b.notes)]
    said = [text for key, text in {**a.notes, **b.notes}.items()
            if key[0] != "form" and (key not in a.notes or key not in b.notes)]
    if forms:
        said.insert(0, ("legal forms " + " and ".join(f.removeprefix("legal form ") for f in forms)
                        if len(forms) > 1 else forms[0]) + " left out")
    if a.canonical == b.canonical:
        for first, second in zip(a.words, b.words, strict=True):
            if first.text != second.text:
                said.append(_word_note(first, second))
    else:
        said.append("the same name spaced differently")
    return said or ["only case and punctuation differ"]


def _word_note(first: Word, second: Word) -> str:
    """Say why two different words read as one: an abbreviation, a spelling or a form of the same word."""
    if american(first.text) == american(second.text):
        return f"'{first.surface}' and '{second.surface}' are British and American spellings"
    for short, full in ((first, second), (second, first)):
        if short.text in _ABBREVIATIONS and full.text not in _ABBREVIATIONS:
            return f"'{short.surface}' is short for '{full.surface}'"
    return f"'{first.surface}' and '{second.surface}' are read as the same word"
