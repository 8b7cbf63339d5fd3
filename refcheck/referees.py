"""Referee and claim commands: the candidate names referees within scope and states their own facts.

Staff approve, replace, revoke and resend; the commands lock the case (refcheck.commands), so two
nominations at once are counted one after the other against the consented scope.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext, lazy_gettext

from . import access, audit, drafts, fraud, mail
from .cases import base_url, move
from .commands import Actor, begin, one_of_its_referees
from .errors import CaseError
from .extensions import db
from .i18n import WORDS
from .lifecycle import CANDIDATE
from .models import COLLECTING, NOMINATING, REFEREE_ACTIVE, Case, Claim, FraudSignal, Referee, keyring, utcnow
from .months import is_month
from .scope import RELATIONSHIPS, Nominee, Scope, nomination_problems, still_needed
from .text import ONE_LINE_MESSAGE, TextProblem, email_address, first_name, has_control
from .words import N_, join

# Shown in the reader's language wherever they are shown (staff pages read the English).
REASONS_FOR_LEAVING = {
    "resigned": lazy_gettext("I resigned"),
    "contract_ended": lazy_gettext("The contract ended"),
    "laid_off": lazy_gettext("I was laid off (redundancy)"),
    "dismissed": lazy_gettext("I was dismissed"),
    "other": lazy_gettext("Another reason"),
}
# Referees are asked to confirm the candidate's own statement of their jobs: with none, nothing is compared.
HISTORY_FIRST = N_("Before we contact your referees, please add your work history: the positions you "
                   "held between %(start)s and %(end)s. Referees are asked to confirm those facts, so "
                   "without them there is nothing to compare their answers with.")
# Codes people read aloud: no 0/O or 1/I.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class RefereeDetails:
    """What is known about a referee: sealed together, never stored in clear."""

    name: str
    email: str
    organisation: str
    job_title: str
    relationship: str
    worked_from: str
    worked_to: str


@dataclass
class ClaimFacts:
    """The candidate's statement about one position."""

    employer: str
    title: str
    start_month: str
    end_month: str  # empty while the job continues
    reason_for_leaving: str  # empty while the job continues
    responsibilities: str = ""


def consented_scope(case: Case) -> Scope:
    """Return the scope the candidate agreed to; only it governs what can be saved."""
    consent = case.consent
    if consent is None or consent.decision != "granted" or consent.withdrawn_at:
        raise CaseError(gettext("There is no consent in force for this case."))
    return Scope.from_json(consent.scope)


def consented_scope_or_none(case: Case) -> Scope | None:
    """Return the consented scope, or None when no consent is in force."""
    try:
        return consented_scope(case)
    except CaseError:
        return None


def active_referees(case: Case) -> list[Referee]:
    """Return the referees who count towards the scope, in the order they were named."""
    # No eager load of the case's one key (see Sealed.data_key).
    return list(db.session.execute(
        sa.select(Referee)
        .where(Referee.case_id == case.id, Referee.state.in_(REFEREE_ACTIVE))
        .order_by(Referee.nominated_at)
    ).scalars())


def all_referees(case: Case) -> list[Referee]:
    """Return every referee of a case, including removed and declined ones, for staff."""
    # No eager load of the case's one key (see Sealed.data_key).
    return list(db.session.execute(
        sa.select(Referee).where(Referee.case_id == case.id).order_by(Referee.nominated_at)
    ).scalars())


def nominees(referees: list[Referee]) -> list[Nominee]:
    """Reduce referees to what scope checks need."""
    return [Nominee(r.relationship, r.email_hash) for r in referees]


def nominate(case_id: int, actor: Actor, details: RefereeDetails, now: dt.datetime) -> Referee:
    """Add a referee if the consented scope allows it, counted under the case's lock; refuse otherwise."""
    case = begin("referee.nominate", case_id, actor)
    scope = consented_scope(case)
    email = _valid_email(details.email)
    _check_details(details, scope)
    digest = keyring().lookup_hash(email)
    problems = nomination_problems(scope, nominees(active_referees(case)),
                                   Nominee(details.relationship, digest), case.candidate.email_hash, WORDS)
    if problems:
        field, message = next(iter(problems.items()))
        raise CaseError(message, field=field)
    by = "candidate" if actor.kind == CANDIDATE else "staff"
    referee = Referee(case=case, data_key=case.data_key, relationship=details.relationship,
                      email_hash=digest, state="nominated", nominated_by=by, nominated_at=now,
                      verification_code=_verification_code(),
                      # Until they choose their own, a referee is written to in the candidate's language.
                      language=case.candidate.language)
    db.session.add(referee)
    referee.seal("details_enc", {**asdict(details), "email": email})
    for signal in fraud.email_signals(case.candidate.email, email, details.organisation):
        db.session.add(FraudSignal(case_id=case.id, referee=referee, rule=signal.rule,
                                   detail=signal.detail, created_at=now))
    audit.record("referee.nominated", actor.name, case.id, referee=referee.id,
                 relationship=details.relationship, by=by)
    return referee


