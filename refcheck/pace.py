"""Honest dates from the configured pace: the earliest due date a case can meet, and the decide-by date.

Pure: every date here is read from the timeline (refcheck.timeline.build), so the new-case form,
the consent page, its email and the candidate's timeline can never name different days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .dates import day
from .timeline import CaseFacts, Step, build

# What each step's days are for, in the words staff read beside the due date.
STEP_WORDS = {
    "opened": "to send the case", "consent": "for the candidate to decide",
    "nominating": "to name referees", "collecting": "for referees to answer",
    "review": "for our review", "candidate_review": "for the candidate to read the findings",
    "released": "to release",
}


def days_from(config: Mapping[str, Any]) -> dict[str, int]:
    """Return the days each timeline step is expected to take, from the settings: the one pace table."""
    return {"opened": 2, "consent": config["CONSENT_DAYS"], "nominating": config["NOMINATION_DAYS"],
            "collecting": config["COLLECTION_DAYS"], "review": config["REVIEW_DAYS"],
            "candidate_review": config["CANDIDATE_REVIEW_DAYS"], "released": 1}


def new_case(pace_days: dict[str, int], now: dt.datetime) -> CaseFacts:
    """Return the facts of a case opened now, as the timeline would see it."""
    return CaseFacts(state="draft", created_at=now, entered={"draft": now}, pace_days=pace_days)


def early_facts(state: str, created_at: dt.datetime, stage_times: Mapping[str, str],
                pace_days: dict[str, int]) -> CaseFacts:
    """Return the timeline's facts of a case not yet with its referees: its state and when it entered each.

    Until referees answer, nothing else moves the timeline's dates, so these agree with the full facts.
    """
    return CaseFacts(state=state, created_at=created_at, pace_days=pace_days,
                     entered={name: dt.datetime.fromisoformat(at) for name, at in stage_times.items()})


def earliest_due(facts: CaseFacts, now: dt.datetime) -> dt.date | None:
    """Return the day the timeline expects the report at the configured pace, whatever due date is set."""
    return step_date(build(replace(facts, due_date=None), now), "released")


def unreachable(due: dt.date | None, facts: CaseFacts, now: dt.datetime) -> dt.date | None:
    """Return the earliest reachable day when `due` comes before it; None when `due` can be met."""
    earliest = earliest_due(facts, now)
    if due is None or earliest is None or due >= earliest:
        return None
    return earliest


def step_date(steps: list[Step], key: str) -> dt.date | None:
    """Return the done or expected date of one step of a built timeline."""
    return next((step.date for step in steps if step.key == key), None)


def decide_by(steps: list[Step], now: dt.datetime) -> dt.date | None:
    """Return the day the candidate is asked to decide by: the consent step's date, while it is ahead."""
    step = next((s for s in steps if s.key == "consent" and s.status == "current"), None)
    return step.date if step is not None and step.date is not None and step.date >= now.date() else None


def pace_sentence(pace_days: dict[str, int]) -> str:
    """Say in words how the earliest due date is reached: the days of each step, then their sum."""
    parts = [f"{n} day{'' if n == 1 else 's'} {STEP_WORDS[key]}"
             for key in STEP_WORDS if (n := pace_days.get(key, 0))]
    total = sum(pace_days.get(key, 0) for key in STEP_WORDS)
    return f"{', '.join(parts)}: {total} days in all"


def refusal(earliest: dt.date) -> str:
    """Say kindly why a due date cannot be saved as it is, and what to do instead."""
    return (f"At the configured pace the report can be released around {day(earliest)}. "
            f"Choose {day(earliest)} or later, or tick “I know this is tight” to keep your date; "
            "the case page will then warn that the report may come after it.")
