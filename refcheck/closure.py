"""Closing the loop: what a released report says at a glance, in words the candidate reads first.

Read-only; the release command (report.release) and the portal both use it.
"""

from __future__ import annotations

import sqlalchemy as sa

from .extensions import db
from .models import Finding, Reply

# Finding statuses, gathered into what a person asks first: does it agree, and where it does not.
AGREES = ("corroborated", "single_source", "minor_difference")


def finding_counts(case_id: int) -> dict[str, int]:
    """Count a case's findings by status, and the conflicts the candidate wrote a reply to; one query."""
    counts: dict[str, int] = {}
    for status, replied, total in db.session.execute(
        sa.select(Finding.status, Reply.text_enc.is_not(None), sa.func.count())
        .outerjoin(Reply, Reply.finding_id == Finding.id)
        .where(Finding.case_id == case_id).group_by(Finding.status, Reply.text_enc.is_not(None))
    ).all():
        counts[status] = counts.get(status, 0) + total
        if replied and status == "conflict":
            counts["replied"] = counts.get("replied", 0) + total
    return counts


def glance(counts: dict[str, int]) -> list[str]:
    """Say in a few lines what the findings came to, most important first."""
    agree = sum(counts.get(status, 0) for status in AGREES)
    conflicts = counts.get("conflict", 0)
    unverified = counts.get("unverified", 0)
    total = agree + conflicts + unverified
    if total == 0:
        return ["There were no facts to compare: the report holds what your referees said."]
    lines = []
    if conflicts:
        lines.append(f"{_count(conflicts, 'fact')} where a referee remembered differently from you"
                     f"{'; your reply is in the report beside it' if counts.get('replied') else ''}.")
    lines.append(f"{_count(agree, 'fact')} of {total} agree with what you told us"
                 + (f", {counts['corroborated']} of them confirmed by more than one referee."
                    if counts.get("corroborated") else "."))
    if unverified:
        lines.append(f"{_count(unverified, 'fact')} no referee could confirm either way.")
    return lines


def _count(number: int, noun: str) -> str:
    """Write '1 fact' or '3 facts'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
