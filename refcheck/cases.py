"""Case services: open a case, invite the candidate, record consent, decline and withdrawal.

Each function checks the state, makes the change, writes the audit event and
queues any email in the caller's transaction. None of them commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from . import access, audit, mail
from .extensions import db
from .models import (
    AWAITING_CONSENT,
    CANCELLED,
    CANDIDATE_REVIEW,
    COLLECTING,
    DECLINED,
    DRAFT,
    NOMINATING,
    REFEREE_ACTIVE,
    RELEASED,
    REVIEW,
    WITHDRAWN,
    Candidate,
    Case,
    Consent,
    DataKey,
    Referee,
    StaffUser,
    keyring,
    search_key,
)
from .scope import Nominee, Scope, still_needed
from .text import ONE_LINE_MESSAGE, TextProblem, email_address, has_control
from .timeline import CaseFacts, days_before_late

DISCLOSURE_VERSION = "2026-11.1"

# state -> states a case may move to from it.
TRANSITIONS = {
    DRAFT: {AWAITING_CONSENT, CANCELLED},
    AWAITING_CONSENT: {NOMINATING, DECLINED, CANCELLED},
    NOMINATING: {COLLECTING, WITHDRAWN, CANCELLED},
    COLLECTING: {REVIEW, WITHDRAWN, CANCELLED},
    REVIEW: {CANDIDATE_REVIEW, WITHDRAWN, CANCELLED},
    CANDIDATE_REVIEW: {RELEASED, REVIEW, WITHDRAWN, CANCELLED},
}


class CaseError(Exception):
    """A request the case cannot accept, with a reason a person can read."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class CaseDetails:
    """What staff type to open a case."""

    candidate_name: str
    candidate_email: str
    position: str
    hiring_organisation: str
    purpose: str
    due_date: dt.date | None


def staff_actor(user: StaffUser) -> str:
    """Name a staff member in the audit log without personal data."""
    return f"staff:{user.id}"


def candidate_actor(case: Case) -> str:
    """Name the candidate of a case in the audit log without personal data."""
    return f"candidate:{case.id}"


def open_case(details: CaseDetails, scope: Scope, staff: StaffUser, now: dt.datetime) -> Case:
    """Create a draft case with its own data key and the candidate's sealed details."""
    _check_scope(scope)
    _check_details(details)
    key = DataKey.generate()
    candidate = Candidate(data_key=key, created_at=now,
                          email_hash=keyring().lookup_hash(details.candidate_email))
    candidate.seal("name_enc", details.candidate_name.strip())
    candidate.seal("email_enc", details.candidate_email.strip())
    case = Case(candidate=candidate, data_key=key, position=details.position.strip(),
                hiring_organisation=details.hiring_organisation.strip(),
                purpose=details.purpose.strip(), scope=scope.to_json(), state=DRAFT,
                created_by=staff, created_at=now, state_changed_at=now,
                stage_times={DRAFT: now.isoformat()},
                due_date=details.due_date)
    db.session.add(case)
    db.session.flush()
    audit.record("case.opened", staff_actor(staff), case.id, scope=scope.fingerprint())
    return case


def update_draft(case: Case, details: CaseDetails, scope: Scope, staff: StaffUser) -> None:
    """Change a case's details and scope while the candidate has not yet seen it."""
    if case.state != DRAFT:
        raise CaseError("The candidate has already been asked; this case can no longer be edited.")
    _check_scope(scope)
    _check_details(details)
    if details.candidate_email.strip() != case.candidate.email:
        case.candidate.email_hash = keyring().lookup_hash(details.candidate_email)
    case.candidate.seal("name_enc", details.candidate_name.strip())
    case.candidate.seal("email_enc", details.candidate_email.strip())
    case.position = details.position.strip()
    case.hiring_organisation = details.hiring_organisation.strip()
    case.purpose = details.purpose.strip()
    case.due_date = details.due_date
    case.scope = scope.to_json()
    audit.record("case.edited", staff_actor(staff), case.id, scope=scope.fingerprint())


