"""Closing the loop: what a released report says at a glance, in words the candidate reads first.

Read-only; the release command (report.release) and the portal both use it.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext, lazy_ngettext
from flask_babel.speaklater import LazyString

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


def glance(counts: dict[str, int]) -> list[LazyString]:
    """Say in a few lines what the findings came to, most important first.

    The lines are written when they are shown, in the language of the page or of the candidate's email
    they are shown in (the release that sends the email runs in our team's request).
    """
    agree = sum(counts.get(status, 0) for status in AGREES)
    conflicts = counts.get("conflict", 0)
    unverified = counts.get("unverified", 0)
    total = agree + conflicts + unverified
    if total == 0:
        return [lazy_gettext("There were no facts to compare: the report holds what your referees said.")]
    lines = []
    if conflicts and counts.get("replied"):
        lines.append(lazy_ngettext(
            "%(num)d fact where a referee remembered differently from you; your reply is in the report "
            "beside it.",
            "%(num)d facts where a referee remembered differently from you; your reply is in the report "
            "beside it.", conflicts))
    elif conflicts:
        lines.append(lazy_ngettext("%(num)d fact where a referee remembered differently from you.",
                                   "%(num)d facts where a referee remembered differently from you.",
                                   conflicts))
    if counts.get("corroborated"):
        lines.append(lazy_ngettext(
            "%(num)d fact of %(total)d agree with what you told us, %(confirmed)d of them confirmed by more "
            "than one referee.",
            "%(num)d facts of %(total)d agree with what you told us, %(confirmed)d of them confirmed by more "
            "than one referee.", agree, total=total, confirmed=counts["corroborated"]))
    else:
        lines.append(lazy_ngettext("%(num)d fact of %(total)d agree with what you told us.",
                                   "%(num)d facts of %(total)d agree with what you told us.",
                                   agree, total=total))
    if unverified:
        lines.append(lazy_ngettext("%(num)d fact no referee could confirm either way.",
                                   "%(num)d facts no referee could confirm either way.", unverified))
    return lines
