"""The identity app's RS256 signing keys: one PEM file per key id in a folder, the newest is current.

``rstat keys rotate`` writes a new key; the identity app signs with it from its next request (it re-reads the
folder when the folder changes), while the JWKS keeps serving the previous public key, so tokens signed
before the rotation stay valid until they expire. Older keys are removed on rotation.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

__all__ = [
    "KeyStore",
    "LocalKeySource",
    "SigningKey",
]

KEEP = 2  # current and previous


class SigningKey:
    def __init__(self, kid: str, private_pem: bytes) -> None:
        self.kid = kid
        key = serialization.load_pem_private_key(private_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"key {kid} is not an RSA key")
        self.private_key = key

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


class KeyStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._names: list[str] | None = None
        self._keys: list[SigningKey] = []

    def rotate(self) -> str:
        """Create a new current key; keep the previous one for verification, drop older ones."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        kid = f"k{time.time_ns():020d}"  # sorts by creation, so the newest file is the current key
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path = self.folder / f"{kid}.pem"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        tmp.rename(path)  # atomic: a reader never sees half a key
        for old in sorted(self.folder.glob("*.pem"))[:-KEEP]:
            old.unlink()
        return kid

    def loaded(self) -> list[SigningKey]:
        """Current first, then the previous one; re-read when the key files changed (a rotation).

        The folder's file names are compared, not its mtime: a rotation writes, renames and unlinks within
        one tick of the file system's coarse clock on a fast machine, which an mtime cannot tell apart.
        """
        for _ in range(3):  # a key removed by a rotation between listing and reading: list again
            names = sorted((p.name for p in self.folder.glob("*.pem")), reverse=True) if self.folder.exists() else []
            if names == self._names:
                break
            try:
                keys = [SigningKey(n.removesuffix(".pem"), (self.folder / n).read_bytes()) for n in names[:KEEP]]
            except FileNotFoundError:
                continue
            self._keys, self._names = keys, names
            break
        return self._keys

    def current(self) -> SigningKey:
        keys = self.loaded()
        if not keys:
            raise LookupError(f"no signing key in {self.folder}: run `rstat keys rotate`")
        return keys[0]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.loaded()]}


class LocalKeySource:
    """The key store's own public keys, for an app that verifies tokens it signed (the identity app reads a
    member's access token to issue a public one): the same :class:`api.tokens.JwksCache` checks, no HTTP."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    async def fetch(self) -> dict[str, Any]:
        return {k.kid: k.private_key.public_key() for k in self.keys.loaded()}
