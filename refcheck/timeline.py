"""Work out each step of a case, its state and its expected date, from plain facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from .words import ENGLISH, N_, Words

# The happy path, in order; each entry is (state that is this step, step key).
STEP_ORDER = (
    "opened", "consent", "nominating", "collecting", "review", "candidate_review", "released",
)
_STATE_TO_STEP = {
    "draft": "opened",
    "awaiting_consent": "consent",
    "nominating": "nominating",
    "collecting": "collecting",
    "review": "review",
    "candidate_review": "candidate_review",
    "released": "released",
    # Not a state: a case in candidate review whose candidate has replied to every finding.
    "replied": "released",
}
# Each step as the candidate reads it; build() writes it in the reader's language.
TITLES = {
    "opened": N_("Case opened"),
    "consent": N_("You read the scope and decide"),
    "nominating": N_("You name your referees"),
    "collecting": N_("Your referees answer"),
    "review": N_("We review the answers"),
    "candidate_review": N_("You read the findings and may reply"),
    "released": N_("The report is released to you and the hiring team"),
}
QUESTION = "question"
QUESTION_TITLE = N_("We answer your question")
# Who a step waits on, as it finishes "Waiting on …". In English these are also the keys the staff and
# hiring-side pages turn into the third person ("the candidate"), so those read the English.
US, YOU, YOUR_REFEREES = N_("us"), N_("you"), N_("your referees")
WHO = {
    "opened": US, "consent": YOU, "nominating": YOU, "collecting": YOUR_REFEREES,
    "review": US, "candidate_review": YOU, "released": US,
}


@dataclass(frozen=True)
class CaseFacts:
    """What the timeline needs to know about a case, without any database."""

    state: str
    created_at: dt.datetime
    # state -> when the case entered it.
    entered: dict[str, dt.datetime]
    # step -> days it is expected to take once it starts.
    pace_days: dict[str, int]
    due_date: dt.date | None = None
    delay_reason: str | None = None
    stopped_reason: str | None = None
    # When the last referee answered, if every referee the case waits on has answered and the
    # consented scope is met: the case then waits on staff to review, though its state is still
    # collecting until they start.
    answers_in: dt.datetime | None = None
    # When the candidate replied to the last finding, if every finding has a reply: the case then
    # waits on staff to release, though its state is still candidate review until they do.
    replies_in: dt.datetime | None = None
    # When the earliest question the candidate asked their contact is to be answered, if one waits.
    question_due: dt.datetime | None = None


@dataclass
class Step:
    """One step of the case as the candidate sees it."""

    key: str
    title: str
    status: str  # done | current | overdue | upcoming | stopped
    date: dt.date | None
    who: str
    note: str = ""
    overdue_reason: str | None = None
    classes: list[str] = field(default_factory=list)
    # `who` as the reader reads it; `who` itself stays the key pages and the API compare ('you', 'us').
    waiting_on: str = ""


def build(facts: CaseFacts, now: dt.datetime, words: Words = ENGLISH) -> list[Step]:
    """Return every step with its status and its done or expected date.

    The titles, who each step waits on and the service's own notes are written with `words`: the
    candidate's portal passes refcheck.i18n.WORDS; staff and the hiring side read the English.
    """
    _ = words.gettext
    if facts.state == "collecting" and facts.answers_in is not None:
        # Nobody is left to answer: the referees' step is done and the review is ours to do.
        facts = replace(facts, state="review", entered={**facts.entered, "review": facts.answers_in})
    if facts.state == "candidate_review" and facts.replies_in is not None:
        # The candidate's part is finished: their step is done and the release is ours to do.
        facts = replace(facts, state="replied", entered={**facts.entered, "released": facts.replies_in})
    closed_early = facts.state in ("declined", "withdrawn", "cancelled")
    current = _current_step(facts)
    current_index = STEP_ORDER.index(current)
    steps: list[Step] = []
    cursor = now
    for index, key in enumerate(STEP_ORDER):
        started = _entered(facts, key)
        if index < current_index or (key == "released" and facts.state == "released"):
            finished = _entered(facts, STEP_ORDER[index + 1]) if index + 1 < len(STEP_ORDER) else started
            steps.append(Step(key, _(TITLES[key]), "done", _day(finished or started), WHO[key],
                              waiting_on=_(WHO[key])))
            continue
        if closed_early and index >= current_index:
            # The reason is given once, on the step where the case stopped.
            note = (facts.stopped_reason or _("The case stopped here.")) if index == current_index \
                else _("This step will not happen.")
            steps.append(Step(key, _(TITLES[key]), "stopped", None, WHO[key], note=note,
                              waiting_on=_(WHO[key])))
            continue
        if index == current_index:
            expected = (started or now) + dt.timedelta(days=facts.pace_days.get(key, 0))
            overdue = expected < now
            step = Step(key, _(TITLES[key]), "overdue" if overdue else "current", expected.date(),
                        WHO[key], waiting_on=_(WHO[key]))
            if overdue:
                step.overdue_reason = facts.delay_reason or default_delay(key, words)
            steps.append(step)
            cursor = max(expected, now)
            continue
        cursor = cursor + dt.timedelta(days=facts.pace_days.get(key, 0))
        expected_day = cursor.date()
        if key == "released" and facts.due_date:
            expected_day = max(expected_day, facts.due_date)
        steps.append(Step(key, _(TITLES[key]), "upcoming", expected_day, WHO[key], waiting_on=_(WHO[key])))
    if facts.question_due is not None:
        _insert_question(steps, facts.question_due, now, words)
    return steps


def _insert_question(steps: list[Step], due: dt.datetime, now: dt.datetime, words: Words) -> None:
    """Show a question waiting on staff beside the step the case is on (or last, once it has ended)."""
    step = Step(QUESTION, words.gettext(QUESTION_TITLE), "overdue" if due < now else "current", due.date(),
                US, waiting_on=words.gettext(US))
    if step.status == "overdue":
        step.overdue_reason = words.gettext("Your contact has not answered yet. We are sorry for the wait.")
    at = next((i for i, s in enumerate(steps) if s.status in ("current", "overdue")), len(steps))
    steps.insert(at, step)


def days_before_late(state: str, pace_days: dict[str, int]) -> int | None:
    """Return the fewest days after entering a running state at which its step can be late."""
    step = _STATE_TO_STEP.get(state)
    if step is None or step == "released":
        return None
    days = pace_days.get(step, 0)
    if state == "collecting":
        # Once every answer is in, the review's pace runs from the last answer, which came later.
        days = min(days, pace_days.get("review", 0))
    return days


def next_step(steps: list[Step]) -> Step | None:
    """Return the step the case is waiting on, if any (a question to staff is not a step of the case)."""
    return next((s for s in steps if s.status in ("current", "overdue") and s.key != QUESTION), None)


def question(steps: list[Step]) -> Step | None:
    """Return the question waiting on staff, if the candidate asked one."""
    return next((s for s in steps if s.key == QUESTION), None)


def _current_step(facts: CaseFacts) -> str:
    """Return the step a case is on; a case closed early stays on the step it stopped at."""
    if facts.state in _STATE_TO_STEP:
        return _STATE_TO_STEP[facts.state]
    reached = [s for s in STEP_ORDER if _entered(facts, s)]
    # A declined or withdrawn case stopped on the step after the last one it reached.
    last = reached[-1] if reached else "opened"
    index = STEP_ORDER.index(last)
    return STEP_ORDER[min(index + (1 if last == "opened" else 0), len(STEP_ORDER) - 1)]


def _entered(facts: CaseFacts, step: str) -> dt.datetime | None:
    """Return when the case reached a step."""
    if step == "opened":
        return facts.created_at
    state = {"consent": "awaiting_consent"}.get(step, step)
    return facts.entered.get(state)


def _day(value: dt.datetime | None) -> dt.date | None:
    """Return the calendar day of a time."""
    return value.date() if value else None


_DELAYS = {
    "opened": N_("We have not sent you the scope yet. We are preparing it."),
    "consent": N_("We are waiting for your decision. Nothing happens until you decide."),
    "nominating": N_("We are waiting for you to name your referees."),
    "collecting": N_("Some referees have not answered yet. We remind them on a schedule; if one "
                     "does not answer in time, we will ask you to name someone else."),
    "review": N_("Our review is taking longer than planned. We are on it."),
    "candidate_review": N_("We are waiting for your replies to the findings."),
    "released": N_("The report is taking longer than planned."),
}


def default_delay(step: str, words: Words = ENGLISH) -> str:
    """Say plainly why a step is late when staff have not written a reason."""
    return words.gettext(_DELAYS[step])