def remove_nomination(case_id: int, actor: Actor, referee_id: str, now: dt.datetime) -> None:
    """Take back a referee who has not been contacted yet."""
    case = begin("referee.remove", case_id, actor)
    referee = one_of_its_referees(case, referee_id)
    if referee.state != "nominated":
        raise CaseError(gettext("This referee has already been contacted, so they cannot be removed here."))
    referee.state = "revoked"
    referee.finished_at = now
    audit.record("referee.removed", actor.name, case.id, referee=referee.id)


def save_claim(case_id: int, actor: Actor, facts: ClaimFacts, now: dt.datetime,
               claim_id: str | None = None) -> Claim:
    """Record or correct the candidate's statement about one position within the scope's period."""
    case = begin("claim.save", case_id, actor)
    scope = consented_scope(case)
    if "employment_history" not in scope.checks and "references" not in scope.checks:
        raise CaseError(gettext("Your employment history is not part of the scope you agreed to."))
    _check_claim(facts, scope)
    if claim_id is None:
        claim = Claim(case_id=case.id, data_key=case.data_key, created_at=now)
        db.session.add(claim)
    else:
        found = db.session.get(Claim, claim_id)
        if found is None or found.case_id != case.id:
            raise CaseError(gettext("This statement is not part of this case."))
        claim = found
    claim.updated_at = now
    claim.seal("facts_enc", asdict(facts))
    audit.record("claim.saved", actor.name, case.id, claim=claim.id)
    return claim


def remove_claim(case_id: int, actor: Actor, claim_id: str) -> None:
    """Delete one of the candidate's statements."""
    case = begin("claim.remove", case_id, actor)
    claim = db.session.get(Claim, claim_id)
    if claim is None or claim.case_id != case.id:
        raise CaseError(gettext("This statement is not part of this case."))
    db.session.delete(claim)
    audit.record("claim.removed", actor.name, case.id, claim=claim.id)


def claims_of(case: Case) -> list[Claim]:
    """Return the candidate's statements for a case, oldest position first."""
    # No eager load of the case's one key (see Sealed.data_key).
    claims = db.session.execute(sa.select(Claim).where(Claim.case_id == case.id)).scalars().all()
    return sorted(claims, key=lambda c: c.facts["start_month"])


def history_missing(scope: Scope, claims: list[Claim]) -> bool:
    """Say whether the scope asks for employment facts and no stated position falls within its period."""
    if "employment_history" not in scope.checks:
        return False
    return not any((c.facts["end_month"] or "9999-12") >= scope.period_from
                   and c.facts["start_month"] <= scope.period_to for c in claims)


def _valid_email(value: str) -> str:
    """Return a normalised email address or refuse it with the reason."""
    try:
        return email_address(value, WORDS)
    except TextProblem as err:
        raise CaseError(err.message, field="email") from err


def _check_details(details: RefereeDetails, scope: Scope) -> None:
    """Refuse missing or malformed referee details."""
    for field in ("name", "organisation", "job_title"):
        if not getattr(details, field).strip():
            raise CaseError(gettext("Please fill this in."), field=field)
        if has_control(getattr(details, field)):
            raise CaseError(gettext(ONE_LINE_MESSAGE), field=field)
    if details.relationship not in RELATIONSHIPS:
        raise CaseError(gettext("Choose how you worked together."), field="relationship")
    _check_period(details.worked_from, details.worked_to, "worked_from", "worked_to")
    if details.worked_to < scope.period_from or details.worked_from > scope.period_to:
        raise CaseError(gettext("This time together is outside the period agreed for this check "
                                "(%(start)s to %(end)s).", start=WORDS.month(scope.period_from),
                                end=WORDS.month(scope.period_to)), field="worked_from")


