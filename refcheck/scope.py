"""The scope of a case: what may be checked, validated and described in plain words."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from .months import is_month
from .words import ENGLISH, N_, Words, join

CHECKS = {
    "references": N_("references from people who have worked with you"),
    "employment_history": N_("your employment history: employers, job titles, dates and reasons for leaving"),
}

# key -> (singular, plural) as a candidate would read them.
RELATIONSHIPS = {
    "manager": (N_("manager"), N_("managers")),
    "peer": (N_("peer"), N_("peers")),
    "direct_report": (N_("person who reported to you"), N_("people who reported to you")),
    "client": (N_("client"), N_("clients")),
    "other": (N_("other colleague"), N_("other colleagues")),
}

# key -> a short neutral label for staff pages and the report, which the hiring side reads too.
RELATIONSHIP_LABELS = {
    "manager": N_("Manager"),
    "peer": N_("Peer"),
    "direct_report": N_("Direct report"),
    "client": N_("Client"),
    "other": N_("Other"),
}

# How the candidate and the hiring side see each referee's answers; a choice of the scope.
ATTRIBUTION = {
    "grouped": "Grouped by relationship, shown only where at least two referees of it answered",
    "attributed": "Each referee by relationship and organisation (the candidate may recognise them)",
}
# The fewest referees whose answers are shown together when answers are grouped.
GROUP_MINIMUM = 2

QUESTION_SETS = {
    "standard-v1": N_("Standard reference questions (version 1)"),
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

    def describe(self, words: Words = ENGLISH) -> list[tuple[str, str]]:
        """Explain the scope as (heading, sentence) pairs a candidate can read, in their language."""
        _ = words.gettext
        checked = join([_(CHECKS[c]) for c in self.checks], words)
        lines = [(_("What we will check"), _("We will check %(checks)s.", checks=checked))]
        if "references" in self.checks:
            lines.append((_("Who we will ask"), self.referee_sentence(words)))
        period = _("Your work between %(start)s and %(end)s, and nothing outside it.",
                   start=words.month(self.period_from), end=words.month(self.period_to))
        lines.append((_("Which period"), period))
        questions = QUESTION_SETS.get(self.question_set)
        lines.append((_("Which questions"), _(
            "%(questions)s. Every question is neutral and about work only; nothing about your health, "
            "family, beliefs, age or background.",
            questions=_(questions) if questions else self.question_set)))
        if "references" in self.checks and self.attribution:
            lines.append((_("How referees are shown"), self.attribution_sentence(words)))
        lines.append((_("Who sees the result"), _(
            "%(recipients)s, and you: you will see the findings first, may reply to each, and receive the "
            "same report.", recipients=self.report_recipients.strip())))
        lines.append((_("How long we keep it"), words.ngettext(
            "%(num)d day after the case ends. Then everything about you in this case is erased.",
            "%(num)d days after the case ends. Then everything about you in this case is erased.",
            self.retention_days)))
        return lines

    def attribution_sentence(self, words: Words = ENGLISH) -> str:
        """Say, to the candidate, how each referee's answers appear in the findings and the report."""
        if self.attribution == "attributed":
            return words.gettext(
                "Each referee's answers are shown under their relationship and organisation, for example "
                "'Manager at Contoso', never their name, so you and the hiring team may recognise who said "
                "what. Referees are told this before they answer.")
        return words.gettext(
            "Referees are never named. In the findings, each fact a referee confirms or questions (dates, "
            "job titles, employers) shows their relationship and organisation, for example 'Manager at "
            "Contoso'. Their ratings and comments are grouped by relationship, without employers, and shown "
            "only where at least %(minimum)s referees of a relationship answered; otherwise they are "
            "combined with other referees' answers. Referees are told this before they answer.",
            minimum=GROUP_MINIMUM)

    def referee_attribution(self, relationship: str, organisation: str, candidate: str,
                            words: Words = ENGLISH) -> str:
        """Say, to a referee, how their answers will appear to the candidate and the hiring side."""
        singular, plural = RELATIONSHIPS.get(relationship, (N_("referee"), N_("referees")))
        named = words.gettext(singular)
        source = (words.gettext("their %(relationship)s at %(organisation)s", relationship=named,
                                organisation=organisation) if organisation
                  else words.gettext("their %(relationship)s", relationship=named))
        if self.attribution == "attributed":
            return words.gettext(
                "There all your answers appear as coming from “%(source)s”, not under your name, but "
                "%(candidate)s may well recognise you from that.", source=source, candidate=candidate)
        return words.gettext(
            "Never under your name. The facts you give (dates, job title, employer) appear in the findings "
            "as coming from “%(source)s”, so %(candidate)s may recognise you from them. Your ratings and "
            "comments are shown without your employer, together with those of other %(others)s, and only "
            "when at least %(minimum)s answered; otherwise they are combined with other referees' answers, "
            "not shown as yours.", source=source, candidate=candidate, others=words.gettext(plural),
            minimum=GROUP_MINIMUM)

    def approval_sentence(self, words: Words = ENGLISH) -> str:
        """Say whether staff check referees before contacting them."""
        return words.gettext(
            "Our team checks each person you name before contacting them, and may ask you for someone "
            "else.") if self.staff_approval else ""

    def referee_sentence(self, words: Words = ENGLISH) -> str:
        """Say in words how many referees of which relationships are needed."""
        parts = join([count_phrase(n, r, words) for r, n in self.relationships.items() if n > 0], words)
        optional = join([words.gettext(ONE_MORE_KIND[r]) for r, n in self.relationships.items() if n == 0],
                        words, "or")
        values = {"min": self.min_referees, "max": self.max_referees, "required": parts, "optional": optional}
        if parts and optional:
            sentence = words.gettext(
                "Between %(min)s and %(max)s people you choose, including at least %(required)s; you may "
                "also choose %(optional)s. We contact only the people you name.", **values)
        elif parts:
            sentence = words.gettext(
                "Between %(min)s and %(max)s people you choose, including at least %(required)s. We contact "
                "only the people you name.", **values)
        elif optional:
            sentence = words.gettext(
                "Between %(min)s and %(max)s people you choose; you may also choose %(optional)s. We contact "
                "only the people you name.", **values)
        else:
            sentence = words.gettext(
                "Between %(min)s and %(max)s people you choose. We contact only the people you name.",
                **values)
        return f"{sentence} {self.approval_sentence(words)}".strip()


