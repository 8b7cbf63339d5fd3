"""The scope of a case: what may be checked, validated and described in plain words."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from .months import is_month, month_name

CHECKS = {
    "references": "references from people who have worked with you",
    "employment_history": "your employment history: employers, job titles, dates and reasons for leaving",
}

# key -> (singular, plural) as a candidate would read them.
RELATIONSHIPS = {
    "manager": ("manager", "managers"),
    "peer": ("peer", "peers"),
    "direct_report": ("person who reported to you", "people who reported to you"),
    "client": ("client", "clients"),
    "other": ("other colleague", "other colleagues"),
}

# key -> a short neutral label for staff pages and the report, which the hiring side reads too.
RELATIONSHIP_LABELS = {
    "manager": "Manager",
    "peer": "Peer",
    "direct_report": "Direct report",
    "client": "Client",
    "other": "Other",
}

# How the candidate and the hiring side see each referee's answers; a choice of the scope.
ATTRIBUTION = {
    "grouped": "Grouped by relationship, shown only where at least two referees of it answered",
    "attributed": "Each referee by relationship and organisation (the candidate may recognise them)",
}
# The fewest referees whose answers are shown together when answers are grouped.
GROUP_MINIMUM = 2

QUESTION_SETS = {
    "standard-v1": "Standard reference questions (version 1)",
}

MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 730
MAX_REFEREES = 10


@dataclass(frozen=True)
class Scope:
    """Everything the candidate is asked to agree to, and nothing else."""

    checks: tuple[str, ...]
    min_referees: int
    max_referees: int
    # relationship -> how many referees of it are required (0: allowed, not required).
    relationships: dict[str, int]
    period_from: str
    period_to: str
    question_set: str
    report_recipients: str
    retention_days: int
    # Staff check each referee before anyone is contacted.
    staff_approval: bool = False
    # "grouped" or "attributed" (see ATTRIBUTION). "" is a scope consented to before the choice
    # existed: its words stay as agreed, and its answers are grouped (see `grouped`).
    attribution: str = "grouped"
    extra: dict[str, Any] = field(default_factory=dict)

    def errors(self, question_sets: Collection[str] | None = None) -> dict[str, str]:
        """Return a reason per field that makes this scope unusable; empty when it is sound.

        `question_sets` names the published families on offer (the shipped ones by default).
        """
        problems: dict[str, str] = {}
        if not self.checks:
            problems["checks"] = "Choose at least one check."
        elif any(check not in CHECKS for check in self.checks):
            problems["checks"] = "One of the chosen checks is not known."
        unknown = [r for r in self.relationships if r not in RELATIONSHIPS]
        if unknown:
            problems["relationships"] = "Unknown relationship: " + ", ".join(sorted(unknown)) + "."
        required = {r: n for r, n in self.relationships.items() if n > 0}
        if "references" in self.checks:
            if self.min_referees < 2:
                problems["min_referees"] = "Ask for at least two referees: never rely on one witness."
            if len(required) < 2:
                problems.setdefault("relationships", (
                    "Require referees of at least two different relationships, "
                    "for example a manager and a peer."
                ))
            if sum(required.values()) > self.min_referees:
                problems.setdefault("min_referees", (
                    "The minimum must cover the required relationships "
                    f"({sum(required.values())} referees)."
                ))
        if self.max_referees < self.min_referees:
            problems["max_referees"] = "The maximum cannot be below the minimum."
        elif self.max_referees > MAX_REFEREES:
            problems["max_referees"] = f"Ask for at most {MAX_REFEREES} referees."
        if not is_month(self.period_from):
            problems["period_from"] = "Give the first month and year, for example 01/2021."
        if not is_month(self.period_to):
            problems["period_to"] = "Give the last month and year, for example 10/2026."
        elif "period_from" not in problems and self.period_to < self.period_from:
            problems["period_to"] = "The period must end after it starts."
        if self.question_set not in (QUESTION_SETS if question_sets is None else question_sets):
            problems["question_set"] = "Choose a published question set."
        if self.attribution and self.attribution not in ATTRIBUTION:
            problems["attribution"] = "Choose how referees' answers are shown."
        if not self.report_recipients.strip():
            problems["report_recipients"] = "Say who will receive the report."
        if not MIN_RETENTION_DAYS <= self.retention_days <= MAX_RETENTION_DAYS:
            problems["retention_days"] = (
                f"Keep data between {MIN_RETENTION_DAYS} and {MAX_RETENTION_DAYS} days."
            )
        return problems

    def to_json(self) -> dict[str, Any]:
        """Return the scope as plain JSON data."""
        data = asdict(self)
        data["checks"] = list(self.checks)
        if not self.attribution:
            # A scope agreed before the choice existed keeps the exact JSON, and fingerprint, agreed to.
            del data["attribution"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scope:
        """Rebuild a scope from its JSON form."""
        values = dict(data)
        values["checks"] = tuple(values.get("checks", ()))
        values["relationships"] = {k: int(v) for k, v in values.get("relationships", {}).items()}
        values.setdefault("attribution", "")
        return cls(**values)

    @property
    def grouped(self) -> bool:
        """Say whether answers are grouped by relationship rather than shown per referee.

        A scope agreed before the choice existed is grouped too: its referees were promised their
        answers would not appear under their name, and a lone "Manager at Contoso" column breaks that.
        """
        return self.attribution != "attributed"

    def fingerprint(self) -> str:
        """Return the SHA-256 of the canonical JSON, frozen into the consent record."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def describe(self) -> list[tuple[str, str]]:
        """Explain the scope as (heading, sentence) pairs a candidate can read."""
        lines = [("What we will check", "We will check " + _join([CHECKS[c] for c in self.checks]) + ".")]
        if "references" in self.checks:
            lines.append(("Who we will ask", self.referee_sentence()))
        lines.append(("Which period", f"Your work between {month_name(self.period_from)} and "
                                      f"{month_name(self.period_to)}, and nothing outside it."))
        lines.append(("Which questions", f"{QUESTION_SETS.get(self.question_set, self.question_set)}. "
                                         "Every question is neutral and about work only; nothing about "
                                         "your health, family, beliefs, age or background."))
        if "references" in self.checks and self.attribution:
            lines.append(("How referees are shown", self.attribution_sentence()))
        lines.append(("Who sees the result", f"{self.report_recipients.strip()}, and you: you will "
                                             "see the findings first, may reply to each, and receive "
                                             "the same report."))
        lines.append(("How long we keep it", f"{self.retention_days} days after the case ends. "
                                             "Then everything about you in this case is erased."))
        return lines

    def attribution_sentence(self) -> str:
        """Say, to the candidate, how each referee's answers appear in the findings and the report."""
        if self.attribution == "attributed":
            return ("Each referee's answers are shown under their relationship and organisation, for "
                    "example 'Manager at Contoso', never their name, so you and the hiring team may "
                    "recognise who said what. Referees are told this before they answer.")
        return ("Referees are never named. In the findings, each fact a referee confirms or questions "
                "(dates, job titles, employers) shows their relationship and organisation, for example "
                "'Manager at Contoso'. Their ratings and comments are grouped by relationship, without "
                f"employers, and shown only where at least {GROUP_MINIMUM} referees of a relationship "
                "answered; otherwise they are combined with other referees' answers. Referees are told "
                "this before they answer.")

    def referee_attribution(self, relationship: str, organisation: str, candidate: str) -> str:
        """Say, to a referee, how their answers will appear to the candidate and the hiring side."""
        singular, plural = RELATIONSHIPS.get(relationship, ("referee", "referees"))
        at = f" at {organisation}" if organisation else ""
        if self.attribution == "attributed":
            return (f"There all your answers appear as coming from “their {singular}{at}”, not under "
                    f"your name, but {candidate} may well recognise you from that.")
        return (f"Never under your name. The facts you give (dates, job title, employer) appear in the "
                f"findings as coming from “their {singular}{at}”, so {candidate} may recognise you from "
                f"them. Your ratings and comments are shown without your employer, together with those "
                f"of other {plural}, and only when at least {GROUP_MINIMUM} answered; otherwise they are "
                "combined with other referees' answers, not shown as yours.")

    def approval_sentence(self) -> str:
        """Say whether staff check referees before contacting them."""
        return ("Our team checks each person you name before contacting them, and may ask you for "
                "someone else." if self.staff_approval else "")

    def referee_sentence(self) -> str:
        """Say in words how many referees of which relationships are needed."""
        parts = [count_phrase(n, r) for r, n in self.relationships.items() if n > 0]
        optional = [_with_article(RELATIONSHIPS[r][0]) for r, n in self.relationships.items() if n == 0]
        sentence = f"Between {self.min_referees} and {self.max_referees} people you choose"
        if parts:
            sentence += ", including at least " + _join(parts)
        if optional:
            sentence += "; you may also choose " + _join(optional, "or")
        sentence += ". We contact only the people you name."
        return f"{sentence} {self.approval_sentence()}".strip()


