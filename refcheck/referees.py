"""Referees and claims: the candidate names referees within scope and states their own facts."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from . import access, audit, fraud, mail
from .cases import CaseError, candidate_actor, move, staff_actor
from .extensions import db, limiter
from .forms import ClaimForm, ConfirmForm, RefereeForm, show_error
from .models import (
    COLLECTING,
    NOMINATING,
    REFEREE_ACTIVE,
    Case,
    Claim,
    FraudSignal,
    Referee,
    StaffUser,
    keyring,
    utcnow,
)
from .months import is_month, month_name
from .portal import candidate_required
from .scope import RELATIONSHIPS, Nominee, Scope, nomination_problems, still_needed
from .text import ONE_LINE_MESSAGE, TextProblem, email_address, has_control

REASONS_FOR_LEAVING = {
    "resigned": "I resigned",
    "contract_ended": "The contract ended",
    "laid_off": "I was laid off (redundancy)",
    "dismissed": "I was dismissed",
    "other": "Another reason",
}
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
        raise CaseError("There is no consent in force for this case.")
    return Scope.from_json(consent.scope)


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


def nominate(case: Case, details: RefereeDetails, by: str, actor: str, now: dt.datetime) -> Referee:
    """Add a referee if the consented scope allows it; refuse with a reason otherwise."""
    if case.state not in (NOMINATING, COLLECTING):
        raise CaseError("Referees can be named only while the check is running.")
    scope = consented_scope(case)
    email = _valid_email(details.email)
    _check_details(details, scope)
    digest = keyring().lookup_hash(email)
    problems = nomination_problems(scope, nominees(active_referees(case)),
                                   Nominee(details.relationship, digest), case.candidate.email_hash)
    if problems:
        field, message = next(iter(problems.items()))
        raise CaseError(message, field=field)
    referee = Referee(case=case, data_key=case.data_key, relationship=details.relationship,
                      email_hash=digest, state="nominated", nominated_by=by, nominated_at=now,
                      verification_code=_verification_code())
    db.session.add(referee)
    referee.seal("details_enc", {**asdict(details), "email": email})
    for signal in fraud.email_signals(case.candidate.email, email, details.organisation):
        db.session.add(FraudSignal(case_id=case.id, referee=referee, rule=signal.rule,
                                   detail=signal.detail, created_at=now))
    audit.record("referee.nominated", actor, case.id, referee=referee.id,
                 relationship=details.relationship, by=by)
    return referee


def remove_nomination(case: Case, referee: Referee, actor: str, now: dt.datetime) -> None:
    """Take back a referee who has not been contacted yet."""
    if referee.case_id != case.id:
        raise CaseError("This referee is not part of this case.")
    if referee.state != "nominated":
        raise CaseError("This referee has already been contacted, so they cannot be removed here.")
    referee.state = "revoked"
    referee.finished_at = now
    audit.record("referee.removed", actor, case.id, referee=referee.id)


def save_claim(case: Case, facts: ClaimFacts, actor: str, now: dt.datetime,
               claim: Claim | None = None) -> Claim:
    """Record or correct the candidate's statement about one position within the scope's period."""
    if case.state not in (NOMINATING, COLLECTING):
        raise CaseError("Your work history can be changed only while the check is running.")
    scope = consented_scope(case)
    if "employment_history" not in scope.checks and "references" not in scope.checks:
        raise CaseError("Your employment history is not part of the scope you agreed to.")
    _check_claim(facts, scope)
    if claim is None:
        claim = Claim(case_id=case.id, data_key=case.data_key, created_at=now)
        db.session.add(claim)
    elif claim.case_id != case.id:
        raise CaseError("This statement is not part of this case.")
    claim.updated_at = now
    claim.seal("facts_enc", asdict(facts))
    audit.record("claim.saved", actor, case.id, claim=claim.id)
    return claim


def remove_claim(case: Case, claim: Claim, actor: str) -> None:
    """Delete one of the candidate's statements."""
    if claim.case_id != case.id:
        raise CaseError("This statement is not part of this case.")
    if case.state not in (NOMINATING, COLLECTING):
        raise CaseError("Your work history can be changed only while the check is running.")
    db.session.delete(claim)
    audit.record("claim.removed", actor, case.id, claim=claim.id)


def claims_of(case: Case) -> list[Claim]:
    """Return the candidate's statements for a case, oldest position first."""
    # No eager load of the case's one key (see Sealed.data_key).
    claims = db.session.execute(sa.select(Claim).where(Claim.case_id == case.id)).scalars().all()
    return sorted(claims, key=lambda c: c.facts["start_month"])


