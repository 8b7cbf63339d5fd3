"""Case commands: open a case, invite the candidate, consent, decline, withdraw, cancel, delays and notes.

Each command locks the case and checks its state and the actor through refcheck.commands, makes
the change, writes the audit event and queues any email in the caller's transaction. None commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from . import access, audit, check_events, drafts, i18n, mail, organisations, pace, timeline
from .commands import Actor, CommandRefused, begin, created_here
from .errors import CaseError
from .extensions import db
from .lifecycle import CLIENT, STAFF, TRANSITIONS
from .models import (
    AWAITING_CONSENT,
    CANCELLED,
    DECLINED,
    DRAFT,
    NOMINATING,
    REFEREE_WAITING,
    WITHDRAWN,
    Candidate,
    Case,
    Consent,
    DataKey,
    Organisation,
    Package,
    Referee,
    StaffNote,
    StaffUser,
    keyring,
)
from .question_sets import families
from .scope import Scope
from .text import ONE_LINE_MESSAGE, TextProblem, email_address, has_control
from .timeline import CaseFacts
from .words import LANGUAGES, N_

__all__ = ["CaseError"]  # raised by every command; importable from here as it always was

DISCLOSURE_VERSION = "2026-11.1"


@dataclass
class CaseDetails:
    """What staff type to open a case."""

    candidate_name: str
    candidate_email: str
    position: str
    hiring_organisation: str
    purpose: str
    due_date: dt.date | None
    # Staff ticked "I know this is tight": keep a due date the configured pace cannot meet.
    tight_ok: bool = False
    # The organisation's package the check was ordered with, if any.
    package_id: int | None = None
    # The hiring system's own reference for the check, when it orders through the API.
    client_reference: str | None = None
    # The language the candidate's pages and emails are written in (refcheck.i18n.LANGUAGES).
    language: str = "en"


def open_case(details: CaseDetails, scope: Scope, actor: Actor, now: dt.datetime) -> Case:
    """Create a draft case with its own data key and the candidate's sealed details.

    Staff open cases for an organisation they work for; a client, or its hiring system by its API
    key, orders one for their own.
    """
    _check_scope(scope)
    _check_details(details)
    organisation = _orderer_organisation(details, actor)
    package = _package_of(details, organisation)
    _check_due_date(details, pace.new_case(pace.days_from(current_app.config), now), now)
    key = DataKey.generate()
    candidate = Candidate(data_key=key, created_at=now, language=i18n.valid(details.language),
                          email_hash=keyring().lookup_hash(details.candidate_email))
    candidate.seal("name_enc", details.candidate_name.strip())
    candidate.seal("email_enc", details.candidate_email.strip())
    case = Case(candidate=candidate, data_key=key, position=details.position.strip(),
                organisation=organisation, hiring_organisation=organisation.name, package=package,
                purpose=details.purpose.strip(), scope=scope.to_json(), state=DRAFT,
                created_by_id=actor.staff_id, created_at=now, state_changed_at=now,
                stage_times={DRAFT: now.isoformat()}, due_date=details.due_date,
                api_key_id=actor.api_key_id,
                client_reference=(details.client_reference or "").strip() or None)
    db.session.add(case)
    db.session.flush()
    created_here(case)
    audit.record("case.opened", actor.name, case.id, scope=scope.fingerprint())
    return case


def _orderer_organisation(details: CaseDetails, actor: Actor) -> Organisation:
    """Return the organisation the case is opened for, refusing anyone who may not open one."""
    if actor.kind == CLIENT and actor.api_key_id is not None:
        organisation = db.session.get(Organisation, actor.organisation_id)
        if organisation is None:
            raise CaseError("This key's organisation no longer exists.")
        return organisation
    user = db.session.get(StaffUser, actor.staff_id) if actor.staff_id is not None else None
    if (user is None or not user.active or actor.kind not in (STAFF, CLIENT)
            or (actor.kind == CLIENT) != user.is_client):
        raise CaseError("Cases are opened by a member of staff or ordered by a client.")
    return organisations.for_case(details.hiring_organisation, user, actor.name)


def order(details: CaseDetails, scope: Scope, actor: Actor, now: dt.datetime) -> tuple[Case, str]:
    """Open a case and send the candidate their link in one transaction: a hiring system's order."""
    case = open_case(details, scope, actor, now)
    return case, send_order(case.id, actor, now)


