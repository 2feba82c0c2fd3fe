"""``rstat api admin``: the management gateway (audience ``admin``).

Routes are generated per resource (see ``resources.py``) under ``/v1/orgs/{org_id}/<resource>``; on top
of them: members (owner only), calendar generation and bulk import. Each handler authorizes the caller's
role in the organization of the path, checks that every id it touches belongs to that organization, and
writes in one transaction that starts with the ``rstat.context`` message naming the caller.

This module does not use ``from __future__ import annotations``: the generated handlers annotate their
parameters with DTO types built at run time, and Litestar reads those annotations as objects.
"""

import logging
from collections.abc import Sequence
from typing import Annotated, Any

import msgspec
from litestar import Litestar, Request, delete, get, patch, post
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import HeaderParameter, Parameter

from api.admin.bulk import bulk_handlers
from api.admin.calendar import calendar_handler
from api.admin.checks import check_protocol, ensure_match_open
from api.admin.clients import client_handlers
from api.admin.crawl_jobs import crawl_job_handlers
from api.admin.deps import Caller, Db
from api.admin.history import history_handlers
from api.admin.idempotency import MAX_KEY, claim
from api.admin.members import member_handlers
from api.admin.queries import QUERIES, Queries
from api.admin.regulations import regulations_handler
from api.admin.resources import RESOURCES, SCORER_MATCH_FIELDS, Resource
from api.admin.rows import check_refs, insert_row
from api.admin.telegram import telegram_handlers
from api.auth import ROLES, Principal, authenticate
from api.config import ApiConfig
from api.cors import cors_config
from api.db import Database
from api.errors import ForbiddenError, NotFoundError, handlers
from api.health import Health
from api.openapi import openapi_config
from api.tenancy import ensure_in_org
from api.tokens import JwksCache

__all__ = ["create_admin_app"]

log = logging.getLogger(__name__)

MAX_PAGE = 500


def _resource_handlers(resource: Resource, queries: Queries) -> list[HTTPRouteHandler]:
    base = f"/v1/orgs/{{org_id:int}}/{resource.name}"
    create_type = resource.create_type()
    update_type = resource.update_type()
    read_type = resource.read_type()
    page_type = resource.page_type()
    tag = [resource.name]
    writers = resource.write_roles

    async def list_items(
        org_id: int,
        *,
        principal: Caller,
        db: Db,
        request: Request[Any, Any, Any],
        limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE)] = 50,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> page_type:  # type: ignore[valid-type]
        principal.require(org_id, ROLES)
        filters = {k: request.query_params[k] for k in resource.filters if k in request.query_params}
        rows_q, count_q, params = queries.listing(filters, limit=limit, offset=offset)
        async with db.read() as conn:
            rows = await (await conn.execute(rows_q, [org_id, *params])).fetchall()
            total = await (await conn.execute(count_q, [org_id, *params])).fetchone()
        page = {"items": rows, "total": int(total["n"]) if total else 0, "limit": limit, "offset": offset}
        return msgspec.convert(page, page_type)

    async def get_item(org_id: int, item_id: int, principal: Caller, db: Db) -> read_type:  # type: ignore[valid-type]
        principal.require(org_id, ROLES)
        async with db.read() as conn:
            row = await (await conn.execute(queries.get, (item_id, org_id))).fetchone()
        if row is None:
            raise NotFoundError(f"{resource.name} {item_id} not found")
        return msgspec.convert(row, read_type)

    async def create_item(
        org_id: int,
        data: create_type,  # type: ignore[valid-type]
        principal: Caller,
        db: Db,
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                min_length=1,
                max_length=MAX_KEY,
                description="Send a request again with the same key to get its first answer, never a second row",
            ),
        ] = None,
    ) -> read_type:  # type: ignore[valid-type]
        role = principal.require(org_id, writers)
        async with db.write(
            actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
        ) as conn:
            claimed = None
            if idempotency_key is not None:
                claimed = await claim(
                    conn, org_id=org_id, actor=principal.subject, key=idempotency_key, route=resource.name, request=data
                )
                if claimed.answered is not None:
                    return msgspec.convert(claimed.answered, read_type)
            if resource.name == "match_events" and role == "scorer":
                await ensure_match_open(conn, data.match_id)  # type: ignore[attr-defined]
            answer = msgspec.convert(await insert_row(conn, org_id, resource, data), read_type)
            if claimed is not None:
                await claimed.remember(answer)
        return answer

    async def update_item(
        org_id: int,
        item_id: int,
        data: update_type,  # type: ignore[valid-type]
        principal: Caller,
        db: Db,
    ) -> read_type:  # type: ignore[valid-type]
        role = principal.require(org_id, writers)
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if resource.name == "matches" and role == "scorer" and not values.keys() <= SCORER_MATCH_FIELDS:
            raise ForbiddenError(f"a scorer may change only {', '.join(sorted(SCORER_MATCH_FIELDS))} of a match")
        async with db.write(
            actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
        ) as conn:
            existing = await (await conn.execute(queries.get, (item_id, org_id))).fetchone()
            if existing is None:
                raise NotFoundError(f"{resource.name} {item_id} not found")
            if not values:
                return msgspec.convert(existing, read_type)
            if resource.name == "match_events" and role == "scorer":
                for match in {int(existing["match_id"]), int(values.get("match_id") or existing["match_id"])}:
                    await ensure_match_open(conn, match)
            await check_refs(conn, org_id, resource, values)
            await check_protocol(conn, resource.name, values, existing=existing)
            query, params = queries.update(item_id, values)
            row = await (await conn.execute(query, params)).fetchone()
        assert row is not None
        return msgspec.convert(row, read_type)

    async def delete_item(org_id: int, item_id: int, principal: Caller, db: Db) -> None:
        role = principal.require(org_id, writers)
        async with db.write(
            actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
        ) as conn:
            await ensure_in_org(conn, org_id, resource.name, item_id)
            if resource.name == "match_events" and role == "scorer":
                event = await (await conn.execute(queries.get, (item_id, org_id))).fetchone()
                assert event is not None
                await ensure_match_open(conn, int(event["match_id"]))
            await conn.execute(queries.delete, (item_id,))

    return [
        get(base, name=f"list-{resource.name}", tags=tag, summary=f"List {resource.name}")(list_items),
        get(f"{base}/{{item_id:int}}", name=f"get-{resource.name}", tags=tag)(get_item),
        post(base, name=f"create-{resource.name}", tags=tag, status_code=201)(create_item),
        patch(f"{base}/{{item_id:int}}", name=f"update-{resource.name}", tags=tag)(update_item),
        delete(f"{base}/{{item_id:int}}", name=f"delete-{resource.name}", tags=tag, status_code=204)(delete_item),
    ]


