"""Access tokens: RS256 JWTs signed by the identity app, verified by the admin and public apps.

Verification is strict: the algorithm must be RS256 whatever the header says (so ``alg: none`` and HS256
with the public key as secret are refused), the key id must be one the JWKS serves, and audience, issuer,
expiry, subject and id are required.

A key id the cached JWKS does not know is looked up again, so a token signed right after ``rstat keys
rotate`` is accepted on its first request. Fetches are rate limited without refusing anyone because of the
clock: a request that needs a fetch shares one already in flight or started after it arrived, and otherwise
waits until the minimum interval since the last fetch has passed. Made-up key ids therefore cost the identity
app at most one fetch per interval, however many arrive.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import jwt

from api.errors import UnauthorizedError
from api.keys import KeyStore

__all__ = ["HttpKeySource", "JwksCache", "KeySource", "issue_token", "verify_token"]

ALGORITHM = "RS256"
REQUIRED = ["exp", "iat", "sub", "aud", "iss", "jti"]
VERIFIED_CACHE_SIZE = 10_000


def issue_token(keys: KeyStore, *, issuer: str, audience: str, subject: str, ttl_s: int, **claims: Any) -> str:
    key = keys.current()
    now = int(time.time())
    payload = {"iss": issuer, "aud": audience, "sub": subject, "iat": now, "nbf": now, "exp": now + ttl_s}
    payload |= {"jti": uuid.uuid4().hex, **claims}
    return jwt.encode(payload, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


class KeySource(Protocol):
    """Where the verification keys come from: the identity app's JWKS (a fake in unit tests)."""

    async def fetch(self) -> dict[str, Any]:
        """Every RSA signing key served now, by key id; OSError when the source cannot be reached."""
        ...


class HttpKeySource:
    """The JWKS document at ``url``, downloaded and parsed by PyJWT's ``PyJWKClient``.

    Only its download and parsing are used: its own cache refetches on every unknown key id with no limit
    and blocks the event loop, so :class:`JwksCache` does the caching and the rate limiting.
    """

    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        self.url = url
        self._client = jwt.PyJWKClient(url, cache_jwk_set=False, cache_keys=False, timeout=int(timeout_s))

    def _download(self) -> dict[str, Any]:
        try:
            keys = self._client.get_jwk_set(refresh=True).keys
        except jwt.PyJWKClientConnectionError as exc:
            raise OSError(str(exc)) from exc
        except jwt.PyJWKClientError as exc:
            raise OSError(f"{self.url} did not serve a usable JWKS: {exc}") from exc
        return {k.key_id: k.key for k in keys if k.key_id and k.key_type == "RSA"}

    async def fetch(self) -> dict[str, Any]:
        return await asyncio.to_thread(self._download)


class JwksCache:
    """The identity app's public keys, kept for ``ttl_s`` and refetched for an unknown key id.

    ``min_refetch_s`` bounds how often the source is asked, whatever the requests carry; ``clock`` and
    ``sleep`` are injectable so that unit tests can play any machine speed without waiting.
    """

    def __init__(
        self,
        source: KeySource,
        ttl_s: float,
        min_refetch_s: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.source = source
        self.ttl_s = ttl_s
        self.min_refetch_s = min_refetch_s
        self._clock = clock
        self._sleep = sleep
        self._keys: dict[str, Any] = {}
        #: fetches started so far, when the last one started (-inf: never), and when its answer arrived
        self._generation = 0
        self._started = float("-inf")
        self._fetched = float("-inf")
        self._lock = asyncio.Lock()
        #: tokens already verified (signature, claims) with their expiry: a website sends the same token for
        #: its whole lifetime, and an RS256 verification costs more than the rest of a cached request
        self.verified: dict[tuple[str, str, str], dict[str, Any]] = {}

    def _fresh(self) -> bool:
        return self._clock() - self._fetched <= self.ttl_s

    async def key(self, kid: str) -> Any:
        if kid in self._keys and self._fresh():
            return self._keys[kid]
        seen = self._generation
        async with self._lock:
            # a fetch that started after this request arrived (queued ahead of it) has answered it already:
            # no second fetch for the same question
            if self._generation == seen and not (kid in self._keys and self._fresh()):
                wait = self._started + self.min_refetch_s - self._clock()
                if wait > 0:
                    await self._sleep(wait)
                await self._refetch()
        if kid not in self._keys:
            raise UnauthorizedError("the token's key id is not one of the issuer's keys")
        return self._keys[kid]

    async def _refetch(self) -> None:
        self._generation += 1
        self._started = self._clock()
        try:
            self._keys = await self.source.fetch()
        except OSError as exc:
            if not self._keys:
                raise UnauthorizedError(f"cannot fetch the signing keys: {exc}") from exc
        self._fetched = self._clock()


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