def _check_claim(facts: ClaimFacts, scope: Scope) -> None:
    """Refuse an incomplete claim or one outside the scope's period."""
    for field in ("employer", "title"):
        if not getattr(facts, field).strip():
            raise CaseError(gettext("Please fill this in."), field=field)
        if has_control(getattr(facts, field)):
            raise CaseError(gettext(ONE_LINE_MESSAGE), field=field)
    _check_period(facts.start_month, facts.end_month or facts.start_month, "start_month", "end_month")
    if facts.end_month and facts.reason_for_leaving not in REASONS_FOR_LEAVING:
        raise CaseError(gettext("Choose why the job ended."), field="reason_for_leaving")
    end = facts.end_month or "9999-12"
    if end < scope.period_from or facts.start_month > scope.period_to:
        raise CaseError(gettext("This position is outside the period you agreed to have checked."),
                        field="start_month")


def _check_period(start: str, end: str, start_field: str, end_field: str) -> None:
    """Refuse months that are malformed or in the wrong order."""
    if not is_month(start):
        raise CaseError(gettext("Give the month and year, for example 04/2022."), field=start_field)
    if not is_month(end):
        raise CaseError(gettext("Give the month and year, for example 09/2024."), field=end_field)
    if end < start:
        raise CaseError(gettext("The end cannot be before the start."), field=end_field)
    if start > utcnow().strftime("%Y-%m"):
        raise CaseError(gettext("This month has not happened yet."), field=start_field)


def _verification_code() -> str:
    """Return a short code the candidate and the referee both see."""
    return "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(3)) for _ in range(2))


def send_invitations(case_id: int, actor: Actor, now: dt.datetime) -> list[tuple[Referee, str]]:
    """Invite every named referee not yet contacted; the first time, the case starts collecting."""
    case = begin("referees.invite", case_id, actor)
    scope = consented_scope(case)
    current = active_referees(case)
    if case.state == NOMINATING:
        needed = still_needed(scope, nominees(current), WORDS)
        if needed:
            raise CaseError(gettext("Before we contact anyone, the scope you agreed to still needs "
                                    "%(needed)s.", needed=join(needed, WORDS)))
    if history_missing(scope, claims_of(case)):
        raise CaseError(gettext(HISTORY_FIRST, start=WORDS.month(scope.period_from),
                                end=WORDS.month(scope.period_to)), field="history")
    if case.state == NOMINATING:
        move(case, COLLECTING, now)
    waiting = [r for r in current if r.state == "nominated"]
    if not waiting:
        raise CaseError(gettext("Everyone on the list has been contacted already."))
    # With staff approval in the scope, only approved referees are contacted; staff invite the rest.
    ready = [r for r in waiting if r.approved_at or not scope.staff_approval]
    sent = [(referee, invite(referee, now)) for referee in ready]
    audit.record("referees.invited", actor.name, case.id, referees=[r.id for r, _ in sent],
                 awaiting_approval=len(waiting) - len(ready))
    return sent


def approve(case_id: int, actor: Actor, referee_id: str, now: dt.datetime) -> str:
    """Approve a named referee and contact them at once; return the link token."""
    case = begin("referee.approve", case_id, actor)
    referee = one_of_its_referees(case, referee_id)
    if referee.state != "nominated":
        raise CaseError("Only a referee who has not been contacted yet can be approved.")
    _check_still_in_scope(case, referee)
    referee.approved_at = now
    token = invite(referee, now)
    audit.record("referee.approved", actor.name, case.id, referee=referee.id)
    return token


def _check_still_in_scope(case: Case, referee: Referee) -> None:
    """Refuse a referee the consented scope does not cover, however the row came to exist."""
    scope = consented_scope(case)
    others = [r for r in active_referees(case) if r.id != referee.id]
    problems = nomination_problems(scope, nominees(others), Nominee(referee.relationship, referee.email_hash),
                                   case.candidate.email_hash, WORDS)
    if problems:
        raise CaseError(next(iter(problems.values())))
    _check_details(RefereeDetails(**referee.details), scope)