# A relationship that may be chosen but is not required, as the scope's sentence offers it.
ONE_MORE_KIND = {
    "manager": N_("a manager"), "peer": N_("a peer"), "direct_report": N_("a person who reported to you"),
    "client": N_("a client"), "other": N_("another colleague"),
}


def count_phrase(count: int, relationship: str, words: Words = ENGLISH) -> str:
    """Return '1 manager' or '2 peers', in the reader's language."""
    counted = {
        "manager": lambda: words.ngettext("%(num)d manager", "%(num)d managers", count),
        "peer": lambda: words.ngettext("%(num)d peer", "%(num)d peers", count),
        "direct_report": lambda: words.ngettext("%(num)d person who reported to you",
                                                "%(num)d people who reported to you", count),
        "client": lambda: words.ngettext("%(num)d client", "%(num)d clients", count),
        "other": lambda: words.ngettext("%(num)d other colleague", "%(num)d other colleagues", count),
    }
    return counted[relationship]()


@dataclass(frozen=True)
class Nominee:
    """What scope checks need to know about a nominated referee."""

    relationship: str
    email_hash: str


def nomination_problems(scope: Scope, existing: list[Nominee], new: Nominee, candidate_email_hash: str,
                        words: Words = ENGLISH) -> dict[str, str]:
    """Return a reason per field why a referee cannot be added within the consented scope."""
    _ = words.gettext
    problems: dict[str, str] = {}
    if "references" not in scope.checks:
        problems["relationship"] = _("References are not part of the scope you agreed to.")
    elif new.relationship not in scope.relationships:
        allowed = join([_(ONE_MORE_KIND[r]) for r in scope.relationships if r in RELATIONSHIPS], words, "or")
        problems["relationship"] = _("The scope you agreed to allows only %(allowed)s.", allowed=allowed)
    if len(existing) >= scope.max_referees:
        problems["referees"] = _("The scope you agreed to allows at most %(max)s referees. Remove one before "
                                 "adding another.", max=scope.max_referees)
    if new.email_hash == candidate_email_hash:
        problems["email"] = _("This is your own email address. Name someone who worked with you.")
    elif any(n.email_hash == new.email_hash for n in existing):
        problems["email"] = _("You have already named someone with this email address.")
    return problems


def still_needed(scope: Scope, existing: list[Nominee], words: Words = ENGLISH) -> list[str]:
    """Say which referees the scope still needs, as phrases like '1 manager'."""
    have: dict[str, int] = {}
    for nominee in existing:
        have[nominee.relationship] = have.get(nominee.relationship, 0) + 1
    needs = [count_phrase(n - have.get(r, 0), r, words) for r, n in scope.relationships.items()
             if n - have.get(r, 0) > 0]
    required_total = sum(max(n - have.get(r, 0), 0) for r, n in scope.relationships.items())
    extra = scope.min_referees - len(existing) - required_total
    if extra > 0:
        needs.append(words.ngettext("%(num)d more of any allowed relationship",
                                    "%(num)d more of any allowed relationship", extra))
    return needs
