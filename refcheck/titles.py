"""Whether two answers name the same job title, and why: pure, no Flask.

Two titles agree when they name the same role at the same level written differently: abbreviations
("Sr."), word order ("Manager, Marketing"), case and punctuation, British and American spelling, a
level's numeral ("II" and "2"), hyphens and spaces in a word ("Front-end", "Frontend"), and titles a
published taxonomy lists as alternate titles of one occupation (refcheck.title_words). Every other
difference of words is a conflict, so a change of function, role or seniority stays one.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from .title_words import ABBREVIATIONS, LEVEL, OCCUPATIONS, ORDINALS, ROMAN, SMALL, Occupation
from .wording import Word, american, words

# More readings than this (a title of many ambiguous abbreviations) are not worth trying.
_MOST_READINGS = 64
_R_AND_D = re.compile(r"\bR\s*&\s*D\b", re.IGNORECASE)
_BY_TITLE: dict[tuple[str, ...], Occupation] = {title: o for o in OCCUPATIONS for title in o.titles}
_LONGEST = max(len(title) for title in _BY_TITLE)

# One way to read a word: the words it stands for, and the note that says so (None when read as typed).
_Choice = tuple[tuple[str, ...], tuple[tuple[str, ...], str] | None]


@dataclass
class _Reading:
    """One way to read a title: its words, and what was read differently from how it was typed."""

    tokens: list[str]
    notes: dict[tuple[str, ...], str]
    small: tuple[str, ...]


def _shown_word(word: str) -> str:
    """Write one folded word as a title has it: 'senior' -> 'Senior', 'hgv' -> 'HGV', 'of' -> 'of'."""
    if word in ("of", "at", "and"):
        return word
    # A short word without a vowel is an abbreviation, said in capitals.
    return word.upper() if len(word) <= 4 and not set(word) & set("aeiouy") else word.capitalize()


def _shown(text: str) -> str:
    """Write folded words as a title: 'senior data engineer' -> 'Senior Data Engineer'."""
    return " ".join(_shown_word(word) for word in text.split())


def _choices(found: list[Word], index: int) -> list[_Choice]:
    """Return the ways to read one word of a title."""
    word, following = found[index], found[index + 1].text if index + 1 < len(found) else ""
    text = word.text
    if text in LEVEL and (following.isdigit() or following in ROMAN):
        return [((), (("level",), f"'{word.surface}' left out before the number"))]
    if index > 0 and text in ROMAN:
        level = ROMAN[text]
        return [((level,), (("numeral", text), f"'{word.surface}' and '{level}' are the same level"))]
    if text in ORDINALS:
        return [((ORDINALS[text],), (("ordinal", text), f"'{word.surface}' is '{ORDINALS[text]}'"))]
    spelled = american(text)
    if spelled in ABBREVIATIONS:
        return [(tuple(full.split()), (("short", text, full),
                                       f"'{word.surface}' is short for '{_shown(full)}'"))
                for full in ABBREVIATIONS[spelled]]
    if spelled != text:
        return [((spelled,), (("spelling", text), f"'{word.surface}' is the British spelling of "
                                                   f"'{_shown(spelled)}'"))]
    return [((text,), None)]


def _readings(title: str) -> list[_Reading]:
    """Return the ways a title can be read, one for each meaning of its ambiguous abbreviations."""
    title = str(title)
    found = words(_R_AND_D.sub(" research and development ", title))
    small = tuple(sorted(w.text for w in found if w.text in SMALL))
    said: dict[tuple[str, ...], str] = {}
    if _R_AND_D.search(title):
        said[("short", "r&d")] = "'R&D' is short for 'Research and Development'"
    options = [_choices(found, index) for index, word in enumerate(found) if word.text not in SMALL]
    readings = []
    for combination in itertools.islice(itertools.product(*options), _MOST_READINGS):
        tokens: list[str] = []
        notes: dict[tuple[str, ...], str] = dict(said)
        for read, note in combination:
            tokens.extend(read)
            if note is not None:
                notes[note[0]] = note[1]
        readings.append(_Reading(tokens, notes, small))
    return readings


def _align(first: list[str], second: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Join two words on one side that the other side writes as one ("front end", "frontend")."""
    notes: list[str] = []
    for this, that in ((first, second), (second, first)):
        index = 0
        while index < len(this) - 1:
            joined = this[index] + this[index + 1]
            if joined in that and joined not in this:
                notes.append(f"'{this[index]} {this[index + 1]}' and '{joined}' are one word")
                this[index:index + 2] = [joined]
            index += 1
    return first, second, notes


def _occupations(tokens: list[str]) -> tuple[list[str], dict[tuple[str, ...], tuple[str, ...]]]:
    """Read alternate titles of one occupation as its first title; say which title each side used."""
    read: list[str] = []
    used: dict[tuple[str, ...], tuple[str, ...]] = {}
    index = 0
    while index < len(tokens):
        for size in range(min(_LONGEST, len(tokens) - index), 0, -1):
            title = tuple(tokens[index:index + size])
            if title in _BY_TITLE:
                occupation = _BY_TITLE[title]
                read.extend(occupation.canonical)
                used[occupation.canonical] = title
                index += size
                break
        else:
            read.append(tokens[index])
            index += 1
    return read, used


def _inverted(title: str) -> bool:
    """Say whether a title is written the other way round: "Manager, Marketing", "Head of Sales"."""
    return bool(re.search(r",|\bof\b|\s[-\u2013\u2014/]\s|\(", str(title), flags=re.I))


def normalise_title(title: str) -> str:
    """Read a title's words plainly: 'Sr. Data Eng.' -> 'senior data engineer'."""
    readings = _readings(title)
    return " ".join(readings[0].tokens) if readings else ""


def compare_titles(claim: str, other: str) -> tuple[bool, str | None]:
    """Say whether two job titles name the same role at the same level, and why when written differently."""
    if " ".join(str(claim).split()) == " ".join(str(other).split()):
        return True, None
    for first, second in itertools.product(_readings(claim), _readings(other)):
        a, b, joined = _align(list(first.tokens), list(second.tokens))
        a, used_a = _occupations(a)
        b, used_b = _occupations(b)
        if not a or Counter(a) != Counter(b):
            continue
        if a != b and not (_inverted(claim) or _inverted(other)):
            # Without a comma or "of" the last word names the role: "Executive Assistant" is not an
            # "Assistant Executive", nor "Attorney General" a "General Attorney".
            continue
        notes = [text for key, text in {**first.notes, **second.notes}.items()
                 if (key in first.notes) != (key in second.notes)]
        notes += joined
        for canonical in used_a.keys() & used_b.keys():
            if used_a[canonical] != used_b[canonical]:
                one, another = (_shown(" ".join(used[canonical])) for used in (used_a, used_b))
                notes.append(f"'{one}' and '{another}' are alternate titles of one occupation "
                             f"({_BY_TITLE[canonical].source})")
        if a != b:
            notes.append("the same words in another order")
        if first.small != second.small:
            notes.append("small words such as 'of' left out")
        return True, "same title: " + "; ".join(notes or ["only case and punctuation differ"])
    return False, None
