"""Passkeys (WebAuthn) as a second step beside the authenticator app: adding, using and removing them.

The `webauthn` package checks every signature, origin, relying-party hash and counter; this module
decides who may do what, keeps only public material, and tells the owner of each change.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
import webauthn
from webauthn.helpers import parse_authentication_credential_json
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from . import audit, two_factor
from .columns import rows_changed
from .extensions import db
from .models import Passkey, StaffUser, TwoFactor

RP_NAME = "refcheck"
MAX_PASSKEYS = 10
# How long the browser has to answer a challenge (the browser's own timeout is a minute).
CHALLENGE_LIFETIME = dt.timedelta(minutes=5)
NOT_RIGHT = "That passkey could not be checked. Try again, or type the code from your authenticator app."


class PasskeyError(Exception):
    """A passkey that cannot be added or accepted, with a reason a person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Party:
    """Who the browser is asked to make or show a passkey for: the service's name and its origin."""

    rp_id: str
    origin: str


def party_for(base_url: str) -> Party | None:
    """Return the relying party of the service's public address, or None where passkeys cannot work.

    Browsers bind a passkey to a domain name; a service reached at an IP address (such as the demo's
    127.0.0.1) cannot have one.
    """
    parts = urlsplit(base_url)
    host = parts.hostname or ""  # lower-cased, without user or port
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not host:
            return None
        # The origin as a browser sends it: no default port, no path, no capitals.
        default = {"https": 443, "http": 80}.get(parts.scheme.lower())
        port = f":{parts.port}" if parts.port and parts.port != default else ""
        return Party(host, f"{parts.scheme.lower()}://{host}{port}")
    return None


def of(user: StaffUser) -> list[Passkey]:
    """Return the staff member's passkeys, oldest first."""
    return list(db.session.execute(
        sa.select(Passkey).where(Passkey.staff_user_id == user.id).order_by(Passkey.id)).scalars())


def why_not(user: StaffUser) -> str | None:
    """Say why this staff member cannot add a passkey now, or None when they can."""
    return _refusal(user, two_factor.factor_of(user))


def _refusal(user: StaffUser, factor: TwoFactor | None) -> str | None:
    """Say why a passkey cannot be added beside this factor (the app being set up, or none), or None."""
    if factor is None or factor.confirmed_at is None:
        return "Set up an authenticator app first: a passkey is kept beside it, not instead."
    if len(of(user)) >= MAX_PASSKEYS:
        return f"You have {MAX_PASSKEYS} passkeys already. Remove one you no longer use first."
    return None


def registration_options(user: StaffUser, party: Party) -> tuple[str, bytes]:
    """Return the browser's options for making a new passkey (JSON) and the challenge to keep."""
    options = webauthn.generate_registration_options(
        rp_id=party.rp_id, rp_name=RP_NAME, user_name=user.email, user_display_name=user.name,
        # The user handle is stored on the authenticator: a number, never the email address.
        user_id=f"staff-{user.id}".encode(),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=key.credential_id) for key in of(user)],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED))
    return webauthn.options_to_json(options), options.challenge


def add(user: StaffUser, party: Party, credential: str, challenge: bytes, issued: dt.datetime, name: str,
        now: dt.datetime) -> Passkey:
    """Check a new passkey against a challenge issued at `issued` and keep it; the caller commits."""
    if not issued <= now <= issued + CHALLENGE_LIFETIME:
        raise PasskeyError("That took too long, so no passkey was added. Please try again.")
    factor = two_factor.factor_of(user)
    refusal = _refusal(user, factor)
    if refusal or factor is None:
        raise PasskeyError(refusal or "Set up an authenticator app first.")
    try:
        verified = webauthn.verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=party.rp_id,
            expected_origin=party.origin)
    except (InvalidRegistrationResponse, InvalidJSONStructure, ValueError, KeyError, TypeError):
        raise PasskeyError("Your browser's answer could not be checked, so no passkey was added. "
                           "Please try again.") from None
    taken = db.session.execute(
        sa.select(Passkey.id).where(Passkey.credential_id == verified.credential_id)).first()
    if taken:
        raise PasskeyError("This passkey is already added.")
    label = " ".join(name.split())[:80] or "Passkey"
    passkey = Passkey(staff_user_id=user.id, credential_id=verified.credential_id,
                      public_key=verified.credential_public_key, sign_count=verified.sign_count,
                      name=label, created_at=now)
    db.session.add(passkey)
    db.session.flush()
    audit.record("staff.passkey_added", two_factor.actor_of(user), staff_id=user.id, passkey_id=passkey.id)
    two_factor.tell(user, factor, "two_factor_passkey_added", passkey=label)
    return passkey


