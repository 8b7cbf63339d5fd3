"""The referee's pages: the link and its three choices, attestation, the questions, then their rights.

The short pages of questions and the review before sending are in `paged`; asking for a call and
declining in `choices`; reading back, correcting and withdrawing answers in `after`.

Every change goes through a command in refcheck.answers, which checks the case's state under its
lock: once review has started or the report is released, a page left open in a tab changes nothing
and says that the check has moved on.
"""

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
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ... import access, answers, experience
from ...commands import Actor
from ...dates import day
from ...errors import CaseError
from ...extensions import db, limiter
from ...i18n import current_language, current_locale, reader_known
from ...models import CANDIDATE_REVIEW, COLLECTING, RELEASED, REVIEW, Case, Referee, utcnow
from ...referees import answer_by
from ...scope import RELATIONSHIPS, Scope
from ...text import first_name, name_the_candidate
from ...translated_sets import in_language
from ..candidate.portal import LINK_LIMIT
from ..common import Done, run, save_experience, session_required
from ..forms import ConfirmForm
from .questionnaire import build_form, read_answers

bp = Blueprint("referee", __name__)


class AttestForm(FlaskForm):
    """The referee confirms who they are and that they will answer truthfully."""

    identity = BooleanField("identity",
                            validators=[DataRequired(message=lazy_gettext("Please confirm this."))])
    truthful = BooleanField(
        lazy_gettext("My answers will be truthful and based on what I saw myself."),
        validators=[DataRequired(message=lazy_gettext("Please confirm this."))],
    )


# The first page's three choices, and the page each leads to once the link is exchanged for a session.
CHOICES = {"answer": "referee.form", "call": "referee.call", "decline": "referee.decline"}


def _session_refused() -> Any:
    """Say why a referee's session ended: the check moved on before they answered, or the report's release."""
    record = access.ended_session(session.get("referee_sid"), "referee")
    if record is not None and record.referee is not None and record.referee.state == "closed":
        refused = request.method == "POST"
        return render_template("referee/closed.html", **referee_context(record.referee), refused=refused), \
            (409 if refused else 200)
    released = (record.case.stage_times or {}).get(RELEASED) if record is not None and record.case else None
    released_on = day(dt.datetime.fromisoformat(released), current_locale()) if released else None
    return render_template("referee/link_refused.html", released_on=released_on), 401


_referee_session = session_required("referee", _session_refused)


def referee_required(view: Callable) -> Callable:
    """Serve a view only inside a live referee session; put the one referee on `g.referee`."""

    @_referee_session
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.referee = g.portal_session.referee
        return view(*args, **kwargs)

    return wrapped


def me() -> Actor:
    """Return the signed-in referee as the actor of a command."""
    return Actor.referee(g.referee.id, g.referee.case_id)


@bp.route("/r/<referee_id>/<token>", methods=["GET"])
@limiter.limit(LINK_LIMIT)
def open_link(referee_id: str, token: str) -> Any:
    """Show who asks and why; a GET changes nothing."""
    link = access.find_link(token, "referee", utcnow(), referee_id=referee_id)
    if link is None:
        return _link_refused(token)
    referee = db.session.execute(_referee_with_case(), {"referee_id": referee_id}).unique().scalar_one()
    reader_known(referee.language)
    # The page writes its CSRF token with csrf_token(): no form object is needed to show it.
    return render_template("referee/open_link.html", **referee_context(referee))


@bp.route("/r/<referee_id>/<token>", methods=["POST"])
@limiter.limit(LINK_LIMIT)
def use_link(referee_id: str, token: str) -> Any:
    """Exchange the link for a session and move to an address without the token."""
    link = access.find_link(token, "referee", utcnow(), referee_id=referee_id)
    if link is None or not ConfirmForm().validate_on_submit():
        return _link_refused(token)
    # The link stays usable until the answers are final (release), the referee declines or withdraws,
    # or it expires: a closed tab is not a dead end, and a referee can come back to correct.
    done = run(answers.open_link, link.case_id, Actor.referee(referee_id, link.case_id), token, utcnow())
    if not done.ok or done.value is None:
        return render_template("referee/link_refused.html"), 404
    session.clear()
    session["referee_sid"] = done.value
    return redirect(url_for(CHOICES.get(request.form.get("next", ""), "referee.form")), 303)