def count_phrase(count: int, relationship: str) -> str:
    """Return '1 manager' or '2 peers'."""
    singular, plural = RELATIONSHIPS[relationship]
    return f"{count} {singular if count == 1 else plural}"


def _with_article(noun: str) -> str:
    """Put 'a' or 'another' before a noun phrase: 'a client', 'another colleague'."""
    return "an" + noun if noun.startswith("other ") else "a " + noun


def _join(items: list[str], word: str = "and") -> str:
    """Join words the way a sentence does."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


@dataclass(frozen=True)
class Nominee:
    """What scope checks need to know about a nominated referee."""

    relationship: str
    email_hash: str


def nomination_problems(scope: Scope, existing: list[Nominee], new: Nominee,
                        candidate_email_hash: str) -> dict[str, str]:
    """Return a reason per field why a referee cannot be added within the consented scope."""
    problems: dict[str, str] = {}
    if "references" not in scope.checks:
        problems["relationship"] = "References are not part of the scope you agreed to."
    elif new.relationship not in scope.relationships:
        allowed = _join([RELATIONSHIPS[r][0] for r in scope.relationships if r in RELATIONSHIPS], "or")
        problems["relationship"] = f"The scope you agreed to allows only a {allowed}."
    if len(existing) >= scope.max_referees:
        problems["referees"] = (f"The scope you agreed to allows at most {scope.max_referees} "
                                "referees. Remove one before adding another.")
    if new.email_hash == candidate_email_hash:
        problems["email"] = "This is your own email address. Name someone who worked with you."
    elif any(n.email_hash == new.email_hash for n in existing):
        problems["email"] = "You have already named someone with this email address."
    return problems


def still_needed(scope: Scope, existing: list[Nominee]) -> list[str]:
    """Say which referees the scope still needs, as phrases like '1 more manager'."""
    have: dict[str, int] = {}
    for nominee in existing:
        have[nominee.relationship] = have.get(nominee.relationship, 0) + 1
    needs = [count_phrase(n - have.get(r, 0), r) for r, n in scope.relationships.items()
             if n - have.get(r, 0) > 0]
    required_total = sum(max(n - have.get(r, 0), 0) for r, n in scope.relationships.items())
    extra = scope.min_referees - len(existing) - required_total
    if extra > 0:
        needs.append(f"{extra} more of any allowed relationship")
    return needs