def authentication_options(user: StaffUser, party: Party) -> tuple[str, bytes] | None:
    """Return the browser's options for using one of the staff member's passkeys, or None without any."""
    keys = of(user)
    if not keys:
        return None
    options = webauthn.generate_authentication_options(
        rp_id=party.rp_id, user_verification=UserVerificationRequirement.PREFERRED,
        allow_credentials=[PublicKeyCredentialDescriptor(id=key.credential_id) for key in keys])
    return webauthn.options_to_json(options), options.challenge


def check(user: StaffUser, party: Party, credential: str, challenge: bytes, issued: dt.datetime,
          now: dt.datetime) -> str:
    """Accept a passkey of this staff member signed over a challenge issued at `issued`; return "passkey".

    The challenge travels in the signed session cookie, which a person can send again: so a challenge
    counts only if it was issued after the passkey's last use, and for a few minutes.
    """
    if not issued <= now <= issued + CHALLENGE_LIFETIME:
        raise PasskeyError("That took too long. Please try your passkey again.")
    try:
        parsed = parse_authentication_credential_json(credential)
    except (InvalidJSONStructure, InvalidAuthenticationResponse, ValueError, KeyError, TypeError,
            json.JSONDecodeError):
        raise PasskeyError(NOT_RIGHT) from None
    passkey = db.session.execute(
        sa.select(Passkey).where(Passkey.staff_user_id == user.id,
                                 Passkey.credential_id == parsed.raw_id)).scalar_one_or_none()
    if passkey is None:
        raise PasskeyError(NOT_RIGHT)
    try:
        verified = webauthn.verify_authentication_response(
            credential=parsed, expected_challenge=challenge, expected_rp_id=party.rp_id,
            expected_origin=party.origin, credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count)
    except (InvalidAuthenticationResponse, ValueError):
        audit.record("staff.passkey_refused", two_factor.actor_of(user), staff_id=user.id,
                     passkey_id=passkey.id)
        raise PasskeyError(NOT_RIGHT) from None
    # In one statement, and only for a challenge newer than the last use: of two requests carrying the
    # same signature, or an old cookie sent again with its signature, at most one is let in.
    moved = rows_changed(db.session.execute(
        sa.update(Passkey)
        .where(Passkey.id == passkey.id, Passkey.sign_count == passkey.sign_count,
               sa.or_(Passkey.last_used_at.is_(None), Passkey.last_used_at < issued))
        .values(sign_count=verified.new_sign_count, last_used_at=now)
        .execution_options(synchronize_session=False)))
    if not moved:
        raise PasskeyError(NOT_RIGHT)
    return "passkey"


def remove(user: StaffUser, passkey_id: int) -> str:
    """Remove one of the staff member's own passkeys and tell them; return its name. The caller commits."""
    passkey = db.session.execute(
        sa.select(Passkey).where(Passkey.id == passkey_id, Passkey.staff_user_id == user.id)
    ).scalar_one_or_none()
    if passkey is None:
        raise PasskeyError("That passkey is not one of yours, or was removed already.")
    name = passkey.name
    db.session.delete(passkey)
    audit.record("staff.passkey_removed", two_factor.actor_of(user), staff_id=user.id, passkey_id=passkey_id)
    factor = two_factor.factor_of(user)
    if factor is not None:
        two_factor.tell(user, factor, "two_factor_passkey_removed", passkey=name)
    return name
