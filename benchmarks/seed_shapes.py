"""The shape of the seeded data: how a case moves through its life, its referees' states, typical answers."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

# Two years of cases, about 140 a day. Each case moves through the lifecycle at about the configured
# pace (each stage takes a random share of its expected days, sometimes more), so old cases have
# ended and young ones are spread over the running states, a few of them late.
YEARS_DAYS = 730
# What candidates who decline say, when they say anything.
DECLINE_REASONS = ["I accepted another offer.", None, "The role changed.", None]
# How each case ends, out of 100.
ENDINGS = [("released", 85), ("declined", 5), ("withdrawn", 5), ("cancelled", 5)]
# Expected days in each stage (the timeline's pace) and the spread of the actual time, as factors.
STAGE_DAYS = {"draft": (1, 0.05, 1.0), "awaiting_consent": (5, 0.1, 1.2), "nominating": (5, 0.1, 1.2),
              "collecting": (10, 0.4, 1.3), "review": (3, 0.2, 1.3), "candidate_review": (7, 0.3, 1.2)}
LIFECYCLE = ["draft", "awaiting_consent", "nominating", "collecting", "review", "candidate_review",
             "released"]

def stage_times(ending: str, created: dt.datetime, now: dt.datetime,
                 rng: random.Random) -> dict[str, str]:
    """Return when a case entered each state so far, moving at about the configured pace toward `ending`."""
    times: dict[str, str] = {}
    at = created
    for state in LIFECYCLE:
        if at > now:
            break
        times[state] = at.isoformat()
        if state == "released":
            break
        if ending == "declined" and state == "awaiting_consent" or \
                ending in ("withdrawn", "cancelled") and state == "collecting":
            stop = at + dt.timedelta(days=rng.uniform(0.5, 4))
            if stop <= now:
                times[ending] = stop.isoformat()
            break
        days, low, high = STAGE_DAYS[state]
        at += dt.timedelta(days=days * rng.uniform(low, high))
    return times


def referee_state(case_state: str, entered: dict[str, dt.datetime], now: dt.datetime,
                   rng: random.Random) -> tuple[str, dict[str, Any]]:
    """Return a referee's state and timestamps that fit their case's state."""
    nominated = entered.get("nominating", min(entered.values())) + dt.timedelta(hours=1)
    times: dict[str, Any] = {"nominated_at": nominated, "invited_at": None, "opened_at": None,
                             "attested_at": None, "finished_at": None}
    if case_state == "nominating":
        return "nominated", times
    invited = entered.get("collecting", nominated)
    times["invited_at"] = invited
    roll = rng.random()
    if case_state == "collecting":
        state = "invited" if roll < 0.3 else "opened" if roll < 0.5 else "declined" if roll < 0.55 \
            else "submitted"
    elif case_state in ("withdrawn", "cancelled"):
        state = "revoked" if roll < 0.7 else "submitted"
    else:
        state = "declined" if roll < 0.05 else "submitted"
    if state in ("opened", "submitted", "declined"):
        times["opened_at"] = invited + dt.timedelta(hours=rng.uniform(1, 72))
    if state == "submitted":
        times["attested_at"] = times["opened_at"] + dt.timedelta(minutes=1)
        times["finished_at"] = times["opened_at"] + dt.timedelta(minutes=rng.uniform(5, 30))
    if state == "declined":
        times["finished_at"] = times["opened_at"] + dt.timedelta(minutes=3)
    # Nothing happens in the future: a young case's referees acted in the time it has had.
    return state, {k: min(v, now) if v is not None else None for k, v in times.items()}


def typical_answers(question_set: Any, relationship: str, organisation: str) -> dict[str, Any]:
    """Return a typical sealed answer record for a question set: answers and the facts drawn from them."""
    answers: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    for question in question_set.questions:
        key = str(question.id)
        if question.kind == "rating":
            answers[key] = "4"
        elif question.kind == "yes_no":
            answers[key] = "yes"
        elif question.kind == "choice":
            answers[key] = relationship if question.fact_key == "relationship" else "resigned"
        elif question.kind == "month_range":
            answers[key] = {"from": "2021-10", "to": "2025-08"}
        elif question.fact_key == "employer":
            answers[key] = organisation
        elif question.fact_key == "title":
            answers[key] = "Data Engineer"
        else:
            answers[key] = ("Careful, well-explained work; kept the team informed when plans changed, "
                            "and helped new colleagues settle in.")
        if question.fact_key:
            value = answers[key]
            if isinstance(value, dict):
                facts[question.fact_key] = value["from"]
            else:
                facts[question.fact_key] = value
    return {"answers": answers, "facts": facts}
