"""Pages for passkeys: adding and removing one beside the authenticator app, and using one at sign-in.

The browser's WebAuthn call needs a script (static/passkeys.js); the options travel in the page and
the browser's answer comes back in an ordinary form, with its CSRF token and, where it matters, a
step-up, like every other change.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional

from ... import devices, passkeys, signin_guard
from ...extensions import db, limiter
from ...models import StaffUser, utcnow
from ..forms import ONE_LINE, ConfirmForm, show_error, text_of
from .accounts import enrolment_open, finish_sign_in, pending_user
from .step_up import step_up_required

bp = Blueprint("passkeys", __name__, url_prefix="/staff")

# Flask-session keys of the challenge a page handed the browser, with when it was issued.
ADDING, SIGNING_IN = "passkey_adding", "passkey_signing_in"
NO_ANSWER = "Your browser sent no passkey. Use the button, and follow what your browser or phone asks."


class AddPasskeyForm(FlaskForm):
    """Name a new passkey; the script fills in the browser's answer."""

    # Optional: the device makes the passkey before the server sees the form, so nothing here may refuse
    # what the device already keeps; an empty name becomes "Passkey".
    name = StringField("A name for this passkey", validators=[Optional(), Length(max=80), ONE_LINE],
        description="So you can tell your passkeys apart, for example “Work laptop” or “My phone”.")
    credential = HiddenField()


class UsePasskeyForm(FlaskForm):
    """The browser's answer to a sign-in challenge, filled in by the script."""

    credential = HiddenField()


def party() -> passkeys.Party | None:
    """Return the relying party of this service's public address (BASE_URL), never the request's Host."""
    return passkeys.party_for(current_app.config["BASE_URL"])


def hand_out(key: str, challenge: bytes) -> None:
    """Keep a challenge in the session, with when it was issued, for the form that answers it."""
    session[key] = {"challenge": base64.b64encode(challenge).decode(), "issued": utcnow().timestamp()}


def take_back(key: str) -> tuple[bytes, dt.datetime] | None:
    """Remove and return a challenge the session holds and when it was issued; None if there is none."""
    held = session.pop(key, None)
    if not isinstance(held, dict):
        return None
    return base64.b64decode(held["challenge"]), dt.datetime.fromtimestamp(float(held["issued"]), dt.UTC)


def sign_in_offer(user: StaffUser) -> str | None:
    """Return the options for the code page's "Use a passkey" button, or None when there is nothing to use."""
    found = party()
    offered = passkeys.authentication_options(user, found) if found else None
    if offered is None:
        return None
    options, challenge = offered
    hand_out(SIGNING_IN, challenge)
    return options


@bp.route("/two-factor/passkeys/new", methods=["GET", "POST"])
@enrolment_open
@step_up_required("add a passkey")
def add() -> Any:
    """Ask the browser for a new passkey and keep it, once it checks out against the challenge."""
    user: StaffUser = current_user._get_current_object()
    found = party()
    form = AddPasskeyForm()
    if found is None:
        return render_template("staff/passkey_add.html", form=form, options=None), 409
    # Refused before the device is asked, so it never keeps a passkey the server would not.
    refusal = passkeys.why_not(user)
    if refusal and not form.is_submitted():
        return render_template("staff/passkey_add.html", form=form, options=None, refusal=refusal), 409
    if request.method == "GET" and not form.name.data:
        form.name.data = devices.describe(request.user_agent.string)
    if form.validate_on_submit():
        held = take_back(ADDING)
        if held is None or not form.credential.data:
            show_error(form, NO_ANSWER)
        else:
            try:
                added = passkeys.add(user, found, form.credential.data, held[0], held[1], text_of(form.name),
                                     utcnow())
            except passkeys.PasskeyError as err:
                show_error(form, err.message)
            else:
                db.session.commit()
                flash(f"Your passkey “{added.name}” is added. At sign-in, after your password, choose "
                      "“Use a passkey”.", "success")
                return redirect(url_for("two_factor.enrol"))
    options, challenge = passkeys.registration_options(user, found)
    hand_out(ADDING, challenge)
    return render_template("staff/passkey_add.html", form=form, options=options), 422 if form.errors else 200


@bp.route("/two-factor/passkeys/<int:passkey_id>/remove", methods=["POST"])
@enrolment_open
@step_up_required("remove a passkey")
def remove(passkey_id: int) -> Any:
    """Remove one of the signed-in person's passkeys."""
    if ConfirmForm().validate_on_submit():
        try:
            name = passkeys.remove(current_user, passkey_id)
        except passkeys.PasskeyError as err:
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(f"The passkey “{name}” is removed. It no longer works at sign-in.", "success")
    return redirect(url_for("two_factor.enrol"))


@bp.route("/sign-in/passkey", methods=["POST"])
@limiter.limit("10 per minute")
def sign_in() -> Any:
    """Take a passkey in place of the code, after a right password, and sign in once it checks out."""
    user = pending_user()
    if user is None:
        flash("Your sign-in took too long or has not started. Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form, found, held = UsePasskeyForm(), party(), take_back(SIGNING_IN)
    now, address = utcnow(), request.remote_addr or ""
    if not form.validate_on_submit() or found is None or held is None or not form.credential.data:
        flash(NO_ANSWER, "error")
        return redirect(url_for("two_factor.sign_in_code"))
    # Passkeys count towards the same waits as wrong passwords and codes.
    refusal = signin_guard.refusal(user.email, address, now)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("two_factor.sign_in_code"))
    try:
        how = passkeys.check(user, found, form.credential.data, held[0], held[1], now)
    except passkeys.PasskeyError as err:
        signin_guard.failed(user.email, address, now)
        db.session.commit()
        flash(err.message, "error")
        return redirect(url_for("two_factor.sign_in_code"))
    return finish_sign_in(user, how)
