"""The referee's pages: the link, who asks and why, attestation, questions or declining, then their rights."""

from __future__ import annotations

import datetime as dt
import functools
import weakref
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    get_template_attribute,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from . import access, answers, audit, experience
from .cases import CaseError
from .extensions import db, limiter
from .forms import ConfirmForm, show_error
from .models import CANDIDATE_REVIEW, REVIEW, Case, Referee, utcnow
from .portal import LINK_LIMIT
from .scope import RELATIONSHIPS, Scope

bp = Blueprint("referee", __name__)


class AttestForm(FlaskForm):
    """The referee confirms who they are and that they will answer truthfully."""

    identity = BooleanField("identity", validators=[DataRequired(message="Please confirm this.")])
    truthful = BooleanField(
        "My answers will be truthful and based on what I saw myself.",
        validators=[DataRequired(message="Please confirm this.")],
    )


class DeclineForm(FlaskForm):
    """The referee declines, optionally asking for a call instead."""

    reason = TextAreaField("If you like, tell us why (optional)", validators=[Length(max=1000)])
    call = BooleanField("I would rather answer in a short call")


class WithdrawAnswersForm(FlaskForm):
    """The referee confirms that their answers should be deleted."""

    confirm = BooleanField(
        "Yes, delete my answers. I understand this cannot be undone.",
        validators=[DataRequired(message="Tick the box to confirm, or go back to keep your answers.")],
    )


_referee_session = access.session_required(
    "referee", lambda: (render_template("referee/link_refused.html"), 401))


def referee_required(view: Callable) -> Callable:
    """Serve a view only inside a live referee session; put the one referee on `g.referee`."""

    @_referee_session
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.referee = g.portal_session.referee
        return view(*args, **kwargs)

    return wrapped


@bp.route("/r/<referee_id>/<token>", methods=["GET"])
@limiter.limit(LINK_LIMIT)
def open_link(referee_id: str, token: str) -> Any:
    """Show who asks and why; a GET changes nothing."""
    link = access.find_link(token, "referee", utcnow(), referee_id=referee_id)
    if link is None:
        return _link_refused(token)
    referee = db.session.execute(_referee_with_case(), {"referee_id": referee_id}).unique().scalar_one()
    # The page writes its CSRF token with csrf_token(): no form object is needed to show it.
    return render_template("referee/open_link.html", **_context(referee))


@bp.route("/r/<referee_id>/<token>", methods=["POST"])
@limiter.limit(LINK_LIMIT)
def use_link(referee_id: str, token: str) -> Any:
    """Exchange the link for a session and move to an address without the token."""
    now = utcnow()
    link = access.find_link(token, "referee", now, referee_id=referee_id)
    if link is None or not ConfirmForm().validate_on_submit():
        return _link_refused(token)
    referee = db.session.get(Referee, referee_id)
    # The link stays usable until the answers are final (release), the referee declines or withdraws,
    # or it expires: a closed tab is not a dead end, and a referee can come back to correct.
    answers.mark_opened(referee, now)
    sid = access.start_session("referee", now, case_id=referee.case_id, referee_id=referee.id)
    db.session.commit()
    session.clear()
    session["referee_sid"] = sid
    return redirect(url_for("referee.form"), 303)


@bp.route("/referee", methods=["GET", "POST"])
@referee_required
def form() -> Any:
    """Attest first; then answer the questions, keeping every answer if something needs fixing."""
    referee: Referee = g.referee
    if referee.state == "submitted":
        if request.method == "POST":
            flash("We already have your answers, so nothing more was saved. You can correct them here.",
                  "info")
        return redirect(url_for("referee.your_answers"), 303)
    if referee.state not in ("invited", "opened"):
        if request.method == "POST":
            _refused(referee, "This reference request is closed.")
        return render_template("referee/closed.html", **_context(referee))
    if referee.attested_at is None:
        context = _context(referee)  # it has unsealed the names the form shows
        attest_form = _attest_form(context["details"]["name"], context["candidate_name"])
        return render_template("referee/attest.html", **context, attest_form=attest_form,
                               decline_form=DeclineForm())
    question_set = answers.question_set_for(Scope.from_json(referee.case.consent.scope), referee.relationship)
    questions = list(question_set.questions)
    questionnaire = answers.build_form(question_set)
    if request.method == "POST" and questionnaire.validate_on_submit():
        try:
            values = answers.read_answers(questionnaire, questions)
            answers.submit(referee, question_set, values, request.remote_addr, utcnow())
            db.session.commit()
        except CaseError as err:
            db.session.rollback()
            show_error(questionnaire, err.message, err.field)
        except IntegrityError:
            # A twin submission won the race; this one changes nothing.
            db.session.rollback()
            return render_template("referee/thanks.html", **_context(db.session.get(Referee, referee.id)),
                                   duplicate=True)
        else:
            return redirect(url_for("referee.thanks"), 303)
    return _questionnaire_page(referee, question_set, questionnaire)


