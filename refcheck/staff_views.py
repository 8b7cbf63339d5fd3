"""Staff pages: the case list, opening a case, its scope, and sending it to the candidate."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import defer, selectinload
from wtforms.fields.choices import SelectChoice

from . import audit, cases, kept, referees, report, review, timeline
from .accounts import staff_only
from .extensions import db
from .findings import case_findings
from .forms import CaseForm, ConfirmForm, ReasonForm, RefereeForm, ResolveForm, show_error
from .models import (
    CASE_STATES,
    REFEREE_ACTIVE,
    AuditEvent,
    Candidate,
    Case,
    Finding,
    FraudSignal,
    Referee,
    StaffNote,
    StaffUser,
    utcnow,
)
from .question_sets import families
from .scope import RELATIONSHIP_LABELS, RELATIONSHIPS, month_name, still_needed

bp = Blueprint("staff", __name__, url_prefix="/staff")
PAGE_SIZE = 50
# Far past any real list (50 million cases), and small enough for every database's integers.
MAX_PAGE = 1_000_000
# The counts by state are kept until something is recorded, and at most this long.
COUNTS_SECONDS = 300


@bp.route("/")
@staff_only
def dashboard() -> Any:
    """List cases, newest first, optionally of one state or matching a search, with overdue ones marked."""
    state = request.args.get("state")
    search = request.args.get("q", "").strip()[:200]
    # The id breaks ties in opening time, so no case shows on two pages or on none.
    newest_first = (Case.created_at.desc(), Case.id.desc())
    page_ids = sa.select(Case.id).order_by(*newest_first)
    if state in CASE_STATES:
        page_ids = page_ids.where(Case.state == state)
    clause = cases.search_clause(search)
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
    now = utcnow()
    # Counting every case takes longer than the rest of the page on a large database; the counts
    # change only with a recorded event, so they are kept until the next one.
    counts = kept.remember("state counts", None, lambda: dict(db.session.execute(
        sa.select(Case.state, sa.func.count()).group_by(Case.state)).all()), now, COUNTS_SECONDS)
    listed = []
    answered = cases.answers_in(list(rows))
    for case in rows:
        step = timeline.next_step(timeline.build(cases.case_facts(case, answered), now))
        listed.append((case, step))
    return render_template("staff/dashboard.html", listed=listed, counts=counts, state=state,
                           states=CASE_STATES, page=page, page_size=PAGE_SIZE, search=search)


@bp.route("/cases/new", methods=["GET", "POST"])
@staff_only
def new_case() -> Any:
    """Open a draft case with its scope."""
    form = _case_form()
    if request.method == "GET":
        form.period_to.data = utcnow().strftime("%Y-%m")
        form.period_from.data = f"{utcnow().year - 5}-{utcnow().month:02d}"
    if _validate(form):
        try:
            case = cases.open_case(_details(form), form.scope(), current_user, utcnow())
        except cases.CaseError as err:
            show_error(form, err.message, err.field)
        else:
            db.session.commit()
            flash(f"Case {case.reference} is ready. Check it, then send it to the candidate.", "success")
            return redirect(url_for("staff.case", case_id=case.id))
    return render_template("staff/case_form.html", form=form, case=None)


@bp.route("/cases/<int:case_id>")
@staff_only
def case(case_id: int) -> Any:
    """Show a case: details, scope, consent, timeline and its audit trail."""
    return _render_case(db.get_or_404(Case, case_id))


def _render_case(case: Case, referee_form: RefereeForm | None = None) -> Any:
    """Render the case page, with a referee form that may carry errors."""
    events = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id.desc())
    ).scalars().all()
    scope = referees.consented_scope_or_none(case)
    listed = referees.all_referees(case)
    claims = referees.claims_of(case)
    # The timeline, the findings and the form share the referees and claims read once above.
    steps = timeline.build(cases.case_facts(case, cases.answers_in_loaded(case, listed, scope)), utcnow())
    form = referee_form or RefereeForm()
    if scope is not None:
        form.relationship.choices = referees.relationship_choices(scope)
    signals: dict[str, list[FraudSignal]] = {}
    for signal in db.session.execute(
        sa.select(FraudSignal).where(FraudSignal.case_id == case.id).order_by(FraudSignal.id)
    ).scalars():
        signals.setdefault(signal.referee_id, []).append(signal)
    return render_template("staff/case.html", case=case, scope=cases.scope_of(case), steps=steps,
                           events=events, actors=_with_referee_names(_actor_names(events), listed),
                           confirm=ConfirmForm(),
                           reason_form=ReasonForm(), referees=listed, claims=claims,
                           referee_form=form, consented=scope, signals=signals,
                           findings=case_findings(case, claims) if case.state == "collecting"
                           and any(r.state == "submitted" for r in listed) else None,
                           frozen=review.case_findings_rows(case), resolve_form=ResolveForm(),
                           resolution_words=review.RESOLUTION_WORDS, latest_report=report.latest(case),
                           relationships=RELATIONSHIPS, labels=RELATIONSHIP_LABELS,
                           reasons=referees.REASONS_FOR_LEAVING, month_name=month_name,
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
        form.relationship.choices = referees.relationship_choices(scope)
    if form.validate_on_submit():
        try:
            referees.staff_add_referee(case, referees.details_from(form), current_user, utcnow())
        except cases.CaseError as err:
            _refused(case, err)
            show_error(form, err.message, err.field)
        else:
            db.session.commit()
            flash(f"{form.name.data} was added as a referee.", "success")
            return redirect(url_for("staff.case", case_id=case.id))
    return _render_case(case, form)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_case(case_id: int) -> Any:
    """Change a draft case before the candidate sees it."""
    case = db.get_or_404(Case, case_id)
    if case.state != "draft":
        flash("The candidate has been asked already; the scope is frozen.", "error")
        return redirect(url_for("staff.case", case_id=case.id))
    form = _case_form(data=cases.details_of(case) if request.method == "GET" else None)
    if request.method == "GET":
        form.fill_scope(cases.scope_of(case))
    if _validate(form):
        try:
            cases.update_draft(case, _details(form), form.scope(), current_user)
        except cases.CaseError as err:
            show_error(form, err.message, err.field)
        else:
            db.session.commit()
            flash("Changes saved.", "success")
            return redirect(url_for("staff.case", case_id=case.id))
    return render_template("staff/case_form.html", form=form, case=case)


@bp.route("/cases/<int:case_id>/invite", methods=["POST"])
@staff_only
def invite(case_id: int) -> Any:
    """Send (or send again) the candidate's link to read the scope and decide."""
    case = db.get_or_404(Case, case_id)
    if ConfirmForm().validate_on_submit():
        try:
            cases.invite_candidate(case, current_user, utcnow())
        except cases.CaseError as err:
            _refused(case, err)
            flash(err.message, "error")
        else:
            db.session.commit()
            flash("The candidate has been sent a link to read the scope and decide.", "success")
    return redirect(url_for("staff.case", case_id=case.id))


