"""Check reference questions for bias before a question set can be published.

Four kinds of problem, each with a code, an explanation of what exactly is wrong and a neutral
rewording: leading wording, questions about protected characteristics or their proxies (lint_protected),
double-barrelled questions and absolute wording (lint_wording). Rules are regular expressions over
normalised text, written one per way of asking, so each finding says which rule it broke; the
rewording (lint_reword) is itself checked by the same rules. Spanish and French questions are checked by
their own rules (lint_es, lint_fr through lint_intl), without a rewording. Pure Python: no Flask import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .lint_base import Problem, normalise, words
from .lint_es import SPANISH
from .lint_fr import FRENCH
from .lint_intl import Language, check
from .lint_protected import protected
from .lint_reword import rewording
from .lint_wording import absolute, double_barrelled, leading

__all__ = ["CODES", "LANGUAGES", "Problem", "Result", "lint", "lint_all", "normalise", "words"]

CODES = ("leading", "protected", "double_barrelled", "absolute")
# The languages questions may be written in, and the rules for each but English (which this module applies).
OTHER_LANGUAGES: dict[str, Language] = {"es": SPANISH, "fr": FRENCH}
LANGUAGES = ("en", *OTHER_LANGUAGES)


@dataclass
class Result:
    """The verdict on one question, and a neutral rewording when it has problems."""

    question: str
    problems: list[Problem] = field(default_factory=list)
    rewording: str | None = None

    @property
    def ok(self) -> bool:
        """Say whether the question can be asked as written."""
        return not self.problems

    @property
    def rewordings(self) -> list[str]:
        """Return the suggested replacement questions: one, two when a question splits, none to remove."""
        return [q for q in (self.rewording or "").split("\n") if q]

    def to_json(self) -> dict:
        """Return the verdict in the CLI's JSON shape."""
        return {
            "question": self.question,
            "ok": self.ok,
            "problems": [{"code": p.code, "message": p.message, "suggestion": p.suggestion,
                          "evidence": p.evidence} for p in self.problems],
            "rewording": self.rewordings,
        }


# ---------------------------------------------------------------- entry points

def lint(question: str, *, reword: bool = True, language: str = "en") -> Result:
    """Check one question in its language and return every problem found, with a rewording in English."""
    if language != "en":
        if language not in OTHER_LANGUAGES:
            raise ValueError(f"no rules for language {language!r}; known: {', '.join(LANGUAGES)}")
        # No rewording: a suggestion in the question's language would need rules of its own to be safe.
        return Result(question=question, problems=check(question, OTHER_LANGUAGES[language]))
    text = normalise(question)
    result = Result(question=question)
    if not words(text):
        return result
    result.problems.extend(leading(text))
    result.problems.extend(protected(text))
    result.problems.extend(double_barrelled(text))
    result.problems.extend(absolute(text))
    result.problems = [_as_written(p, question) for p in result.problems]
    if result.problems and reword:
        result.rewording = rewording(question, result.problems, lambda q: lint(q, reword=False).ok)
    return result


def lint_all(questions: list[str]) -> list[Result]:
    """Check several questions."""
    return [lint(q) for q in questions]


def _as_written(problem: Problem, question: str) -> Problem:
    """Quote the evidence as the question wrote it ("wasn't he"), not as the rules read it ("was not he")."""
    evidence = problem.evidence
    if not evidence or evidence in question.lower():
        return problem
    contracted = re.sub(r"\bcan not\b", "can't", re.sub(r"\bwill not\b", "won't", evidence))
    contracted = re.sub(r"\b(is|was|are|were|did|does|do|has|have|had|would|could|should|must) not\b", r"\1n't",
                        contracted)
    plain = question.lower().replace("\u2019", "'")
    if contracted != evidence and contracted in plain:
        return replace(problem, evidence=contracted, message=problem.message.replace(evidence, contracted))
    return problem
