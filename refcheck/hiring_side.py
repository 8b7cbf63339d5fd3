"""A check as the hiring side reads it, in its pages and its API: states, steps and who acts, in its words.

A client reads only what the candidate agreed to share with them: before release, a check's state
and dates; after it, the report. The reasons staff wrote to the candidate never reach them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from . import progress, timeline
from .models import CANCELLED, DECLINED, RELEASED, WITHDRAWN, Case

CLOSED = (DECLINED, WITHDRAWN, CANCELLED)
# Each state in the hiring side's words; "ready" and "replied" are not states but what the timeline
# reads from them (every answer in: our review; every reply in: our release).
STATE_WORDS = {
    "draft": "Ordered: our team is preparing it",
    "awaiting_consent": "Waiting for the candidate's consent",
    "nominating": "The candidate is naming referees",
    "collecting": "Referees are answering",
    "ready": "We are reviewing the answers",
    "review": "We are reviewing the answers",
    "candidate_review": "The candidate is reading the findings",
    "replied": "We are preparing the report",
    RELEASED: "Report ready",
    DECLINED: "The candidate declined",
    WITHDRAWN: "The candidate withdrew their consent",
    CANCELLED: "Cancelled",
}
# Why a closed check stopped, said to the hiring side: never the words staff wrote to the candidate.
STOPPED = {
    DECLINED: "The candidate declined, so nothing was checked.",
    WITHDRAWN: "The candidate withdrew their consent, so the check stopped.",
    CANCELLED: "The check was cancelled.",
}
# The timeline speaks to the candidate ("You name your referees"); the hiring side reads who acts in
# the third person, and "you" are the hiring team.
STEP_TITLES = {
    "opened": "Our team checks your order and sends it to the candidate",
    "consent": "The candidate reads the scope and decides",
    "nominating": "The candidate names their referees",
    "collecting": "The referees answer",
    "review": "We review the answers",
    "candidate_review": "The candidate reads the findings and may reply",
    "released": "The report is released to the candidate and to you",
}
WHO = {"you": "the candidate", "your referees": "the referees", "us": "our team"}


def steps(case: Case, answered: dict[int, dt.datetime], replied: dict[int, dt.datetime],
          now: dt.datetime) -> list[timeline.Step]:
    """Return a check's timeline as the hiring side may read it: steps and dates only.

    The candidate's questions are left out (no enquiries are passed), and so are the delay reasons
    staff wrote to the candidate; a closed check gives only the plain reason above.
    """
    facts = progress.case_facts(case, answered, replied, asked={})
    return timeline.build(replace(facts, delay_reason=None, stopped_reason=STOPPED.get(case.state)), now)


def state_words(case: Case, answered: dict[int, dt.datetime], replied: dict[int, dt.datetime]) -> str:
    """Say in plain words where a check stands."""
    if case.id in answered:
        return STATE_WORDS["ready"]
    if case.id in replied:
        return STATE_WORDS["replied"]
    return STATE_WORDS.get(case.state, case.state.replace("_", " "))
