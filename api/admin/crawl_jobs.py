"""The runs of an organization's crawl jobs (the jobs themselves are a generated resource, ``crawl_jobs``):
newest first, with each run's outcome and the crawl's summary (pages, items, written, unchanged, dropped by
reason, conflicts with hand edits) or what went wrong. Written by ``rstat scheduler``; read by any member."""

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter

from api.admin.deps import Caller, Db
from api.auth import ROLES
from api.tenancy import ensure_in_org

__all__ = ["CrawlRun", "CrawlRunPage", "crawl_job_handlers"]


class CrawlRun(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    job_id: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    #: running, succeeded, failed, timed_out
    outcome: str
    summary: dict[str, Any]
    error: str | None


class CrawlRunPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[CrawlRun]
    total: int
    limit: int
    offset: int


def crawl_job_handlers() -> list[HTTPRouteHandler]:
    @get(
        "/v1/orgs/{org_id:int}/crawl_jobs/{item_id:int}/runs",
        tags=["crawl_jobs"],
        summary="A crawl job's runs, newest first",
    )
    async def list_runs(
        org_id: int,
        item_id: int,
        *,
        principal: Caller,
        db: Db,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> CrawlRunPage:
        principal.require(org_id, ROLES)
        async with db.read() as conn:
            await ensure_in_org(conn, org_id, "crawl_jobs", item_id)
            rows = await (
                await conn.execute(
                    "SELECT * FROM crawl_runs WHERE job_id = %s ORDER BY started_at DESC, id DESC LIMIT %s OFFSET %s",
                    (item_id, limit, offset),
                )
            ).fetchall()
            total = await (
                await conn.execute("SELECT count(*) AS n FROM crawl_runs WHERE job_id = %s", (item_id,))
            ).fetchone()
        page = {"items": rows, "total": int(total["n"]) if total else 0, "limit": limit, "offset": offset}
        return msgspec.convert(page, CrawlRunPage)

    return [list_runs]
