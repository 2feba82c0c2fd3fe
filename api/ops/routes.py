"""The operations page's routes in the admin app: ``GET /ops`` (the page), ``/ops/<bundle>`` (its script)
and ``GET /v1/ops/metrics`` (what the page draws).

The page and its script are anonymous: they carry no data, and the page logs in itself (a form posting
to the identity app). The metrics are for owners: the admin app's guard has authenticated the caller, and
only a user who owns at least one organization may see how the whole installation is doing (the numbers
span every organization).
"""

from __future__ import annotations

import html
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.handlers import BaseRouteHandler

from api.auth import Principal
from api.bundles import Bundles, bundle_routes
from api.errors import ForbiddenError
from api.ops.panels import Panel, PanelValue, evaluate_panels
from api.ops.scrape import Scraper

__all__ = ["OpsMetrics", "ProcessHealth", "ops_routes", "require_owner"]

OPS_BUNDLE = "rstat-ops"


class ProcessHealth(msgspec.Struct, frozen=True, kw_only=True):
    job: str
    url: str
    up: bool
    healthy: bool | None
    error: str
    scraped_at: float
    duration_s: float


class OpsMetrics(msgspec.Struct, frozen=True, kw_only=True):
    #: when the samples in use were scraped (seconds since the epoch)
    scraped_at: float
    #: seconds of scrapes the panels read (a panel whose ``range_s`` is longer is still filling its window)
    history_s: float
    processes: list[ProcessHealth]
    panels: list[PanelValue]


def require_owner(principal: Principal) -> None:
    """Owners of at least one organization only (403 for anyone else signed in)."""
    if "owner" not in principal.orgs.values():
        raise ForbiddenError("the operations page is for owners of an organization; this user owns none")


def page(identity_url: str) -> str:
    identity = html.escape(identity_url, quote=True)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>R-Stat operations</title>
<style>body {{ margin: 0; font-family: system-ui, sans-serif; background: #f6f7f9; color: #1b1f24; }}</style>
<script type="module" src="/ops/{OPS_BUNDLE}.js"></script>
</head>
<body>
<rstat-ops identity="{identity}" metrics="/v1/ops/metrics"></rstat-ops>
<noscript>The operations page needs JavaScript.</noscript>
</body>
</html>
"""


def ops_routes(*, scraper: Scraper, panels: list[Panel], bundles: Bundles, identity_url: str) -> list[BaseRouteHandler]:
    body = page(identity_url)

    @get("/ops", include_in_schema=False, opt={"anonymous": True}, name="ops-page")
    async def ops_page() -> Response[str]:
        return Response(body, media_type="text/html", headers={"Cache-Control": "no-cache"})

    @get("/v1/ops/metrics", tags=["operations"], summary="Operations: each process's health and the panels' values")
    async def ops_metrics(request: Request[Any, Any, Any]) -> Response[OpsMetrics]:
        require_owner(request.state.principal)
        now = await scraper.watched()
        found = OpsMetrics(
            scraped_at=now,
            history_s=scraper.history_s,
            processes=[ProcessHealth(**vars(h)) for _job, h in sorted(scraper.health.items())],
            panels=evaluate_panels(panels, scraper.current(), now),
        )
        return Response(found, headers={"Cache-Control": "no-store"})

    return [ops_page, ops_metrics, *bundle_routes(bundles, "ops", (OPS_BUNDLE,))]
