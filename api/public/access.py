"""Who may read the public API, and how often: the caller's token (audience ``public``, from client
credentials) or API key (``X-API-Key: <client id>:<secret>``) names one organization, and each client is
rate-limited per minute. The result is the :class:`Ctx` every handler receives."""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

import msgspec
from litestar import Request

from api.auth import authenticate
from api.config import ApiConfig
from api.db import Database
from api.errors import NotFoundError, TooManyRequestsError, UnauthorizedError
from api.passwords import verify_secret
from api.public.replies import Answers
from api.ratelimit import SlidingWindow
from api.tokens import JwksCache, verify_token

__all__ = ["API_KEY_RECHECK_S", "Access", "Ctx"]

API_KEY_RECHECK_S = 60.0


class Ctx(msgspec.Struct, frozen=True):
    """What a handler needs: the organization it is scoped to, the database, the response policy, and the
    answers the process built recently (one dependency per request: each costs Litestar's resolver time on
    the hottest route)."""

    org: int
    db: Database
    max_age: int
    answers: Answers


class Access:
    """Authenticates and rate-limits each request (the ``c`` dependency of every public route)."""

    def __init__(self, config: ApiConfig, db: Database, jwks: JwksCache, answers: Answers) -> None:
        self.config = config
        self.answers = answers
        self.db = db
        self.jwks = jwks
        self.limiter = SlidingWindow(config.public_requests_per_minute, 60.0)
        #: API keys already checked: sha256(key) -> (organization, client, when checked). Re-checked against
        #: the database every API_KEY_RECHECK_S, so a revoked client stops working within that time.
        self.api_keys: dict[str, tuple[int, str, float]] = {}

    async def by_api_key(self, key: str) -> tuple[str, int]:
        digest = hashlib.sha256(key.encode()).hexdigest()
        known = self.api_keys.get(digest)
        if known is not None and time.monotonic() - known[2] < API_KEY_RECHECK_S:
            return f"client:{known[1]}", known[0]
        client_id, _, secret = key.partition(":")
        async with self.db.read() as conn:
            row = await (
                await conn.execute(
                    "SELECT org_id, secret_hash FROM api_clients WHERE client_id = %s AND revoked_at IS NULL",
                    (client_id,),
                )
            ).fetchone()
        # scrypt off the event loop: it is meant to be slow
        if row is None or not await asyncio.to_thread(verify_secret, secret, row["secret_hash"]):
            self.api_keys.pop(digest, None)
            raise UnauthorizedError("the API key is not valid (X-API-Key: <client id>:<client secret>)")
        if len(self.api_keys) >= 10_000:
            self.api_keys.clear()
        self.api_keys[digest] = (int(row["org_id"]), client_id, time.monotonic())
        return f"client:{client_id}", int(row["org_id"])

    async def by_token(self, token: str) -> tuple[str, int]:
        """(subject, organization) of a website token, for callers that cannot send a header (a browser's
        WebSocket or EventSource passes it in the URL)."""
        claims = await verify_token(token, self.jwks, audience="public", issuer=self.config.issuer)
        return self._bound(claims)

    @staticmethod
    def _bound(claims: dict[str, Any]) -> tuple[str, int]:
        if not isinstance(claims.get("org"), int):
            raise NotFoundError("the token is not bound to an organization")
        return str(claims["sub"]), int(claims["org"])

    def admit(self, subject: str) -> None:
        """Count one request of ``subject``; 429 when it made too many in the last minute."""
        wait = self.limiter.retry_after(subject)
        if wait:
            raise TooManyRequestsError("this client made too many requests; slow down", retry_after=wait)
        self.limiter.hit(subject)

    async def ctx(self, request: Request[Any, Any, Any]) -> Ctx:
        key = request.headers.get("x-api-key")
        if key:
            subject, org = await self.by_api_key(key)
        else:
            principal, claims = await authenticate(
                request, self.jwks, audience="public", issuer=self.config.issuer, db=None
            )
            subject, org = principal.subject, self._bound(claims)[1]
        self.admit(subject)
        return Ctx(org=org, db=self.db, max_age=self.config.public_max_age_s, answers=self.answers)
