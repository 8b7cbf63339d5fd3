"""Encrypt personal data at rest: AES-256-GCM envelopes bound to their place in the database.

Each case has its own data key, stored only wrapped. The wrapping key is derived
from a versioned master key and a per-key share that lives in a separate key
store, never in the main database. A sealed value names the data key that sealed
it and is bound, as associated data, to the table, row and column it lives in, so
a value copied elsewhere fails to open. Deleting a key's share from the key store
makes everything it sealed unreadable, including copies in backups of the main
database.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .text import folded

FORMAT_VERSION = 1
_NONCE_BYTES = 12
_HEADER_BYTES = 1 + 16 + _NONCE_BYTES
SHARE_BYTES = 32
# What json.dumps(value, separators=(",", ":"), ensure_ascii=False) does, without a new encoder each time.
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


class CryptoError(Exception):
    """A value could not be sealed or opened; the message never contains plaintext."""


class KeyDestroyed(CryptoError):
    """The data key was destroyed, so what it sealed is gone for good."""


class MasterKeyMissing(CryptoError):
    """A data key names a master key version this process has not loaded."""


@dataclass(frozen=True)
class KeyRing:
    """The master keys by version, and the key for look-up hashes."""

    master_keys: dict[int, bytes]
    lookup_key: bytes

    @functools.cached_property
    def chain_key(self) -> bytes:
        """Return the audit chain's key: derived from the look-up key, so the database never holds it."""
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"refcheck-audit-chain").derive(self.lookup_key)

    @property
    def current_version(self) -> int:
        """Return the newest master key version, which wraps new data keys."""
        return max(self.master_keys)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KeyRing:
        """Build the ring from MASTER_KEYS/LOOKUP_KEY or the JSON file named by KEYS_FILE."""
        masters: dict[int, bytes] = {}
        lookup: bytes | None = None
        if config.get("KEYS_FILE"):
            data = json.loads(Path(config["KEYS_FILE"]).read_text())
            masters.update({int(v): _decode_key(k) for v, k in data["master_keys"].items()})
            lookup = _decode_key(data["lookup_key"])
        if config.get("MASTER_KEYS"):
            for item in str(config["MASTER_KEYS"]).replace(" ", ",").split(","):
                if item:
                    version, _, key = item.partition(":")
                    masters[int(version)] = _decode_key(key)
        if config.get("LOOKUP_KEY"):
            lookup = _decode_key(config["LOOKUP_KEY"])
        if not masters or lookup is None:
            raise CryptoError("no master key or look-up key is configured")
        return cls(master_keys=masters, lookup_key=lookup)

    def wrap(self, data_key: bytes, key_id: str, share: bytes | None = None,
             version: int | None = None) -> tuple[int, bytes]:
        """Wrap a data key with a master key (the newest unless named) and the key's share."""
        version = self.current_version if version is None else version
        nonce = secrets.token_bytes(_NONCE_BYTES)
        wrapping = self._wrapping_key(version, key_id, share)
        return version, nonce + AESGCM(wrapping).encrypt(nonce, data_key, _wrap_aad(key_id))

    def unwrap(self, version: int, wrapped: bytes, key_id: str, share: bytes | None = None) -> bytes:
        """Unwrap a data key sealed by master key `version` and, for split keys, its share."""
        wrapping = self._wrapping_key(version, key_id, share)
        try:
            return AESGCM(wrapping).decrypt(
                wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], _wrap_aad(key_id)
            )
        except InvalidTag as exc:
            raise CryptoError(f"data key {key_id} does not unwrap: altered or moved") from exc

    def _wrapping_key(self, version: int, key_id: str, share: bytes | None) -> bytes:
        """Return the key that wraps one data key: the master key, mixed with the share if any."""
        master = self.master_keys.get(version)
        if master is None:
            raise MasterKeyMissing(f"master key version {version} is not loaded")
        if share is None:
            return master  # keys made before the key store existed; `keys rotate` splits them
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=share,
                    info=b"refcheck-wrap|" + key_id.encode()).derive(master)

    def lookup_hash(self, value: str) -> str:
        """Return a keyed hash of a normalised value, for finding rows without decrypting."""
        return hmac.new(self.lookup_key, folded(value).encode(), hashlib.sha256).hexdigest()


def new_share() -> bytes:
    """Return a fresh random share for the key store."""
    return secrets.token_bytes(SHARE_BYTES)


def new_data_key() -> tuple[str, bytes]:
    """Return a fresh data key id (32 hex characters) and 32 random key bytes."""
    return uuid.uuid4().hex, AESGCM.generate_key(bit_length=256)


def seal(data_key: bytes, key_id: str, place: str, value: Any) -> bytes:
    """Encrypt a JSON-serialisable value for one place ("table/row/column")."""
    return Sealer(data_key, key_id).seal(place, value)


class Sealer:
    """Seal many values under one data key, exactly as seal() does, with one cipher for them all."""

    def __init__(self, data_key: bytes, key_id: str) -> None:
        self._header = bytes([FORMAT_VERSION]) + uuid.UUID(hex=key_id).bytes
        self._cipher = AESGCM(data_key)

    def seal(self, place: str, value: Any) -> bytes:
        """Encrypt a JSON-serialisable value for one place ("table/row/column")."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        plaintext = _JSON.encode(value).encode()
        return self._header + nonce + self._cipher.encrypt(nonce, plaintext, _aad(self._header, place))


def sealed_key_id(blob: bytes) -> str:
    """Return the id of the data key a sealed value names."""
    if len(blob) < _HEADER_BYTES + 16 or blob[0] != FORMAT_VERSION:
        raise CryptoError("not a sealed value of a known format")
    return uuid.UUID(bytes=bytes(blob[1:17])).hex


def open_sealed(data_key: bytes, key_id: str, place: str, blob: bytes) -> Any:
    """Decrypt a value sealed for `place`; raise CryptoError if it was moved or altered."""
    blob = bytes(blob)
    if sealed_key_id(blob) != key_id:
        raise CryptoError(f"{place}: sealed under another data key")
    header, nonce, body = blob[:17], blob[17:_HEADER_BYTES], blob[_HEADER_BYTES:]
    try:
        plaintext = AESGCM(data_key).decrypt(nonce, body, _aad(header, place))
    except InvalidTag as exc:
        raise CryptoError(f"{place}: does not decrypt here (moved from another place or altered)") from exc
    return json.loads(plaintext)


def _aad(header: bytes, place: str) -> bytes:
    """Bind a ciphertext to its format, key and place."""
    return b"refcheck|" + header + b"|" + place.encode()


def _wrap_aad(key_id: str) -> bytes:
    """Bind a wrapped data key to its own id."""
    return b"refcheck-data-key|" + key_id.encode()


def _decode_key(text: str) -> bytes:
    """Decode a base64 key and insist on 256 bits."""
    key = base64.b64decode(text.strip())
    if len(key) != 32:
        raise CryptoError("keys must be 32 bytes of base64")
    return key
