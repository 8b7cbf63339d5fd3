"""Staff pages for cases: the list, opening a case and its scope, the case page, and its referees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import defer, selectinload
from werkzeug.wrappers import Response

from ... import (
    audit_words,
    case_counts,
    cases,
    enquiries,
    kept,
    organisations,
    pace,
    progress,
    referees,
    report,
    review,
    search,
    timeline,
)
from ...commands import Actor
from ...dates import day
from ...extensions import db
from ...finding_words import KIND_WORDS
from ...findings import case_findings
from ...models import (
    CASE_STATES,
    COLLECTING,
    DRAFT,
    REFEREE_ACTIVE,
    STAFF_ROLES,
    AuditEvent,
    Candidate,
    Case,
    CaseCount,
    FraudSignal,
    Referee,
    StaffUser,
    utcnow,
)
from ...question_sets import families
from ...scope import RELATIONSHIP_LABELS, RELATIONSHIPS, still_needed
from ..common import run
from ..forms import (
    CaseForm,
    ConfirmForm,
    ReasonForm,
    RefereeForm,
    ResolveForm,
    SelectChoice,
    details_from,
    relationship_choices,
    show_error,
    text_of,
)
from .accounts import staff_only

bp = Blueprint("staff", __name__, url_prefix="/staff")
PAGE_SIZE = 50
# The list's filter for collecting cases whose referees have all answered; a label, not a state.
READY = "ready_for_review"
# The list's filter for cases with a question from the candidate still to answer; also a label.
QUESTIONS = "questions_waiting"
# Far past any real list (50 million cases), and small enough for every database's integers.
MAX_PAGE = 1_000_000
# The cases ready for review are decided again case by case after a change, and all at most this often.
COUNTS_SECONDS = 300


def me() -> Actor:
    """Return the signed-in staff member as the actor of a command."""
    return Actor.staff(current_user)


@bp.route("/")
@staff_only
def dashboard() -> Any:
    """List cases, newest first, optionally of one state or matching a search, with overdue ones marked."""
    state = request.args.get("state")
    text = request.args.get("q", "").strip()[:200]
    # The id breaks ties in opening time, so no case shows on two pages or on none.
    newest_first = (Case.created_at.desc(), Case.id.desc())
    # Each person sees the cases of the organisations they work for; what is kept is kept per view.
    visible, view = organisations.visible(current_user), organisations.scope_key(current_user)
    page_ids = sa.select(Case.id).where(visible).order_by(*newest_first)
    now = utcnow()
    # A collecting case whose referees have all answered waits on staff: it is listed and counted as
    # ready for review, apart from the cases still collecting. Kept, and after a change decided again
    # for the changed cases alone.
    ready = kept.remember_cases("ready for review", view,
                                lambda only: search.ready_for_review_ids(visible, only), now, COUNTS_SECONDS)
    if state == READY:
        page_ids = page_ids.where(Case.id.in_(ready) if ready else sa.false())
    elif state == QUESTIONS:
        page_ids = page_ids.where(enquiries.open_on_case())
    elif state in CASE_STATES:
        page_ids = page_ids.where(Case.state == state)
        if state == COLLECTING and ready:
            page_ids = page_ids.where(Case.id.not_in(ready))
    clause = search.search_clause(text)
    if clause is not None:
        page_ids = page_ids.where(clause)
    # Out of range, a page is empty rather than an error: no integer the database cannot hold reaches it.
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    # Find the page's ids first, where an index holding (created_at, id) skips the cases before the
    # page without reading their rows; only the page's own cases are then read whole.
    page_ids = page_ids.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    # The list shows a few columns of each case; the scope and purpose are long and wait for the case page.
    rows = db.session.execute(
        sa.select(Case).where(Case.id.in_(page_ids.scalar_subquery())).order_by(*newest_first)
        .options(selectinload(Case.candidate).joinedload(Candidate.data_key, innerjoin=True),
                 defer(Case.scope), defer(Case.purpose))).scalars().all()
    # Counted as cases change (case_counts): a few rows per organisation, however many cases.
    counts = case_counts.by_state(organisations.visible(current_user, CaseCount.organisation_id))
    listed = []
    answered, replied = progress.answers_in(list(rows)), progress.replies_in(list(rows))
    asked = progress.questions_waiting([case.id for case in rows])
    for case in rows:
        steps = timeline.build(progress.case_facts(case, answered, replied, asked), now)
        listed.append((case, timeline.next_step(steps), timeline.question(steps)))
    filters = _filters(counts, len(ready))
    waiting = enquiries.cases_waiting(None if view is None else visible)
    if waiting:
        filters.insert(0, (QUESTIONS, waiting))
    return render_template("staff/dashboard.html", listed=listed, filters=filters,
                           state=state, total=sum(counts.values()), ready=answered, page=page,
                           page_size=PAGE_SIZE, search=text)


def _filters(counts: dict[str, int], ready: int) -> list[tuple[str, int]]:
    """Return the list's filters that have cases, with their counts: each state, and ready for review."""
    shown = {**counts, COLLECTING: counts.get(COLLECTING, 0) - ready, READY: ready}
    order = [key for state in CASE_STATES for key in ((state, READY) if state == COLLECTING else (state,))]
    return [(key, shown[key]) for key in order if shown.get(key)]


