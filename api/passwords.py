"""Password and client-secret hashing with scrypt (memory-hard, in the standard library).

Stored as ``scrypt$<n>$<r>$<p>$<salt b64>$<digest b64>`` so the cost can be raised later and old hashes still
verify. n=2^15, r=8 costs 32 MiB and ~0.1 s per guess on this class of machine: cheap for a login, expensive
for a dictionary attack. Comparison in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["hash_secret", "verify_secret"]

N, R, P = 2**15, 8, 1
_MAXMEM = 128 * 1024 * 1024


def _digest(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _digest(secret, salt, N, R, P)
    b64 = base64.b64encode
    return f"scrypt${N}${R}${P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches ``stored``; a malformed stored value never matches."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _digest(secret, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
