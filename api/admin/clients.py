"""Website API clients of an organization (owners only): create one (its secret answered once, stored only
as a hash), list them, revoke one. A revoked client's tokens stop at their expiry and its API key within the
public app's recheck interval (``api.public.access``)."""

import datetime as dt
import secrets
from typing import Annotated

import msgspec
from litestar import delete, get, post
from litestar.handlers import HTTPRouteHandler

from api.admin.deps import Caller, Db
from api.admin.resources import OWNER
from api.errors import NotFoundError
from api.passwords import hash_secret

__all__ = ["Client", "ClientCreate", "ClientCredentials", "client_handlers"]

ClientName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class ClientCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ClientName


class ClientCredentials(msgspec.Struct, frozen=True):
    """A website's credentials: the secret is shown once, here, and stored only as a hash."""

    client_id: str
    client_secret: str
    name: str


class Client(msgspec.Struct, frozen=True):
    client_id: str
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def client_handlers() -> list[HTTPRouteHandler]:
    base = "/v1/orgs/{org_id:int}/api-clients"
    tag = ["organizations"]

    @post(base, tags=tag, status_code=201, summary="A website's client credentials (the secret is shown once)")
    async def create_client(org_id: int, data: ClientCreate, principal: Caller, db: Db) -> ClientCredentials:
        principal.require(org_id, OWNER)
        client_id, secret = f"rs_{secrets.token_hex(8)}", secrets.token_urlsafe(32)
        async with db.write(
            actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
        ) as conn:
            await conn.execute(
                "INSERT INTO api_clients (org_id, client_id, secret_hash, name) VALUES (%s, %s, %s, %s)",
                (org_id, client_id, hash_secret(secret), data.name),
            )
        return ClientCredentials(client_id=client_id, client_secret=secret, name=data.name)

    @get(base, tags=tag, summary="The organization's website API clients, revoked ones included")
    async def list_clients(org_id: int, principal: Caller, db: Db) -> list[Client]:
        principal.require(org_id, OWNER)
        async with db.read() as conn:
            rows = await (
                await conn.execute(
                    "SELECT client_id, name, created_at, revoked_at FROM api_clients WHERE org_id = %s ORDER BY id",
                    (org_id,),
                )
            ).fetchall()
        return msgspec.convert(rows, list[Client])

    @delete(f"{base}/{{client_id:str}}", tags=tag, status_code=204, summary="Revoke a website API client")
    async def revoke_client(org_id: int, client_id: str, principal: Caller, db: Db) -> None:
        principal.require(org_id, OWNER)
        async with db.write(
            actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
        ) as conn:
            row = await (
                await conn.execute(
                    "UPDATE api_clients SET revoked_at = coalesce(revoked_at, now()) "
                    "WHERE org_id = %s AND client_id = %s RETURNING id",
                    (org_id, client_id),
                )
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no API client {client_id!r} in this organization")

    return [create_client, list_clients, revoke_client]