@bp.route("/cases/new", methods=["GET", "POST"])
@staff_only
def new_case() -> Any:
    """Open a draft case with its scope."""
    form = _case_form()
    earliest = _explain_due_date(form, pace.new_case(progress.pace_days(), utcnow()),
                                 proposed=request.method == "GET")
    if request.method == "GET":
        form.period_to.data = utcnow().strftime("%Y-%m")
        form.period_from.data = f"{utcnow().year - 5}-{utcnow().month:02d}"
        # Proposed, not imposed: the earliest date the configured pace can meet.
        form.due_date.data = earliest
    if _validate(form):
        try:
            case = cases.open_case(_details(form), form.scope(), me(), utcnow())
        except cases.CaseError as err:
            db.session.rollback()
            show_error(form, err.message, err.field)
        else:
            db.session.commit()
            flash(f"Case {case.reference} is ready. Check it, then send it to the candidate.", "success")
            return redirect(url_for("staff.case", case_id=case.id))
    return render_template("staff/case_form.html", form=form, case=None,
                           organisation_choices=organisations.usable(current_user))


@bp.route("/cases/<int:case_id>")
@staff_only
def case(case_id: int) -> Any:
    """Show a case: details, scope, consent, timeline and its audit trail."""
    return _render_case(db.get_or_404(Case, case_id))


def _colleagues(case: Case) -> list[StaffUser]:
    """Return the active staff who work on this case's organisation, by name: its possible contacts."""
    staff = db.session.execute(
        sa.select(StaffUser).where(StaffUser.active.is_(True), StaffUser.role.in_(STAFF_ROLES))
        .order_by(StaffUser.name).options(selectinload(StaffUser.assigned))).scalars()
    return [person for person in staff if organisations.may_use(person, case.organisation_id)]


def _render_case(case: Case, referee_form: RefereeForm | None = None) -> Any:
    """Render the case page, with a referee form that may carry errors."""
    events = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id.desc())
    ).scalars().all()
    scope = referees.consented_scope_or_none(case)
    listed = referees.all_referees(case)
    claims = referees.claims_of(case)
    # The timeline, the findings and the form share the referees and claims read once above.
    answered = progress.answers_in_loaded(case, listed, scope)
    steps = timeline.build(progress.case_facts(case, answered), utcnow())
    form = referee_form or RefereeForm()
    if scope is not None:
        form.relationship.choices = relationship_choices(scope)
    signals: dict[str, list[FraudSignal]] = {}
    for signal in db.session.execute(
        sa.select(FraudSignal).where(FraudSignal.case_id == case.id).order_by(FraudSignal.id)
    ).scalars():
        signals.setdefault(signal.referee_id, []).append(signal)
    frozen, reply_progress = review.describe_all(case)
    return render_template("staff/case.html", case=case, scope=cases.scope_of(case), steps=steps,
                           events=events, actors=_with_referee_names(_actor_names(list(events)), listed),
                           describe_event=audit_words.describe, ready=case.id in answered,
                           confirm=ConfirmForm(),
                           reason_form=ReasonForm(), referees=listed, claims=claims,
                           referee_form=form, consented=scope, signals=signals,
                           findings=case_findings(case, claims) if case.state == "collecting"
                           and any(r.state == "submitted" for r in listed) else None,
                           frozen=frozen, reply_progress=reply_progress, kind_words=KIND_WORDS,
                           resolve_form=ResolveForm(),
                           resolution_words=review.RESOLUTION_WORDS, latest_report=report.latest(case),
                           relationships=RELATIONSHIPS, labels=RELATIONSHIP_LABELS,
                           reasons=referees.REASONS_FOR_LEAVING, asked=enquiries.of_case(case.id),
                           now=utcnow(),
                           colleagues=_colleagues(case),
                           needed=still_needed(scope, referees.nominees(
                               [r for r in listed if r.state in REFEREE_ACTIVE])) if scope else []), \
        (422 if referee_form is not None and referee_form.errors else 200)


