"""Bulk import of teams, players and matches: a JSON array or a CSV file (header = field names), all or
nothing. Every row is validated and inserted in one transaction, each under a savepoint so that every bad
row is found, not only the first; if any row fails, nothing is written and the report names each one
(its number, counting data rows from 1, and what is wrong with it)."""

import csv
import io
from typing import Any

import msgspec
import psycopg
from litestar import Request, post
from litestar.handlers import HTTPRouteHandler

from api.admin.deps import Caller
from api.admin.resources import EDIT, RESOURCES
from api.admin.rows import insert_row
from api.db import Database
from api.errors import ApiError, InvalidError, NotFoundError

__all__ = ["Imported", "bulk_handlers"]

IMPORTABLE = ("teams", "players", "matches")
MAX_ROWS = 5000


def _rows(body: bytes, content_type: str) -> list[dict[str, Any]]:
    if "csv" in content_type:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidError("the CSV file is not UTF-8") from exc
        return [{k: (v if v != "" else None) for k, v in row.items() if k} for row in csv.DictReader(io.StringIO(text))]
    try:
        rows = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise InvalidError(f"the body is not JSON: {exc}") from exc
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidError("the body must be a JSON array of objects (or a CSV file with Content-Type text/csv)")
    return rows


class Imported(msgspec.Struct, frozen=True):
    imported: int
    #: the new rows' ids, in the order of the rows sent
    ids: list[int]


def bulk_handlers() -> list[HTTPRouteHandler]:
    @post(
        "/v1/orgs/{org_id:int}/import/{kind:str}",
        tags=["import"],
        status_code=201,
        summary="Import teams, players or matches (JSON array or CSV), all or nothing",
    )
    async def bulk_import(
        org_id: int, kind: str, request: Request[Any, Any, Any], principal: Caller, db: Database
    ) -> Imported:
        principal.require(org_id, EDIT)
        if kind not in IMPORTABLE:
            raise NotFoundError(f"cannot import {kind!r}; importable: {', '.join(IMPORTABLE)}")
        resource = RESOURCES[kind]
        rows = _rows(await request.body(), request.headers.get("content-type", ""))
        if not rows or len(rows) > MAX_ROWS:
            raise InvalidError(f"send between 1 and {MAX_ROWS} rows")
        create = resource.create_type()
        errors: list[dict[str, Any]] = []
        created: list[int] = []
        async with db.write(
            actor=principal.subject, request_id=principal.request_id, source="admin-api", org=org_id
        ) as conn:
            for number, raw in enumerate(rows, start=1):
                try:
                    item = msgspec.convert(raw, create, strict=False)
                except msgspec.ValidationError as exc:
                    errors.append({"row": number, "detail": str(exc)})
                    continue
                try:
                    async with conn.transaction():  # a savepoint: a bad row does not end the transaction
                        created.append(int((await insert_row(conn, org_id, resource, item))["id"]))
                except ApiError as exc:  # a reference outside the organization, a protocol rule
                    errors.append({"row": number, "detail": exc.detail})
                except (psycopg.errors.IntegrityError, psycopg.errors.DataError) as exc:
                    errors.append({"row": number, "detail": (exc.diag.message_primary or str(exc)).strip()})
            if errors:
                # leaving the block by an exception rolls the whole import back
                raise InvalidError(
                    f"{len(errors)} of {len(rows)} rows are not valid; nothing was imported", extra={"rows": errors}
                )
        return Imported(imported=len(created), ids=created)

    return [bulk_import]
