"""Step-up: a change that matters needs the second factor (or, without one, the password) confirmed lately.

A POST without a recent confirmation is answered with a page that asks for the code and sends the
original form again, field for field, with it: nothing the person typed is lost.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, render_template, request, session
from flask_login import current_user

from ... import access, audit, two_factor
from ...extensions import db
from ...models import PortalSession, StaffUser, utcnow
from ..forms import StepUpForm

PREFIX = "step_up"


def current_session() -> PortalSession | None:
    """Return the server-side record of the signed-in staff session."""
    token = session.get("staff_sid")
    if not token:
        return None
    return db.session.execute(
        sa.select(PortalSession).where(PortalSession.token_hash == access.hash_token(token),
                                       PortalSession.ended_at.is_(None))).scalar_one_or_none()


def step_up_required(purpose: str, only_if: Callable[[], bool] | None = None) -> Callable:
    """Let a POST through only after a recent step-up; `purpose` finishes "Confirm it is you to ..."."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if request.method != "POST" or (only_if is not None and not only_if()):
                return view(*args, **kwargs)
            now = utcnow()
            record = current_session()
            if record is None:
                abort(403)  # signed in without a live session record: never let it through
            if two_factor.stepped_up(record, now, current_app.config["STEP_UP_MINUTES"]):
                return view(*args, **kwargs)
            user: StaffUser = current_user._get_current_object()
            with_app = two_factor.has_factor(user)
            form = StepUpForm(prefix=PREFIX)
            typed = form.code.data if with_app else form.password.data
            if typed:
                try:
                    if with_app:
                        how = two_factor.check_code(user, typed, now)
                    else:
                        two_factor.check_password(user, typed)
                        how = "password"
                except two_factor.TwoFactorError as err:
                    (form.code if with_app else form.password).errors = [err.message]
                    audit.record("staff.step_up_refused", two_factor.actor_of(user), staff_id=user.id,
                                 purpose=purpose)
                    db.session.commit()
                else:
                    two_factor.record_step_up(record, user, how, now)
                    # Committed on its own: the confirmation (and a spent code) stands even if the form
                    # it came with is refused for another reason.
                    db.session.commit()
                    return view(*args, **kwargs)
            elif request.form.get(f"{PREFIX}-sent"):
                (form.code if with_app else form.password).errors = [
                    "Type the code from your app." if with_app else "Type your password."]
            kept = [(name, value) for name, value in request.form.items(multi=True)
                    if not name.startswith(f"{PREFIX}-")]
            return render_template("staff/step_up.html", form=form, with_app=with_app, purpose=purpose,
                                   kept=kept, action=request.path,
                                   minutes=current_app.config["STEP_UP_MINUTES"])

        return wrapped

    return decorator
