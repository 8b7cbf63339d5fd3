"""The referee's pages: the private link, who asks and why, attestation, questions, or declining."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from . import access, answers
from .cases import CaseError
from .extensions import db, limiter
from .forms import ConfirmForm, show_error
from .models import Case, Referee, utcnow
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
        return render_template("referee/link_refused.html"), 404
    referee = db.session.get(Referee, referee_id)
    return render_template("referee/open_link.html", **_context(referee), form=ConfirmForm())


@bp.route("/r/<referee_id>/<token>", methods=["POST"])
@limiter.limit(LINK_LIMIT)
def use_link(referee_id: str, token: str) -> Any:
    """Exchange the link for a session and move to an address without the token."""
    now = utcnow()
    link = access.find_link(token, "referee", now, referee_id=referee_id)
    if link is None or not ConfirmForm().validate_on_submit():
        return render_template("referee/link_refused.html"), 404
    referee = db.session.get(Referee, referee_id)
    # The link stays usable until the referee answers or declines, so a closed tab is not a dead end.
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
    context = _context(referee)
    if referee.state == "submitted":
        return render_template("referee/thanks.html", **context)
    if referee.state not in ("invited", "opened"):
        return render_template("referee/closed.html", **context)
    if referee.attested_at is None:
        return render_template("referee/attest.html", **context, attest_form=_attest_form(referee),
                               decline_form=DeclineForm())
    question_set = answers.question_set_for(Scope.from_json(referee.case.consent.scope), referee.relationship)
    questions = list(question_set.questions)
    questionnaire = answers.build_form(questions)
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
            return redirect(url_for("referee.form"), 303)
    return render_template("referee/questions.html", **context, form=questionnaire, questions=questions,
                           question_set=question_set), (422 if questionnaire.errors else 200)


@bp.route("/referee/attest", methods=["POST"])
@referee_required
def attest() -> Any:
    """Record the referee's confirmation, then show the questions."""
    referee: Referee = g.referee
    attest_form = _attest_form(referee)
    if attest_form.validate_on_submit():
        try:
            answers.attest(referee, utcnow())
        except CaseError as err:
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
            flash(err.message, "error")
        else:
            db.session.commit()
    return redirect(url_for("referee.form"), 303)


def _attest_form(referee: Referee) -> AttestForm:
    """Return the attestation form, naming the person it was sent to."""
    form = AttestForm()
    form.identity.label.text = (f"I am {referee.details['name']}, and I worked with "
                                f"{referee.case.candidate.name}.")
    return form


def _context(referee: Referee) -> dict[str, Any]:
    """Return what every referee page shows: who asks, about whom, and why."""
    case: Case = referee.case
    return {"referee": referee, "details": referee.details, "case": case,
            "candidate_name": case.candidate.name, "relationship": RELATIONSHIPS[referee.relationship][0],
            "controller": current_app.config["CONTROLLER_NAME"],
            "controller_email": current_app.config["CONTROLLER_EMAIL"],
            "minutes": current_app.config["REFEREE_MINUTES"]}