@bp.route("/cases/<int:case_id>/delay", methods=["POST"])
@staff_only
def explain_delay(case_id: int) -> Any:
    """Record or clear the reason for a delay, shown to the candidate."""
    case = db.get_or_404(Case, case_id)
    form = ReasonForm()
    if form.validate_on_submit():
        cases.explain_delay(case, current_user, form.reason.data or "")
        db.session.commit()
        flash("The candidate's timeline now shows this reason." if case.delay_reason
              else "The delay note was cleared.", "success")
    return redirect(url_for("staff.case", case_id=case.id))


@bp.route("/cases/<int:case_id>/cancel", methods=["POST"])
@staff_only
def cancel(case_id: int) -> Any:
    """Cancel a case with a reason the candidate will see."""
    case = db.get_or_404(Case, case_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            cases.cancel_case(case, current_user, form.reason.data or "", utcnow())
        except cases.CaseError as err:
            _refused(case, err)
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(f"Case {case.reference} was cancelled.", "success")
    return redirect(url_for("staff.case", case_id=case.id))


@bp.route("/cases/<int:case_id>/referees/<referee_id>/resend", methods=["POST"])
@staff_only
def resend_referee(case_id: int, referee_id: str) -> Any:
    """Send a referee a new link, revoking the old one."""
    return _referee_action(case_id, referee_id, referees.resend, "A new link is on its way.")


@bp.route("/cases/<int:case_id>/referees/<referee_id>/revoke", methods=["POST"])
@staff_only
def revoke_referee(case_id: int, referee_id: str) -> Any:
    """Withdraw a referee's request; the candidate can name someone else."""
    return _referee_action(case_id, referee_id, referees.revoke, "The request was withdrawn.")


@bp.route("/cases/<int:case_id>/referees/<referee_id>/approve", methods=["POST"])
@staff_only
def approve_referee(case_id: int, referee_id: str) -> Any:
    """Approve a named referee and contact them."""
    return _referee_action(case_id, referee_id, referees.approve, "Approved and invited.")


@bp.route("/cases/<int:case_id>/referees/<referee_id>/replace", methods=["POST"])
@staff_only
def replace_referee(case_id: int, referee_id: str) -> Any:
    """Ask the candidate to name someone else, with a reason."""
    reason = ReasonForm().reason.data or ""
    return _referee_action(case_id, referee_id,
                           lambda referee, actor, now: referees.ask_replacement(referee, actor, reason, now),
                           "The candidate has been asked to name someone else.")


@bp.route("/cases/<int:case_id>/review", methods=["POST"])
@staff_only
def start_review(case_id: int) -> Any:
    """Freeze the findings and start review."""
    case = db.get_or_404(Case, case_id)
    if ConfirmForm().validate_on_submit():
        try:
            rows = review.start_review(case, current_user, utcnow())
        except cases.CaseError as err:
            _refused(case, err)
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(f"Review started with {len(rows)} findings. Resolve each conflict, then send them "
                  "to the candidate.", "success")
    return redirect(url_for("staff.case", case_id=case_id) + "#review")


@bp.route("/cases/<int:case_id>/findings/<finding_id>", methods=["POST"])
@staff_only
def resolve_finding(case_id: int, finding_id: str) -> Any:
    """Resolve one finding with a note."""
    finding = db.session.execute(
        sa.select(Finding).where(Finding.id == finding_id, Finding.case_id == case_id)
    ).scalar_one_or_none()
    if finding is None:
        abort(404)
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            review.resolve(finding, current_user, form.resolution.data, form.note.data or "", utcnow())
        except cases.CaseError as err:
            _refused(db.session.get(Case, case_id), err)
            flash(err.message, "error")
        else:
            db.session.commit()
            flash("Resolution saved.", "success")
    return redirect(url_for("staff.case", case_id=case_id) + f"#finding-{finding_id}")


@bp.route("/cases/<int:case_id>/send-findings", methods=["POST"])
@staff_only
def send_findings(case_id: int) -> Any:
    """Show the findings to the candidate for their replies."""
    case = db.get_or_404(Case, case_id)
    if ConfirmForm().validate_on_submit():
        try:
            review.send_to_candidate(case, current_user, utcnow())
        except cases.CaseError as err:
            _refused(case, err)
            flash(err.message, "error")
        else:
            db.session.commit()
            flash("The candidate has been asked to read the findings and reply.", "success")
    return redirect(url_for("staff.case", case_id=case_id) + "#review")


@bp.route("/cases/<int:case_id>/answers", methods=["GET", "POST"])
@staff_only
def answers(case_id: int) -> Any:
    """Show answers side by side with findings, signals and ratings on top, and keep private notes."""
    case = db.get_or_404(Case, case_id)
    if case.consent is None or case.consent.decision != "granted":
        abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        if (form.reason.data or "").strip():
            note = StaffNote(case_id=case.id, data_key=case.data_key, author_id=current_user.id,
                             created_at=utcnow())
            db.session.add(note)
            note.seal("text_enc", form.reason.data.strip())
            audit.record("case.note_added", cases.staff_actor(current_user), case.id, note=note.id)
            db.session.commit()
            flash("Note saved. Only staff can see it.", "success")
        return redirect(url_for("staff.answers", case_id=case.id) + "#notes")
    data = report.gather(case)
    notes = db.session.execute(
        sa.select(StaffNote).options(selectinload(StaffNote.data_key), selectinload(StaffNote.author))
        .where(StaffNote.case_id == case.id).order_by(StaffNote.created_at.desc())
    ).scalars().all()
    audit.record("case.answers_viewed", cases.staff_actor(current_user), case.id)
    db.session.commit()
    return render_template("staff/answers.html", case=case, data=data, notes=notes, form=form,
                           ratings=report.rating_summary(data))


@bp.route("/cases/<int:case_id>/signals/<int:signal_id>", methods=["POST"])
@staff_only
def resolve_signal(case_id: int, signal_id: int) -> Any:
    """Record how staff handled a fraud signal; the note appears in the report."""
    signal = db.session.execute(
        sa.select(FraudSignal).where(FraudSignal.id == signal_id, FraudSignal.case_id == case_id)
    ).scalar_one_or_none()
    if signal is None:
        abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        note = (form.reason.data or "").strip()
        if not note:
            flash("Write what was checked and what you concluded.", "error")
        else:
            signal.resolved_note = note
            audit.record("fraud_signal.resolved", cases.staff_actor(current_user), case_id, signal=signal.id)
            db.session.commit()
            flash("Saved how the signal was handled.", "success")
    return redirect(url_for("staff.case", case_id=case_id) + "#referees")


@bp.route("/cases/<int:case_id>/release", methods=["POST"])
@staff_only
def release(case_id: int) -> Any:
    """Render and release the next version of the report."""
    case = db.get_or_404(Case, case_id)
    if ConfirmForm().validate_on_submit():
        try:
            released = report.release(case, current_user, utcnow())
        except cases.CaseError as err:
            _refused(case, err)
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(f"Version {released.version} of the report is released to the candidate.", "success")
    return redirect(url_for("staff.case", case_id=case_id))


@bp.route("/cases/<int:case_id>/report.pdf")
@staff_only
def download_report(case_id: int) -> Any:
    """Serve the latest released report exactly as stored; the download is audited."""
    case = db.get_or_404(Case, case_id)
    return report_response(case, cases.staff_actor(current_user))


def report_response(case: Case, actor: str) -> Any:
    """Return the stored PDF of a case's latest report, audited, or 404."""
    latest = report.latest(case)
    if latest is None:
        abort(404)
    body = report.pdf_bytes(latest)
    audit.record("report.downloaded", actor, case.id, version=latest.version)
    db.session.commit()
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{case.reference}-v{latest.version}.pdf"'})


def _referee_action(case_id: int, referee_id: str, action: Any, done: str) -> Any:
    """Run one referee action for staff, scoped to the case in the URL."""
    referee = db.session.execute(
        sa.select(Referee).where(Referee.id == referee_id, Referee.case_id == case_id)
    ).scalar_one_or_none()
    if referee is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            action(referee, cases.staff_actor(current_user), utcnow())
        except cases.CaseError as err:
            _refused(referee.case, err)
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("staff.case", case_id=case_id) + "#referees")


