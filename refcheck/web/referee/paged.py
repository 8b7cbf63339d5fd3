"""The questions in short pages: each page's answers kept as a sealed draft, then one review before sending.

Each Next (or Back) saves the page through refcheck.drafts.save, which locks the case like every
command: once review has started, a page left open saves nothing and says the check moved on.
Sending stays one step, from the review of every answer (refcheck.answers.submit).
"""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from ... import answers, drafts
from ...errors import CaseError
from ...i18n import current_language
from ...models import COLLECTING, Referee, utcnow
from ...translated_sets import in_language
from ..common import run
from ..forms import ConfirmForm, show_error
from .pages import (
    after_sending,
    bp,
    closed_page,
    me,
    question_fields,
    questionnaire_context,
    questionnaire_page,
    referee_required,
    referee_scope,
    reread,
)
from .questionnaire import build_form, complete, gaps, pages, read_answers, read_page


def _asking(referee: Referee) -> Any | None:
    """Send a referee on unless they are still to answer: to their answers, the closed page or attestation."""
    if referee.state == "submitted":
        return redirect(url_for("referee.your_answers"), 303)
    if referee.state not in ("invited", "opened") or referee.case.state != COLLECTING:
        return closed_page(referee, refused=request.method == "POST")
    if referee.attested_at is None:
        return redirect(url_for("referee.form"), 303)
    return None


def _question_set(referee: Referee) -> answers.PublishedSet:
    """Return the set this referee answers, in the language of their pages."""
    return in_language(answers.question_set_for(referee_scope(referee), referee.relationship),
                       current_language())


@bp.route("/referee/continue", methods=["GET"])
@referee_required
def resume() -> Any:
    """Go back to the first page with a question still to answer, or to the review once none is left."""
    referee: Referee = g.referee
    elsewhere = _asking(referee)
    if elsewhere is not None:
        return elsewhere
    question_set = _question_set(referee)
    kept = drafts.answers_of(referee, question_set.id)
    if kept:
        for number, group in enumerate(pages(question_set), 1):
            if gaps(group, kept):
                return redirect(url_for("referee.questions", page=number), 303)
        return redirect(url_for("referee.review"), 303)
    return redirect(url_for("referee.questions", page=1), 303)


@bp.route("/referee/questions/<int:page>", methods=["GET", "POST"])
@referee_required
def questions(page: int) -> Any:
    """Show one short page of questions with what was kept; save it and go on (or back)."""
    referee: Referee = g.referee
    elsewhere = _asking(referee)
    if elsewhere is not None:
        return elsewhere
    question_set = _question_set(referee)
    groups = pages(question_set)
    if not 1 <= page <= len(groups):
        return redirect(url_for("referee.resume"), 303)
    group = groups[page - 1]
    if request.method == "POST":
        form = build_form(question_set, page=page)
        back = request.form.get("go") == "back"
        values = _page_answers(form, group, back)
        if values is not None:
            done = run(drafts.save, referee.case_id, me(), question_set.id, values,
                       [q.id for q in question_set.questions], utcnow())
            if done.ok:
                if back:
                    return redirect(url_for("referee.questions", page=max(page - 1, 1)), 303)
                if page < len(groups):
                    return redirect(url_for("referee.questions", page=page + 1), 303)
                return redirect(url_for("referee.review"), 303)
            fresh = reread(referee)
            if fresh.state == "submitted":
                # Sent from another tab meanwhile: what was sent is what counts.
                return redirect(url_for("referee.your_answers"), 303)
            if done.moved_on or fresh.state not in ("invited", "opened"):
                return closed_page(fresh, refused=True)
            done.show_on(form)
    else:
        # Nothing kept yet: a blank form, whose fieldsets every referee of the set shares.
        kept = drafts.answers_of(referee, question_set.id)
        form = build_form(question_set, data=answers.prefill(group, kept) if kept else None, page=page)
    context = questionnaire_context(referee)
    start = sum(len(g) for g in groups[:page - 1]) + 1
    fields = question_fields(question_set, form, list(group), context["first_name"], page=page, start=start)
    return render_template("referee/page.html", **context, form=form, questions=list(group), page=page,
                           page_count=len(groups), start=start, total=len(question_set.questions),
                           question_fields=fields), (422 if form.errors else 200)


def _page_answers(form: FlaskForm, group: tuple[answers.AskedQuestion, ...],
                  back: bool) -> dict[str, Any] | None:
    """Return the page's answers to keep, or None when the page must be shown again with its problems.

    Next needs every required answer on the page; Back keeps what is right and asks for nothing.
    """
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        return None
    if back:
        return read_page(form, group)
    if not valid:
        return None
    try:
        return read_answers(form, group)
    except CaseError as err:
        show_error(form, err.message, err.field)
        return None


@bp.route("/referee/review", methods=["GET", "POST"])
@referee_required
def review() -> Any:
    """Show every answer kept, with a way to change each page, and send them all in one step."""
    referee: Referee = g.referee
    elsewhere = _asking(referee)
    if elsewhere is not None:
        return elsewhere
    question_set = _question_set(referee)
    kept = drafts.answers_of(referee, question_set.id)
    missing = gaps(question_set.questions, kept)
    form = ConfirmForm()
    problem = None
    if request.method == "POST":
        if not form.validate_on_submit():
            problem = _("The page expired. Please send your answers again.")
        elif missing:
            problem = _("Some questions still need an answer. Nothing has been sent yet.")
        else:
            done = run(answers.submit, referee.case_id, me(), question_set,
                       complete(question_set.questions, kept), request.remote_addr, utcnow())
            answered = after_sending(referee, done)
            if answered is not None:
                return answered
            problem = done.refusal.message if done.refusal else None
    shown = answers.read_back(question_set, kept)
    groups, index = [], 0
    for number, group in enumerate(pages(question_set), 1):
        rows = [(*shown[index + i], index + i in missing) for i in range(len(group))]
        groups.append((number, index + 1, rows))
        index += len(group)
    return render_template("referee/review.html", **questionnaire_context(referee), groups=groups, form=form,
                           missing=len(missing), problem=problem, page_count=len(groups)), \
        (422 if problem else 200)


@bp.route("/referee/all", methods=["GET"])
@referee_required
def all_questions() -> Any:
    """Show every question on one page, with what was kept, for those who prefer it; sent as one."""
    referee: Referee = g.referee
    elsewhere = _asking(referee)
    if elsewhere is not None:
        return elsewhere
    question_set = _question_set(referee)
    kept = drafts.answers_of(referee, question_set.id)
    data = answers.prefill(question_set.questions, kept) if kept else None
    return questionnaire_page(referee, question_set, build_form(question_set, data=data))