@bp.route("/referee", methods=["GET", "POST"])
@referee_required
def form() -> Any:
    """Attest first; then answer the questions, keeping every answer if something needs fixing."""
    referee: Referee = g.referee
    if referee.state == "submitted":
        if request.method == "POST":
            flash(_("We already have your answers, so nothing more was saved. You can correct them here."),
                  "info")
        return redirect(url_for("referee.your_answers"), 303)
    if referee.state not in ("invited", "opened") or referee.case.state != COLLECTING:
        return closed_page(referee)
    if referee.attested_at is None:
        context = referee_context(referee)  # it has unsealed the names the form shows
        attest_form = _attest_form(context["details"]["name"], context["candidate_name"])
        return render_template("referee/attest.html", **context, attest_form=attest_form)
    if request.method == "GET":
        # The questions come in short pages: back to where the referee left off.
        return redirect(url_for("referee.resume"), 303)
    # All the answers at once, from the questionnaire on one page (referee.all_questions).
    question_set = in_language(answers.question_set_for(referee_scope(referee), referee.relationship),
                               current_language())
    questionnaire = build_form(question_set)
    if request.method == "POST" and questionnaire.validate_on_submit():
        done = send_answers(questionnaire, question_set, answers.submit, request.remote_addr)
        answered = after_sending(referee, done)
        if answered is not None:
            return answered
        done.show_on(questionnaire)
    return questionnaire_page(referee, question_set, questionnaire)


def after_sending(referee: Referee, done: Done[Any]) -> Any | None:
    """Return the page after answers were sent, or refused because they are in or the check moved on.

    None when the refusal is about the answers themselves, for the page to show on its form.
    """
    if done.ok:
        return redirect(url_for("referee.thanks"), 303)
    fresh = reread(referee)
    if fresh.state == "submitted":
        # A twin of this request, from another tab or a double click, sent them a moment ago.
        return render_template("referee/thanks.html", **referee_context(fresh), duplicate=True)
    if done.moved_on:
        return closed_page(fresh, refused=True)
    return None


def reread(referee: Referee) -> Referee:
    """Return the referee as the database now has them, after a command ran or was refused."""
    return db.session.execute(sa.select(Referee).where(Referee.id == referee.id)).scalar_one()


def referee_scope(referee: Referee) -> Scope:
    """Return the scope the candidate consented to, which every referee page works within."""
    consent = referee.case.consent
    if consent is None:
        raise RuntimeError("a referee exists only on a consented case")
    return Scope.from_json(consent.scope)


def closed_page(referee: Referee, refused: bool = False) -> Any:
    """Say kindly that the request is closed or that the check has moved on; 409 when a change was refused."""
    return render_template("referee/closed.html", **referee_context(referee), refused=refused), \
        (409 if refused else 200)


@bp.route("/referee/thanks", methods=["GET"])
@referee_required
def thanks() -> Any:
    """Thank the referee and say what happens to their answers."""
    referee: Referee = g.referee
    if referee.state != "submitted":
        return redirect(url_for("referee.form"))
    return render_template("referee/thanks.html", **referee_context(referee))


def send_answers(questionnaire: FlaskForm, question_set: answers.PublishedSet, command: Any,
          *args: Any) -> Done[Any]:
    """Read the answers off a valid questionnaire and run the command that stores them (or its correction)."""
    try:
        values = read_answers(questionnaire, question_set.questions)
    except CaseError as err:
        return Done(refusal=err)
    return run(command, g.referee.case_id, me(), question_set, values, *args, utcnow())


@bp.route("/referee/attest", methods=["POST"])
@referee_required
def attest() -> Any:
    """Record the referee's confirmation, then show the questions."""
    referee: Referee = g.referee
    attest_form = _attest_form(referee.details["name"], referee.case.candidate.name)
    if attest_form.validate_on_submit():
        run(answers.attest, referee.case_id, me(), utcnow()).flash_refusal()
        return redirect(url_for("referee.form"), 303)
    return render_template("referee/attest.html", **referee_context(referee), attest_form=attest_form), 422


@bp.route("/referee/experience", methods=["POST"])
@session_required("referee", lambda: ("", 401))
def experience_answer() -> Any:
    """Keep the referee's optional answer about answering."""
    referee = g.portal_session.referee
    if referee is not None and referee.state == "submitted":
        save_experience(referee.case_id, Actor.referee(referee.id, referee.case_id), "referee")
        return redirect(url_for("referee.thanks"), 303)
    return redirect(url_for("referee.form"), 303)


def _link_refused(token: str) -> Any:
    """Answer every unusable link alike; a real link of an ended case leaves an audit line."""
    access.record_refused_link(token, "referee")
    db.session.commit()
    return render_template("referee/link_refused.html"), 404


def _attest_form(name: str, candidate_name: str) -> AttestForm:
    """Return the attestation form, naming the person it was sent to."""
    form = AttestForm()
    form.identity.label.text = _("I am %(name)s, and I worked with %(candidate)s.", name=name,
                                 candidate=candidate_name)
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