def _refused(case: Case, err: cases.CaseError) -> None:
    """Drop a refused request's half-made changes and, on an ended case, audit the attempt."""
    audit.refusal(case, request.endpoint or "", cases.staff_actor(current_user), err.message)
    db.session.commit()


def _actor_names(events: list[AuditEvent]) -> dict[str, str]:
    """Name the people behind audit actors, in one query."""
    ids = {int(e.actor.split(":")[1]) for e in events if e.actor.startswith("staff:")}
    names = {f"staff:{user_id}": name for user_id, name in db.session.execute(
        sa.select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids))
    )} if ids else {}
    names.update({e.actor: "the candidate" for e in events if e.actor.startswith("candidate:")})
    return names


def _with_referee_names(names: dict[str, str], listed: list[Referee]) -> dict[str, str]:
    """Add referees to the audit names, from rows already loaded."""
    return {**names, **{f"referee:{r.id}": f"{r.details['name']} (referee)" for r in listed}}


def _details(form: CaseForm) -> cases.CaseDetails:
    """Collect the case details from the form."""
    return cases.CaseDetails(
        candidate_name=form.candidate_name.data, candidate_email=form.candidate_email.data,
        position=form.position.data, hiring_organisation=form.hiring_organisation.data,
        purpose=form.purpose.data, due_date=form.due_date.data,
    )


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
