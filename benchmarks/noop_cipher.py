"""A stand-in for AES-GCM that copies bytes, so a benchmark can price encryption; never used by the app."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

TAG = b"\0" * 16


class NoopAESGCM:
    """Same interface and sizes as cryptography's AESGCM, without the cipher."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    @staticmethod
    def generate_key(bit_length: int) -> bytes:
        """Return random key bytes, as AESGCM does."""
        return secrets.token_bytes(bit_length // 8)

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        """Return the data and a blank tag of AES-GCM's size."""
        return bytes(data) + TAG

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        """Return the data without its tag."""
        return bytes(data[:-16])


def install() -> None:
    """Swap refcheck.crypto's AES-GCM for the no-op one in this process only."""
    from refcheck import crypto

    crypto.AESGCM = NoopAESGCM  # type: ignore[assignment,misc]


@contextmanager
def installed() -> Iterator[None]:
    """Use the no-op cipher inside a block (to seed a database the no-op server can read)."""
    from refcheck import crypto

    real = crypto.AESGCM
    crypto.AESGCM = NoopAESGCM  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        crypto.AESGCM = real
