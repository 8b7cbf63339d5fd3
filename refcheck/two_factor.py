"""Second factor for staff: an authenticator app (TOTP), single-use recovery codes, step-up and reset."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

import pyotp
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from . import audit, mail
from .cases import base_url
from .columns import rows_changed
from .extensions import db
from .models import DataKey, Passkey, PortalSession, RecoveryCode, StaffUser, TwoFactor, keyring

ISSUER = "refcheck"
RECOVERY_CODES = 10
# Codes one step either side of now are accepted: a phone's clock may be half a minute out.
DRIFT_STEPS = 1
_TOTP_SHAPE = re.compile(r"^\d{6}$")
# Sixteen hex digits (64 random bits), written in groups of four; case, spaces and dashes are ignored.
_RECOVERY_SHAPE = re.compile(r"^[0-9a-f]{16}$")

WRONG_CODE = ("That code is not right. Type the 6 digits your authenticator app shows now, "
              "or one of your recovery codes.")
REPLAYED_CODE = "That code has already been used. Wait for the next code in your app and type that one."
USED_RECOVERY = "That recovery code has already been used. Each one works once: use another."


class TwoFactorError(Exception):
    """A code or a request about the second factor that cannot be accepted, with a readable reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the secret (grouped for typing) and the URI its QR code holds."""

    secret: str
    uri: str

    @property
    def grouped(self) -> str:
        """Return the secret in groups of four, as people type it."""
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


def actor_of(user: StaffUser) -> str:
    """Name a staff member as the actor of an audit event."""
    return f"staff:{user.id}"


def factor_of(user: StaffUser) -> TwoFactor | None:
    """Return the staff member's confirmed authenticator app, if they have one."""
    return db.session.execute(
        sa.select(TwoFactor).where(TwoFactor.staff_user_id == user.id, TwoFactor.confirmed_at.is_not(None))
    ).scalar_one_or_none()


def has_factor(user: StaffUser) -> bool:
    """Say whether the staff member has a second factor switched on."""
    return db.session.execute(
        sa.select(TwoFactor.id).where(TwoFactor.staff_user_id == user.id, TwoFactor.confirmed_at.is_not(None))
    ).first() is not None


def staff_with_factor() -> set[int]:
    """Return the ids of every staff member with a second factor switched on, in one query."""
    return set(db.session.execute(
        sa.select(TwoFactor.staff_user_id).where(TwoFactor.confirmed_at.is_not(None))).scalars())


def begin_enrolment(user: StaffUser, now: dt.datetime) -> Enrolment:
    """Return the secret being set up for this staff member, making and sealing one if there is none yet.

    The same secret is kept until it is confirmed, so reloading the page does not undo a scan.
    """
    pending = db.session.execute(
        sa.select(TwoFactor).where(TwoFactor.staff_user_id == user.id, TwoFactor.confirmed_at.is_(None))
    ).scalar_one_or_none()
    if pending is None:
        pending = TwoFactor(staff_user_id=user.id, data_key=DataKey.generate(), created_at=now)
        pending.seal("secret_enc", pyotp.random_base32())
        db.session.add(pending)
        db.session.flush()
    secret = pending.unseal("secret_enc")
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Enrolment(secret=secret, uri=uri)


def confirm_enrolment(user: StaffUser, code: str, now: dt.datetime) -> list[str]:
    """Switch on the app being set up once a current code from it is typed; return new recovery codes."""
    pending = db.session.execute(
        sa.select(TwoFactor).where(TwoFactor.staff_user_id == user.id, TwoFactor.confirmed_at.is_(None))
    ).scalar_one_or_none()
    if pending is None:
        raise TwoFactorError("The set-up expired. Scan the new code below and try again.")
    digits = _digits(code)
    step = _matching_step(pending.unseal("secret_enc"), digits, now) if _TOTP_SHAPE.match(digits) else None
    if step is None:
        raise TwoFactorError("That code is not right. Type the 6 digits your authenticator app shows now "
                             "for refcheck.")
    previous = factor_of(user)
    if previous is not None:
        db.session.delete(previous)
        db.session.flush()
    pending.confirmed_at = now
    pending.last_step = step
    codes = _issue_recovery_codes(user, now)
    audit.record("staff.two_factor_enrolled", actor_of(user), staff_id=user.id, replaced=previous is not None)
    tell(user, pending, "two_factor_enrolled")
    return codes