def _valid_email(value: str) -> str:
    """Return a normalised email address or refuse it with the reason."""
    try:
        return email_address(value)
    except TextProblem as err:
        raise CaseError(err.message, field="email") from err


def _check_details(details: RefereeDetails, scope: Scope) -> None:
    """Refuse missing or malformed referee details."""
    for field in ("name", "organisation", "job_title"):
        if not getattr(details, field).strip():
            raise CaseError("Please fill this in.", field=field)
        if has_control(getattr(details, field)):
            raise CaseError(ONE_LINE_MESSAGE, field=field)
    if details.relationship not in RELATIONSHIPS:
        raise CaseError("Choose how you worked together.", field="relationship")
    _check_period(details.worked_from, details.worked_to, "worked_from", "worked_to")
    if details.worked_to < scope.period_from or details.worked_from > scope.period_to:
        raise CaseError("This time together is outside the period agreed for this check "
                        f"({month_name(scope.period_from)} to {month_name(scope.period_to)}).",
                        field="worked_from")


def _check_claim(facts: ClaimFacts, scope: Scope) -> None:
    """Refuse an incomplete claim or one outside the scope's period."""
    for field in ("employer", "title"):
        if not getattr(facts, field).strip():
            raise CaseError("Please fill this in.", field=field)
        if has_control(getattr(facts, field)):
            raise CaseError(ONE_LINE_MESSAGE, field=field)
    _check_period(facts.start_month, facts.end_month or facts.start_month, "start_month", "end_month")
    if facts.end_month and facts.reason_for_leaving not in REASONS_FOR_LEAVING:
        raise CaseError("Choose why the job ended.", field="reason_for_leaving")
    end = facts.end_month or "9999-12"
    if end < scope.period_from or facts.start_month > scope.period_to:
        raise CaseError("This position is outside the period you agreed to have checked.",
                        field="start_month")


def _check_period(start: str, end: str, start_field: str, end_field: str) -> None:
    """Refuse months that are malformed or in the wrong order."""
    if not is_month(start):
        raise CaseError("Give the month and year, for example 04/2022.", field=start_field)
    if not is_month(end):
        raise CaseError("Give the month and year, for example 09/2024.", field=end_field)
    if end < start:
        raise CaseError("The end cannot be before the start.", field=end_field)
    if start > utcnow().strftime("%Y-%m"):
        raise CaseError("This month has not happened yet.", field=start_field)


def _verification_code() -> str:
    """Return a short code the candidate and the referee both see."""
    return "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(3)) for _ in range(2))


def send_invitations(case: Case, actor: str, now: dt.datetime) -> list[tuple[Referee, str]]:
    """Invite every named referee not yet contacted; the first time, the case starts collecting."""
    scope = consented_scope(case)
    current = active_referees(case)
    if case.state == NOMINATING:
        needed = still_needed(scope, nominees(current))
        if needed:
            raise CaseError("Before we contact anyone, the scope you agreed to still needs "
                            + ", ".join(needed) + ".")
        move(case, COLLECTING, now)
    elif case.state != COLLECTING:
        raise CaseError("Invitations can be sent only while the check is running.")
    waiting = [r for r in current if r.state == "nominated"]
    if not waiting:
        raise CaseError("Everyone on the list has been contacted already.")
    # With staff approval in the scope, only approved referees are contacted; staff invite the rest.
    ready = [r for r in waiting if r.approved_at or not scope.staff_approval]
    sent = [(referee, invite(referee, now)) for referee in ready]
    audit.record("referees.invited", actor, case.id, referees=[r.id for r, _ in sent],
                 awaiting_approval=len(waiting) - len(ready))
    return sent


def approve(referee: Referee, actor: str, now: dt.datetime) -> str:
    """Approve a named referee and contact them at once; return the link token."""
    if referee.state != "nominated":
        raise CaseError("Only a referee who has not been contacted yet can be approved.")
    if referee.case.state != COLLECTING:
        raise CaseError("The candidate has not sent their list yet.")
    _check_still_in_scope(referee)
    referee.approved_at = now
    token = invite(referee, now)
    audit.record("referee.approved", actor, referee.case_id, referee=referee.id)
    return token


def _check_still_in_scope(referee: Referee) -> None:
    """Refuse a referee the consented scope does not cover, however the row came to exist."""
    case = referee.case
    scope = consented_scope(case)
    others = [r for r in active_referees(case) if r.id != referee.id]
    problems = nomination_problems(scope, nominees(others), Nominee(referee.relationship, referee.email_hash),
                                   case.candidate.email_hash)
    if problems:
        raise CaseError(next(iter(problems.values())))
    _check_details(RefereeDetails(**referee.details), scope)