def invite_candidate(case: Case, staff: StaffUser, now: dt.datetime) -> str:
    """Send the candidate a link to read the scope and decide; return the token."""
    if case.state not in (DRAFT, AWAITING_CONSENT):
        raise CaseError("The candidate has already decided; there is nothing to send.")
    resend = case.state == AWAITING_CONSENT
    if not resend:
        move(case, AWAITING_CONSENT, now)
        case.invited_at = now
    token = _send_link(case, "candidate_invitation", now)
    audit.record("candidate.invited" if not resend else "candidate.link_resent",
                 staff_actor(staff), case.id)
    return token


def send_new_link(case: Case, now: dt.datetime) -> str:
    """Send the candidate a fresh link at their own request; return the token."""
    token = _send_link(case, "candidate_new_link", now)
    audit.record("candidate.link_requested", candidate_actor(case), case.id)
    return token


def grant_consent(case: Case, signature: str, ip: str | None, user_agent: str | None,
                  now: dt.datetime) -> Consent:
    """Record consent to exactly the scope shown, and open nomination."""
    _require(case, AWAITING_CONSENT, "This case is not waiting for your consent.")
    if len(signature.strip()) < 2:
        raise CaseError("Type your full name to sign.", field="signature")
    if has_control(signature):
        raise CaseError(ONE_LINE_MESSAGE, field="signature")
    scope = Scope.from_json(case.scope)
    consent = Consent(case=case, data_key=case.data_key, decision="granted",
                      scope=scope.to_json(), scope_sha256=scope.fingerprint(),
                      disclosure_version=DISCLOSURE_VERSION, decided_at=now)
    db.session.add(consent)
    consent.seal("signature_enc", signature.strip())
    consent.seal("ip_enc", ip)
    consent.seal("user_agent_enc", (user_agent or "")[:300] or None)
    case.consent_decided_at = now
    move(case, NOMINATING, now)
    audit.record("consent.granted", candidate_actor(case), case.id, receipt=consent.id,
                 scope=consent.scope_sha256, disclosure=DISCLOSURE_VERSION)
    mail.queue("consent_confirmation", case.candidate.email, case.data_key, case.id,
               case=case, name=case.candidate.name, consent=consent, base_url=_base_url())
    return consent


def decline_consent(case: Case, reason: str, ip: str | None, user_agent: str | None,
                    now: dt.datetime) -> Consent:
    """Record that the candidate refused; nothing is checked."""
    _require(case, AWAITING_CONSENT, "This case is not waiting for your decision.")
    scope = Scope.from_json(case.scope)
    consent = Consent(case=case, data_key=case.data_key, decision="declined",
                      scope=scope.to_json(), scope_sha256=scope.fingerprint(),
                      disclosure_version=DISCLOSURE_VERSION, decided_at=now)
    db.session.add(consent)
    consent.seal("decline_reason_enc", reason.strip() or None)
    consent.seal("ip_enc", ip)
    consent.seal("user_agent_enc", (user_agent or "")[:300] or None)
    case.consent_decided_at = now
    move(case, DECLINED, now)
    access.revoke_links(case, now)
    audit.record("consent.declined", candidate_actor(case), case.id, receipt=consent.id)
    mail.queue("consent_declined", case.candidate.email, case.data_key, case.id,
               case=case, name=case.candidate.name)
    return consent


def withdraw_consent(case: Case, reason: str, now: dt.datetime) -> Consent:
    """Withdraw consent: the case stops at once and its links stop working."""
    consent = case.consent
    if consent is None or consent.decision != "granted" or consent.withdrawn_at:
        raise CaseError("There is no consent to withdraw on this case.")
    if case.is_closed:
        raise CaseError("This case has already ended.")
    consent.withdrawn_at = now
    consent.seal("withdrawal_reason_enc", reason.strip() or None)
    move(case, WITHDRAWN, now)
    _stop_referees(case, now)
    audit.record("consent.withdrawn", candidate_actor(case), case.id, receipt=consent.id)
    mail.queue("consent_withdrawn", case.candidate.email, case.data_key, case.id,
               case=case, name=case.candidate.name)
    return consent


