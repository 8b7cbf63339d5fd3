"""Apply a language's rules (Spanish, French) to a question, quoting the evidence as it was typed.

Each language module (lint_es, lint_fr) gives its rules over folded text (lint_fold); this
module finds the four problems the English linter finds, with messages in English for the staff pages.
Pure: no Flask import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lint_base import Problem, Rule
from .lint_fold import Folded, fold
from .lint_protected import problem_for


@dataclass(frozen=True)
class Language:
    """One language's rules, and the patterns that say how its questions are built."""

    code: str
    protected: tuple[Rule, ...]
    # "As payroll officer, …": the question is about the candidate's duties, which clears a topic rule.
    job_context: str
    # Plural people just before a topic word ("clientes de edad avanzada"): the word is theirs.
    others: str
    leading: tuple[Rule, ...]
    double: tuple[Rule, ...]
    # Pairs that name one thing ("sales and marketing", "strengths and areas to improve").
    fixed_pairs: str
    absolute: tuple[Rule, ...]
    # A second sentence that only follows up the first ("What happened?").
    follow_up: str
    # A sentence that asks without a question mark ("Describe …").
    request: str


def check(question: str, language: Language) -> list[Problem]:
    """Find every problem in one question written in the given language."""
    folded = fold(question)
    if not re.search(r"[a-z]", folded.text):
        return []
    return (leading(folded, language) + protected(folded, language) + double_barrelled(folded, language)
            + absolute(folded, language))


def _evidence(folded: Folded, start: int, end: int) -> str:
    """Quote the matched words as typed, without the punctuation around them."""
    return folded.as_typed(start, end).strip(" ,;:?¿!¡.\u00a0\u202f")


def protected(folded: Folded, language: Language) -> list[Problem]:
    """Find questions that reach into a protected characteristic, directly or through a proxy."""
    text = folded.text
    job = re.search(language.job_context, text) is not None
    found: list[Problem] = []
    seen: set[str] = set()
    for rule in language.protected:
        if rule.concept in seen or (rule.topic and job):
            continue
        match = rule.search(text)
        if match is None or (rule.topic and re.search(language.others, text[:match.start()])):
            continue
        seen.add(rule.concept)
        found.append(problem_for(rule, _evidence(folded, match.start(), match.end())))
    return found


def leading(folded: Folded, language: Language) -> list[Problem]:
    """Find wording that pushes the referee towards an answer."""
    for rule in language.leading:
        match = rule.search(folded.text)
        if match:
            evidence = _evidence(folded, match.start(), match.end())
            return [Problem("leading", f"The wording {rule.explanation} (\u201c{evidence}\u201d).",
                            "Ask openly and let the referee choose the words.", evidence)]
    return []


def _blank(text: str, pattern: str) -> str:
    """Overwrite what a pattern matches with filler of the same length, so offsets still map to the typing."""
    return re.sub(pattern, lambda m: "~" * len(m.group(0)), text)


def _unquoted(text: str) -> str:
    """Blank quoted names ("Siempre Listo"), whose words are not the question's."""
    return _blank(text, r"\"[^\"]{1,60}\"")


def _sentences(text: str) -> list[tuple[int, int]]:
    """Return where each sentence of the text starts and ends."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^.?!]+[.?!]*", text)
            if re.search(r"[a-z]", m.group())]


def _asking(text: str, language: Language) -> list[tuple[int, int]]:
    """Return the sentences that ask something, leaving out statements that only set the scene."""
    spans = _sentences(text)
    asking = [(a, b) for a, b in spans if "?" in text[a:b] or re.match(language.request, text[a:b].strip())]
    return asking or spans


def double_barrelled(folded: Folded, language: Language) -> list[Problem]:
    """Find two questions asked as one."""
    text = _blank(_unquoted(folded.text), language.fixed_pairs)
    asking = [(a, b) for a, b in _asking(text, language)
              if not re.fullmatch(language.follow_up, text[a:b].strip(" ¿?"))]
    if len(asking) > 1:
        return [_double(folded, "asks two questions in separate sentences", asking[0][0], asking[1][1])]
    for start, end in asking:
        for rule in language.double:
            match = rule.search(text[start:end].strip())
            if match:
                offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
                return [_double(folded, rule.explanation, offset + match.start(), offset + match.end())]
    return []


def _double(folded: Folded, explanation: str, start: int, end: int) -> Problem:
    """Describe a double-barrelled question."""
    evidence = _evidence(folded, start, end)
    return Problem("double_barrelled",
                   f"This {explanation} (\u201c{evidence}\u201d), so one answer cannot be read.",
                   "Split it into separate questions, one idea each.", evidence)


def absolute(folded: Folded, language: Language) -> list[Problem]:
    """Find wording that asks for an all-or-nothing answer."""
    text = _unquoted(folded.text)
    for start, end in _asking(text, language):
        sentence = text[start:end]
        offset = start + len(sentence) - len(sentence.lstrip())
        for rule in language.absolute:
            match = rule.search(sentence.strip())
            if match:
                evidence = _evidence(folded, offset + match.start(), offset + match.end())
                return [Problem("absolute", f"The question {rule.explanation} (\u201c{evidence}\u201d).",
                                "Ask how often or in what situations, for example by asking how often "
                                "something happened or for an example of a time it did.", evidence)]
    return []