def send_order(case_id: int, actor: Actor, now: dt.datetime) -> str:
    """Send a hiring system's new order to its candidate at once; return the link's token."""
    if actor.api_key_id is None:
        # A client's order on the pages waits for our staff to check it and send it.
        raise CommandRefused("We could not send the order to the candidate: our team sends orders made "
                             "on these pages.", "check.order", DRAFT, "actor")
    return _invite(begin("check.order", case_id, actor), actor, now)


def update_draft(case_id: int, actor: Actor, details: CaseDetails, scope: Scope, now: dt.datetime) -> Case:
    """Change a case's details and scope while the candidate has not yet seen it."""
    case = begin("case.edit", case_id, actor)
    _check_scope(scope)
    _check_details(details)
    if details.due_date != case.due_date:
        # A due date kept as it was has been judged already; a new one is checked like a new case's.
        _check_due_date(details, _early_facts(case), now)
    if details.candidate_email.strip() != case.candidate.email:
        case.candidate.email_hash = keyring().lookup_hash(details.candidate_email)
    case.candidate.seal("name_enc", details.candidate_name.strip())
    case.candidate.seal("email_enc", details.candidate_email.strip())
    case.candidate.language = i18n.valid(details.language)
    case.position = details.position.strip()
    user = db.session.get(StaffUser, actor.staff_id) if actor.staff_id is not None else None
    if user is not None:
        # Moving a draft to another organisation is allowed only among the ones this person works for.
        case.organisation = organisations.for_case(details.hiring_organisation, user, actor.name)
    case.hiring_organisation = case.organisation.name
    case.purpose = details.purpose.strip()
    case.due_date = details.due_date
    case.scope = scope.to_json()
    audit.record("case.edited", actor.name, case.id, scope=scope.fingerprint())
    return case


def invite_candidate(case_id: int, actor: Actor, now: dt.datetime) -> str:
    """Send the candidate a link to read the scope and decide (again, if they were sent one); return it."""
    return _invite(begin("candidate.invite", case_id, actor), actor, now)


def _invite(case: Case, actor: Actor, now: dt.datetime) -> str:
    """Send the candidate of a locked case their link, moving a draft on; return the token."""
    resend = case.state == AWAITING_CONSENT
    if not resend:
        move(case, AWAITING_CONSENT, now)
        case.invited_at = now
    token = _send_link(case, "candidate_invitation", now)
    audit.record("candidate.link_resent" if resend else "candidate.invited", actor.name, case.id)
    return token


def send_new_link(case_id: int, actor: Actor, now: dt.datetime) -> str:
    """Send the candidate a fresh link at their request (it revokes the last); return the token."""
    case = begin("candidate.new_link", case_id, actor)
    token = _send_link(case, "candidate_new_link", now)
    audit.record("candidate.link_requested", actor.name, case.id)
    return token


def open_link(case_id: int, actor: Actor, token: str, now: dt.datetime) -> str:
    """Exchange the candidate's emailed link for a session, once; return the session's token.

    The link is looked at again under the case's lock, so two clicks at once open one session.
    """
    case = begin("candidate.open", case_id, actor)
    link = access.find_link(token, "candidate", now, case_id=case.id)
    if link is None:
        english = N_("We could not open your check: this link no longer works.")
        raise CommandRefused(gettext(english), "candidate.open", case.state, "link", english=english)
    link.used_at = now
    audit.record("candidate.link_used", actor.name, case.id)
    return access.start_session("candidate", now, case_id=case.id)


def grant_consent(case_id: int, actor: Actor, signature: str, ip: str | None, user_agent: str | None,
                  now: dt.datetime, shown_in: str | None = None) -> Consent:
    """Record consent to exactly the scope shown, and open nomination."""
    case = begin("consent.grant", case_id, actor)
    if len(signature.strip()) < 2:
        raise CaseError(gettext("Type your full name to sign."), field="signature")
    if has_control(signature):
        raise CaseError(gettext(ONE_LINE_MESSAGE), field="signature")
    consent = _decision(case, "granted", ip, user_agent, now, shown_in)
    consent.seal("signature_enc", signature.strip())
    move(case, NOMINATING, now)
    audit.record("consent.granted", actor.name, case.id, receipt=consent.id,
                 scope=consent.scope_sha256, disclosure=DISCLOSURE_VERSION)
    check_events.emit(case, check_events.CONSENTED, now)
    mail.queue("consent_confirmation", case.candidate.email, case.data_key, case.id,
               language=case.candidate.language,
               case=case, name=case.candidate.name, consent=consent, base_url=base_url())
    return consent


