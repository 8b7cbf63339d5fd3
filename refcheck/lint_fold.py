"""Fold Spanish and French text for the rules, and map what a rule matched back to the words as typed."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Typographic marks people type or paste: curly apostrophes (French élision: l’âge, qu’il), guillemets,
# and the no-break spaces French puts before "?", all read as their plain forms.
_PLAIN = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'", "\u201c": '"', "\u201d": '"',
          "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u00a0": " ",
          "\u202f": " ", "\u2009": " ", "\t": " ", "\n": " ", "\r": " ", "\u0153": "oe", "\u00e6": "ae"}


@dataclass(frozen=True)
class Folded:
    """Text as the rules read it (lower case, no accents), and where each of its characters was typed."""

    typed: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def as_typed(self, start: int, end: int) -> str:
        """Return the typed words behind the folded span [start, end), accents and apostrophes as typed."""
        if start >= end or not self.text:
            return ""
        return self.typed[self.starts[start]:self.ends[end - 1]]


def fold(typed: str) -> Folded:
    """Lower-case, drop accents (é, ñ, ç), plain apostrophes and spaces, keeping track of every character."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(typed):
        plain = _PLAIN.get(char)
        if plain is None:
            decomposed = unicodedata.normalize("NFKD", char)
            plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
        for piece in plain:
            # Runs of spaces read as one, so a rule's single space matches however the question was typed.
            if piece == " " and (not out or out[-1] == " "):
                continue
            out.append(piece)
            starts.append(index)
            ends.append(index + 1)
    while out and out[-1] == " ":
        out.pop()
        starts.pop()
        ends.pop()
    return Folded(typed, "".join(out), tuple(starts), tuple(ends))
