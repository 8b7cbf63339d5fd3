"""A hiring organisation's own people: invitations by one-time link, organisation admins, disabling.

An organisation admin (a client with `org_admin`) invites colleagues of their own organisation. The
invited account has no usable password until its owner opens the emailed link, which is random,
stored only as its SHA-256, works for seven days and only once.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask import current_app

from . import access, accounts, audit, mail
from .accounts import AccountError
from .columns import rows_changed
from .extensions import db
from .models import CLIENT, AccountToken, DataKey, StaffUser

LINK_DAYS = 7
# Not a hash werkzeug can produce: no password ever matches it, so the account cannot sign in yet.
UNUSABLE = "!invited"


def of_organisation(organisation_id: int) -> list[StaffUser]:
    """Return the client accounts of one organisation, by name."""
    return list(db.session.execute(
        sa.select(StaffUser).where(StaffUser.role == CLIENT, StaffUser.organisation_id == organisation_id)
        .order_by(StaffUser.name, StaffUser.id)).scalars())


def has_joined(user: StaffUser) -> bool:
    """Say whether an invited person has chosen their password yet."""
    return user.password_hash != UNUSABLE


def invite(inviter: StaffUser, name: str, email: str, now: dt.datetime) -> StaffUser:
    """Create a client account of the inviter's organisation and email its owner a one-time link."""
    _check_admin(inviter)
    organisation = inviter.organisation
    assert organisation is not None  # _check_admin refused a client without one
    # create_staff checks the name, the email and the role; the password given is thrown away at once.
    user = accounts.create_staff(email, name, CLIENT, secrets.token_urlsafe(32), _actor(inviter),
                                 [organisation])
    user.password_hash = UNUSABLE
    token = _issue(user, now)
    # The mail is sealed like every mail; an invitation belongs to no case, so it has a key of its own.
    mail.queue("client_welcome", user.email, DataKey.generate(), None, name=user.name,
               inviter=inviter.name, organisation=organisation.name,
               link=f"{current_app.config['BASE_URL'].rstrip('/')}/client/welcome/{token}",
               expires=now + dt.timedelta(days=LINK_DAYS))
    audit.record("client.invited", _actor(inviter), staff_id=user.id, organisation_id=organisation.id)
    return user


def find_token(token: str, now: dt.datetime) -> AccountToken | None:
    """Return the unused, unexpired link of an active account this token opens, or None."""
    found = db.session.execute(sa.select(AccountToken).where(
        AccountToken.token_hash == access.hash_token(token))).scalar_one_or_none()
    if found is None or found.used_at is not None or found.expires_at <= now or not found.staff_user.active:
        return None
    return found


def choose_password(token: str, password: str, now: dt.datetime) -> StaffUser:
    """Set the invited person's password through their link, which then never works again."""
    found = find_token(token, now)
    if found is None:
        raise AccountError("This link has expired or was used already.")
    user = found.staff_user
    # The password rules are the accounts module's; a refusal leaves the link unused.
    accounts.set_password(user, password, f"client:{user.id}")
    # Used once: of two requests racing with one link, only the first marks it.
    if rows_changed(db.session.execute(sa.update(AccountToken).where(
            AccountToken.id == found.id, AccountToken.used_at.is_(None)).values(used_at=now))) != 1:
        raise AccountError("This link has expired or was used already.")
    audit.record("client.joined", f"client:{user.id}", staff_id=user.id)
    return user


def make_admin(actor: StaffUser, user: StaffUser) -> None:
    """Let a colleague of the same organisation invite and manage colleagues too."""
    _check_colleague(actor, user)
    if not user.active:
        raise AccountError(f"{user.name} cannot sign in any more; their account stays as it is.")
    user.org_admin = True
    audit.record("client.org_admin_set", _actor(actor), staff_id=user.id)


def disable(actor: StaffUser, user: StaffUser, now: dt.datetime) -> None:
    """Stop a colleague signing in: their sessions end and any unused link of theirs stops working."""
    _check_colleague(actor, user)
    accounts.deactivate(user, actor, now)
    db.session.execute(sa.update(AccountToken).where(
        AccountToken.staff_user_id == user.id, AccountToken.used_at.is_(None)).values(used_at=now))
    audit.record("client.disabled", _actor(actor), staff_id=user.id)


def _issue(user: StaffUser, now: dt.datetime) -> str:
    """Store a new one-time link for this account (its hash only) and return the token."""
    token, digest = access.new_token()
    db.session.add(AccountToken(staff_user=user, token_hash=digest, created_at=now,
                                expires_at=now + dt.timedelta(days=LINK_DAYS)))
    db.session.flush()
    return token


def _check_admin(user: StaffUser) -> None:
    """Refuse anyone but an active organisation admin of an organisation."""
    if not (user.active and user.is_client and user.org_admin and user.organisation_id is not None):
        raise AccountError("Only your organisation's admins can do this.")


def _check_colleague(actor: StaffUser, user: StaffUser) -> None:
    """Refuse to act on anyone but a client of the actor's own organisation."""
    _check_admin(actor)
    if not user.is_client or user.organisation_id != actor.organisation_id:
        raise AccountError("There is no such colleague.")


def _actor(user: StaffUser) -> str:
    """Return how the audit log names a client."""
    return f"client:{user.id}"
