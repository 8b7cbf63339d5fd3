"""Staff sign-in with server-side sessions, roles on every staff page, and the admin's accounts page."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import selectinload

from ... import access, audit, organisations, signin_guard, two_factor
from ... import accounts as staff_accounts
from ...accounts import AccountError, authenticate, create_staff, deactivate, sees
from ...errors import CaseError
from ...extensions import db, limiter, login_manager
from ...models import ROLES, STAFF_ROLES, PortalSession, StaffUser, utcnow
from ..forms import ConfirmForm, LoginForm, StaffAccountForm, show_error, text_of
from .step_up import step_up_required

log = logging.getLogger(__name__)


@login_manager.user_loader
def load_staff(user_id: str) -> StaffUser | None:
    """Load the signed-in staff member only while their server-side session is live and not idle."""
    cfg = current_app.config
    now = utcnow()
    record = access.find_session(session.get("staff_sid"), "staff", now,
                                 idle=dt.timedelta(minutes=cfg["STAFF_IDLE_MINUTES"]),
                                 absolute=dt.timedelta(seconds=cfg["PERMANENT_SESSION_LIFETIME"]))
    if record is None or str(record.staff_user_id) != user_id:
        return None
    user = record.staff_user
    if user is None or not user.active:
        return None
    if now - record.last_seen_at >= dt.timedelta(seconds=cfg["SESSION_TOUCH_SECONDS"]):
        touch_session(record.id, now)
    return user


def touch_session(session_id: int, now: dt.datetime) -> None:
    """Record activity on a staff session in its own short transaction.

    The view's transaction is not ours to commit (it may hold half-made changes), so the
    write goes through a separate connection; it is throttled, so most requests write nothing.
    A failed write only means the idle clock was not moved, so it is logged and the request goes on.
    """
    try:
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Never wait behind this request's own transaction: skip the touch instead.
                connection.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            connection.execute(
                sa.update(PortalSession)
                .where(PortalSession.id == session_id, PortalSession.ended_at.is_(None))
                .values(last_seen_at=now)
            )
    except sa.exc.SQLAlchemyError:
        log.warning("Could not record activity on a staff session; its idle clock was not moved.")


def role_required(*roles: str, before_two_factor: bool = False) -> Callable:
    """Allow a view only to signed-in people holding one of `roles`, and a case only to those who may see it.

    A case of an organisation someone does not work for answers 404, as a case that does not exist:
    its number confirms nothing. Where a second factor is required, an account without one reaches
    only the views marked `before_two_factor` (setting one up); every other page sends it there.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            if (not before_two_factor and current_app.config["TWO_FACTOR_REQUIRED"]
                    and not two_factor.has_factor(current_user)):
                return redirect(url_for("two_factor.enrol"))
            if "case_id" in kwargs and not organisations.may_see_case(current_user, kwargs["case_id"]):
                abort(404)
            return view(*args, **kwargs)

        setattr(wrapped, "access_rule", roles)  # noqa: B010 - read by the access tests
        return wrapped

    return decorator


staff_only = role_required(*STAFF_ROLES)
admin_only = role_required("admin")
enrolment_open = role_required(*ROLES, before_two_factor=True)
# Pages about one's own account (its sessions), for everyone who signs in here.
signed_in = role_required(*ROLES)

bp = Blueprint("auth", __name__, url_prefix="/staff")
# Flask-session keys: the sign-in waiting for its second step, and the one-time offer of a second factor.
PENDING = "staff_pending"
OFFER = "two_factor_offer"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> Any:
    """Sign a staff member in and start a fresh session."""
    form = LoginForm()
    if form.validate_on_submit():
        now, email, address = utcnow(), text_of(form.email), request.remote_addr or ""
        refusal = signin_guard.refusal(email, address, now)
        if refusal:
            # Answered like a wrong password (200), so Flask-Limiter's 429 keeps its own meaning.
            show_error(form, refusal, "password")
            return render_template("staff/login.html", form=form)
        # The password exactly as typed: spaces can be part of it.
        user = authenticate(email, form.password.data or "")
        if user is None:
            signin_guard.failed(email, address, now)
            db.session.commit()
            show_error(form, "That email and password do not match an active account.", "password")
        elif two_factor.has_factor(user):
            await_second_step(user)
            return redirect(url_for("two_factor.sign_in_code"))
        else:
            return finish_sign_in(user, None)
    return render_template("staff/login.html", form=form)


def await_second_step(user: StaffUser) -> None:
    """Remember, for a few minutes, whose password was right; nobody is signed in until the code is."""
    session.clear()
    until = utcnow() + dt.timedelta(minutes=current_app.config["TWO_FACTOR_PENDING_MINUTES"])
    session[PENDING] = {"user": user.id, "until": until.timestamp()}


