"""A software passkey for tests: answers WebAuthn challenges the way a browser and authenticator would.

It builds the same bytes a real one sends (clientDataJSON, authenticator data, a "none" attestation in
CBOR, an ECDSA P-256 signature), so the server's checks run on what a browser would post.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

# Authenticator data flags: the user was present (UP) and verified (UV); credential data attached (AT).
UP_UV, UP_UV_AT = 0x05, 0x45


def b64url(data: bytes) -> str:
    """Encode bytes as WebAuthn's JSON does: base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Device:
    """One passkey on one device, for the relying party `rp_id`, used from `origin`."""

    def __init__(self, rp_id: str = "refcheck.test", origin: str = "https://refcheck.test") -> None:
        self.rp_id, self.origin = rp_id, origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.count = 0

    def _client_data(self, kind: str, options: str, origin: str | None) -> bytes:
        challenge = json.loads(options)["challenge"]
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options: str, origin: str | None = None) -> str:
        """Answer registration options (JSON) with a new credential, as the browser posts it (JSON)."""
        numbers = self.key.public_key().public_numbers()
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + bytes([UP_UV_AT])
                     + self.count.to_bytes(4, "big") + bytes(16)
                     + len(self.credential_id).to_bytes(2, "big") + self.credential_id + cose)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps({
            "id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64url(self._client_data("webauthn.create", options, origin)),
                         "attestationObject": b64url(attestation)},
            "clientExtensionResults": {}})

    def get(self, options: str, origin: str | None = None, step: int = 1) -> str:
        """Answer authentication options (JSON) with a signed assertion, as the browser posts it (JSON)."""
        self.count += step
        client_data = self._client_data("webauthn.get", options, origin)
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + bytes([UP_UV])
                     + self.count.to_bytes(4, "big"))
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps({
            "id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                         "signature": b64url(signature)},
            "clientExtensionResults": {}})