def check_code(user: StaffUser, code: str, now: dt.datetime) -> str:
    """Accept a current app code or an unused recovery code; return which it was ("app" or "recovery")."""
    factor = factor_of(user)
    if factor is None:
        raise TwoFactorError("This account has no second factor to check.")
    text = _digits(code)
    if _TOTP_SHAPE.match(text):
        step = _matching_step(factor.unseal("secret_enc"), text, now)
        if step is None:
            raise TwoFactorError(WRONG_CODE)
        # Moved only forward, in one statement: of two requests with the same code, one wins.
        moved = rows_changed(db.session.execute(
            sa.update(TwoFactor)
            .where(TwoFactor.id == factor.id,
                   sa.or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step))
            .values(last_step=step)
            .execution_options(synchronize_session=False)))
        if not moved:
            raise TwoFactorError(REPLAYED_CODE)
        return "app"
    recovery = re.sub(r"[\s-]", "", code or "").lower()
    if not _RECOVERY_SHAPE.match(recovery):
        raise TwoFactorError(WRONG_CODE)
    digest = recovery_hash(recovery)
    used = rows_changed(db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.staff_user_id == user.id, RecoveryCode.code_hash == digest,
               RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)))
    if not used:
        spent = db.session.execute(
            sa.select(RecoveryCode.id).where(RecoveryCode.staff_user_id == user.id,
                                             RecoveryCode.code_hash == digest)).first()
        raise TwoFactorError(USED_RECOVERY if spent else WRONG_CODE)
    left = recovery_codes_left(user)
    audit.record("staff.recovery_code_used", actor_of(user), staff_id=user.id, left=left)
    tell(user, factor, "two_factor_code_used", left=left)
    return "recovery"


def check_password(user: StaffUser, password: str) -> None:
    """Accept the account's password, for a step-up by someone without a second factor."""
    if not password or not check_password_hash(user.password_hash, password):
        raise TwoFactorError("That password is not right.")


def recovery_codes_left(user: StaffUser) -> int:
    """Count the staff member's recovery codes not yet used."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.staff_user_id == user.id, RecoveryCode.used_at.is_(None))).scalar_one()


def regenerate_codes(user: StaffUser, now: dt.datetime) -> list[str]:
    """Replace every recovery code of the staff member with ten new ones; the old ones stop working."""
    factor = factor_of(user)
    if factor is None:
        raise TwoFactorError("Set up an authenticator app first; recovery codes come with it.")
    codes = _issue_recovery_codes(user, now)
    audit.record("staff.recovery_codes_renewed", actor_of(user), staff_id=user.id)
    tell(user, factor, "two_factor_codes_renewed")
    return codes


def reset(user: StaffUser, admin: StaffUser, reason: str, now: dt.datetime) -> None:
    """Remove another staff member's second factor and end their sessions; never one's own."""
    if user.id == admin.id:
        raise TwoFactorError("You cannot reset your own second factor. Ask another admin.")
    reason = " ".join(reason.split())
    if not reason:
        raise TwoFactorError("Say why, for the record: for example, that they lost their phone.")
    factors = db.session.execute(
        sa.select(TwoFactor).where(TwoFactor.staff_user_id == user.id)).scalars().all()
    confirmed = [factor for factor in factors if factor.confirmed_at is not None]
    if not confirmed:
        raise TwoFactorError(f"{user.name} has no second factor to reset.")
    # Queued before the rows go: the message is sealed under the removed factor's key, which stays.
    tell(user, confirmed[0], "two_factor_reset", admin=admin.name, reason=reason)
    for factor in factors:
        db.session.delete(factor)
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.staff_user_id == user.id))
    db.session.execute(sa.delete(Passkey).where(Passkey.staff_user_id == user.id))
    db.session.execute(
        sa.update(PortalSession)
        .where(PortalSession.staff_user_id == user.id, PortalSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False))
    audit.record("staff.two_factor_reset", actor_of(admin), staff_id=user.id, reason=reason[:300])


def stepped_up(record: PortalSession | None, now: dt.datetime, minutes: int) -> bool:
    """Say whether this session confirmed the second factor (or password) within the last `minutes`."""
    return (record is not None and record.stepped_up_at is not None
            and now - record.stepped_up_at < dt.timedelta(minutes=minutes))


def record_step_up(record: PortalSession, user: StaffUser, how: str, now: dt.datetime) -> None:
    """Note on the session that its user just confirmed who they are, and audit it."""
    record.stepped_up_at = now
    audit.record("staff.stepped_up", actor_of(user), staff_id=user.id, method=how)


def recovery_hash(code: str) -> str:
    """Return the stored form of a recovery code: keyed, so a copy of the database cannot test guesses."""
    return keyring().lookup_hash("recovery-code|" + code)


def _issue_recovery_codes(user: StaffUser, now: dt.datetime) -> list[str]:
    """Replace the staff member's recovery codes with fresh ones and return them, shown this once."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.staff_user_id == user.id))
    codes = [secrets.token_hex(8) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(staff_user_id=user.id, code_hash=recovery_hash(code), created_at=now)
                       for code in codes)
    return ["-".join(code[i:i + 4] for i in range(0, 16, 4)) for code in codes]


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """Return the time step whose code this is, within the allowed drift, or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # generate_otp takes the step number itself, so each candidate is compared in constant time.
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _digits(code: str | None) -> str:
    """Return a typed app code without the spaces apps and people put in it."""
    return re.sub(r"\s", "", code or "")


def tell(user: StaffUser, factor: TwoFactor, kind: str, **context: Any) -> None:
    """Email the staff member about a change to their second factor; no code or secret is written."""
    mail.queue(kind, user.email, factor.data_key, None, name=user.name, base_url=base_url(), **context)
