"""A case's findings: its claims and referees' sealed answers, put through cross-verification.

The staff mapping of employers' other names (refcheck.employer_aliases) is read here, once, and handed
to the pure verify() as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from . import employer_aliases
from .crossverify import Finding, coverage, verify
from .employers import AliasBook, same_employer
from .extensions import db
from .models import Case, Claim, Referee, Response
from .scope import Scope
from .words import N_

# The heading of what referees said about a position the candidate did not state; shown translated.
UNLISTED = N_("A position the candidate did not list")
# Facts about the working relationship, checked against what the candidate said when naming the referee.
NOMINATION_FACTS = ("relationship", "worked_together_from", "worked_together_to")


@dataclass
class PositionFindings:
    """Findings about one position the candidate claimed."""

    title: str
    employer: str
    findings: list[Finding] = field(default_factory=list)


@dataclass
class CaseFindings:
    """Everything cross-verification says about a case so far."""

    positions: list[PositionFindings]
    relationships: list[Finding]
    relationships_confirmed: int
    coverage: dict
    answered: int


def case_findings(case: Case, claims: list[Claim] | None = None) -> CaseFindings:
    """Compare each answered referee with the claim for the position they knew, in a fixed few queries.

    `claims` are the case's claims when the caller has read them already.
    """
    tolerance = current_app.config["CROSSVERIFY_TOLERANCE_MONTHS"]
    # No eager load of the case's one key (see Sealed.data_key).
    rows = db.session.execute(
        sa.select(Referee, Response).join(Response, Response.referee_id == Referee.id)
        .where(Referee.case_id == case.id, Referee.state == "submitted")
        .order_by(Referee.nominated_at)
    ).all()
    if claims is None:
        claims = list(db.session.execute(sa.select(Claim).where(Claim.case_id == case.id)).scalars())
    book = AliasBook(employer_aliases.mapping())
    claim_facts = sorted((c.facts for c in claims), key=lambda f: f["start_month"])

    by_position: dict[int, list[dict]] = {}
    relationship_findings: list[Finding] = []
    answered: list[dict] = []
    for referee, response in rows:
        details = referee.details
        facts = response.unseal("answers_enc").get("facts", {})
        entry = {"id": referee.id, "relationship": referee.relationship,
                 "facts": {k: v for k, v in facts.items() if k not in NOMINATION_FACTS}}
        answered.append(entry)
        index = _position_for(claim_facts, details, facts, book)
        by_position.setdefault(index, []).append(entry)
        nominated = {"relationship": referee.relationship, "worked_together_from": details["worked_from"],
                     "worked_together_to": details["worked_to"]}
        relationship_findings.extend(verify(
            nominated, [{"id": referee.id, "relationship": referee.relationship,
                         "facts": {k: v for k, v in facts.items() if k in NOMINATION_FACTS}}],
            tolerance, book))

    positions = []
    for index, claim in enumerate(claim_facts):
        stated = {k: v for k, v in claim.items() if k != "responsibilities" and v}
        known = by_position.get(index, [])
        # A position no referee knew has nothing to compare yet; saying so once is enough.
        positions.append(PositionFindings(claim["title"], claim["employer"],
                                          verify(stated, known, tolerance, book) if known else []))
    if -1 in by_position:
        unlisted = verify({}, by_position[-1], tolerance, book)
        positions.append(PositionFindings(UNLISTED, "", unlisted))
    consent = case.consent
    required = Scope.from_json(consent.scope).relationships if consent else {}
    # Relationships and periods matter when they differ; agreement is summed up in a count.
    differing = [f for f in relationship_findings if f.status == "conflict"]
    return CaseFindings(positions, differing, len(relationship_findings) - len(differing),
                        coverage({r: n for r, n in required.items() if n > 0}, answered), len(answered))


def _position_for(claims: list[dict], details: dict, facts: dict, book: AliasBook) -> int:
    """Pick the claimed position a referee knew: by employer, else by overlapping period; -1 for none."""
    names = [n for n in (facts.get("employer"), details.get("organisation")) if n]
    for index, claim in enumerate(claims):
        if any(same_employer(claim["employer"], name, book) for name in names):
            return index
    for index, claim in enumerate(claims):
        end = claim.get("end_month") or "9999-12"
        if claim["start_month"] <= details.get("worked_to", "") and details.get("worked_from", "") <= end:
            return index
    return -1