def ask_replacement(case_id: int, actor: Actor, referee_id: str, reason: str, now: dt.datetime) -> None:
    """Withdraw a referee's request and ask the candidate, with a reason, to name someone else."""
    case = begin("referee.replace", case_id, actor)
    referee = one_of_its_referees(case, referee_id)
    if not reason.strip():
        raise CaseError("Tell the candidate why, so they can choose well.", field="reason")
    _revoke(referee, now)
    audit.record("referee.revoked", actor.name, case.id, referee=referee.id)
    mail.queue("referee_replacement", case.candidate.email, case.data_key, case.id,
               language=case.candidate.language, case=case,
               name=case.candidate.name, referee_name=referee.details["name"], reason=reason.strip(),
               base_url=base_url())
    audit.record("referee.replacement_requested", actor.name, case.id, referee=referee.id)


def request_closes(invited_at: dt.datetime, due_date: dt.date | None) -> dt.datetime:
    """Return when a request not yet answered closes.

    That is REFEREE_LINK_DAYS after the first invitation, and never after the day the report is
    due: the reminder run closes it then.
    """
    closes = invited_at + dt.timedelta(days=current_app.config["REFEREE_LINK_DAYS"])
    if due_date is not None:
        closes = min(closes, dt.datetime.combine(due_date, dt.time.max, tzinfo=dt.UTC))
    return closes


def answer_by(referee: Referee, now: dt.datetime) -> dt.date:
    """Return the last whole day on which the referee can still answer, shown on their pages and emails.

    That is the eve of the day the request closes, or the due date itself when it closes at that
    day's end. The collecting step's expected date (refcheck.timeline) is the case's, not theirs: a
    referee named later would be asked for a day already past.

    A reminder's fresh link lives longer than the request, so the link's expiry would promise too much.
    """
    closes = request_closes(referee.invited_at or now, referee.case.due_date)
    return (closes + dt.timedelta(microseconds=1)).date() - dt.timedelta(days=1)


def invite(referee: Referee, now: dt.datetime, kind: str = "referee_invitation") -> str:
    """Send one referee a fresh private link (revoking the last); return the token. Part of a command."""
    case = referee.case
    days = current_app.config["REFEREE_LINK_DAYS"]
    token = access.issue_link(case, "referee", dt.timedelta(days=days), now, referee_id=referee.id)
    details = referee.details
    mail.queue(kind, details["email"], case.data_key, case.id, language=referee.language,
               referee_name=details["name"], candidate_name=case.candidate.name,
               first_name=first_name(case.candidate.name), case=case,
               code=referee.verification_code, link=f"{base_url()}/r/{referee.id}/{token}",
               expires=(now + dt.timedelta(days=days)).date(), answer_by=answer_by(referee, now),
               minutes=current_app.config["REFEREE_MINUTES"],
               controller=current_app.config["CONTROLLER_NAME"])
    if referee.state == "nominated":
        referee.state = "invited"
        referee.invited_at = now
    if kind == "referee_reminder":
        # Every reminder email counts, whether the schedule or staff sent it: the staff page and the
        # metrics show this figure, and the schedule sends no more than MAX_REMINDERS in all.
        referee.reminders_sent = (referee.reminders_sent or 0) + 1
        referee.last_reminder_at = now
    return token


def resend(case_id: int, actor: Actor, referee_id: str, now: dt.datetime) -> str:
    """Send a referee a new link, for example when the first email went astray; return the token."""
    case = begin("referee.resend", case_id, actor)
    referee = one_of_its_referees(case, referee_id)
    if referee.state not in ("invited", "opened"):
        raise CaseError("Only a referee who has not answered yet can get a new link.")
    token = invite(referee, now, kind="referee_reminder")
    audit.record("referee.link_resent", actor.name, case.id, referee=referee.id)
    return token


def revoke(case_id: int, actor: Actor, referee_id: str, now: dt.datetime) -> None:
    """Withdraw a request: the referee's link stops working and they no longer count."""
    case = begin("referee.revoke", case_id, actor)
    referee = one_of_its_referees(case, referee_id)
    _revoke(referee, now)
    audit.record("referee.revoked", actor.name, case.id, referee=referee.id)


def _revoke(referee: Referee, now: dt.datetime) -> None:
    """Close one referee's request: state, link and any open session."""
    if referee.state not in ("nominated", "invited", "opened"):
        raise CaseError("This referee has already answered or closed the request.")
    referee.state = "revoked"
    referee.finished_at = now
    access.shut_out_referees([referee.id], now)
    drafts.drop([referee.id])
