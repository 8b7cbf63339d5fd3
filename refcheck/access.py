"""Emailed links and server-side sessions: random tokens of which only hashes are stored."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

import sqlalchemy as sa

from . import audit
from .extensions import db
from .models import AccessLink, Case, PortalSession

TOKEN_BYTES = 32  # 256 bits of randomness
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> tuple[str, str]:
    """Return a fresh URL-safe token and its SHA-256 hex digest."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(case: Case, purpose: str, valid_for: dt.timedelta, now: dt.datetime,
               referee_id: str | None = None) -> str:
    """Revoke the earlier links of this purpose (and referee) and return a new token."""
    db.session.execute(
        sa.update(AccessLink)
        .where(AccessLink.case_id == case.id, AccessLink.purpose == purpose,
               AccessLink.referee_id.is_(None) if referee_id is None
               else AccessLink.referee_id == referee_id,
               AccessLink.revoked_at.is_(None), AccessLink.used_at.is_(None))
        .values(revoked_at=now)
    )
    token, digest = new_token()
    db.session.add(AccessLink(case=case, purpose=purpose, referee_id=referee_id, token_hash=digest,
                              created_at=now, expires_at=now + valid_for))
    return token


def revoke_referee_links(referee_id: str, now: dt.datetime) -> None:
    """Revoke every live link of one referee."""
    db.session.execute(
        sa.update(AccessLink)
        .where(AccessLink.referee_id == referee_id, AccessLink.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def shut_out_referees(referee_ids: Sequence[str], now: dt.datetime) -> None:
    """Revoke these referees' live links and end their sessions: nothing of theirs opens any more."""
    if referee_ids:
        _shut_out(AccessLink.referee_id.in_(referee_ids), PortalSession.referee_id.in_(referee_ids), now)


def shut_out_every_referee(case: Case, now: dt.datetime) -> None:
    """Revoke every referee link of a case and end every referee session on it: its answers are final."""
    _shut_out(sa.and_(AccessLink.case_id == case.id, AccessLink.purpose == "referee"),
              sa.and_(PortalSession.case_id == case.id, PortalSession.kind == "referee"), now)


def _shut_out(links: sa.ColumnElement[bool], sessions: sa.ColumnElement[bool], now: dt.datetime) -> None:
    """Revoke the live links and end the open sessions these conditions pick."""
    bulk = {"synchronize_session": False}
    db.session.execute(sa.update(AccessLink).where(links, AccessLink.revoked_at.is_(None))
                       .values(revoked_at=now), execution_options=bulk)
    db.session.execute(sa.update(PortalSession).where(sessions, PortalSession.ended_at.is_(None))
                       .values(ended_at=now), execution_options=bulk)


def revoke_links(case: Case, now: dt.datetime) -> None:
    """Revoke every unused link of a case."""
    db.session.execute(
        sa.update(AccessLink)
        .where(AccessLink.case_id == case.id, AccessLink.revoked_at.is_(None),
               AccessLink.used_at.is_(None))
        .values(revoked_at=now)
    )


def find_link(token: str, purpose: str, now: dt.datetime, *, case_id: int | None = None,
              referee_id: str | None = None) -> AccessLink | None:
    """Return the usable link for a token, changing nothing; None for any bad token.

    The link must belong to the case or referee named in the URL, so a valid token
    pasted under another case's or referee's address is refused like any other.
    """
    if not _TOKEN_SHAPE.match(token or ""):
        return None
    digest = hash_token(token)
    link = db.session.execute(
        sa.select(AccessLink).where(AccessLink.token_hash == digest)
    ).scalar_one_or_none()
    # The look-up is by hash; the constant-time comparison guards against a timing oracle anyway.
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        return None
    if link.purpose != purpose or (case_id is not None and link.case_id != case_id):
        return None
    if (referee_id is not None or link.referee_id is not None) and link.referee_id != referee_id:
        return None
    if link.used_at or link.revoked_at or link.expires_at <= now:
        return None
    return link


def record_refused_link(token: str, purpose: str) -> None:
    """Audit a refused use of a real link whose case has ended; guessed tokens leave no trace.

    Someone trying a link after withdrawal or cancellation is worth knowing about; random
    guesses are for the rate limit, not the log. The caller commits.
    """
    if not _TOKEN_SHAPE.match(token or ""):
        return
    link = db.session.execute(
        sa.select(AccessLink).where(AccessLink.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if link is None or link.purpose != purpose or not link.case.is_closed:
        return
    actor = f"referee:{link.referee_id}" if link.referee_id else f"candidate:{link.case_id}"
    audit.record("action.refused", actor, link.case_id, attempt=f"{purpose}.link",
                 reason="The link no longer works.", state=link.case.state)


def ended_session(token: str | None, kind: str) -> PortalSession | None:
    """Return the session a cookie names if it was ended (log-out, a stopped case, a release), else None."""
    if not token or not _TOKEN_SHAPE.match(token):
        return None
    record = db.session.execute(
        sa.select(PortalSession).where(PortalSession.token_hash == hash_token(token))).scalar_one_or_none()
    if record is None or record.kind != kind or record.ended_at is None or record.case is None:
        return None
    return record


def record_refused_session(token: str | None, kind: str, attempt: str) -> None:
    """Audit a change tried in a session that was ended; unknown cookies leave no trace. The caller commits.

    Like a refused link, an attempt through a session that a stopped case or a release ended is worth a line.
    """
    record = ended_session(token, kind)
    if record is None or record.case is None:
        return
    actor = f"referee:{record.referee_id}" if record.referee_id else f"candidate:{record.case_id}"
    audit.record("action.refused", actor, record.case_id, attempt=attempt, reason="The session had ended.",
                 state=record.case.state, why="session")


def start_session(kind: str, now: dt.datetime, *, staff_user_id: int | None = None,
                  case_id: int | None = None, referee_id: str | None = None,
                  device: str | None = None, stepped_up_at: dt.datetime | None = None) -> str:
    """Record a new signed-in session and return the token for the cookie."""
    token, digest = new_token()
    db.session.add(PortalSession(token_hash=digest, kind=kind, staff_user_id=staff_user_id,
                                 case_id=case_id, referee_id=referee_id, created_at=now,
                                 last_seen_at=now, device=device, stepped_up_at=stepped_up_at))
    return token


@functools.cache
def _session_lookup(kind: str) -> sa.Select:
    """Return the query for a session of `kind` by token hash, with the rows its pages always read.

    Built once per kind: composing a query with loader options costs more than running it.
    """
    statement = sa.select(PortalSession).where(PortalSession.token_hash == sa.bindparam("token_hash"))
    if kind == "staff":
        return statement
    # Every candidate and referee page shows the case and the candidate's name (sealed under the
    # case's key); a referee's pages also read the referee and the scope consented to.
    case = sa.orm.joinedload(PortalSession.case)
    options = [case.joinedload(Case.candidate), case.joinedload(Case.data_key)]
    if kind == "referee":
        options += [sa.orm.joinedload(PortalSession.referee), case.joinedload(Case.consents)]
    return statement.options(*options)


def find_session(token: str | None, kind: str, now: dt.datetime,
                 idle: dt.timedelta, absolute: dt.timedelta) -> PortalSession | None:
    """Return the live session for a cookie token, or None when it ended or timed out."""
    if not token or not _TOKEN_SHAPE.match(token):
        return None
    record = db.session.execute(
        _session_lookup(kind), {"token_hash": hash_token(token)}
    ).unique().scalar_one_or_none()
    if record is None or record.kind != kind or record.ended_at is not None:
        return None
    if now - record.last_seen_at > idle or now - record.created_at > absolute:
        return None
    return record


def end_session(token: str | None, now: dt.datetime) -> None:
    """End a session so that a copy of its cookie no longer works."""
    if token:
        db.session.execute(
            sa.update(PortalSession)
            .where(PortalSession.token_hash == hash_token(token), PortalSession.ended_at.is_(None))
            .values(ended_at=now)
        )