def decline_consent(case_id: int, actor: Actor, reason: str, ip: str | None, user_agent: str | None,
                    now: dt.datetime, shown_in: str | None = None) -> Consent:
    """Record that the candidate refused; nothing is checked."""
    case = begin("consent.decline", case_id, actor)
    consent = _decision(case, "declined", ip, user_agent, now, shown_in)
    consent.seal("decline_reason_enc", reason.strip() or None)
    move(case, DECLINED, now)
    access.revoke_links(case, now)
    audit.record("consent.declined", actor.name, case.id, receipt=consent.id)
    check_events.emit(case, check_events.DECLINED, now)
    mail.queue("consent_declined", case.candidate.email, case.data_key, case.id,
               language=case.candidate.language,
               case=case, name=case.candidate.name)
    return consent


def _decision(case: Case, decision: str, ip: str | None, user_agent: str | None,
              now: dt.datetime, shown_in: str | None = None) -> Consent:
    """Add the candidate's decision on the scope as it stands, with where it was made."""
    scope = Scope.from_json(case.scope)
    consent = Consent(case=case, data_key=case.data_key, decision=decision,
                      scope=scope.to_json(), scope_sha256=scope.fingerprint(),
                      disclosure_version=DISCLOSURE_VERSION, decided_at=now,
                      # The language the page they decided on was written in (another tab may have changed
                      # their language since); their own language when the page did not say.
                      language=shown_in if shown_in in LANGUAGES else case.candidate.language)
    db.session.add(consent)
    consent.seal("ip_enc", ip)
    consent.seal("user_agent_enc", (user_agent or "")[:300] or None)
    case.consent_decided_at = now
    return consent


def withdraw_consent(case_id: int, actor: Actor, reason: str, now: dt.datetime) -> Consent:
    """Withdraw consent: the case stops at once, its unused links stop working, open requests close."""
    case = begin("consent.withdraw", case_id, actor)
    consent = case.consent
    if consent is None or consent.decision != "granted" or consent.withdrawn_at:
        raise CaseError(gettext("There is no consent to withdraw on this case."))
    consent.withdrawn_at = now
    consent.seal("withdrawal_reason_enc", reason.strip() or None)
    move(case, WITHDRAWN, now)
    access.revoke_links(case, now)
    stop_referees(case, now)
    audit.record("consent.withdrawn", actor.name, case.id, receipt=consent.id)
    check_events.emit(case, check_events.WITHDRAWN, now)
    mail.queue("consent_withdrawn", case.candidate.email, case.data_key, case.id,
               language=case.candidate.language,
               case=case, name=case.candidate.name)
    return consent


def cancel_case(case_id: int, actor: Actor, reason: str, now: dt.datetime) -> Case:
    """Stop a case on the staff side, with a reason the candidate sees."""
    case = begin("case.cancel", case_id, actor)
    if not reason.strip():
        raise CaseError("Say why the case is cancelled; the candidate will see it.", field="reason")
    case.delay_reason = reason.strip()
    move(case, CANCELLED, now)
    access.revoke_links(case, now)
    stop_referees(case, now)
    audit.record("case.cancelled", actor.name, case.id)
    check_events.emit(case, check_events.CANCELLED, now)
    return case


def explain_delay(case_id: int, actor: Actor, reason: str, now: dt.datetime) -> Case:
    """Record (or clear) the reason for a delay, which the candidate sees on their timeline."""
    case = begin("case.explain_delay", case_id, actor)
    case.delay_reason = reason.strip() or None
    audit.record("case.delay_explained", actor.name, case.id, cleared=not case.delay_reason)
    if case.delay_reason:
        check_events.emit(case, check_events.DELAYED, now, **check_events.delay_data(case, now))
    return case


def add_note(case_id: int, actor: Actor, text: str, now: dt.datetime) -> StaffNote | None:
    """Keep a private staff note on a case, sealed; an empty note keeps nothing."""
    case = begin("case.note", case_id, actor)
    if not text.strip():
        return None
    note = StaffNote(case_id=case.id, data_key=case.data_key, author_id=actor.staff_id, created_at=now)
    db.session.add(note)
    note.seal("text_enc", text.strip())
    audit.record("case.note_added", actor.name, case.id, note=note.id)
    return note


