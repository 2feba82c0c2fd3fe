"""Who is calling: the bearer token verified, turned into a Principal the handlers authorize against.

Admin tokens carry the user's memberships (``orgs``: organization id -> role); public tokens are bound to
one organization (``org``). Every admin request also checks that the token was not revoked (one indexed
lookup by ``jti``), so a logout takes effect before the token expires.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.connection import ASGIConnection

from api.db import Database
from api.errors import ForbiddenError, NotFoundError, UnauthorizedError
from api.tokens import JwksCache, verify_token

__all__ = ["ROLES", "Principal", "authenticate"]

#: what each role may do, from least to most
ROLES = ("viewer", "scorer", "editor", "owner")


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    subject: str
    orgs: dict[int, str] = msgspec.field(default_factory=dict)
    request_id: str = ""

    def role_in(self, org_id: int) -> str:
        """The caller's role in ``org_id``; an organization the caller is not a member of does not exist
        for them (404, not 403: its existence is not revealed)."""
        role = self.orgs.get(org_id)
        if role is None:
            raise NotFoundError(f"organization {org_id} not found")
        return role

    def require(self, org_id: int, allowed: tuple[str, ...]) -> str:
        role = self.role_in(org_id)
        if role not in allowed:
            raise ForbiddenError(f"the {role} role cannot do this; it needs one of: {', '.join(allowed)}")
        return role


def _bearer(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("a bearer token is required (Authorization: Bearer <token>)")
    return token.strip()


async def authenticate(
    request: ASGIConnection[Any, Any, Any, Any], jwks: JwksCache, *, audience: str, issuer: str, db: Database | None
) -> tuple[Principal, dict[str, Any]]:
    claims = await verify_token(_bearer(request), jwks, audience=audience, issuer=issuer)
    if db is not None:
        async with db.read() as conn:
            revoked = await (
                await conn.execute("SELECT 1 FROM revoked_tokens WHERE jti = %s", (claims["jti"],))
            ).fetchone()
        if revoked:
            raise UnauthorizedError("the token has been revoked")
    raw = claims.get("orgs") or {}
    orgs = {int(k): str(v) for k, v in raw.items() if str(v) in ROLES} if isinstance(raw, dict) else {}
    if isinstance(claims.get("org"), int):
        orgs[int(claims["org"])] = "viewer"
    request_id = request.headers.get("x-request-id") or claims["jti"]
    return Principal(subject=str(claims["sub"]), orgs=orgs, request_id=request_id[:100]), claims
