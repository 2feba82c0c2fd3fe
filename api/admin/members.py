"""Organizations and their members: any user may create an organization (and owns it); only owners manage
members (website API clients: ``clients.py``). The last owner cannot be removed or demoted (the organization would be
orphaned). New roles show in the member's tokens from their next login or refresh."""

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from litestar import delete, get, patch, post
from litestar.handlers import HTTPRouteHandler

from api.admin.deps import Caller, Db
from api.admin.resources import OWNER
from api.auth import ROLES
from api.db import Database, attribute
from api.errors import ConflictError, InvalidError, NotFoundError
from api.passwords import hash_secret

__all__ = [
    "Member",
    "MemberAdded",
    "MemberRole",
    "Membership",
    "Organization",
    "member_handlers",
    "user_id_of",
]

# the columns' rules (schemas/sql), refused in words before the database refuses them by a constraint's name
OrgSlug = Annotated[str, msgspec.Meta(pattern="^[a-z0-9][a-z0-9-]{1,62}$")]
OrgName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Email = Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+$")]
Role = Literal[ROLES]  # type: ignore[valid-type]


class OrganizationCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: OrgSlug
    name: OrgName


class OrganizationUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: OrgName


class MemberCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email
    role: Role
    #: creates the user when no user has this email yet
    password: str | None = None
    display_name: str = ""


class MemberUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    role: Role


class Organization(msgspec.Struct, frozen=True):
    id: int
    slug: str
    name: str
    created_at: dt.datetime


class Membership(msgspec.Struct, frozen=True):
    """One of the caller's organizations, with the caller's role in it."""

    id: int
    slug: str
    name: str
    role: str


class Member(msgspec.Struct, frozen=True):
    user_id: int
    email: str
    display_name: str
    role: str


class MemberAdded(msgspec.Struct, frozen=True):
    user_id: int
    email: str
    role: str


class MemberRole(msgspec.Struct, frozen=True):
    user_id: int
    role: str


def user_id_of(principal: Caller) -> int:
    kind, _, value = principal.subject.partition(":")
    if kind != "user":
        raise NotFoundError("only users have organizations")
    return int(value)


