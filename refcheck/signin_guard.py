"""Back-off after failed sign-ins, per account and per client address, counted in the database.

After `FREE_FAILURES` recent failures, each further failure makes the next attempt wait, twice as
long each time: per account at most `ACCOUNT_MAX_WAIT`, so someone who knows a colleague's email can
keep them out for a minute at most; per address up to `ADDRESS_MAX_WAIT`, which slows one machine
guessing across many accounts. While a wait runs, attempts are refused without checking the password
and are not counted (so refusals cannot stretch the wait). A success clears the account's count, not
the address's: signing in to one's own account must not reset a guesser's count.

Counts are kept in one row per key and raised by a single INSERT ... ON CONFLICT DO UPDATE, which the
database applies atomically, so concurrent failures on several app servers are all counted.
Only a failure that starts or lengthens a wait is audited: every wrong password would flood the
append-only log with rows an attacker creates at will, and the waits bound how many of these there are.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from . import audit
from .extensions import db
from .models import SignInFailures, StaffUser, keyring
from .text import folded

FREE_FAILURES = 5
FIRST_WAIT = dt.timedelta(seconds=15)
ACCOUNT_MAX_WAIT = dt.timedelta(minutes=1)
ADDRESS_MAX_WAIT = dt.timedelta(minutes=15)
# Failures further apart than this start the count again.
FORGET_AFTER = dt.timedelta(minutes=30)

_TABLE = cast(sa.Table, SignInFailures.__table__)


def account_key(email: str) -> str:
    """Return the row key for an email, whether or not an account has it."""
    return "account:" + keyring().lookup_hash(folded(email))


def address_key(address: str) -> str:
    """Return the row key for a client address."""
    return "address:" + keyring().lookup_hash(address or "unknown")


def wait_after(failures: int, cap: dt.timedelta) -> dt.timedelta:
    """Return how long the next attempt waits after this many failures in a row."""
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    # 2 ** 20 already passes any cap; a bigger exponent only risks an overflow.
    return min(cap, FIRST_WAIT * 2 ** min(failures - FREE_FAILURES, 20))


def refusal(email: str, address: str, now: dt.datetime) -> str | None:
    """Return the message refusing an attempt made during a wait, or None when it may go ahead."""
    waits: list[dt.datetime] = [until for until in db.session.execute(
        sa.select(SignInFailures.wait_until)
        .where(SignInFailures.key.in_([account_key(email), address_key(address)]),
               SignInFailures.wait_until > now)
    ).scalars() if until is not None]
    if not waits:
        return None
    seconds = math.ceil((max(waits) - now).total_seconds())
    return (f"There have been too many unsuccessful attempts to sign in. For your security, please "
            f"wait {_duration(seconds)} and try again. Your password has not been checked.")


def _duration(seconds: int) -> str:
    """Say a wait in words: seconds under two minutes, whole minutes above."""
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def failed(email: str, address: str, now: dt.datetime) -> None:
    """Count a failed sign-in against the email and the address, and start a wait past the free ones.

    Rows are written account first, then address, always in that order, so two requests never wait
    on each other's rows crosswise. The caller commits.
    """
    _forget_old(now)
    for key, cap, scope in ((account_key(email), ACCOUNT_MAX_WAIT, "account"),
                            (address_key(address), ADDRESS_MAX_WAIT, "address")):
        failures = _count(key, now)
        wait = wait_after(failures, cap)
        if not wait:
            continue
        # Only the request holding the newest count sets the wait: an older one would shorten it.
        db.session.execute(
            sa.update(SignInFailures).where(SignInFailures.key == key, SignInFailures.failures == failures)
            .values(wait_until=now + wait).execution_options(synchronize_session=False))
        staff_id = None
        if scope == "account":
            staff_id = db.session.execute(
                sa.select(StaffUser.id).where(StaffUser.email == folded(email))).scalar_one_or_none()
        # Neither the email nor the address is written: the log is append-only and kept for years.
        audit.record("staff.sign_in_paused", "system", scope=scope, failures=failures,
                     wait_seconds=int(wait.total_seconds()), staff_id=staff_id)


def _count(key: str, now: dt.datetime) -> int:
    """Add one failure to a key's row in one atomic statement and return the new count."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement: Any = insert(_TABLE).values(key=key, failures=1, last_failed_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[_TABLE.c.key],
        set_={"failures": sa.case((_TABLE.c.last_failed_at < now - FORGET_AFTER, 1),
                                  else_=_TABLE.c.failures + 1),
              "last_failed_at": now},
    ).returning(_TABLE.c.failures)
    return int(db.session.execute(statement).scalar_one())


def _forget_old(now: dt.datetime) -> None:
    """Delete a batch of rows whose failures are long past, skipping rows another request is writing."""
    stale = (sa.select(SignInFailures.key)
             .where(SignInFailures.last_failed_at < now - FORGET_AFTER - ADDRESS_MAX_WAIT).limit(100))
    if db.session.get_bind().dialect.name == "postgresql":
        stale = stale.with_for_update(skip_locked=True)
    db.session.execute(sa.delete(SignInFailures).where(SignInFailures.key.in_(stale.scalar_subquery())),
                       execution_options={"synchronize_session": False})


def succeeded(email: str) -> None:
    """Clear the account's failures after a successful sign-in; the address keeps its count."""
    db.session.execute(sa.delete(SignInFailures).where(SignInFailures.key == account_key(email)),
                       execution_options={"synchronize_session": False})
