"""Staff accounts: creation, passwords, credentials, signed-in sessions, and disabling an account."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from . import access, audit, devices, mail, passwords
from .columns import rows_changed
from .extensions import db
from .models import CLIENT, ROLES, DataKey, Organisation, PortalSession, StaffUser
from .text import ONE_LINE_MESSAGE, folded, has_control

# Checked when no account matches, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("refcheck-no-such-account")
MIN_PASSWORD = passwords.MIN_LENGTH


class AccountError(Exception):
    """An account request that cannot be accepted, with a readable reason."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def create_staff(email: str, name: str, role: str, password: str, actor: str,
                 organisations: Sequence[Organisation] = (), org_admin: bool = False) -> StaffUser:
    """Create an account with a strong password hash.

    A client belongs to exactly one organisation (`org_admin`: they may invite colleagues of it). A
    verifier works on the organisations given, or on every organisation's cases when none is given.
    """
    email = folded(email)
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}.", field="role")
    if role == CLIENT and len(organisations) != 1:
        raise AccountError("A client account belongs to one organisation: choose it.", field="organisation")
    if role == "admin" and organisations:
        raise AccountError("An admin works on every organisation: choose none.", field="organisation")
    check_password(password, email, name)
    if has_control(name):
        raise AccountError(ONE_LINE_MESSAGE, field="name")
    if db.session.execute(sa.select(StaffUser.id).where(StaffUser.email == email)).first():
        raise AccountError("There is already an account with this email.", field="email")
    user = StaffUser(email=email, name=name.strip() or email, role=role,
                     password_hash=_hashed(password))
    if role == CLIENT:
        user.organisation, user.org_admin = organisations[0], org_admin
    elif role == "verifier":
        user.assigned, user.all_organisations = list(organisations), not organisations
    db.session.add(user)
    db.session.flush()
    audit.record("staff.created", actor, role=role, staff_id=user.id,
                 organisations=[organisation.id for organisation in organisations])
    return user


def sees(user: StaffUser) -> str:
    """Say in plain words what this account may see and do."""
    if user.role == "admin":
        return "every organisation's cases, and the accounts"
    if user.role == CLIENT:
        name = user.organisation.name if user.organisation else "no organisation"
        invites = ", and may invite colleagues" if user.org_admin else ""
        return f"the checks of {name}, from ordering to the released report{invites}"
    if user.all_organisations:
        return "every organisation's cases"
    names = ", ".join(organisation.name for organisation in user.assigned)
    return f"the cases of {names}" if names else "no cases until an admin assigns an organisation"


def set_password(user: StaffUser, password: str, actor: str) -> None:
    """Replace a staff member's password."""
    check_password(password, user.email, user.name)
    user.password_hash = _hashed(password)
    audit.record("staff.password_set", actor, staff_id=user.id)


def _hashed(password: str) -> str:
    """Hash a new password by the configured method (PASSWORD_HASH_METHOD)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password(password: str, email: str, name: str = "") -> None:
    """Refuse a new password that breaks the rules, saying why (see refcheck.passwords)."""
    reason = passwords.problem(password, passwords.context_words(email, name))
    if reason:
        raise AccountError(reason, field="password")


def authenticate(email: str, password: str) -> StaffUser | None:
    """Return the active account these credentials open, or None."""
    user = db.session.execute(
        sa.select(StaffUser).where(StaffUser.email == folded(email))
    ).scalar_one_or_none()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def deactivate(user: StaffUser, actor: StaffUser, now: dt.datetime) -> None:
    """Disable an account and end all of its sessions."""
    if user.id == actor.id:
        raise AccountError("You cannot disable your own account.")
    user.active = False
    db.session.execute(
        sa.update(PortalSession)
        .where(PortalSession.staff_user_id == user.id,
               PortalSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    audit.record("staff.deactivated", f"staff:{actor.id}", staff_id=user.id)


def start_staff_session(user: StaffUser, user_agent: str, now: dt.datetime,
                        second_factor: str | None = None) -> str:
    """Start a signed-in session for someone who proved who they are; return the cookie's token.

    `second_factor` says how the second step was passed ("app", "recovery", "passkey"), or None without one.
    Every sign-in is told to the person by email, so one they did not make does not go unnoticed.
    The caller commits.
    """
    device = devices.describe(user_agent)
    # A sign-in is the freshest confirmation there is: it counts as a step-up for a while.
    token = access.start_session("staff", now, staff_user_id=user.id, device=device, stepped_up_at=now)
    if second_factor:
        audit.record("staff.signed_in", f"staff:{user.id}", device=device, second_factor=second_factor)
    else:
        audit.record("staff.signed_in", f"staff:{user.id}", device=device)
    tell_of_sign_in(user, device, now)
    return token


def tell_of_sign_in(user: StaffUser, device: str, now: dt.datetime) -> None:
    """Queue an email to the account's own address about a new sign-in: when, and on what."""
    # Not a case's message: it gets a key of its own, like every sealed outbox row.
    key = DataKey.generate()
    db.session.add(key)
    mail.queue("staff_signed_in", user.email, key, None, name=user.name, when=now, device=device,
               base_url=current_app.config["BASE_URL"].rstrip("/"))


def live_sessions(user: StaffUser, now: dt.datetime, idle: dt.timedelta,
                  absolute: dt.timedelta) -> list[PortalSession]:
    """Return a staff member's sessions that still let someone in, most recently used first."""
    return list(db.session.execute(
        sa.select(PortalSession)
        .where(PortalSession.kind == "staff", PortalSession.staff_user_id == user.id,
               PortalSession.ended_at.is_(None), PortalSession.last_seen_at >= now - idle,
               PortalSession.created_at >= now - absolute)
        .order_by(PortalSession.last_seen_at.desc(), PortalSession.id.desc())
    ).scalars())


def end_own_session(user: StaffUser, session_id: int, now: dt.datetime) -> bool:
    """End one of a staff member's own sessions; False when it is not theirs or already ended."""
    ended = rows_changed(db.session.execute(
        sa.update(PortalSession)
        .where(PortalSession.id == session_id, PortalSession.kind == "staff",
               PortalSession.staff_user_id == user.id, PortalSession.ended_at.is_(None))
        .values(ended_at=now).execution_options(synchronize_session=False)))
    if ended:
        audit.record("staff.session_ended", f"staff:{user.id}", session_id=session_id)
    return bool(ended)


def end_other_sessions(user: StaffUser, current_token: str | None, now: dt.datetime) -> int:
    """End every session of a staff member except the one making the request; return how many."""
    keep = access.hash_token(current_token) if current_token else ""
    ended = rows_changed(db.session.execute(
        sa.update(PortalSession)
        .where(PortalSession.kind == "staff", PortalSession.staff_user_id == user.id,
               PortalSession.ended_at.is_(None), PortalSession.token_hash != keep)
        .values(ended_at=now).execution_options(synchronize_session=False)))
    if ended:
        audit.record("staff.sessions_ended", f"staff:{user.id}", sessions=ended)
    return ended