@bp.route("/referee/thanks", methods=["GET"])
@referee_required
def thanks() -> Any:
    """Thank the referee and say what happens to their answers."""
    referee: Referee = g.referee
    if referee.state != "submitted":
        return redirect(url_for("referee.form"))
    return render_template("referee/thanks.html", **_context(referee))


@bp.route("/referee/answers", methods=["GET"])
@referee_required
def your_answers() -> Any:
    """Show the referee their own answers, read back from the sealed record; a GET changes nothing."""
    referee: Referee = g.referee
    if referee.state != "submitted":
        return redirect(url_for("referee.form"))
    return _answers_page(referee)


def _closed_to_changes(referee: Referee) -> Any | None:
    """Answer a change the referee can no longer make (audited when attempted); None when it may go ahead."""
    if referee.state != "submitted":
        return redirect(url_for("referee.form"), 303)
    reason = answers.locked_reason(referee)
    if reason:
        if request.method == "POST":
            _refused(referee, f"The answers are locked: {reason}.")
        return _answers_page(referee, refused=True)
    return None


@bp.route("/referee/correct", methods=["GET", "POST"])
@referee_required
def correct() -> Any:
    """Show the questionnaire filled with the referee's answers, and re-seal what they correct."""
    referee: Referee = g.referee
    closed = _closed_to_changes(referee)
    if closed is not None:
        return closed
    response = answers.response_of(referee)
    question_set = answers.question_set_by_id(response.question_set_id)
    questions = list(question_set.questions)
    if request.method == "POST":
        questionnaire = answers.build_form(question_set)
        if questionnaire.validate_on_submit():
            try:
                values = answers.read_answers(questionnaire, questions)
                answers.correct(referee, question_set, values, utcnow())
                db.session.commit()
            except CaseError as err:
                db.session.rollback()
                show_error(questionnaire, err.message, err.field)
            else:
                flash("Your corrected answers are saved. Thank you.", "success")
                return redirect(url_for("referee.your_answers"), 303)
    else:
        questionnaire = answers.build_form(
            question_set, data=answers.prefill(questions, response.unseal("answers_enc")["answers"]))
    return _questionnaire_page(referee, question_set, questionnaire, correcting=True)


@bp.route("/referee/withdraw", methods=["GET", "POST"])
@referee_required
def withdraw() -> Any:
    """Ask the referee to confirm, then delete their answers and tell the candidate."""
    referee: Referee = g.referee
    closed = _closed_to_changes(referee)
    if closed is not None:
        return closed
    withdraw_form = WithdrawAnswersForm()
    if withdraw_form.validate_on_submit():
        try:
            answers.withdraw(referee, utcnow())
            db.session.commit()
        except (CaseError, StaleDataError):
            # A twin request withdrew them first: the answers are gone either way.
            db.session.rollback()
        return redirect(url_for("referee.form"), 303)
    return render_template("referee/withdraw.html", **_context(referee), form=withdraw_form), \
        (422 if withdraw_form.errors else 200)


def _answers_page(referee: Referee, refused: bool = False) -> Any:
    """Render the referee's answers; with `refused`, say why a change was not made (409)."""
    response = answers.response_of(referee)
    shown = answers.read_back(answers.question_set_by_id(response.question_set_id),
                              response.unseal("answers_enc")["answers"])
    return render_template("referee/answers.html", **_context(referee), shown=shown, refused=refused,
                           submitted_at=response.submitted_at), (409 if refused else 200)


@bp.route("/referee/attest", methods=["POST"])
@referee_required
def attest() -> Any:
    """Record the referee's confirmation, then show the questions."""
    referee: Referee = g.referee
    attest_form = _attest_form(referee.details["name"], referee.case.candidate.name)
    if attest_form.validate_on_submit():
        try:
            answers.attest(referee, utcnow())
        except CaseError as err:
            _refused(referee, err.message)
            flash(err.message, "error")
        else:
            db.session.commit()
        return redirect(url_for("referee.form"), 303)
    return render_template("referee/attest.html", **_context(referee), attest_form=attest_form,
                           decline_form=DeclineForm()), 422


