"""The case's lifecycle in one table: which command may change a case in which state, by whom, and to what.

Every change to a case is one command (refcheck.commands locks the case and asks this table
before anything happens). Pure: no Flask, no database, so the table is read and tested as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass

from .words import ENGLISH, N_, Words

# Case states, in lifecycle order.
DRAFT = "draft"
AWAITING_CONSENT = "awaiting_consent"
NOMINATING = "nominating"
COLLECTING = "collecting"
REVIEW = "review"
CANDIDATE_REVIEW = "candidate_review"
RELEASED = "released"
DECLINED = "declined"
WITHDRAWN = "withdrawn"
CANCELLED = "cancelled"
CASE_STATES = (
    DRAFT, AWAITING_CONSENT, NOMINATING, COLLECTING, REVIEW, CANDIDATE_REVIEW,
    RELEASED, DECLINED, WITHDRAWN, CANCELLED,
)
CLOSED_STATES = (RELEASED, DECLINED, WITHDRAWN, CANCELLED)
# The candidate agreed and the check is under way.
RUNNING = (NOMINATING, COLLECTING, REVIEW, CANDIDATE_REVIEW)
# Not ended, one way or another.
OPEN = (DRAFT, AWAITING_CONSENT, *RUNNING)
# Referees' answers may still change (and findings follow them) until the report is released.
ANSWERS_OPEN = (COLLECTING, REVIEW, CANDIDATE_REVIEW)
# Referees can be named, and the candidate's work history changed, while these last.
NAMING = (NOMINATING, COLLECTING)

# Who acts: staff (and the CLI on their behalf), the candidate, one referee, or the system (cron, the
# public link-request page).
STAFF = "staff"
CANDIDATE = "candidate"
REFEREE = "referee"
SYSTEM = "system"
# Someone on the hiring side: orders checks and follows them, changes nothing once ordered.
CLIENT = "client"


@dataclass(frozen=True)
class Rule:
    """When a command may run: in which case states, by whom, and which states it may move the case to."""

    states: tuple[str, ...]
    actors: tuple[str, ...]
    # What the command does, in words that finish "We could not …".
    does: str
    moves_to: tuple[str, ...] = ()


COMMANDS: dict[str, Rule] = {
    # The case itself.
    "case.edit": Rule((DRAFT,), (STAFF,), "change the case"),
    "candidate.invite": Rule((DRAFT, AWAITING_CONSENT), (STAFF,), "send the candidate their link",
                             (AWAITING_CONSENT,)),
    # A hiring system's order through the API goes to the candidate at once, in the transaction that
    # opened it (refcheck.cases.order); a client's order on the pages waits for staff to send it.
    "check.order": Rule((DRAFT,), (CLIENT,), "send the order to the candidate", (AWAITING_CONSENT,)),
    "candidate.new_link": Rule(CASE_STATES[1:], (CANDIDATE, SYSTEM, STAFF), N_("send a new link")),
    # Exchanging an emailed link for a session: the receipt and the data stay the candidate's to read.
    "candidate.open": Rule(CASE_STATES[1:], (CANDIDATE,), N_("open your check")),
    "consent.grant": Rule((AWAITING_CONSENT,), (CANDIDATE,), N_("record your consent"), (NOMINATING,)),
    "consent.decline": Rule((AWAITING_CONSENT,), (CANDIDATE,), N_("record your decision"), (DECLINED,)),
    "consent.withdraw": Rule(RUNNING, (CANDIDATE,), N_("withdraw your consent"), (WITHDRAWN,)),
    "case.cancel": Rule(OPEN, (STAFF, CLIENT), "cancel the case", (CANCELLED,)),
    "case.explain_delay": Rule(OPEN, (STAFF,), "record the delay"),
    "case.note": Rule(CASE_STATES, (STAFF,), "save the note"),
    "case.erase": Rule(CASE_STATES, (STAFF, SYSTEM), "erase the case"),
    "case.erase_on_request": Rule(CLOSED_STATES, (CANDIDATE,), N_("erase your data")),
    "experience.record": Rule(CASE_STATES, (CANDIDATE, REFEREE), N_("save your answer")),
    # The language each person reads their pages and emails in.
    "language.choose": Rule(CASE_STATES[1:], (CANDIDATE, REFEREE), N_("change your language")),
    # The candidate's named contact: who it is, and the questions the candidate asks them.
    "case.contact": Rule(CASE_STATES, (STAFF,), "name the contact"),
    "enquiry.ask": Rule(CASE_STATES[1:], (CANDIDATE,), N_("send your question")),
    "enquiry.answer": Rule(CASE_STATES[1:], (STAFF,), "save the answer"),
    # Referees and the candidate's work history.
    "referee.nominate": Rule(NAMING, (CANDIDATE, STAFF), N_("add the referee")),
    "referee.remove": Rule(NAMING, (CANDIDATE,), N_("remove the referee")),
    "claim.save": Rule(NAMING, (CANDIDATE,), N_("save your work history")),
    "claim.remove": Rule(NAMING, (CANDIDATE,), N_("remove the position")),
    "referees.invite": Rule(NAMING, (CANDIDATE,), N_("send the invitations"), (COLLECTING,)),
    "referee.approve": Rule((COLLECTING,), (STAFF,), "approve the referee"),
    "referee.resend": Rule((COLLECTING,), (STAFF,), "send the referee a new link"),
    "referee.revoke": Rule(NAMING, (STAFF,), "withdraw the request"),
    "referee.replace": Rule(NAMING, (STAFF,), "ask for another referee"),
    "referee.remind": Rule((COLLECTING,), (SYSTEM,), "remind the referee or close their request"),
    # What a referee does through their link.
    "referee.open": Rule(ANSWERS_OPEN, (REFEREE,), N_("open your request")),
    "referee.attest": Rule((COLLECTING,), (REFEREE,), N_("record your confirmation")),
    "answers.save_draft": Rule((COLLECTING,), (REFEREE,), N_("keep your answers so far")),
    "answers.submit": Rule((COLLECTING,), (REFEREE,), N_("save your answers")),
    "referee.decline": Rule((COLLECTING,), (REFEREE,), N_("record that you cannot answer")),
    "answers.correct": Rule(ANSWERS_OPEN, (REFEREE,), N_("save your corrected answers"), (REVIEW,)),
    "answers.withdraw": Rule(ANSWERS_OPEN, (REFEREE,), N_("withdraw your answers"), (REVIEW,)),
    # Review and release.
    "review.start": Rule((COLLECTING,), (STAFF,), "start the review", (REVIEW,)),
    "finding.resolve": Rule((REVIEW, CANDIDATE_REVIEW), (STAFF,), "save the resolution"),
    "signal.resolve": Rule((*RUNNING, RELEASED), (STAFF,), "save how the signal was handled"),
    "findings.send": Rule((REVIEW,), (STAFF,), "send the findings", (CANDIDATE_REVIEW,)),
    "finding.reply": Rule((CANDIDATE_REVIEW, RELEASED), (CANDIDATE,), N_("save your reply")),
    # After release a reply is a dispute, one finding at a time: nothing is accepted in bulk.
    "findings.accept_agreeing": Rule((CANDIDATE_REVIEW,), (CANDIDATE,), N_("accept the findings that agree")),
    "report.release": Rule((CANDIDATE_REVIEW, RELEASED), (STAFF,), "release the report", (RELEASED,)),
}

# Where each state may lead, read off the table: no command moves a case anywhere else.
TRANSITIONS: dict[str, frozenset[str]] = {
    state: frozenset(target for rule in COMMANDS.values() if state in rule.states
                     for target in rule.moves_to if target != state)
    for state in CASE_STATES
}

# Where the case stands, as the refusal tells it: to the candidate, and to everyone else.
_NOW_FOR_CANDIDATE = {
    DRAFT: N_("your check has not been sent to you yet"),
    AWAITING_CONSENT: N_("you have not agreed to the check yet"),
    NOMINATING: N_("you are still naming your referees"),
    COLLECTING: N_("your referees are still answering"),
    REVIEW: N_("our team has started reviewing the answers"),
    CANDIDATE_REVIEW: N_("the findings are with you for your replies"),
    RELEASED: N_("the report has been released"),
    DECLINED: N_("you declined the check"),
    WITHDRAWN: N_("you withdrew your consent, so the check stopped"),
    CANCELLED: N_("the check was cancelled"),
}
# A referee is told where the check stands, not what the candidate decided.
_NOW_FOR_REFEREES = {
    COLLECTING: N_("answers are still being collected"),
    REVIEW: N_("the check has moved on, as our team has started reviewing the answers"),
    CANDIDATE_REVIEW: N_("the check has moved on, as our team has reviewed the answers"),
    RELEASED: N_("the report has been released, so the answers are final"),
    DECLINED: N_("the check has stopped"),
    WITHDRAWN: N_("the check has stopped"),
    CANCELLED: N_("the check has stopped"),
}
_NOW_FOR_OTHERS = {
    DRAFT: N_("the case has not been sent to the candidate yet"),
    AWAITING_CONSENT: N_("the candidate has not agreed to the check yet"),
    NOMINATING: N_("the candidate is still naming referees"),
    COLLECTING: N_("referees are still answering"),
    REVIEW: N_("review has already started"),
    CANDIDATE_REVIEW: N_("the findings are already with the candidate"),
    RELEASED: N_("the report has been released, so the answers are final"),
    DECLINED: N_("the candidate declined the check"),
    WITHDRAWN: N_("the candidate withdrew their consent, so the check stopped"),
    CANCELLED: N_("the check was cancelled"),
}


def state_refusal(command: str, state: str, actor: str, words: Words = ENGLISH) -> str | None:
    """Say why `command` cannot run on a case in `state`, in words for `actor`; None when it may.

    `words` writes the sentence in the reader's language (refcheck.i18n.WORDS); English by default.
    """
    rule = COMMANDS[command]
    if state in rule.states:
        return None
    tables = {CANDIDATE: _NOW_FOR_CANDIDATE, REFEREE: {**_NOW_FOR_OTHERS, **_NOW_FOR_REFEREES}}
    now = tables.get(actor, _NOW_FOR_OTHERS)[state]
    # Both are whole phrases a translator sees on their own: a verb phrase, then a clause.
    return words.gettext("We could not %(action)s: %(reason)s.", action=words.gettext(rule.does),
                         reason=words.gettext(now))


def actor_refusal(command: str, actor: str, words: Words = ENGLISH) -> str | None:
    """Say why this kind of person may not run `command`; None when they may."""
    if actor in COMMANDS[command].actors:
        return None
    return words.gettext("We could not %(action)s: this is not something you can do on this case.",
                         action=words.gettext(COMMANDS[command].does))


def allowed(command: str, state: str) -> bool:
    """Say whether the table lets `command` run on a case in `state`."""
    return state in COMMANDS[command].states