def stop_referees(case: Case, now: dt.datetime, reason: str = "revoked") -> list[str]:
    """Close the referee requests still open on a case: links revoked, sessions ended; return their ids.

    A stopped case closes every request; the start of review closes those not yet answered.
    """
    closing = list(db.session.execute(sa.select(Referee.id).where(
        Referee.case_id == case.id, Referee.state.in_(REFEREE_WAITING))).scalars())
    if closing:
        db.session.execute(
            sa.update(Referee).where(Referee.id.in_(closing)).values(state=reason, finished_at=now))
        access.shut_out_referees(closing, now)
        # Half-written answers go with the request: nobody can send them now.
        drafts.drop(closing)
    return closing


def _send_link(case: Case, kind: str, now: dt.datetime) -> str:
    """Issue a candidate link and queue the email that carries it."""
    days = current_app.config["CANDIDATE_LINK_DAYS"]
    token = access.issue_link(case, "candidate", dt.timedelta(days=days), now)
    deciding = case.state == AWAITING_CONSENT
    mail.queue(kind, case.candidate.email, case.data_key, case.id,
               language=case.candidate.language, case=case,
               name=case.candidate.name, link=f"{base_url()}/c/{case.id}/{token}",
               expires=(now + dt.timedelta(days=days)).date(),
               controller=current_app.config["CONTROLLER_NAME"],
               controller_email=current_app.config["CONTROLLER_EMAIL"], deciding=deciding,
               decide_by=decide_by(case, now) if deciding else None)
    return token


def decide_by(case: Case, now: dt.datetime) -> dt.date | None:
    """Return the day the candidate is asked to decide by: the date their timeline gives the decision."""
    return pace.decide_by(timeline.build(_early_facts(case), now), now)



def _early_facts(case: Case) -> CaseFacts:
    """Return the timeline's facts of a case not yet with its referees (a draft, or one awaiting consent)."""
    return pace.early_facts(case.state, case.created_at, case.stage_times or {},
                            pace.days_from(current_app.config))


def move(case: Case, state: str, now: dt.datetime) -> None:
    """Move a case to a new state, which the lifecycle table must allow from where it is."""
    if state not in TRANSITIONS[case.state]:
        raise RuntimeError(f"no command moves a case from {case.state} to {state}")
    case.state = state
    # Always together: the metrics find cases that could be late by state_changed_at alone
    # (could_be_late), and the timeline reads the same moment from stage_times.
    case.state_changed_at = now
    case.stage_times = {**(case.stage_times or {}), state: now.isoformat()}
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


def _package_of(details: CaseDetails, organisation: Organisation) -> Package | None:
    """Return the package the order names, refusing one of another organisation or no longer offered."""
    if details.package_id is None:
        return None
    package = db.session.get(Package, details.package_id)
    if package is None or package.organisation_id != organisation.id or not package.active:
        raise CaseError("Choose one of your organisation's packages.")
    return package


def _check_details(details: CaseDetails) -> None:
    """Refuse a candidate address that is not plain, and one-line fields that are empty or broken."""
    try:
        email_address(details.candidate_email)
    except TextProblem as err:
        raise CaseError(err.message, field="candidate_email") from err
    for field in ("candidate_name", "position", "hiring_organisation"):
        if not getattr(details, field).strip():
            raise CaseError("Please fill this in.", field=field)
        if has_control(getattr(details, field)):
            raise CaseError(ONE_LINE_MESSAGE, field=field)
        if len(getattr(details, field).strip()) > 200:
            raise CaseError("Use at most 200 characters.", field=field)
    reference = details.client_reference or ""
    if len(reference.strip()) > 100 or has_control(reference):
        raise CaseError("Use at most 100 characters, on one line.", field="client_reference")


def _check_due_date(details: CaseDetails, facts: CaseFacts, now: dt.datetime) -> None:
    """Refuse a due date the configured pace cannot meet, unless staff said they know it is tight."""
    earliest = pace.unreachable(details.due_date, facts, now)
    if earliest is not None and not details.tight_ok:
        raise CaseError(pace.refusal(earliest), field="due_date")


def _check_scope(scope: Scope) -> None:
    """Refuse a scope with problems, naming the first field at fault."""
    problems = scope.errors(families())
    if problems:
        field, message = next(iter(problems.items()))
        raise CaseError(message, field=field)


def base_url() -> str:
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
        "purpose": case.purpose, "due_date": case.due_date, "language": case.candidate.language,
    }
