"""Master key rotation: add a version, re-wrap every data key in batches, retire what nothing uses."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from . import audit, keystore
from .config import _new_key
from .extensions import db
from .keystore import KeyShare
from .models import DataKey, keyring, reload_keyring, utcnow


class RotationError(Exception):
    """A key operation that cannot be done, with the reason in plain words."""


@dataclass(frozen=True)
class KeyStatus:
    """How many live data keys each master key version wraps, and which versions could be retired."""

    current: int
    configured: list[int]
    in_use: dict[int, int]
    unsplit: int
    destroyed: int
    missing_shares: int = 0
    orphan_shares: int = 0

    def retirable(self) -> list[int]:
        """Return the configured versions that are neither current nor used by any data key."""
        return [v for v in self.configured if v != self.current and not self.in_use.get(v)]

    def to_json(self) -> dict[str, Any]:
        """Return the status as plain values."""
        return {"current": self.current, "configured": self.configured,
                "data_keys_by_version": {str(v): n for v, n in sorted(self.in_use.items())},
                "without_key_store_share": self.unsplit, "destroyed": self.destroyed,
                "shares_missing": self.missing_shares, "orphan_shares": self.orphan_shares,
                "retirable": self.retirable()}


def status() -> KeyStatus:
    """Count live data keys per master key version, in one query."""
    rows = db.session.execute(
        sa.select(DataKey.master_version, DataKey.wrapped.is_(None), DataKey.split, sa.func.count())
        .group_by(DataKey.master_version, DataKey.wrapped.is_(None), DataKey.split)
    ).all()
    in_use: dict[int, int] = {}
    unsplit = destroyed = 0
    for version, is_destroyed, split, count in rows:
        if is_destroyed:
            destroyed += count
            continue
        in_use[version] = in_use.get(version, 0) + count
        if not split:
            unsplit += count
    ring = keyring()
    return KeyStatus(current=ring.current_version, configured=sorted(ring.master_keys), in_use=in_use,
                     unsplit=unsplit, destroyed=destroyed, missing_shares=missing_share_count(),
                     orphan_shares=len(orphan_share_ids(utcnow())))


# Ids read at a time when the key store and the main database are compared: two databases, no join.
CHUNK = 500


def _chunks(query: sa.Select[Any], column: Any) -> Iterator[list[str]]:
    """Yield a query's ids in order, a chunk at a time, each after the last: memory stays one chunk."""
    last = ""
    while True:
        chunk = list(db.session.execute(query.where(column > last).order_by(column).limit(CHUNK)).scalars())
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def orphan_share_ids(older_than: dt.datetime) -> list[str]:
    """Return shares no split data key uses, made before `older_than` (younger ones may be in flight)."""
    orphans: list[str] = []
    for chunk in _chunks(sa.select(KeyShare.id).where(KeyShare.created_at < older_than), KeyShare.id):
        used = set(db.session.execute(
            sa.select(DataKey.id).where(DataKey.id.in_(chunk), DataKey.split.is_(True))).scalars())
        orphans += [key_id for key_id in chunk if key_id not in used]
    return orphans


def sweep_orphans(now: dt.datetime, grace: dt.timedelta) -> int:
    """Delete shares that nothing uses and that are older than the grace period."""
    return keystore.destroy_shares(orphan_share_ids(now - grace))


def missing_share_count() -> int:
    """Count split data keys whose share is gone from the key store: cases that can no longer be read."""
    missing = 0
    split = sa.select(DataKey.id).where(DataKey.split.is_(True), DataKey.wrapped.is_not(None))
    for chunk in _chunks(split, DataKey.id):
        present = db.session.execute(
            sa.select(sa.func.count()).select_from(KeyShare).where(KeyShare.id.in_(chunk))).scalar_one()
        missing += len(chunk) - present
    return missing


def add_version(config: dict[str, Any]) -> int:
    """Write a new master key version into the keys file and load it; return its number."""
    path = config.get("KEYS_FILE")
    if not path:
        raise RotationError("The master keys come from REFCHECK_MASTER_KEYS. Add a new version there "
                        "(for example 2:<32 random bytes in base64>) on every server, restart them, "
                        "then run `keys rotate --no-new-version`.")
    data = json.loads(Path(path).read_text())
    version = max([int(v) for v in data["master_keys"]] + list(keyring().master_keys)) + 1
    data["master_keys"][str(version)] = _new_key()
    _replace_private(Path(path), json.dumps(data, indent=2) + "\n")
    reload_keyring()
    audit.record("keys.version_added", "cli", version=version)
    return version


def rewrap_batches(batch_size: int) -> Iterator[int]:
    """Re-wrap data keys not yet under the newest version (or not yet split), a batch at a time.

    Yields the number re-wrapped in each batch after flushing it; the caller commits, so a
    running service keeps working and an interrupted rotation resumes where it stopped. Passes
    repeat until one finds nothing, so keys made by a server during the run are not missed.
    """
    current = keyring().current_version
    while True:
        last_id, found = "", 0
        while True:
            batch = db.session.execute(
                sa.select(DataKey)
                .where(DataKey.wrapped.is_not(None), DataKey.id > last_id,
                       sa.or_(DataKey.master_version != current, DataKey.split.is_(False)))
                .order_by(DataKey.id).limit(batch_size)
            ).scalars().all()
            if not batch:
                break
            for key in batch:
                key.rewrap(current)
            last_id = batch[-1].id
            found += len(batch)
            db.session.flush()
            yield len(batch)
        if not found:
            return


def retire(config: dict[str, Any], version: int) -> None:
    """Remove a master key version from the keys file, only when no data key uses it."""
    state = status()
    if version == state.current:
        raise RotationError(f"Version {version} is the newest and wraps new keys; add a newer one first.")
    if state.in_use.get(version):
        raise RotationError(f"Version {version} still wraps {state.in_use[version]} data keys; "
                        "run `keys rotate` first.")
    if version not in state.configured:
        raise RotationError(f"Version {version} is not configured.")
    path = config.get("KEYS_FILE")
    if not path:
        raise RotationError(f"Nothing uses version {version}: remove it from REFCHECK_MASTER_KEYS on "
                        "every server.")
    data = json.loads(Path(path).read_text())
    if str(version) not in data["master_keys"]:
        raise RotationError(f"Version {version} comes from REFCHECK_MASTER_KEYS: remove it there.")
    del data["master_keys"][str(version)]
    _replace_private(Path(path), json.dumps(data, indent=2) + "\n")
    reload_keyring()
    audit.record("keys.version_retired", "cli", version=version)


def _replace_private(path: Path, text: str) -> None:
    """Replace a key file atomically, readable only by its owner."""
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