@bp.route("/referee/decline", methods=["POST"])
@referee_required
def decline() -> Any:
    """Decline the request, optionally asking for a call."""
    referee: Referee = g.referee
    decline_form = DeclineForm()
    if decline_form.validate_on_submit():
        try:
            answers.decline(referee, decline_form.reason.data or "", bool(decline_form.call.data), utcnow())
        except CaseError as err:
            _refused(referee, err.message)
            flash(err.message, "error")
        else:
            db.session.commit()
    return redirect(url_for("referee.form"), 303)


def _link_refused(token: str) -> Any:
    """Answer every unusable link alike; a real link of an ended case leaves an audit line."""
    access.record_refused_link(token, "referee")
    db.session.commit()
    return render_template("referee/link_refused.html"), 404


def _refused(referee: Referee, reason: str) -> None:
    """Drop a refused request's half-made changes and, on an ended case, audit the attempt."""
    audit.refusal(referee.case, request.endpoint or "", f"referee:{referee.id}", reason)
    db.session.commit()


def _attest_form(name: str, candidate_name: str) -> AttestForm:
    """Return the attestation form, naming the person it was sent to."""
    form = AttestForm()
    form.identity.label.text = f"I am {name}, and I worked with {candidate_name}."
    return form


@functools.cache
def _referee_with_case() -> sa.Select:
    """Return the query for a referee with the case, scope, candidate and key that `_context` reads.

    Built once: composing a query with loader options costs more than running it.
    """
    case = sa.orm.joinedload(Referee.case)
    return (sa.select(Referee).where(Referee.id == sa.bindparam("referee_id"))
            .options(case.joinedload(Case.candidate), case.joinedload(Case.consents),
                     sa.orm.joinedload(Referee.data_key)))


def _questionnaire_page(referee: Referee, question_set: answers.PublishedSet, questionnaire: FlaskForm,
                        correcting: bool = False) -> Any:
    """Render the questionnaire (422 when something needs another look)."""
    questions = list(question_set.questions)
    return render_template("referee/questions.html", **_questionnaire_context(referee), form=questionnaire,
                           questions=questions, question_set=question_set, correcting=correcting,
                           question_fields=_question_fields(question_set, questionnaire, questions)), \
        (422 if questionnaire.errors else 200)


def _question_fields(question_set: answers.PublishedSet, questionnaire: FlaskForm,
                     questions: list[answers.AskedQuestion]) -> Markup:
    """Render the questions' fieldsets; a blank questionnaire's are kept per question set and reused.

    They cost most of the page, and a blank form's are the same for every referee of the set: no
    answer, no error, no name (the CSRF token is written outside them). A kept copy lives as long as
    the process's copy of the set; templates that may change while the app runs are never kept.
    """
    render = get_template_attribute("referee/_question_fields.html", "question_fields")
    if not questionnaire.blank or questionnaire.errors or current_app.jinja_env.auto_reload:
        return render(questionnaire, questions)
    kept: weakref.WeakKeyDictionary = current_app.extensions.setdefault(
        "refcheck.blank_question_fields", weakref.WeakKeyDictionary())
    fields = kept.get(question_set)
    if fields is None:
        fields = kept[question_set] = render(questionnaire, questions)
    return fields


def _questionnaire_context(referee: Referee) -> dict[str, Any]:
    """Return what the questionnaire shows around the questions: whose reference, for which role.

    The other pages' context unseals the referee's details and looks up their link, which the
    questionnaire never shows.
    """
    case: Case = referee.case
    return {"referee": referee, "case": case, "candidate_name": case.candidate.name,
            "minutes": current_app.config["REFEREE_MINUTES"]}


def _context(referee: Referee) -> dict[str, Any]:
    """Return what every referee page shows: who asks, about whom, and why."""
    case: Case = referee.case
    scope = Scope.from_json(case.consent.scope) if case.consent else None
    now = utcnow()
    released = (case.stage_times or {}).get("released")
    return {"referee": referee, "details": referee.details, "case": case, "scope": scope,
            "locked": answers.locked_reason(referee), "link_expires": answers.link_expires(referee, now),
            "reviewing": case.state in (REVIEW, CANDIDATE_REVIEW),
            "released_on": dt.datetime.fromisoformat(released).strftime("%d %B %Y") if released else None,
            "candidate_name": case.candidate.name, "relationship": RELATIONSHIPS[referee.relationship][0],
            "controller": current_app.config["CONTROLLER_NAME"],
            "controller_email": current_app.config["CONTROLLER_EMAIL"],
            "minutes": current_app.config["REFEREE_MINUTES"],
            "typical_days": experience.typical_days("referee") if referee.state in ("invited", "opened")
            else None,
            "experience_done": referee.state == "submitted" and experience.answered(case, "referee", referee)}
