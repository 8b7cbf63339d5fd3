"""The candidate's referees and work history: naming people within the scope, sending invitations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from ... import referees
from ...extensions import db, limiter
from ...i18n import WORDS
from ...lifecycle import NAMING
from ...models import Case, Claim, Referee, utcnow
from ...scope import RELATIONSHIPS, still_needed
from ..common import run
from ..forms import ClaimForm, ConfirmForm, RefereeForm, claim_facts, details_from, relationship_choices
from .portal import candidate_required, me

bp = Blueprint("nominate", __name__, url_prefix="/portal")
# A candidate names a handful of referees; more tries than this in a minute is not a person typing.
NOMINATION_LIMIT = "10 per minute"


@bp.route("/referees", methods=["GET", "POST"], endpoint="referees")
@limiter.limit(NOMINATION_LIMIT, methods=["POST"])
@candidate_required
def referees_page() -> Any:
    """List the candidate's referees and name a new one within the scope."""
    scope = referees.consented_scope_or_none(g.case)
    form = RefereeForm()
    if scope is not None:
        form.relationship.choices = relationship_choices(scope)
    # The command, not this view, decides whether the case still takes referees, so a refusal is audited.
    if form.validate_on_submit():
        done = run(referees.nominate, g.case.id, me(), details_from(form), utcnow())
        if done.ok:
            flash(_("%(name)s is on your list.", name=form.name.data), "success")
            return redirect(url_for("nominate.referees"), 303)
        done.show_on(form)
    case: Case = g.case
    current = referees.active_referees(case)
    shown = [r for r in referees.all_referees(case) if r.state != "revoked"]
    return render_template(
        "portal/referees.html", case=case, scope=scope, form=form, referees=shown, active=current,
        history_missing=scope is not None and referees.history_missing(scope, referees.claims_of(case)),
        waiting=[r for r in current if r.state == "nominated"],
        needed=still_needed(scope, referees.nominees(current), WORDS) if scope else [],
        relationships=RELATIONSHIPS, confirm=ConfirmForm(),
        can_add=scope is not None and len(current) < scope.max_referees and case.state in NAMING,
    ), (422 if form.errors else 200)


@bp.route("/referees/invite", methods=["POST"])
@candidate_required
def invite_referees() -> Response:
    """Send the invitations once the list covers the scope."""
    if ConfirmForm().validate_on_submit():
        done = run(referees.send_invitations, g.case.id, me(), utcnow())
        if done.ok and done.value:
            sent = len(done.value)
            flash(ngettext("We have emailed %(num)d referee. You can follow their progress here.",
                           "We have emailed %(num)d referees. You can follow their progress here.", sent),
                  "success")
        elif done.ok:
            flash(_("Thank you. Our team will check your list and then contact your referees."), "success")
        done.flash_refusal()
        if done.refusal is not None and done.refusal.field == "history":
            # The refusal is answered on the history page, where the position can be added at once.
            return redirect(url_for("nominate.history"), 303)
    return redirect(url_for("nominate.referees"), 303)


@bp.route("/referees/<referee_id>/remove", methods=["POST"])
@candidate_required
def remove_referee(referee_id: str) -> Response:
    """Take a referee off the list before they are contacted."""
    _own(Referee, referee_id)
    if ConfirmForm().validate_on_submit():
        done = run(referees.remove_nomination, g.case.id, me(), referee_id, utcnow())
        if done.ok:
            flash(_("Removed from your list."), "info")
        done.flash_refusal()
    return redirect(url_for("nominate.referees"), 303)


@bp.route("/history", methods=["GET", "POST"])
@candidate_required
def history() -> Any:
    """List and add the candidate's statements about their positions."""
    form = ClaimForm()
    if form.validate_on_submit():
        done = run(referees.save_claim, g.case.id, me(), claim_facts(form), utcnow())
        if done.ok:
            flash(_("Saved your time at %(employer)s.", employer=form.employer.data), "success")
            return redirect(url_for("nominate.history"), 303)
        done.show_on(form)
    case: Case = g.case
    claims = referees.claims_of(case)
    scope = referees.consented_scope_or_none(case)
    return render_template("portal/history.html", case=case, form=form, claims=claims, scope=scope,
                           history_missing=scope is not None and referees.history_missing(scope, claims),
                           reasons=referees.REASONS_FOR_LEAVING,
                           confirm=ConfirmForm(), editable=case.state in NAMING), \
        (422 if form.errors else 200)


@bp.route("/history/<claim_id>/remove", methods=["POST"])
@candidate_required
def remove_history(claim_id: str) -> Response:
    """Delete one statement."""
    _own(Claim, claim_id)
    if ConfirmForm().validate_on_submit():
        done = run(referees.remove_claim, g.case.id, me(), claim_id)
        if done.ok:
            flash(_("Removed."), "info")
        done.flash_refusal()
    return redirect(url_for("nominate.history"), 303)


def _own(model: Any, row_id: str) -> None:
    """Answer 404 unless the referee or claim in the URL is one of this candidate's own."""
    found = db.session.execute(
        sa.select(model.id).where(model.id == row_id, model.case_id == g.case.id)).first()
    if found is None:
        abort(404)
