"""Staff pages for the second factor: the code at sign-in, setting up an app, recovery codes and a reset."""

from __future__ import annotations

from typing import Any

import segno
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup

from ... import audit, passkeys, signin_guard, two_factor
from ...extensions import db, limiter
from ...models import StaffUser, utcnow
from ..forms import CodeForm, ConfirmForm, EnrolForm, ResetFactorForm, show_error, text_of
from .accounts import OFFER, PENDING, admin_only, enrolment_open, finish_sign_in, home_url, pending_user
from .passkeys import UsePasskeyForm, sign_in_offer
from .passkeys import party as passkey_party
from .step_up import step_up_required

bp = Blueprint("two_factor", __name__, url_prefix="/staff")


def _has_factor() -> bool:
    """Say whether the signed-in staff member already has a second factor (changing it needs a step-up)."""
    return two_factor.has_factor(current_user)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def sign_in_code() -> Any:
    """Ask for the second step after a right password, and sign in once it is right too."""
    user = pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash("Your sign-in took too long or has not started. Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        now, address = utcnow(), request.remote_addr or ""
        # Guessing codes slows down like guessing passwords: the same waits, per account and address.
        refusal = signin_guard.refusal(user.email, address, now)
        if refusal:
            show_error(form, refusal, "code")
            return render_template("staff/sign_in_code.html", form=form, passkey_options=None)
        try:
            how = two_factor.check_code(user, text_of(form.code), now)
        except two_factor.TwoFactorError as err:
            audit.record("staff.code_refused", two_factor.actor_of(user), staff_id=user.id)
            signin_guard.failed(user.email, address, now)
            db.session.commit()
            show_error(form, err.message, "code")
        else:
            return finish_sign_in(user, how)
    return render_template("staff/sign_in_code.html", form=form, passkey_options=sign_in_offer(user),
                           passkey_form=UsePasskeyForm())


@bp.route("/two-factor", methods=["GET", "POST"])
@enrolment_open
@step_up_required("change your authenticator app", only_if=_has_factor)
def enrol() -> Any:
    """Show the second factor's state, and set up an authenticator app with a QR code and a first code."""
    user: StaffUser = current_user._get_current_object()
    factor = two_factor.factor_of(user)
    form = EnrolForm()
    now = utcnow()
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(user, text_of(form.code), now)
        except two_factor.TwoFactorError as err:
            show_error(form, err.message, "code")
        else:
            db.session.commit()
            return render_template("staff/recovery_codes.html", codes=codes, first=factor is None)
    if factor is not None and not form.is_submitted() and not _wants_new_app():
        return render_template("staff/two_factor.html", factor=factor, confirm=ConfirmForm(),
                               left=two_factor.recovery_codes_left(user), passkeys=passkeys.of(user),
                               passkeys_work=passkey_party() is not None)
    enrolment = two_factor.begin_enrolment(user, now)
    db.session.commit()
    qr = segno.make(enrolment.uri, error="m")
    # segno writes only path data and fixed attributes: nothing typed by anyone reaches this markup.
    svg = Markup(qr.svg_inline(scale=5, border=2, svgclass="qr", lineclass=None,  # noqa: S704
                               omitsize=True, svgid="qr-code"))
    return render_template("staff/enrol.html", form=form, enrolment=enrolment, svg=svg,
                           replacing=factor is not None)


def _wants_new_app() -> bool:
    """Say whether an enrolled staff member asked to move to a new app (the page's own link)."""
    return request.args.get("new") == "1"


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@enrolment_open
@step_up_required("make new recovery codes")
def new_recovery_codes() -> Any:
    """Replace the signed-in staff member's recovery codes and show the new ones, once."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("two_factor.enrol"))
    try:
        codes = two_factor.regenerate_codes(current_user, utcnow())
    except two_factor.TwoFactorError as err:
        flash(err.message, "error")
        return redirect(url_for("two_factor.enrol"))
    db.session.commit()
    return render_template("staff/recovery_codes.html", codes=codes, first=False)


@bp.route("/two-factor/not-now", methods=["POST"])
@enrolment_open
def not_now() -> Any:
    """Remember that this person does not want a second factor yet, so the offer is not shown again."""
    if ConfirmForm().validate_on_submit():
        current_user.two_factor_declined_at = utcnow()
        audit.record("staff.two_factor_declined", two_factor.actor_of(current_user), staff_id=current_user.id)
        db.session.commit()
        flash("All right. You can set up two-step sign-in any time from “Two-step sign-in” at the top "
              "of the page.", "info")
    return redirect(home_url(current_user))


@bp.route("/accounts/<int:user_id>/two-factor/reset", methods=["GET", "POST"])
@admin_only
@step_up_required("reset someone's second step")
def reset(user_id: int) -> Any:
    """Remove another staff member's second factor, with a reason, and sign them out everywhere."""
    user = db.get_or_404(StaffUser, user_id)
    form = ResetFactorForm()
    if user.id == current_user.id:
        flash("You cannot reset your own second step. Ask another admin.", "error")
        return redirect(url_for("auth.accounts"))
    if form.validate_on_submit():
        try:
            two_factor.reset(user, current_user, text_of(form.reason), utcnow())
        except two_factor.TwoFactorError as err:
            show_error(form, err.message, "reason")
        else:
            db.session.commit()
            flash(f"{user.name}'s second step was removed and they were signed out. They set up a new "
                  "app at their next sign-in; they have been emailed.", "success")
            return redirect(url_for("auth.accounts"))
    return render_template("staff/reset_two_factor.html", form=form, user=user)


@bp.app_context_processor
def two_factor_offer() -> dict[str, Any]:
    """Let the page after a password-only sign-in offer a second factor, once."""

    def take_offer() -> bool:
        return bool(session.pop(OFFER, False)) and current_user.is_authenticated

    return {"two_factor_offer": take_offer}