def ask_replacement(referee: Referee, actor: str, reason: str, now: dt.datetime) -> None:
    """Withdraw a referee and ask the candidate, with a reason, to name someone else."""
    if not reason.strip():
        raise CaseError("Tell the candidate why, so they can choose well.", field="reason")
    revoke(referee, actor, now)
    case = referee.case
    mail.queue("referee_replacement", case.candidate.email, case.data_key, case.id, case=case,
               name=case.candidate.name, referee_name=referee.details["name"], reason=reason.strip(),
               base_url=current_app.config["BASE_URL"].rstrip("/"))
    audit.record("referee.replacement_requested", actor, case.id, referee=referee.id)


def invite(referee: Referee, now: dt.datetime, kind: str = "referee_invitation") -> str:
    """Send one referee a fresh private link (revoking the last); return the token."""
    case = referee.case
    days = current_app.config["REFEREE_LINK_DAYS"]
    token = access.issue_link(case, "referee", dt.timedelta(days=days), now, referee_id=referee.id)
    details = referee.details
    base = current_app.config["BASE_URL"].rstrip("/")
    mail.queue(kind, details["email"], case.data_key, case.id,
               referee_name=details["name"], candidate_name=case.candidate.name, case=case,
               code=referee.verification_code, link=f"{base}/r/{referee.id}/{token}",
               expires=(now + dt.timedelta(days=days)).date(),
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


def resend(referee: Referee, actor: str, now: dt.datetime) -> str:
    """Send a referee a new link, for example when the first email went astray."""
    if referee.state not in ("invited", "opened"):
        raise CaseError("Only a referee who has not answered yet can get a new link.")
    token = invite(referee, now, kind="referee_reminder")
    audit.record("referee.link_resent", actor, referee.case_id, referee=referee.id)
    return token


def revoke(referee: Referee, actor: str, now: dt.datetime) -> None:
    """Withdraw a request: the referee's link stops working and they no longer count."""
    if referee.state not in ("nominated", "invited", "opened"):
        raise CaseError("This referee has already answered or closed the request.")
    referee.state = "revoked"
    referee.finished_at = now
    access.revoke_referee_links(referee.id, now)
    audit.record("referee.revoked", actor, referee.case_id, referee=referee.id)


# ---------------------------------------------------------------- staff

def staff_add_referee(case: Case, details: RefereeDetails, staff: StaffUser, now: dt.datetime) -> Referee:
    """Let staff add a referee, within the same consented scope as the candidate."""
    return nominate(case, details, "staff", staff_actor(staff), now)


# ---------------------------------------------------------------- candidate pages

bp = Blueprint("nominate", __name__, url_prefix="/portal")
# A candidate names a handful of referees; more tries than this in a minute is not a person typing.
NOMINATION_LIMIT = "10 per minute"


@bp.route("/referees", methods=["GET", "POST"])
@limiter.limit(NOMINATION_LIMIT, methods=["POST"])
@candidate_required
def referees() -> Any:
    """List the candidate's referees and name a new one within the scope."""
    case: Case = g.case
    scope = consented_scope_or_none(case)
    form = RefereeForm()
    if scope is not None:
        form.relationship.choices = relationship_choices(scope)
    # The service, not this view, decides whether the case still takes referees, so a refusal is audited.
    if form.validate_on_submit():
        try:
            nominate(case, details_from(form), "candidate", candidate_actor(case), utcnow())
        except CaseError as err:
            _refused(case, err)
            show_error(form, err.message, err.field)
        else:
            db.session.commit()
            flash(f"{form.name.data} is on your list.", "success")
            return redirect(url_for("nominate.referees"), 303)
    current = active_referees(case)
    shown = [r for r in all_referees(case) if r.state != "revoked"]
    return render_template(
        "portal/referees.html", case=case, scope=scope, form=form, referees=shown, active=current,
        waiting=[r for r in current if r.state == "nominated"],
        needed=still_needed(scope, nominees(current)) if scope else [],
        relationships=RELATIONSHIPS, confirm=ConfirmForm(),
        can_add=scope is not None and len(current) < scope.max_referees
        and case.state in (NOMINATING, COLLECTING),
    ), (422 if form.errors else 200)


@bp.route("/referees/invite", methods=["POST"])
@candidate_required
def invite_referees() -> Any:
    """Send the invitations once the list covers the scope."""
    case: Case = g.case
    if ConfirmForm().validate_on_submit():
        try:
            sent = send_invitations(case, candidate_actor(case), utcnow())
        except CaseError as err:
            _refused(case, err)
            flash(err.message, "error")
        else:
            db.session.commit()
            if sent:
                flash(f"We have emailed {len(sent)} referee{'s' if len(sent) != 1 else ''}. "
                      "You can follow their progress here.", "success")
            else:
                flash("Thank you. Our team will check your list and then contact your referees.",
                      "success")
    return redirect(url_for("nominate.referees"), 303)


@bp.route("/referees/<referee_id>/remove", methods=["POST"])
@candidate_required
def remove_referee(referee_id: str) -> Any:
    """Take a referee off the list before they are contacted."""
    case: Case = g.case
    referee = db.session.execute(
        sa.select(Referee).where(Referee.id == referee_id, Referee.case_id == case.id)
    ).scalar_one_or_none()
    if referee is None:
        return render_template("error.html", code=404), 404
    if ConfirmForm().validate_on_submit():
        try:
            remove_nomination(case, referee, candidate_actor(case), utcnow())
        except CaseError as err:
            _refused(case, err)
            flash(err.message, "error")
        else:
            db.session.commit()
            flash("Removed from your list.", "info")
    return redirect(url_for("nominate.referees"), 303)


@bp.route("/history", methods=["GET", "POST"])
@candidate_required
def history() -> Any:
    """List and add the candidate's statements about their positions."""
    case: Case = g.case
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            save_claim(case, _claim_facts(form), candidate_actor(case), utcnow())
        except CaseError as err:
            _refused(case, err)
            show_error(form, err.message, err.field)
        else:
            db.session.commit()
            flash(f"Saved your time at {form.employer.data}.", "success")
            return redirect(url_for("nominate.history"), 303)
    return render_template("portal/history.html", case=case, form=form, claims=claims_of(case),
                           scope=consented_scope_or_none(case), reasons=REASONS_FOR_LEAVING,
                           month_name=month_name,
                           confirm=ConfirmForm(),
                           editable=case.state in (NOMINATING, COLLECTING)), (422 if form.errors else 200)


@bp.route("/history/<claim_id>/remove", methods=["POST"])
@candidate_required
def remove_history(claim_id: str) -> Any:
    """Delete one statement."""
    case: Case = g.case
    claim = db.session.execute(
        sa.select(Claim).where(Claim.id == claim_id, Claim.case_id == case.id)
    ).scalar_one_or_none()
    if claim is None:
        return render_template("error.html", code=404), 404
    if ConfirmForm().validate_on_submit():
        try:
            remove_claim(case, claim, candidate_actor(case))
        except CaseError as err:
            _refused(case, err)
            flash(err.message, "error")
        else:
            db.session.commit()
            flash("Removed.", "info")
    return redirect(url_for("nominate.history"), 303)


def _refused(case: Case, err: CaseError) -> None:
    """Drop a refused request's half-made changes and, on an ended case, audit the attempt."""
    audit.refusal(case, request.endpoint or "", candidate_actor(case), err.message)
    db.session.commit()


def consented_scope_or_none(case: Case) -> Scope | None:
    """Return the consented scope, or None when no consent is in force."""
    try:
        return consented_scope(case)
    except CaseError:
        return None


def relationship_choices(scope: Scope) -> list[tuple[str, str]]:
    """Offer only the relationships the scope allows."""
    return [("", "Choose one")] + [
        (key, RELATIONSHIPS[key][0][0].upper() + RELATIONSHIPS[key][0][1:])
        for key in scope.relationships if key in RELATIONSHIPS
    ]


def details_from(form: RefereeForm) -> RefereeDetails:
    """Collect referee details from the form."""
    return RefereeDetails(
        name=form.name.data.strip(), email=form.email.data.strip(),
        organisation=form.organisation.data.strip(), job_title=form.job_title.data.strip(),
        relationship=form.relationship.data, worked_from=form.worked_from.data,
        worked_to=form.worked_to.data,
    )


def _claim_facts(form: ClaimForm) -> ClaimFacts:
    """Collect a claim from the form."""
    return ClaimFacts(
        employer=form.employer.data.strip(), title=form.title.data.strip(),
        start_month=form.start_month.data, end_month=(form.end_month.data or "").strip(),
        reason_for_leaving=form.reason_for_leaving.data if form.end_month.data else "",
        responsibilities=(form.responsibilities.data or "").strip(),
    )


for _view in (referees, invite_referees, remove_referee, history, remove_history):
    _view.access_rule = ("candidate",)  # type: ignore[attr-defined]
