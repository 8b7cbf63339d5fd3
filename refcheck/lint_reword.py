"""Neutral rewordings for flagged questions: split, soften, reframe, or replace with the lawful question.

Each problem has its own repair: a double-barrelled question splits into two; an absolute one asks how
often or how far; leading wording loses its tag, its invitation to agree and its judgements; a question
about a protected characteristic is replaced by the lawful question about the work it may have been
after. Every candidate rewording is linted again and only one that passes is offered. Pure: no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .lint_base import Problem
from .lint_wording import LOADED

# The lawful question to ask instead, per protected concept (each passes the linter; a test checks).
LAWFUL = {
    "age": "What relevant experience did the candidate bring to the role?",
    "health": "How reliably did the candidate meet the commitments of the role?",
    "genetic": "How reliably did the candidate meet the commitments of the role?",
    "body": "How did the candidate carry out the practical tasks of the role?",
    "gender_reassignment": "What was the candidate's role when you worked together?",
    "marriage": "How did the candidate handle the travel the role required?",
    "pregnancy": "How did the candidate plan their work?",
    "family": "How did the candidate manage the working hours the role required?",
    "race": "How did the candidate communicate with clients?",
    "nationality": "Does the candidate have the right to work in the country where the role is based?",
    "religion": "How did the candidate plan their time off around the team's work?",
    "sex": "How would you describe the candidate's way of leading work?",
    "orientation": "How did the candidate get on with colleagues?",
    "criminal": "How did the candidate handle confidential information?",
    "finances": "How did the candidate handle the budgets they were responsible for?",
    "military": "What skills did the candidate bring from earlier roles?",
    "union": "How did the candidate work with management?",
    "politics": "How did the candidate work with people who disagreed with them?",
}
FALLBACK = "In your own words, how would you describe {whose} work in this area?"

_AUX = r"(is|was|are|were|did|does|do|has|have|had|would|could|can|will|should)"
# A subject: a pronoun, "the candidate", a name (capitalised, so matched case-sensitively) or "her work".
_SUBJECT = (r"((?i:she|he|they|the candidate|the applicant|her \w+|his \w+|their \w+|the candidate's \w+)|"
            r"(?-i:[A-Z][a-z]+(?: [A-Z][a-z]+)?))")
_OBJECT = {"she": "her", "he": "him", "they": "them"}
_POSSESSIVE = {"she": "her", "he": "his", "they": "their"}


def rewording(question: str, problems: list[Problem], check: Callable[[str], bool]) -> str:
    """Return the neutral rewording: one question, or two separated by a newline when it splits."""
    codes = {p.code for p in problems}
    if "protected" in codes:
        concept = next(p.concept for p in problems if p.code == "protected")
        return LAWFUL.get(concept, FALLBACK)
    text = question.strip()
    if "leading" in codes:
        text = _unlead(text)
    if "absolute" in codes:
        text = _unabsolute(text)
    parts = _split(text) if "double_barrelled" in codes else [text]
    parts = [_tidy(p) for p in parts]
    if parts and all(_sound(p) and check(p) for p in parts):
        return "\n".join(parts)
    return FALLBACK.format(whose=_whose(question))


def _sound(question: str) -> bool:
    """Say whether a rewritten question is whole: a few words, not ending on an article or a joiner."""
    found = re.findall(r"[\w'-]+", question)
    return len(found) >= 3 and found[-1].lower() not in (
        "a", "an", "the", "her", "his", "their", "and", "or", "of", "to", "with", "as", "so", "such", "that")


def _whose(question: str) -> str:
    """Name the candidate as the question does: "her", "his", "their", "Priya's" or "the candidate's"."""
    name = re.search(r"\b(?!(?:How|What|Why|When|Where|Who|Which|Did|Does|Do|Is|Was|Were|Are|Would|Could|Can|"
                     r"Has|Have|Had|Will|Should|Surely|Given|Tell|Describe|Rate|Please|In|As|To|By|Don|Isn|"
                     r"Wasn|Wouldn|Everyone|Most|Her|His|Their|She|He|They|You|It|I|The|Mr|Ms|Mrs|Dr)\b)"
                     r"([A-Z][a-z]+)(?:'s)?\b", question[1:])
    pronoun = re.search(r"\b(she|he|they|her|him|his|them|their)\b", question, flags=re.I)
    if name:
        return f"{name.group(1)}'s"
    if pronoun:
        word = pronoun.group(1).lower()
        return {"she": "her", "he": "his", "they": "their", "him": "his", "them": "their"}.get(word, word)
    return "the candidate's"


def _tidy(text: str) -> str:
    """Capitalise, collapse spaces and end with one question mark (or keep a request's full stop)."""
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    text = re.sub(r"\s+([,?.])", r"\1", text)
    if not text:
        return text
    text = text[0].upper() + text[1:]
    if re.match(r"(Describe|Tell|Explain|Rate|Give|List|Outline|Name|Share|Please)\b", text):
        return text.rstrip("?.") + "."
    return text.rstrip("?.") + "?"


# ---------------------------------------------------------------- leading

# Leading shapes that keep their topic when asked openly: (pattern, neutral question from its groups).
_OPEN_FORMS: tuple[tuple[str, str], ...] = (
    # "How much did his leadership improve team morale?" -> "What effect, if any, did … have on team morale?"
    (r"^(?:by )?how (?:much|far|greatly|significantly|dramatically) did (.+?) (?:improve|boost|increase|"
     r"raise|lift|transform|strengthen|help|hurt|damage|harm|cut|reduce|lower|disrupt|slow|delay)(?:d|ed|s)? "
     r"(.+?)\??$",
     "What effect, if any, did {0} have on {1}?"),
    # "She was the best analyst you had" -> "How did she compare with the other analysts you had?"
    (r"^(she|he|they|[A-Z][a-z]+) (?:was|were|is) (?:the|one of (?:the|your)) (?:best|strongest|top|finest|"
     r"most \w+) ([a-z]+?)s?( .+?)?\??$", "How did {0} compare with the other {1}s{2}?"),
    (r"^why did (.+?) complain (?:so much |so often )?about (.+?)\??$",
     "What feedback did {0} give about {1}?"),
)


def _open_form(text: str) -> str | None:
    """Ask a leading question's topic openly, when its shape is one we know."""
    bare = re.sub(r"^(surely|can you confirm that|could you confirm that|would you say that|do you agree "
                  r"that)\s+", "", text.strip(), flags=re.I)
    bare = re.sub(r",\s*(\w+n't|\w+ not|did|was|is) (she|he|they)\s*\?\s*$", "", bare, flags=re.I)
    for pattern, form in _OPEN_FORMS:
        match = re.match(pattern, bare, flags=re.I)
        if match:
            groups = [(g or "") for g in match.groups()]
            groups[0] = _lower(groups[0])
            return form.format(*groups)
    return None


def _unlead(text: str) -> str:
    """Take out what pushes the referee: tags, invitations to agree, settled opinions, judgements."""
    opened = _open_form(text)
    if opened:
        return opened
    sentences = re.split(r"(?<=[.!;])\s+|\s+[\u2014\u2013-]\s+", text)
    if len(sentences) > 1:  # a scene-setting claim ("Everyone says he's brilliant.") goes
        text = sentences[-1]
        if re.search(r"\b(it|that|this|so|too|as well)\b", text, flags=re.I):
            return ""  # what is left points back at the claim: nothing neutral remains of it
    text = re.sub(r"^given (how|that|what) [^,]+,\s*", "", text, flags=re.I)
    text = re.sub(r",\s*(\w+n't|\w+ not|is|was|are|were|did|does|do|has|have|would|could|will|can)\s+"
                  r"(she|he|they|it|you|there)\s*\?\s*$", "?", text, flags=re.I)
    text = re.sub(r",\s*(right|correct|true|yes|no|surely|agreed|I take it|I assume|I suppose)\s*\?\s*$",
                  "?", text, flags=re.I)
    text = re.sub(r"^(don't|do not|wouldn't|would not|would|do|can|could|will) you (agree|say|think|accept"
                  r"|confirm)( that)?\s*", "", text, flags=re.I)
    text = re.sub(r"^(isn't|is|wasn't|was|would) it( not)? (true|fair|clear|obvious|safe|right)( to say)?"
                  r"( that)?\s*", "", text, flags=re.I)
    text = re.sub(r"^(it's|it is|it was) (true|fair|clear|obvious) that\s*", "", text, flags=re.I)
    text = re.sub(r"\b(surely|obviously|clearly|undoubtedly|of course|certainly|naturally)\b,?\s*", "", text,
                  flags=re.I)
    text = re.sub(r"\b(someone|somebody|a person|an employee|a colleague) as \w+ as ", "", text, flags=re.I)
    match = re.match(r"^why (was|were|is|are|did) (\w+) (so|such an?) [\w-]+ "
                     r"(with|about|in|at|on|over) (.+?)\??$",
                     text, flags=re.I)
    if match:
        return f"How did {match.group(2)} handle {match.group(5)}?"
    match = re.match(r"^what made (her|him|them|[A-Z][a-z]+) (so|such an?) [\w-]+ ([\w-]+)\??$", text,
                     flags=re.I)
    if match:
        return f"How would you describe {match.group(1)} as a {match.group(3)}?"
    text = re.sub(rf"\bsuch an? {LOADED} (?=\w)", "this ", text, flags=re.I)
    text = re.sub(rf"\b(such an?|so|very|truly|really)\s+{LOADED}\s+", "", text, flags=re.I)
    text = re.sub(rf"\b{LOADED}\s+(?=[a-z])", "", text, flags=re.I)
    if re.search(rf"\b{LOADED}\s*\?\s*$", text, flags=re.I):  # "handled the merger brilliantly?"
        text = re.sub(r"\s+\w+ly(?=\s*\?\s*$)", "", text)
    return _statement_to_question(text)


def _statement_to_question(text: str) -> str:
    """Turn "she was reliable?" into "How reliable was she?" and "you would hire him" into a question."""
    bare = re.sub(r"\b(you|she|he|they|i|we)'d\b", r"\1 would", text.strip().rstrip("?."), flags=re.I)
    if re.match(rf"(how|what|why|when|where|who|which|whose|in what|to what|{_AUX}|tell|describe|rate|give|"
                r"please|as|given)\b", bare, flags=re.I):
        return text
    match = re.match(r"^((?i:she|he|they|the candidate)|[A-Z][a-z]+)\s+(\w+ed)\b(.*?)"
                     r"(\s+(well|badly|poorly))?$",
                     bare)
    if match:
        return f"How would you describe the way {_lower(match.group(1))} {match.group(2)}{match.group(3)}?"
    match = re.match(r"^((?:her|his|their|the candidate's|[A-Z][a-z]+'s) [\w ]+?) (was|were|is|are)\b", bare)
    if match:
        return f"How would you describe {match.group(1)}?"
    match = re.match(rf"^(she|he|they|you|the candidate|[A-Z][a-z]+)\s+{_AUX}\s+(.+)$", bare, flags=re.I)
    if match is None:
        return text
    subject, aux, rest = match.group(1), match.group(2), match.group(3)
    if aux.lower() in ("is", "was", "are", "were") and re.fullmatch(r"[a-z-]+", rest):
        return f"How {rest} {aux.lower()} {_lower(subject)}?"
    return f"{aux.capitalize()} {_lower(subject)} {rest}?"


# ---------------------------------------------------------------- absolute

_FREQUENCY = r"\s*\b(never once|not once|always|ever|never|constantly|continually|continuously|invariably|" \
             r"at all times|all the time|without fail|without exception|every time|each time|in every case)\b"
_DEGREE = r"\s*(\b(completely|totally|entirely|perfectly|absolutely|fully)\b|\b100 ?%|\b100 per ?cent\b)"
# Nouns that often follow another noun after "every" ("every customer email").
_COMPOUND_HEADS = r"(emails?|tickets?|requests?|queries|calls?|deadlines?|meetings?|reports?|tasks?|" \
                  r"assignments?|invoices?|orders?|complaints?|reviews?|projects?|checks?|shifts?|modules?)"


def _unabsolute(text: str) -> str:
    """Ask how often or how far instead of whether always, never or everyone."""
    bare = text.strip().rstrip("?.")
    if re.search(r"\b(nobody|no one)\b", bare, flags=re.I):
        return re.sub(r"\b(nobody|no one)\b", "anyone", bare, flags=re.I) + "?"
    closed = re.match(_AUX, bare, flags=re.I) is not None
    stripped = re.sub(_FREQUENCY, "", bare, flags=re.I)
    frequent = stripped != bare
    degree = re.sub(_DEGREE, "", stripped, flags=re.I)
    if degree != stripped:
        match = re.match(rf"^(is|was|are|were)\s+{_SUBJECT}\s+([a-z-]+)(.*)$", degree, flags=re.I)
        if match:
            return f"How {match.group(3)} {match.group(1).lower()} {_lower(match.group(2))}{match.group(4)}?"
        match = re.match(r"^(are|were) you\s+([a-z-]+)(.*)$", degree, flags=re.I)
        if match:
            return f"How {match.group(2)} {match.group(1).lower()} you{match.group(3)}?"
    if re.search(r"\b(everyone|everybody)\b", degree, flags=re.I):
        degree = re.sub(r"\b(everyone|everybody)\b", "colleagues", degree, flags=re.I)
        return ("How " + degree[0].lower() + degree[1:] if closed else degree) + "?"
    quantified = re.sub(rf"\b(every single|each and every|every|each)\s+([a-z]+)(\s+{_COMPOUND_HEADS}\b)?",
                        lambda m: "the " + (f"{m.group(2)} {_plural(m.group(4))}" if m.group(3)
                                            else _plural(m.group(2))), degree, count=1, flags=re.I)
    quantified = re.sub(r"\ball (of )?(?=(her|his|their|the)\b)", "", quantified, flags=re.I)
    if quantified != degree and closed:
        return "To what extent " + quantified[0].lower() + quantified[1:] + "?"
    if frequent and closed:
        return "How often " + degree[0].lower() + degree[1:] + "?"
    return degree + "?"


def _lower(subject: str) -> str:
    """Lower-case a pronoun or "the candidate" but keep a name's capital."""
    keep = subject[:1].isupper() and subject.split()[0] not in ("She", "He", "They", "The", "Her", "His",
                                                               "Their", "You", "We", "It")
    return subject if keep or subject == "I" else subject.lower()


def _plural(noun: str) -> str:
    """Make a plural the simple way: enough for the nouns that follow "every" in a question."""
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


# ---------------------------------------------------------------- double-barrelled

def _split(text: str) -> list[str]:
    """Split a double-barrelled question into two, one idea each."""
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]
    if len(sentences) > 1:
        return [re.sub(r"^(and|but|also|plus)\s+", "", s, flags=re.I) for s in sentences[-2:]]
    bare = text.strip().rstrip("?.")
    match = re.match(r"^how (\w+) and (?:how )?(\w+) (was|were|is|are|did|does) (.+)$", bare, flags=re.I)
    if match:
        return [f"How {match.group(1)} {match.group(3)} {match.group(4)}",
                f"How {match.group(2)} {match.group(3)} {match.group(4)}"]
    match = re.search(r",?\s*\b(and|but|as well as|and also|or)\s+(if so,?\s*)?(how|what|why|when|where|who|"
                      r"which|did|does|do|is|was|were|are|would|could|can|will|has|have|should)\b", bare,
                      flags=re.I)
    if match:
        return [bare[:match.start()], bare[match.end() - len(match.group(3)):]]
    match = re.search(r"\s+\b(and|as well as|plus|but also)\s+", bare, flags=re.I)
    if not match:
        return [text]
    left, right = bare[:match.start()], bare[match.end():]
    left = re.sub(r"\b(both|either)\s+", "", left, flags=re.I)
    closed = re.match(rf"^{_AUX}\s+{_SUBJECT}\s+", left, flags=re.I)
    noun = re.match(r"(her|his|their|the|a|an|its|[a-z]+'s)\b", right, flags=re.I)
    if closed and not noun:
        # "Did he meet his targets and stay within budget?", "Was she punctual and well prepared?"
        return [left, closed.group(0) + right]
    # the prefix runs up to where the left-hand item starts: its determiner, or its last word and adverbs
    item = re.search(r"\b((her|his|their|the|a|an|its|the candidate's|[a-z]+'s)\s+"
                     r"(?!.*\b(her|his|their|the|a|an)\s)"
                     r".+|(?:(?:well|very|highly|\w+ly)\s+)?[\w-]+)$", left, flags=re.I)
    prefix = left[:item.start()] if item else ""
    owner = re.match(r"(her|his|their|the candidate's|[a-z]+'s)\s", item.group(1) if item else "", flags=re.I)
    if owner and not noun:
        right = owner.group(0) + right
    return [left, prefix + right]