@bp.route("/cases/<int:case_id>/referees", methods=["POST"])
@staff_only
def add_referee(case_id: int) -> Any:
    """Add a referee on the candidate's behalf, within the consented scope only."""
    case = db.get_or_404(Case, case_id)
    form = RefereeForm()
    scope = referees.consented_scope_or_none(case)
    if scope is not None:
        form.relationship.choices = relationship_choices(scope)
    if form.validate_on_submit():
        done = run(referees.nominate, case.id, me(), details_from(form), utcnow())
        if done.ok:
            flash(f"{form.name.data} was added as a referee.", "success")
            return redirect(url_for("staff.case", case_id=case.id))
        done.show_on(form)
    return _render_case(db.get_or_404(Case, case_id), form)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_case(case_id: int) -> Any:
    """Change a draft case before the candidate sees it."""
    case = db.get_or_404(Case, case_id)
    if case.state != DRAFT:
        flash("The candidate has been asked already; the scope is frozen.", "error")
        return redirect(url_for("staff.case", case_id=case.id))
    form = _case_form(data=cases.details_of(case) if request.method == "GET" else None)
    if request.method == "GET":
        form.fill_scope(cases.scope_of(case))
    _explain_due_date(form, progress.case_facts(case), proposed=False)
    if _validate(form):
        done = run(cases.update_draft, case.id, me(), _details(form), form.scope(), utcnow())
        if done.ok:
            flash("Changes saved.", "success")
            return redirect(url_for("staff.case", case_id=case_id))
        if done.moved_on:
            done.flash_refusal()
            return redirect(url_for("staff.case", case_id=case_id))
        done.show_on(form)
    return render_template("staff/case_form.html", form=form, case=db.get_or_404(Case, case_id),
                           organisation_choices=organisations.usable(current_user))


@bp.route("/cases/<int:case_id>/invite", methods=["POST"])
@staff_only
def invite(case_id: int) -> Response:
    """Send (or send again) the candidate's link to read the scope and decide."""
    return confirmed(case_id, cases.invite_candidate,
                      "The candidate has been sent a link to read the scope and decide.")


@bp.route("/cases/<int:case_id>/delay", methods=["POST"])
@staff_only
def explain_delay(case_id: int) -> Response:
    """Record or clear the reason for a delay, shown to the candidate."""
    db.get_or_404(Case, case_id)
    form = ReasonForm()
    if form.validate_on_submit():
        done = run(cases.explain_delay, case_id, me(), form.reason.data or "", utcnow())
        if done.ok and done.value is not None:
            flash("The candidate's timeline now shows this reason." if done.value.delay_reason
                  else "The delay note was cleared.", "success")
        done.flash_refusal()
    return redirect(url_for("staff.case", case_id=case_id))


@bp.route("/cases/<int:case_id>/cancel", methods=["POST"])
@staff_only
def cancel(case_id: int) -> Response:
    """Cancel a case with a reason the candidate will see."""
    case = db.get_or_404(Case, case_id)
    reference = case.reference
    form = ReasonForm()
    if form.validate_on_submit():
        done = run(cases.cancel_case, case_id, me(), form.reason.data or "", utcnow())
        if done.ok:
            flash(f"Case {reference} was cancelled.", "success")
        done.flash_refusal()
    return redirect(url_for("staff.case", case_id=case_id))


@bp.route("/cases/<int:case_id>/referees/<referee_id>/resend", methods=["POST"])
@staff_only
def resend_referee(case_id: int, referee_id: str) -> Response:
    """Send a referee a new link, revoking the old one."""
    return _referee_action(case_id, referee_id, referees.resend, "A new link is on its way.")


@bp.route("/cases/<int:case_id>/referees/<referee_id>/revoke", methods=["POST"])
@staff_only
def revoke_referee(case_id: int, referee_id: str) -> Response:
    """Withdraw a referee's request; the candidate can name someone else."""
    return _referee_action(case_id, referee_id, referees.revoke, "The request was withdrawn.")


