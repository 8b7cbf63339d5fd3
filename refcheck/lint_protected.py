"""Questions that reach a protected characteristic, directly or through a proxy: one rule per way of asking.

The characteristics are the UK Equality Act 2010's nine and what the EEOC lists among pre-employment
inquiries to avoid (tests/data/README.md). A rule marked as a topic catches a word that is usually
about the person but can be the job ("the maternity ward", "as HR manager, the sick-leave policy"):
a job context or a work noun after the word clears it. Pure: no Flask import.
"""

from __future__ import annotations

import re

from .lint_base import Problem, Rule
from .lint_rules_identity import IDENTITY_RULES
from .lint_rules_life import LIFE_RULES
from .lint_work import WORK_NOUN

RULES = LIFE_RULES + IDENTITY_RULES

# What may be weighed instead, per concept: the lawful question, or the work the question was after.
ALTERNATIVES = {
    "age": "Ask about experience and skills the role needs, not about age or the dates that reveal it.",
    "health": "Ask whether the candidate met the role's requirements and how reliable they were; "
              "health and disability are not for a referee to discuss.",
    "genetic": "Remove the question: family medical history may not be asked or weighed.",
    "body": "Ask whether the candidate could do the role's physical tasks, not about their body.",
    "gender_reassignment": "Remove the question: gender history and names used before are private.",
    "marriage": "Ask about the candidate's work; if travel or relocation matter, the candidate can be asked "
                "directly whether they can meet the role's requirements.",
    "pregnancy": "Remove the question: pregnancy and maternity may not be weighed.",
    "family": "Ask whether the candidate managed the role's hours and commitments, not about who is "
              "at home.",
    "race": "Ask about the candidate's work and, if the role needs it, their command of a language for "
            "the job.",
    "nationality": "Ask only whether the candidate has the right to work in the country.",
    "religion": "Ask how the candidate planned their time and availability, not about belief.",
    "sex": "Ask about the candidate's work on its own terms; sex has no place in it.",
    "orientation": "Remove the question: sexual orientation may not be asked about or weighed.",
    "criminal": "Leave criminal records to a lawful, consented records check, not a referee.",
    "finances": "Remove the question: personal finances are not for a referee; a lawful credit check "
                "is separate and needs consent.",
    "military": "Ask about duties and skills from military service, not the type of discharge.",
    "union": "Remove the question: trade union membership and activity may not be weighed.",
    "politics": "Remove the question: political opinions may not be weighed.",
}
LABELS = {
    "age": "age", "health": "health or disability", "genetic": "genetic information",
    "body": "height and weight", "gender_reassignment": "gender reassignment",
    "marriage": "marriage and civil partnership", "pregnancy": "pregnancy and maternity",
    "family": "family and caring responsibilities", "race": "race and national origin",
    "nationality": "nationality", "religion": "religion or belief", "sex": "sex",
    "orientation": "sexual orientation", "criminal": "arrest records",
    "finances": "personal finances", "military": "military discharge",
    "union": "trade union membership", "politics": "political opinions",
}

# "As ward manager, …" or "…, as their manager?": the question is about the candidate's duties.
JOB_CONTEXT = (r"\bas (an? |the |their |her |his |our |your )?[a-z' -]{0,40}?(manager|lead|leader|director|"
               r"head|"
               r"officer|coordinator|administrator|adviser|advisor|nurse|midwife|paralegal|statistician|"
               r"lawyer|solicitor|clerk|caseworker|supervisor|analyst|specialist|consultant|treasurer|"
               r"engineer|designer|developer|editor|reporter|journalist|teacher|chaplain|recruiter|"
               r"accountant|assistant|representative|secretary|liaison|organi[sz]er|planner|producer|trainer|"
               r"counsel|counsell?or|adjuster|underwriter|inspector|auditor|steward|buyer|partner|receptionist|registrar|"
               r"pharmacist|doctor|gp|therapist|carer|worker|officer|agent|handler|collector|librarian|"
               r"archivist|curator|researcher|scientist|economist|pollster|moderator|producer|presenter|"
               r"correspondent|columnist|chaplain|nurse|practitioner|clinician|physio\w*|surgeon)s?\b"
               r"|\b(in|for|on) (payroll|hr|human resources|the (hr|payroll|benefits|people|legal) (team|"
               r"function|department))\b|\bin (her|his|their) (payroll|hr|benefits|pensions|welfare|"
               r"compliance|legal|"
               r"nursing|care|clinical|teaching|finance|accounts|immigration|reception|admin|administrative|"
               r"\w+ing) (role|job|post|position)\b")
def protected(text: str) -> list[Problem]:
    """Find questions that reach into a protected characteristic, directly or through a proxy."""
    job = _job_context(text)
    found: list[Problem] = []
    seen: set[str] = set()
    for rule in RULES:
        if rule.concept in seen or (rule.topic and job):
            continue
        match = rule.search(text)
        if match is None or (rule.topic and _about_work(text, match)) or _others(text, match):
            continue
        seen.add(rule.concept)
        found.append(problem_for(rule, match.group(0).strip(" ,?")))
    return found


def problem_for(rule: Rule, evidence: str) -> Problem:
    """Say what a protected-characteristic rule found, quoting the words, and what to ask instead."""
    return Problem(
        "protected",
        f"{rule.explanation[0].upper()}{rule.explanation[1:]} (\u201c{evidence}\u201d): "
        f"{LABELS[rule.concept]} may not be weighed in a hiring decision.",
        ALTERNATIVES[rule.concept], evidence, rule.concept,
    )


def _about_work(text: str, match: re.Match[str]) -> bool:
    """Say whether a topic word is about the work: it names a work thing, or belongs to other people."""
    # Words may sit between ("the childcare voucher scheme", "the Ramadan and Eid campaign"), but not a
    # preposition ("kids from school").
    after = re.match(rf"(?:'s)?[- ]?(and [\w-]+ )?((?!(?:from|to|at|in|of|for|with|on|by|after|before|and|"
                     rf"or)\b)[\w-]+ )?{WORK_NOUN}\b", text[match.end():].lstrip())
    before = re.search(r"\b(patients|customers|clients|pupils|students|tenants|members|residents|"
                       r"families|users|employees|staff|colleagues|visitors|guests)('s)? (\w+ )?$",
                       text[:match.start()])
    joined = re.search(r"\b(involved|member|members|active|join|joined|joins|belong|belongs|belonged|attend|"
                       r"attends|attended|go to|goes to|went to)( in| of| to| with)?( a| any| the| an)?\s*$",
                       text[:match.start()])
    return bool(after or before) and not joined


def _others(text: str, match: re.Match[str]) -> bool:
    """Say whether "their" belongs to other people ("customers behind on their credit card payments")."""
    if re.search(r"\bwhose (\w+ )?$", text[:match.start()]):  # "callers whose first language …"
        return True
    return match.group(0).startswith("their") and re.search(
        r"\b(customers|clients|patients|students|pupils|tenants|users|members|residents|families|colleagues|"
        r"staff|employees|people|councillors|parents|children|guests|visitors|borrowers|applicants|"
        r"candidates|workers|callers)\b", text[:match.start()]) is not None


def _job_context(text: str) -> bool:
    """Say whether the question sets the candidate's job as its frame ("As HR manager, …")."""
    return re.search(JOB_CONTEXT, text) is not None