def member_handlers() -> list[HTTPRouteHandler]:
    members = "/v1/orgs/{org_id:int}/members"
    tag = ["organizations"]

    @get("/v1/orgs", tags=tag, summary="The caller's organizations and roles")
    async def my_orgs(principal: Caller, db: Db) -> list[Membership]:
        async with db.read() as conn:
            rows = await (
                await conn.execute(
                    "SELECT o.id, o.slug, o.name, m.role::text AS role FROM memberships m "
                    "JOIN organizations o ON o.id = m.org_id WHERE m.user_id = %s ORDER BY o.id",
                    (user_id_of(principal),),
                )
            ).fetchall()
        return msgspec.convert(rows, list[Membership])

    @post("/v1/orgs", tags=tag, status_code=201, summary="Create an organization; the caller owns it")
    async def create_org(data: OrganizationCreate, principal: Caller, db: Db) -> Organization:
        user = user_id_of(principal)
        async with db.write(actor=principal.subject, request_id=principal.request_id, source="admin-api") as conn:
            org = await (
                await conn.execute(
                    "INSERT INTO organizations (slug, name) VALUES (%s, %s) RETURNING *", (data.slug, data.name)
                )
            ).fetchone()
            assert org is not None
            await attribute(
                conn, actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org["id"]
            )
            await conn.execute(
                "INSERT INTO memberships (org_id, user_id, role) VALUES (%s, %s, 'owner')", (org["id"], user)
            )
        return msgspec.convert(org, Organization)

    @patch("/v1/orgs/{org_id:int}", tags=tag, summary="Rename an organization (owners)")
    async def update_org(org_id: int, data: OrganizationUpdate, principal: Caller, db: Db) -> Organization:
        principal.require(org_id, OWNER)
        async with db.write(
            actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
        ) as conn:
            org = await (
                await conn.execute("UPDATE organizations SET name = %s WHERE id = %s RETURNING *", (data.name, org_id))
            ).fetchone()
        if org is None:
            raise NotFoundError(f"organization {org_id} not found")
        return msgspec.convert(org, Organization)

    @get(members, tags=tag, summary="Members of an organization")
    async def list_members(org_id: int, principal: Caller, db: Db) -> list[Member]:
        principal.require(org_id, OWNER)
        async with db.read() as conn:
            rows = await (
                await conn.execute(
                    "SELECT u.id AS user_id, u.email, u.display_name, m.role::text AS role FROM memberships m "
                    "JOIN users u ON u.id = m.user_id WHERE m.org_id = %s ORDER BY u.id",
                    (org_id,),
                )
            ).fetchall()
        return msgspec.convert(rows, list[Member])

    @post(members, tags=tag, status_code=201, summary="Add a member (creating the user if a password is given)")
    async def add_member(org_id: int, data: MemberCreate, principal: Caller, db: Db) -> MemberAdded:
        principal.require(org_id, OWNER)
        role = data.role
        async with db.write(
            actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
        ) as conn:
            user = await (
                await conn.execute("SELECT id FROM users WHERE lower(email) = lower(%s)", (data.email,))
            ).fetchone()
            if user is None:
                if not data.password:
                    raise NotFoundError(f"no user with email {data.email}; give a password to create one")
                if len(data.password) < 10:
                    raise InvalidError("a password needs at least 10 characters", extra={"fields": ["password"]})
                user = await (
                    await conn.execute(
                        "INSERT INTO users (email, password_hash, display_name) VALUES (%s, %s, %s) RETURNING id",
                        (data.email, hash_secret(data.password), data.display_name),
                    )
                ).fetchone()
                assert user is not None
            await conn.execute(
                "INSERT INTO memberships (org_id, user_id, role) VALUES (%s, %s, %s)", (org_id, user["id"], role)
            )
        return MemberAdded(user_id=int(user["id"]), email=data.email, role=role)

    async def _owners_left(conn: Any, org_id: int, user_id: int) -> int:
        row = await (
            await conn.execute(
                "SELECT count(*) AS n FROM memberships WHERE org_id = %s AND role = 'owner' AND user_id <> %s",
                (org_id, user_id),
            )
        ).fetchone()
        return int(row["n"])

    @patch(f"{members}/{{user_id:int}}", tags=tag, summary="Change a member's role")
    async def update_member(
        org_id: int, user_id: int, data: MemberUpdate, principal: Caller, db: Database
    ) -> MemberRole:
        principal.require(org_id, OWNER)
        role = data.role
        async with db.write(
            actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
        ) as conn:
            if role != "owner" and not await _owners_left(conn, org_id, user_id):
                raise ConflictError("the last owner cannot be demoted")
            row = await (
                await conn.execute(
                    "UPDATE memberships SET role = %s WHERE org_id = %s AND user_id = %s RETURNING user_id",
                    (role, org_id, user_id),
                )
            ).fetchone()
        if row is None:
            raise NotFoundError(f"user {user_id} is not a member")
        return MemberRole(user_id=user_id, role=role)

    @delete(f"{members}/{{user_id:int}}", tags=tag, status_code=204, summary="Remove a member")
    async def remove_member(org_id: int, user_id: int, principal: Caller, db: Db) -> None:
        principal.require(org_id, OWNER)
        async with db.write(
            actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
        ) as conn:
            if not await _owners_left(conn, org_id, user_id):
                raise ConflictError("the last owner cannot be removed")
            row = await (
                await conn.execute(
                    "DELETE FROM memberships WHERE org_id = %s AND user_id = %s RETURNING user_id", (org_id, user_id)
                )
            ).fetchone()
        if row is None:
            raise NotFoundError(f"user {user_id} is not a member")

    return [my_orgs, create_org, update_org, list_members, add_member, update_member, remove_member]