@bp.route("/cases/<int:case_id>/referees/<referee_id>/approve", methods=["POST"])
@staff_only
def approve_referee(case_id: int, referee_id: str) -> Response:
    """Approve a named referee and contact them."""
    return _referee_action(case_id, referee_id, referees.approve, "Approved and invited.")


@bp.route("/cases/<int:case_id>/referees/<referee_id>/replace", methods=["POST"])
@staff_only
def replace_referee(case_id: int, referee_id: str) -> Response:
    """Ask the candidate to name someone else, with a reason."""
    reason = ReasonForm().reason.data or ""

    def ask(case_id: int, actor: Actor, referee_id: str, now: Any) -> None:
        referees.ask_replacement(case_id, actor, referee_id, reason, now)

    return _referee_action(case_id, referee_id, ask, "The candidate has been asked to name someone else.")


def _referee_action(case_id: int, referee_id: str, command: Any, done_message: str) -> Response:
    """Run one referee command for staff, scoped to the case in the URL (404 for another case's referee)."""
    found = db.session.execute(
        sa.select(Referee.id).where(Referee.id == referee_id, Referee.case_id == case_id)).first()
    if found is None:
        abort(404)
    return confirmed(case_id, command, done_message, "#referees", referee_id)


def confirmed(case_id: int, command: Any, done_message: str | Callable[[Any], str], anchor: str = "",
              *args: Any) -> Response:
    """Run a command that needs only a confirmed button press, say what it did, and go back to the case.

    `args` come between the actor and the time, as a referee's id does.
    """
    db.get_or_404(Case, case_id)
    if ConfirmForm().validate_on_submit():
        done = run(command, case_id, me(), *args, utcnow())
        if done.ok:
            flash(done_message if isinstance(done_message, str) else done_message(done.value), "success")
        done.flash_refusal()
    return redirect(url_for("staff.case", case_id=case_id) + anchor)


def _actor_names(events: list[AuditEvent]) -> dict[str, str]:
    """Name the people behind audit actors, in one query."""
    people = [e.actor for e in events if e.actor.startswith(("staff:", "client:"))]
    ids = {int(actor.split(":")[1]) for actor in people}
    found = dict(db.session.execute(
        sa.select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids))).all()) if ids else {}
    # A client is named with their side, so staff see the order came from the hiring organisation.
    names = {actor: found[int(actor.split(":")[1])] + (" (client)" if actor.startswith("client:") else "")
             for actor in people if int(actor.split(":")[1]) in found}
    names.update({e.actor: "the candidate" for e in events if e.actor.startswith("candidate:")})
    return names


def _with_referee_names(names: dict[str, str], listed: list[Referee]) -> dict[str, str]:
    """Add referees to the audit names, from rows already loaded."""
    return {**names, **{f"referee:{r.id}": f"{r.details['name']} (referee)" for r in listed}}


def _details(form: CaseForm) -> cases.CaseDetails:
    """Collect the case details from the form."""
    return cases.CaseDetails(
        candidate_name=text_of(form.candidate_name), candidate_email=text_of(form.candidate_email),
        position=text_of(form.position), hiring_organisation=text_of(form.hiring_organisation),
        purpose=text_of(form.purpose), due_date=form.due_date.data, tight_ok=bool(form.tight_ok.data),
        language=form.language.data,
    )


def _explain_due_date(form: CaseForm, facts: timeline.CaseFacts, proposed: bool) -> dt.date | None:
    """Say under the due date the earliest day the configured pace can meet, and why; return that day."""
    earliest = pace.earliest_due(facts, utcnow())
    if earliest is not None:
        why = pace.pace_sentence(facts.pace_days)
        form.due_date.description = (
            f"At the configured pace the report can be released around {day(earliest)} ({why}). "
            + ("We have proposed that date; any later date is fine." if proposed
               else "Any date from then on can be met.")
        )
    return earliest


def _case_form(**kwargs: Any) -> CaseForm:
    """Return the case form offering the published question sets."""
    form = CaseForm(**kwargs)
    form.question_set.choices = [SelectChoice(key, title) for key, title in families().items()]
    return form


def _validate(form: CaseForm) -> bool:
    """Validate the fields and the scope together, so every problem is shown at once."""
    if request.method != "POST":
        return False
    valid = form.validate_on_submit()
    problems = form.scope().errors(families())
    for field, message in problems.items():
        # A field that already failed its own check needs no second message.
        if not getattr(getattr(form, field, None), "errors", None):
            show_error(form, message, field)
    return valid and not problems
