"""Access tokens: RS256 JWTs signed by the identity app, verified by the admin and public apps.

Verification is strict: the algorithm must be RS256 whatever the header says (so ``alg: none`` and HS256
with the public key as secret are refused), the key id must be one the JWKS serves (an unknown one triggers
a single refetch, at most every few seconds, so a rotation is picked up and garbage kids cannot make us
hammer the identity app), and audience, issuer, expiry, subject and id are required.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from api.errors import UnauthorizedError
from api.keys import KeyStore

__all__ = ["JwksCache", "issue_token", "verify_token"]

ALGORITHM = "RS256"
REQUIRED = ["exp", "iat", "sub", "aud", "iss", "jti"]
#: an unknown key id triggers a refetch at most this often overall, and once per id (a rotation is picked up
#: at once; a flood of made-up ids cannot make us hammer the identity app)
REFETCH_AT_MOST_EVERY_S = 1.0
VERIFIED_CACHE_SIZE = 10_000


def issue_token(keys: KeyStore, *, issuer: str, audience: str, subject: str, ttl_s: int, **claims: Any) -> str:
    key = keys.current()
    now = int(time.time())
    payload = {"iss": issuer, "aud": audience, "sub": subject, "iat": now, "nbf": now, "exp": now + ttl_s}
    payload |= {"jti": uuid.uuid4().hex, **claims}
    return jwt.encode(payload, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


class JwksCache:
    """The identity app's public keys, fetched over HTTP and kept for ``ttl_s``."""

    def __init__(self, url: str, ttl_s: float) -> None:
        self.url = url
        self.ttl_s = ttl_s
        self._keys: dict[str, Any] = {}
        self._fetched = 0.0
        self._lock = asyncio.Lock()
        self._missed: set[str] = set()
        #: tokens already verified (signature, claims) with their expiry: a website sends the same token for
        #: its whole lifetime, and an RS256 verification costs more than the rest of a cached request
        self.verified: dict[tuple[str, str, str], dict[str, Any]] = {}

    def _download(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url, timeout=5) as response:  # noqa: S310 - the configured JWKS URL
            doc = json.loads(response.read())
        return {k["kid"]: RSAAlgorithm.from_jwk(k) for k in doc.get("keys", []) if k.get("kty") == "RSA"}

    async def key(self, kid: str) -> Any:
        now = time.monotonic()
        stale = now - self._fetched > self.ttl_s
        if kid in self._keys and not stale:
            return self._keys[kid]
        fresh = False
        async with self._lock:
            wanted = stale or (kid not in self._keys and kid not in self._missed)
            if wanted and time.monotonic() - self._fetched > REFETCH_AT_MOST_EVERY_S:
                fresh = True
                try:
                    self._keys = await asyncio.to_thread(self._download)
                except OSError as exc:
                    if not self._keys:
                        raise UnauthorizedError(f"cannot fetch the signing keys from {self.url}: {exc}") from exc
                self._fetched = time.monotonic()
                self._missed.clear()
        if kid not in self._keys:
            if fresh and len(self._missed) < 10_000:
                self._missed.add(kid)  # absent from a JWKS fetched just now: not worth another fetch
            raise UnauthorizedError("the token's key id is not one of the issuer's keys")
        return self._keys[kid]


async def verify_token(token: str, jwks: JwksCache, *, audience: str, issuer: str) -> dict[str, Any]:
    """The token's claims, or UnauthorizedError saying what is wrong with it."""
    known = jwks.verified.get((token, audience, issuer))
    if known is not None:
        if known["exp"] > time.time():
            return known
        del jwks.verified[(token, audience, issuer)]
    claims = await _verify(token, jwks, audience=audience, issuer=issuer)
    if len(jwks.verified) >= VERIFIED_CACHE_SIZE:
        jwks.verified.clear()  # crude but bounded; refilled by the next requests
    jwks.verified[(token, audience, issuer)] = claims
    return claims


async def _verify(token: str, jwks: JwksCache, *, audience: str, issuer: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise UnauthorizedError("the token is not a JWT") from exc
    if header.get("alg") != ALGORITHM:
        raise UnauthorizedError(f"tokens must be signed with {ALGORITHM}, not {header.get('alg')!r}")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise UnauthorizedError("the token has no key id")
    key = await jwks.key(kid)
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[ALGORITHM], audience=audience, issuer=issuer, options={"require": REQUIRED}
        )
    except jwt.ExpiredSignatureError as exc:
        raise UnauthorizedError("the token has expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise UnauthorizedError(f"the token is not for this API (audience {audience!r} expected)") from exc
    except jwt.InvalidIssuerError as exc:
        raise UnauthorizedError("the token was not issued by this system's identity provider") from exc
    except jwt.InvalidSignatureError as exc:
        raise UnauthorizedError("the token's signature does not verify") from exc
    except jwt.PyJWTError as exc:
        raise UnauthorizedError(f"the token is not valid: {exc}") from exc
    return claims