def questionnaire_page(referee: Referee, question_set: answers.PublishedSet, questionnaire: FlaskForm,
                        correcting: bool = False) -> Any:
    """Render the questionnaire on one page (422 when something needs another look)."""
    questions = list(question_set.questions)
    context = questionnaire_context(referee)
    return render_template("referee/questions.html", **context, form=questionnaire,
                           questions=questions, question_set=question_set, correcting=correcting,
                           question_fields=question_fields(question_set, questionnaire, questions,
                                                           context["first_name"])), \
        (422 if questionnaire.errors else 200)


def question_fields(question_set: answers.PublishedSet, questionnaire: FlaskForm,
                    questions: list[answers.AskedQuestion], first: str | None, page: int | None = None,
                    start: int = 1) -> Markup:
    """Render the questions' fieldsets; a blank questionnaire's are kept per set, page and language.

    They cost most of the page, and a blank form's are the same for every referee of the set: no
    answer, no error, no name (the CSRF token is written outside them; the candidate's first name
    goes in afterwards). A kept copy lives as long as the process's copy of the set; templates that
    may change while the app runs are never kept.
    """
    render = get_template_attribute("referee/_question_fields.html", "question_fields")
    total = len(question_set.questions)
    if not questionnaire.blank or questionnaire.errors or current_app.jinja_env.auto_reload:
        return _named(render(questionnaire, questions, start, total), first)
    kept: weakref.WeakKeyDictionary = current_app.extensions.setdefault(
        "refcheck.blank_question_fields", weakref.WeakKeyDictionary())
    # Kept per language too: the labels, hints and messages around the questions are translated.
    per_page = kept.setdefault(question_set, {})
    key = (page, current_language())
    fields = per_page.get(key)
    if fields is None:
        fields = per_page[key] = render(questionnaire, questions, start, total)
    return _named(fields, first)


def _named(fields: Markup, first: str | None) -> Markup:
    """Put the candidate's first name, escaped, where the rendered questions say "the candidate".

    The pattern holds no character that escaping changes, so it matches the escaped question text
    exactly as it matches the plain one, and the name goes in escaped like any other value.
    """
    if not first:
        return fields
    # The fields are markup rendered by autoescaping templates; the name goes in escaped.
    return Markup(name_the_candidate(str(fields), str(escape(first))))  # noqa: S704


@bp.app_template_filter("with_name")
def with_name(text: str, first: str | None) -> str:
    """Say the candidate's first name where a question says "the candidate" (the page escapes it)."""
    return name_the_candidate(text, first)


def questionnaire_context(referee: Referee) -> dict[str, Any]:
    """Return what the questionnaire shows around the questions: whose reference, for which role, by when.

    The other pages' context unseals the referee's details and looks up their link, which the
    questionnaire never shows.
    """
    case: Case = referee.case
    name = case.candidate.name
    return {"referee": referee, "case": case, "candidate_name": name, "first_name": first_name(name),
            "minutes": current_app.config["REFEREE_MINUTES"], "answer_by": _answer_by(referee)}


def _answer_by(referee: Referee) -> dt.date | None:
    """Return the day to answer by while the referee still has something to do, else None."""
    if referee.state not in ("invited", "opened") or referee.case.state != COLLECTING:
        return None
    return answer_by(referee, utcnow())


def referee_context(referee: Referee) -> dict[str, Any]:
    """Return what every referee page shows: who asks, about whom, and why."""
    case: Case = referee.case
    scope = Scope.from_json(case.consent.scope) if case.consent else None
    now = utcnow()
    released = (case.stage_times or {}).get("released")
    return {"referee": referee, "details": referee.details, "case": case, "scope": scope,
            "first_name": first_name(case.candidate.name), "answer_by": _answer_by(referee),
            "locked": answers.locked_reason(referee), "link_expires": answers.link_expires(referee, now),
            "reviewing": case.state in (REVIEW, CANDIDATE_REVIEW),
            "released_on": day(dt.datetime.fromisoformat(released), current_locale()) if released else None,
            "candidate_name": case.candidate.name, "relationship": _(RELATIONSHIPS[referee.relationship][0]),
            "controller": current_app.config["CONTROLLER_NAME"],
            "controller_email": current_app.config["CONTROLLER_EMAIL"],
            "minutes": current_app.config["REFEREE_MINUTES"],
            "typical_days": experience.typical_days("referee") if referee.state in ("invited", "opened")
            else None,
            "experience_done": referee.state == "submitted" and experience.answered(case, "referee", referee)}
