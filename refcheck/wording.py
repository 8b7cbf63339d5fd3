"""Words of a name or title as people type them: folded for comparing, kept as typed for saying why. Pure.

Shared by the job-title and employer matchers (refcheck.titles, refcheck.employers).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters NFKD does not take apart, folded as English-language registers and job boards write them.
# Cyrillic is read as Russian's usual romanisation (BGN/PCGN, as registers' ASCII transliterations
# give it), so "ООО «Ромашка»" reads "ooo romashka".
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
                      "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
                     strict=True))
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th",
                          "ı": "i", "ð": "d", **_CYRILLIC})
# "and" in the languages whose legal forms contain it ("GmbH und Co. KG", "Moët et Chandon").
_AND = {"and", "und", "et"}
# A word, possibly with an apostrophe inside ("McDonald's", "Int'l") and a full stop after ("Sr.").
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*\.?|[&+]")

# British spellings and their American forms, as job titles and organisation names use both. Taken from
# the spelling differences English dictionaries list (-isation/-ization, -our/-or, -re/-er, -ll-/-l-,
# -ogue/-og, -ence/-ense, ae/oe in medical words), limited to words that occur in titles and names.
SPELLINGS = {
    "organisation": "organization", "organisations": "organizations", "organisational": "organizational",
    "organiser": "organizer", "programme": "program", "programmes": "programs", "centre": "center",
    "centres": "centers", "analyse": "analyze", "analyser": "analyzer", "analysing": "analyzing",
    "modelling": "modeling", "modeller": "modeler", "travelling": "traveling", "traveller": "traveler",
    "counsellor": "counselor", "counselling": "counseling", "labelling": "labeling",
    "behaviour": "behavior", "behavioural": "behavioral", "colour": "color", "labour": "labor",
    "harbour": "harbor", "neighbourhood": "neighborhood", "licence": "license",
    "defence": "defense", "offence": "offense", "catalogue": "catalog", "cataloguer": "cataloger",
    "theatre": "theater", "fibre": "fiber", "metre": "meter", "tyre": "tire", "jewellery": "jewelry",
    "jeweller": "jeweler", "paediatric": "pediatric", "paediatrics": "pediatrics",
    "paediatrician": "pediatrician", "orthopaedic": "orthopedic", "orthopaedics": "orthopedics",
    "anaesthetist": "anesthetist", "anaesthesia": "anesthesia", "anaesthetics": "anesthetics",
    "haematology": "hematology", "haematologist": "hematologist", "gynaecology": "gynecology",
    "gynaecologist": "gynecologist", "oesophageal": "esophageal", "maths": "math", "enrolment": "enrollment",
    "fulfilment": "fulfillment", "ageing": "aging", "aluminium": "aluminum",
    "manoeuvre": "maneuver", "grey": "gray", "plough": "plow", "draughtsman": "draftsman",
    "draughtsperson": "draftsperson", "adviser": "advisor", "advisers": "advisors",
}
_IZATION = re.compile(r"^([a-z]{3,})isation(s?)$")


@dataclass(frozen=True)
class Word:
    """One word: folded for comparing, and as it was typed for saying why."""

    text: str  # lower case, accents and apostrophes gone: "mcdonalds", "sa", "and"
    surface: str  # as typed, with a full stop that followed it: "McDonald's", "S.A.", "&"
    accented: bool = False
    start: int = 0  # where it was typed in the text
    end: int = 0


def fold(text: str) -> str:
    """Fold accents, case and apostrophes, keeping letters and digits only where a Latin form exists."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("'", "").replace("’", "").rstrip(".")
    latin = re.sub(r"[^a-z0-9]", "", plain)
    return latin or plain


def words(text: str) -> list[Word]:
    """Split text into words; single letters in a row ("S.A.", "J P") become one word ("sa", "jp")."""
    found: list[Word] = []
    run: list[Word] = []
    for match in _WORD.finditer(str(text)):
        surface = match.group()
        if surface in "&+" or surface.casefold() in _AND:
            word = Word("and", surface, start=match.start(), end=match.end())
        else:
            word = Word(fold(surface), surface, _has_accent(surface), match.start(), match.end())
        if len(word.text) == 1 and word.text.isalpha():
            run.append(word)
            continue
        found.extend(_joined(run, text))
        run = []
        found.append(word)
    found.extend(_joined(run, text))
    return found


def _joined(run: list[Word], text: str) -> list[Word]:
    """Join single letters typed as initials into one word; a lone letter stays as it is."""
    if len(run) < 2:
        return run
    start, end = run[0].start, run[-1].end
    return [Word("".join(w.text for w in run), text[start:end], any(w.accented for w in run), start, end)]


def typed(text: str, found: list[Word]) -> str:
    """Return the words as they were typed, with what stood between them: "Sp. z o.o."."""
    if not found:
        return ""
    start, end = found[0].start, found[-1].end
    # A bracket around the words belongs to them: "(Pty) Ltd", "AB (publ)".
    if start > 0 and text[start - 1] == "(":
        start -= 1
    if end < len(text) and text[end] == ")":
        end += 1
    return text[start:end].strip(" ,")


def _has_accent(text: str) -> bool:
    """Say whether a word carries an accent or a letter outside plain ASCII."""
    return any(not ch.isascii() and ch.isalpha() for ch in text)


def american(word: str) -> str:
    """Return the American spelling of a British one ("organisation" -> "organization"), else the word."""
    if word in SPELLINGS:
        return SPELLINGS[word]
    if match := _IZATION.match(word):
        return f"{match[1]}ization{match[2]}"
    return word
