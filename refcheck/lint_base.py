"""What the linter's rules share: a problem, normalised text, and rules as readable regular expressions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a question is not neutral."""

    code: str
    message: str
    suggestion: str
    evidence: str = ""
    concept: str = ""


# ---------------------------------------------------------------- text

_QUOTES = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": " - "}
# "'s" stays as a possessive except after the words where it stands for "is" or "has".
_IS_WORDS = r"(he|she|it|that|there|who|what|where|how|here|everyone|everybody|nobody|someone|one)"


def normalise(text: str) -> str:
    """Lower-case, fold accents and curly quotes, and expand contractions (keeping possessives)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for curly, plain in _QUOTES.items():
        text = text.replace(curly, plain)
    text = text.lower()
    text = re.sub(r"\bcan't\b", "can not", text)
    text = re.sub(r"\bwon't\b", "will not", text)
    text = re.sub(r"\bshan't\b", "shall not", text)
    text = re.sub(r"\bain't\b", "is not", text)
    text = text.replace("n't", " not")
    text = re.sub(rf"\b{_IS_WORDS}'s\b", r"\1 is", text)
    for short, long in (("'re", " are"), ("'d", " would"), ("'ll", " will"), ("'ve", " have"), ("'m", " am")):
        text = text.replace(short, long)
    text = re.sub(r"(\w)s' ", r"\1s's ", text)  # "the parents' jobs" reads like "the parent's jobs"
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    """Split normalised text into words."""
    return re.findall(r"[a-z0-9]+(?:['-][a-z0-9]+)*", text)




# ---------------------------------------------------------------- rules

# Shorthands inside rule patterns, so a rule reads like the questions it catches.
_SHORTHANDS = {
    # the candidate as subject: a pronoun, "the candidate", or a first name (any one word)
    "{S}": r"(?:she|he|they|the candidate|candidate|the applicant|the employee|[a-z]+)",
    # the candidate as subject, pronouns only (for patterns too loose with any word)
    "{PR}": r"(?:she|he|they|the candidate|the applicant)",
    # the candidate's: possessive pronouns, "the candidate's" or a name with "'s"
    "{P}": r"(?:her|his|their|the candidate's|candidate's|the applicant's|[a-z]+'s)",
    # the candidate as object
    "{O}": r"(?:her|him|them|the candidate|the applicant)",
    # an auxiliary that opens a yes/no question
    "{AUX}": r"(?:is|was|are|were|did|does|do|has|have|had|would|could|can|will|should|might|must)",
}


def expand(pattern: str) -> str:
    """Replace the shorthands in a rule's pattern."""
    for short, long in _SHORTHANDS.items():
        pattern = pattern.replace(short, long)
    return pattern


@dataclass(frozen=True)
class Rule:
    """One way of asking something that is not neutral, and what it does wrong, in words."""

    pattern: str
    explanation: str
    concept: str = ""
    unless: str = ""  # the rule does not apply when this also matches (a work sense of the words)
    topic: bool = False  # a topic word rather than a question about the person: a job context clears it

    def search(self, text: str) -> re.Match[str] | None:
        """Return where the rule matches the normalised text, unless its exception matches too."""
        match = _compiled(self.pattern).search(text)
        if match and self.unless and _compiled(self.unless).search(text):
            return None
        return match


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    """Compile a rule's pattern once."""
    if pattern not in _CACHE:
        _CACHE[pattern] = re.compile(expand(pattern))
    return _CACHE[pattern]


def is_closed(text: str) -> bool:
    """Say whether a question asks for yes or no: it opens with an auxiliary, or states and tags."""
    return bool(re.match(expand(r"{AUX}\b"), text)) or text.rstrip("?. ").endswith(("right", "correct"))


def question_part(text: str) -> str:
    """Return the sentences that ask something, leaving out statements that only set the scene."""
    sentences = [s.strip() for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    asking = [s for s in sentences if s.endswith("?") or re.match(_REQUEST, s)]
    return " ".join(asking) or text


_REQUEST = (r"(describe|tell|explain|rate|give|list|say|name|share|outline|comment|talk|walk|please|"
            r"assess|evaluate|score|confirm|summari[sz]e|provide)\b")


def unquoted(text: str) -> str:
    """Drop quoted names ("Always On", 'Never Miss'), whose words are not the question's."""
    return re.sub(r"\"[^\"]{1,60}\"|(?<!\w)'[^']{1,60}'(?!\w)", " ", text)