def pending_user() -> StaffUser | None:
    """Return the account whose password was just right and whose code is awaited, while that lasts."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or utcnow().timestamp() > float(pending.get("until", 0)):
        return None
    user = db.session.get(StaffUser, pending.get("user"))
    return user if user is not None and user.active else None


def finish_sign_in(user: StaffUser, second_factor: str | None) -> Any:
    """Start the signed-in session, the one place where that happens, once every factor has been checked.

    `second_factor` says how the second step was passed ("app", "recovery", "passkey"), or None without one.
    """
    now = utcnow()
    signin_guard.succeeded(user.email)
    # Rotate: nothing from the anonymous or half-signed-in session survives into the signed-in one.
    session.clear()
    token = staff_accounts.start_staff_session(user, request.user_agent.string, now, second_factor)
    db.session.commit()
    session["staff_sid"] = token
    login_user(user)
    if second_factor is None:
        if current_app.config["TWO_FACTOR_REQUIRED"]:
            return redirect(url_for("two_factor.enrol"))
        if user.two_factor_declined_at is None:
            session[OFFER] = True  # shown once, on the next page
    return redirect(home_url(user))


def home_url(user: StaffUser) -> str:
    """Return where a signed-in account starts: a client's checks, or staff's case list."""
    return url_for("client.home" if user.is_client else "staff.dashboard")


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """End the staff session on the server and in the browser."""
    form = ConfirmForm()
    if form.validate_on_submit():
        access.end_session(session.get("staff_sid"), utcnow())
        if current_user.is_authenticated:
            audit.record("staff.signed_out", f"staff:{current_user.id}")
        db.session.commit()
        logout_user()
        session.clear()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/accounts", methods=["GET", "POST"])
@admin_only
@step_up_required("create an account")
def accounts() -> Any:
    """List accounts and what each may see, and create new ones."""
    form = StaffAccountForm()
    if form.validate_on_submit():
        named, actor = text_of(form.organisation), f"staff:{current_user.id}"
        try:
            # An admin may name a new organisation here, as on the case form: it is added.
            chosen = [organisations.for_case(named, current_user, actor)] if named else []
            create_staff(text_of(form.email), text_of(form.name), text_of(form.role),
                         form.password.data or "", actor, chosen, bool(form.org_admin.data))
        except (AccountError, CaseError) as err:
            db.session.rollback()
            field = "organisation" if err.field == "hiring_organisation" else err.field
            show_error(form, err.message, field if field in form else "email")
        else:
            db.session.commit()
            flash("Account created.", "success")
            return redirect(url_for("auth.accounts"))
    users = db.session.execute(sa.select(StaffUser).order_by(StaffUser.name).options(
        selectinload(StaffUser.assigned), selectinload(StaffUser.organisation))).scalars().all()
    return render_template("staff/accounts.html", form=form, users=users, confirm=ConfirmForm(),
                           sees=sees, organisation_choices=organisations.usable(current_user),
                           with_factor=two_factor.staff_with_factor())


@bp.route("/accounts/<int:user_id>/deactivate", methods=["POST"])
@admin_only
@step_up_required("disable an account")
def deactivate_account(user_id: int) -> Any:
    """Disable a staff account and end its sessions."""
    user = db.get_or_404(StaffUser, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            deactivate(user, current_user, utcnow())
        except AccountError as err:
            flash(err.message, "error")
        else:
            db.session.commit()
            flash(f"{user.name} can no longer sign in.", "success")
    return redirect(url_for("auth.accounts"))


def _session_limits() -> tuple[dt.timedelta, dt.timedelta]:
    """Return the idle and absolute lifetimes of a staff session."""
    cfg = current_app.config
    return (dt.timedelta(minutes=cfg["STAFF_IDLE_MINUTES"]),
            dt.timedelta(seconds=cfg["PERMANENT_SESSION_LIFETIME"]))


@bp.route("/sessions")
@signed_in
def sessions() -> Any:
    """List the signed-in staff member's live sessions, this one marked."""
    now = utcnow()
    live = staff_accounts.live_sessions(current_user, now, *_session_limits())
    this = access.hash_token(session.get("staff_sid") or "")
    return render_template("staff/sessions.html", sessions=live, this=this)


@bp.route("/sessions/<int:session_id>/end", methods=["GET", "POST"])
@signed_in
def end_session(session_id: int) -> Any:
    """Ask, then end one of the staff member's other sessions."""
    now = utcnow()
    record = next((one for one in staff_accounts.live_sessions(current_user, now, *_session_limits())
                   if one.id == session_id), None)
    if record is None:
        abort(404)  # someone else's session or one already over: the same answer for both
    if record.token_hash == access.hash_token(session.get("staff_sid") or ""):
        flash("This is the session you are using: to end it, sign out.", "info")
        return redirect(url_for("auth.sessions"))
    form = ConfirmForm()
    if form.validate_on_submit():
        staff_accounts.end_own_session(current_user, session_id, now)
        db.session.commit()
        flash(f"The session on {record.device or 'that device'} has ended: it is signed out.", "success")
        return redirect(url_for("auth.sessions"))
    return render_template("staff/session_end.html", form=form, record=record)


@bp.route("/sessions/end-others", methods=["GET", "POST"])
@signed_in
def end_other_sessions() -> Any:
    """Ask, then end every session of the staff member but this one."""
    form = ConfirmForm()
    if form.validate_on_submit():
        ended = staff_accounts.end_other_sessions(current_user, session.get("staff_sid"), utcnow())
        db.session.commit()
        flash(f"{ended} other session{'s' if ended != 1 else ''} ended." if ended
              else "There were no other sessions to end.", "success")
        return redirect(url_for("auth.sessions"))
    return render_template("staff/session_end.html", form=form, record=None)


@login_manager.unauthorized_handler
def unauthorized() -> Any:
    """Send anonymous visitors of staff and client pages to the sign-in page."""
    if request.path.startswith(("/staff/", "/client/")):
        return redirect(url_for("auth.login"))
    abort(401)