def cancel_case(case: Case, staff: StaffUser, reason: str, now: dt.datetime) -> None:
    """Stop a case on the staff side."""
    if case.is_closed:
        raise CaseError("This case has already ended.")
    if not reason.strip():
        raise CaseError("Say why the case is cancelled; the candidate will see it.", field="reason")
    case.delay_reason = reason.strip()
    move(case, CANCELLED, now)
    _stop_referees(case, now)
    audit.record("case.cancelled", staff_actor(staff), case.id)


def explain_delay(case: Case, staff: StaffUser, reason: str) -> None:
    """Record the reason for a delay, which the candidate sees on their timeline."""
    case.delay_reason = reason.strip() or None
    audit.record("case.delay_explained", staff_actor(staff), case.id, cleared=not case.delay_reason)


def answers_in(listed: list[Case]) -> dict[int, dt.datetime]:
    """Return, per collecting case, when its last referee answered, if nobody is left to answer.

    Nobody is left when no referee is still to answer and those who answered meet the consented
    scope; such a case waits on staff to review. Two queries, however many cases are listed.
    """
    ids = [case.id for case in listed if case.state == COLLECTING]
    if not ids:
        return {}
    scopes = {case_id: Scope.from_json(scope) for case_id, scope in db.session.execute(
        sa.select(Consent.case_id, Consent.scope)
        .where(Consent.case_id.in_(ids), Consent.decision == "granted", Consent.withdrawn_at.is_(None))
    ).all()}
    pending: set[int] = set()
    answered: dict[int, list[tuple[Nominee, dt.datetime | None]]] = {}
    for row in db.session.execute(
        sa.select(Referee.case_id, Referee.state, Referee.relationship, Referee.email_hash,
                  Referee.finished_at).where(Referee.case_id.in_(ids), Referee.state.in_(REFEREE_ACTIVE))
    ).all():
        if row.state == "submitted":
            answered.setdefault(row.case_id, []).append(
                (Nominee(row.relationship, row.email_hash), row.finished_at))
        else:
            pending.add(row.case_id)
    result = {}
    for case_id, given in answered.items():
        at = _last_answer(scopes.get(case_id), given, case_id in pending)
        if at is not None:
            result[case_id] = at
    return result


def answers_in_loaded(case: Case, listed: list[Referee], scope: Scope | None) -> dict[int, dt.datetime]:
    """Return answers_in([case]) from the case's referees and consented scope, already loaded."""
    if case.state != COLLECTING:
        return {}
    active = [r for r in listed if r.state in REFEREE_ACTIVE]
    given = [(Nominee(r.relationship, r.email_hash), r.finished_at) for r in active if r.state == "submitted"]
    at = _last_answer(scope, given, any(r.state != "submitted" for r in active))
    return {} if at is None else {case.id: at}


def _last_answer(scope: Scope | None, given: list[tuple[Nominee, dt.datetime | None]],
                 pending: bool) -> dt.datetime | None:
    """Return when the last referee answered, if nobody is left to answer and the answers meet the scope."""
    if pending or scope is None or not given or still_needed(scope, [n for n, _ in given]):
        return None
    return max((at for _, at in given if at is not None), default=None)


def case_facts(case: Case, answered: dict[int, dt.datetime] | None = None) -> CaseFacts:
    """Collect what the timeline needs from a case; `answered` is answers_in() for a list of cases."""
    if answered is None:
        answered = answers_in([case])
    entered = {state: dt.datetime.fromisoformat(at) for state, at in (case_stage_times(case)).items()}
    stopped = {
        DECLINED: "You declined, so nothing was checked.",
        WITHDRAWN: "You withdrew your consent, so the check stopped.",
        CANCELLED: "The case was cancelled" + (f": {case.delay_reason}" if case.delay_reason else "."),
    }.get(case.state)
    return CaseFacts(
        state=case.state, created_at=case.created_at, entered=entered,
        pace_days=pace_days(),
        due_date=case.due_date, delay_reason=case.delay_reason if case.state != CANCELLED else None,
        stopped_reason=stopped, answers_in=answered.get(case.id),
    )