def create_admin_app(
    api: ApiConfig, *, db: Db, jwks: JwksCache, extra_routes: Sequence[BaseRouteHandler] = ()
) -> Litestar:
    """The app over adapters built by the process's bootstrap; ``db`` opens with the app's startup.
    ``extra_routes``: the operations page's (api/ops/routes.py), built by the bootstrap with its scraper."""

    async def member_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        """Authenticate, and 404 for an organization the caller is not in, before anything else (body
        validation included) can tell the caller anything about it."""
        if handler.opt.get("anonymous") or connection.url.path.startswith("/schema"):
            return  # liveness and the OpenAPI document
        found, _claims = await authenticate(connection, jwks, audience="admin", issuer=api.issuer, db=db)
        connection.state.principal = found
        if "org_id" in connection.path_params:
            found.role_in(int(connection.path_params["org_id"]))

    async def principal(request: Request[Any, Any, Any]) -> Principal:
        found: Principal = request.state.principal
        return found

    async def database() -> Database:
        return db

    @get("/healthz", summary="Liveness", opt={"anonymous": True}, security=[])
    async def healthz() -> Health:
        return Health(status="ok")

    route_handlers: list[Any] = [healthz]
    for name, resource in RESOURCES.items():
        route_handlers += _resource_handlers(resource, QUERIES[name])
    route_handlers += [*member_handlers(), *client_handlers(), calendar_handler(), *bulk_handlers()]
    route_handlers.append(regulations_handler())
    route_handlers += history_handlers(api.audit_url)
    route_handlers += crawl_job_handlers()
    route_handlers += telegram_handlers()
    route_handlers += list(extra_routes)
    return Litestar(
        route_handlers=route_handlers,
        dependencies={"principal": Provide(principal), "db": Provide(database)},
        guards=[member_guard],
        on_startup=[db.open],
        on_shutdown=[db.close],
        exception_handlers=handlers,
        cors_config=cors_config(api),
        request_max_body_size=api.max_body_bytes,
        openapi_config=openapi_config("R-Stat management API"),
    )
