"""``rstat api identity``: logins, refresh, revocation, client credentials and the JWKS.

- ``POST /v1/token`` (email + password) -> an admin-audience access token with the user's memberships, and
  a refresh token (opaque, stored as a digest, rotated on every use; reusing a spent one revokes every
  session of the user, as a stolen token would be).
- ``POST /v1/client-token`` (client id + secret) -> a public-audience token bound to the client's organization.
- ``POST /v1/member-token`` (a user's admin access token + an organization) -> a public-audience token bound
  to that organization, for a member: the console embeds the standings and leaders widgets with it, so an
  organizer reads the public API without creating a website client (membership is checked in the database,
  not in the token, so a removed member is refused at once).
- ``POST /v1/token/refresh``, ``POST /v1/token/revoke``; ``GET /.well-known/jwks.json`` (current + previous key).
Failed logins are limited per account and per address; while limited, the password is not even checked.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import msgspec
from litestar import Litestar, Request, get, post
from litestar.openapi import OpenAPIConfig

from api.auth import authenticate
from api.config import ApiConfig
from api.cors import cors_config
from api.db import Database
from api.errors import NotFoundError, TooManyRequestsError, UnauthorizedError, handlers
from api.health import Health
from api.keys import KeyStore, LocalKeySource
from api.passwords import verify_secret
from api.ratelimit import SlidingWindow
from api.tokens import JwksCache, issue_token

__all__ = ["create_identity_app"]

#: a digest of the same cost as a real check, so an unknown account takes as long as a wrong password
_DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


class Login(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: str
    password: str


class ClientLogin(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    client_id: str
    client_secret: str


class MemberTokenRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    org_id: int


class Refresh(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    refresh_token: str


class TokenOut(msgspec.Struct, frozen=True):
    access_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    refresh_token: str | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_identity_app(api: ApiConfig, *, db: Database, keys: KeyStore) -> Litestar:
    """The app over adapters built by the process's bootstrap; ``db`` opens with the app's startup."""
    own_keys = JwksCache(LocalKeySource(keys), api.jwks_cache_s, api.jwks_min_refetch_s)
    per_account = SlidingWindow(api.login_attempts_per_account, api.login_window_s)
    per_address = SlidingWindow(api.login_attempts_per_address, api.login_window_s)

    def limited(*checks: tuple[SlidingWindow, str]) -> None:
        wait = max(window.retry_after(key) for window, key in checks)
        if wait:
            raise TooManyRequestsError("too many failed attempts; try again later", retry_after=wait)

    async def issue_for_user(user_id: int) -> TokenOut:
        async with db.read() as conn:
            rows = await (
                await conn.execute("SELECT org_id, role::text FROM memberships WHERE user_id = %s", (user_id,))
            ).fetchall()
        access = issue_token(
            keys,
            issuer=api.issuer,
            audience="admin",
            subject=f"user:{user_id}",
            ttl_s=api.access_token_ttl_s,
            orgs={str(r["org_id"]): r["role"] for r in rows},
        )
        refresh = secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(seconds=api.refresh_token_ttl_s)
        async with db.write(actor=f"user:{user_id}", request_id=uuid.uuid4().hex, source="identity") as conn:
            await conn.execute(
                "INSERT INTO refresh_tokens (user_id, token_hash, expires_at) VALUES (%s, %s, %s)",
                (user_id, _digest(refresh), expires),
            )
        return TokenOut(access_token=access, expires_in=api.access_token_ttl_s, refresh_token=refresh)

    @post("/v1/token", status_code=200, summary="Log in with email and password")
    async def login(data: Login, request: Request[Any, Any, Any]) -> TokenOut:
        account, address = data.email.strip().lower(), request.client.host if request.client else "?"
        limited((per_account, account), (per_address, address))
        async with db.read() as conn:
            user = await (
                await conn.execute("SELECT id, password_hash, is_active FROM users WHERE lower(email) = %s", (account,))
            ).fetchone()
        ok = verify_secret(data.password, user["password_hash"] if user else _DUMMY_HASH)
        if not (ok and user and user["is_active"]):
            per_account.hit(account)
            per_address.hit(address)
            raise UnauthorizedError("wrong email or password")
        per_account.clear(account)
        return await issue_for_user(int(user["id"]))

    @post("/v1/token/refresh", status_code=200, summary="Exchange a refresh token for new tokens")
    async def refresh(data: Refresh) -> TokenOut:
        digest = _digest(data.refresh_token)
        reused = False
        async with db.write(actor="identity", request_id=uuid.uuid4().hex, source="identity") as conn:
            row = await (
                await conn.execute(
                    "SELECT id, user_id, expires_at, revoked_at FROM refresh_tokens WHERE token_hash = %s FOR UPDATE",
                    (digest,),
                )
            ).fetchone()
            if row is None or row["expires_at"] <= datetime.now(UTC):
                raise UnauthorizedError("the refresh token is unknown or expired")
            if row["revoked_at"] is not None:
                # a spent token presented again: someone else may hold it, so end every session of the user
                # (committed before answering, hence the flag instead of raising in the transaction)
                await conn.execute(
                    "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL",
                    (row["user_id"],),
                )
                reused = True
            else:
                await conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE id = %s", (row["id"],))
        if reused:
            raise UnauthorizedError("the refresh token was already used; every session of this user is revoked")
        return await issue_for_user(int(row["user_id"]))

    @post("/v1/token/revoke", status_code=204, summary="Revoke a refresh token and/or the presented access token")
    async def revoke(data: Refresh, request: Request[Any, Any, Any]) -> None:
        async with db.write(actor="identity", request_id=uuid.uuid4().hex, source="identity") as conn:
            await conn.execute(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = %s AND revoked_at IS NULL",
                (_digest(data.refresh_token),),
            )
            bearer = request.headers.get("authorization", "")
            if bearer.lower().startswith("bearer "):
                try:
                    claims = jwt.decode(bearer[7:], options={"verify_signature": False})
                except jwt.PyJWTError:
                    claims = {}
                if isinstance(claims.get("jti"), str) and isinstance(claims.get("exp"), int):
                    # only ever makes a token less valid, so the signature does not matter here
                    await conn.execute(
                        "INSERT INTO revoked_tokens (jti, expires_at) VALUES (%s, to_timestamp(%s)) "
                        "ON CONFLICT DO NOTHING",
                        (claims["jti"], claims["exp"]),
                    )

    @post("/v1/client-token", status_code=200, summary="Client credentials of a website -> public token")
    async def client_token(data: ClientLogin, request: Request[Any, Any, Any]) -> TokenOut:
        address = request.client.host if request.client else "?"
        limited((per_account, f"client:{data.client_id}"), (per_address, address))
        async with db.read() as conn:
            client = await (
                await conn.execute(
                    "SELECT org_id, secret_hash FROM api_clients WHERE client_id = %s AND revoked_at IS NULL",
                    (data.client_id,),
                )
            ).fetchone()
        if not verify_secret(data.client_secret, client["secret_hash"] if client else _DUMMY_HASH) or not client:
            per_account.hit(f"client:{data.client_id}")
            per_address.hit(address)
            raise UnauthorizedError("wrong client id or secret")
        token = issue_token(
            keys,
            issuer=api.issuer,
            audience="public",
            subject=f"client:{data.client_id}",
            ttl_s=api.access_token_ttl_s,
            org=int(client["org_id"]),
        )
        return TokenOut(access_token=token, expires_in=api.access_token_ttl_s)

    @post("/v1/member-token", status_code=200, summary="A member's admin token -> a public token of the organization")
    async def member_token(data: MemberTokenRequest, request: Request[Any, Any, Any]) -> TokenOut:
        principal, _claims = await authenticate(request, own_keys, audience="admin", issuer=api.issuer, db=db)
        kind, _, user = principal.subject.partition(":")
        async with db.read() as conn:
            member = await (
                await conn.execute(
                    "SELECT 1 FROM memberships WHERE org_id = %s AND user_id = %s",
                    (data.org_id, int(user) if kind == "user" and user.isdigit() else -1),
                )
            ).fetchone()
        if member is None:
            raise NotFoundError(f"organization {data.org_id} not found")
        token = issue_token(
            keys,
            issuer=api.issuer,
            audience="public",
            subject=principal.subject,
            ttl_s=api.access_token_ttl_s,
            org=data.org_id,
        )
        return TokenOut(access_token=token, expires_in=api.access_token_ttl_s)

    @get("/.well-known/jwks.json", summary="Public keys: the current and the previous")
    async def jwks() -> dict[str, Any]:
        return keys.jwks()

    @get("/healthz", summary="Liveness")
    async def healthz() -> Health:
        keys.current()  # raises (500) without a key: the app cannot sign anything
        return Health(status="ok")

    return Litestar(
        route_handlers=[login, refresh, revoke, client_token, member_token, jwks, healthz],
        on_startup=[db.open],
        on_shutdown=[db.close],
        exception_handlers=handlers,
        cors_config=cors_config(api),
        openapi_config=OpenAPIConfig(title="R-Stat identity", version="1"),
        request_max_body_size=api.max_body_bytes,
    )
