"""Colleagues of one organisation: their admin invites, promotes and disables them.

The invited person chooses a password through their one-time link, a public page by design.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ... import colleagues
from ...accounts import AccountError
from ...extensions import db, limiter
from ...models import StaffUser, utcnow
from ..forms import ConfirmForm, show_error, text_of
from ..staff.step_up import step_up_required
from .checks import bp, client_only
from .forms import InviteForm, WelcomeForm


def client_admin_only(view: Callable) -> Callable:
    """Allow a view only to a client who is an admin of their organisation (403 for other clients)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.org_admin:
            abort(403)
        return view(*args, **kwargs)

    guarded = client_only(wrapped)
    setattr(guarded, "access_rule", ("client-admin",))  # noqa: B010 - read by the access tests
    return guarded


@bp.route("/colleagues", methods=["GET", "POST"])
@client_admin_only
@step_up_required("invite a colleague")
def colleagues_page() -> Any:
    """List the organisation's people and invite a new colleague."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invited = colleagues.invite(current_user, text_of(form.name), text_of(form.email), utcnow())
        except AccountError as err:
            db.session.rollback()
            show_error(form, err.message, err.field if err.field in ("name", "email") else None)
        else:
            name, email = invited.name, invited.email
            db.session.commit()
            flash(f"{name} is invited: we have emailed {email} a link to choose a password. "
                  f"It works once, for {colleagues.LINK_DAYS} days.", "success")
            return redirect(url_for("client.colleagues_page"), 303)
    people = colleagues.of_organisation(current_user.organisation_id)
    return render_template("client/colleagues.html", form=form, people=people, confirm=ConfirmForm(),
                           joined=colleagues.has_joined, organisation=current_user.organisation), \
        (422 if form.errors else 200)


@bp.route("/colleagues/<int:user_id>/admin", methods=["POST"])
@client_admin_only
@step_up_required("let a colleague manage colleagues")
def make_admin(user_id: int) -> Response:
    """Let a colleague invite and manage colleagues too."""
    return _act(user_id, lambda user: colleagues.make_admin(current_user, user),
                "{name} can now invite and manage colleagues.")


@bp.route("/colleagues/<int:user_id>/disable", methods=["POST"])
@client_admin_only
@step_up_required("stop a colleague signing in")
def disable(user_id: int) -> Response:
    """Stop a colleague signing in, ending their sessions."""
    return _act(user_id, lambda user: colleagues.disable(current_user, user, utcnow()),
                "{name} can no longer sign in.")


def _act(user_id: int, action: Callable[[StaffUser], None], done: str) -> Response:
    """Run one change to a colleague of the same organisation; anyone else's account answers 404."""
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.is_client or user.organisation_id != current_user.organisation_id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            action(user)
        except AccountError as err:
            db.session.rollback()
            flash(err.message, "error")
        else:
            name = user.name
            db.session.commit()
            flash(done.format(name=name), "success")
    return redirect(url_for("client.colleagues_page"), 303)


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def welcome(token: str) -> Any:
    """Let an invited person choose their password, once, through their emailed link."""
    found = colleagues.find_token(token, utcnow())
    if found is None:
        return render_template("client/welcome_refused.html"), 404
    form = WelcomeForm()
    if form.validate_on_submit():
        try:
            colleagues.choose_password(token, form.password.data or "", utcnow())
        except AccountError as err:
            db.session.rollback()
            show_error(form, err.message, "password")
        else:
            db.session.commit()
            flash("Your password is set. Sign in with your email address and your new password.", "success")
            return redirect(url_for("auth.login"), 303)
    return render_template("client/welcome.html", form=form, name=found.staff_user.name,
                           organisation=found.staff_user.organisation), (422 if form.errors else 200)


# Public by design: the one-time link in the URL is the only key, and it works once.
setattr(welcome, "access_rule", ("public",))  # noqa: B010 - read by the access tests