def pace_days() -> dict[str, int]:
    """Return the days each timeline step is expected to take once it starts, as configured."""
    cfg = current_app.config
    return {"opened": 2, "consent": cfg["CONSENT_DAYS"], "nominating": cfg["NOMINATION_DAYS"],
            "collecting": cfg["COLLECTION_DAYS"], "review": cfg["REVIEW_DAYS"],
            "candidate_review": cfg["CANDIDATE_REVIEW_DAYS"], "released": 1}


def could_be_late(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Filter the running cases whose current step may be late by `now`: those the timeline must judge.

    Every case this leaves out is on time, because a step is late only once the days expected
    of it have passed since the case entered its state (when `move` set state_changed_at), or,
    for a case whose answers are all in, since the last answer (see answers_in).
    """
    pace = pace_days()

    def entered_before(days: int) -> sa.ColumnElement[bool]:
        return Case.state_changed_at < now - dt.timedelta(days=days)

    clauses = [sa.and_(Case.state == state, entered_before(days))
               for state in (DRAFT, AWAITING_CONSENT, NOMINATING, REVIEW, CANDIDATE_REVIEW)
               if (days := days_before_late(state, pace)) is not None]
    waiting = sa.exists().where(Referee.case_id == Case.id,
                                Referee.state.in_([s for s in REFEREE_ACTIVE if s != "submitted"]))
    clauses.append(sa.and_(Case.state == COLLECTING, entered_before(days_before_late(COLLECTING, pace) or 0),
                           sa.or_(entered_before(pace["collecting"]), ~waiting)))
    return sa.or_(*clauses)


def case_stage_times(case: Case) -> dict[str, str]:
    """Return when the case entered each state it has been in."""
    return dict(case.stage_times or {})


def find_cases_for_email(email: str, limit: int = 5) -> list[Case]:
    """Return the sent cases of the person with this email, newest first."""
    digest = keyring().lookup_hash(email)
    return list(db.session.execute(
        sa.select(Case).join(Case.candidate)
        .where(Candidate.email_hash == digest, Case.state != DRAFT)
        .order_by(Case.created_at.desc()).limit(limit)
    ).scalars())


# Above this many matches, a search reads the newest cases first instead of every match.
COMMON_PREFIX = 500


def search_clause(text: str) -> sa.ColumnElement[bool] | None:
    """Turn what staff typed into a filter: a reference, a candidate's email, or an organisation or position.

    Names are sealed, so they cannot be searched; emails are found by their keyed hash,
    and words by the start of the organisation or position.
    """
    text = text.strip()
    if not text:
        return None
    reference = re.fullmatch(r"(?i)(?:RC-?)?0*(\d{1,9})", text)
    if reference:
        return Case.id == int(reference.group(1))
    if "@" in text:
        return Case.candidate_id.in_(
            sa.select(Candidate.id).where(Candidate.email_hash == keyring().lookup_hash(text)))
    start = search_key(text)
    # Everything that starts with `start` sorts between it and the same text with its last
    # character's successor: a range an index serves, with no wildcard characters to escape.
    end = start[:-1] + _successor(start[-1])
    organisation, position = Case.organisation_key, Case.position_key
    matches = db.session.execute(sa.select(sa.func.count()).select_from(
        sa.select(Case.id).where(sa.or_(sa.and_(organisation >= start, organisation < end),
                                        sa.and_(position >= start, position < end)))
        .limit(COMMON_PREFIX + 1).subquery())).scalar_one()
    if matches > COMMON_PREFIX:
        # Many match: walking the newest cases first finds a page of them sooner than sorting
        # every match, so hide the keys' indexes from the planner behind a no-op function.
        organisation, position = sa.func.coalesce(organisation, ""), sa.func.coalesce(position, "")
    return sa.or_(sa.and_(organisation >= start, organisation < end),
                  sa.and_(position >= start, position < end))


def _successor(character: str) -> str:
    """Return the character after this one that text can hold: surrogates are skipped, the last stays."""
    following = min(ord(character) + 1, 0x10FFFF)
    return chr(0xE000 if 0xD800 <= following <= 0xDFFF else following)


def _stop_referees(case: Case, now: dt.datetime) -> None:
    """Close every open referee request and link of a case that has stopped."""
    access.revoke_links(case, now)
    db.session.execute(
        sa.update(Referee)
        .where(Referee.case_id == case.id, Referee.state.in_(("nominated", "invited", "opened")))
        .values(state="revoked", finished_at=now)
    )


def _send_link(case: Case, kind: str, now: dt.datetime) -> str:
    """Issue a candidate link and queue the email that carries it."""
    days = current_app.config["CANDIDATE_LINK_DAYS"]
    token = access.issue_link(case, "candidate", dt.timedelta(days=days), now)
    mail.queue(kind, case.candidate.email, case.data_key, case.id, case=case,
               name=case.candidate.name, link=f"{_base_url()}/c/{case.id}/{token}",
               expires=(now + dt.timedelta(days=days)).date(),
               controller=current_app.config["CONTROLLER_NAME"])
    return token


def move(case: Case, state: str, now: dt.datetime) -> None:
    """Move a case to a new state if the lifecycle allows it."""
    if state not in TRANSITIONS.get(case.state, set()):
        raise CaseError(f"A case that is {case.state.replace('_', ' ')} cannot become "
                        f"{state.replace('_', ' ')}.")
    case.state = state
    # Always together: the metrics find cases that could be late by state_changed_at alone
    # (could_be_late), and the timeline reads the same moment from stage_times.
    case.state_changed_at = now
    case.stage_times = {**case_stage_times(case), state: now.isoformat()}
    if case.is_closed:
        # The consented retention runs from the day the case ends; then it is erased. A candidate
        # who declined agreed to nothing, so their record goes sooner.
        days = retention_days(case)
        if state == DECLINED:
            days = min(days, current_app.config["DECLINED_ERASE_DAYS"])
        case.erase_after = now + dt.timedelta(days=days)


def retention_days(case: Case) -> int:
    """Return how many days after the case ends its data may be kept, as consented."""
    consent = case.consent
    return Scope.from_json(consent.scope if consent else case.scope).retention_days


def _require(case: Case, state: str, message: str) -> None:
    """Refuse unless the case is in `state`."""
    if case.state != state:
        raise CaseError(message)


def _check_details(details: CaseDetails) -> None:
    """Refuse a candidate address that is not plain, and one-line fields with line breaks."""
    try:
        email_address(details.candidate_email)
    except TextProblem as err:
        raise CaseError(err.message, field="candidate_email") from err
    for field in ("candidate_name", "position", "hiring_organisation"):
        if not getattr(details, field).strip():
            raise CaseError("Please fill this in.", field=field)
        if has_control(getattr(details, field)):
            raise CaseError(ONE_LINE_MESSAGE, field=field)


def _check_scope(scope: Scope) -> None:
    """Refuse a scope with problems, naming the first field at fault."""
    from .question_sets import families  # the sets module needs the models this module uses

    problems = scope.errors(families())
    if problems:
        field, message = next(iter(problems.items()))
        raise CaseError(message, field=field)


def _base_url() -> str:
    """Return the configured public address; never the request's Host header."""
    return current_app.config["BASE_URL"].rstrip("/")


def scope_of(case: Case) -> Scope:
    """Return the case's scope as a value."""
    return Scope.from_json(case.scope)


def details_of(case: Case) -> dict[str, Any]:
    """Return the editable details of a case, decrypted, for a form."""
    return {
        "candidate_name": case.candidate.name, "candidate_email": case.candidate.email,
        "position": case.position, "hiring_organisation": case.hiring_organisation,
        "purpose": case.purpose, "due_date": case.due_date,
    }
