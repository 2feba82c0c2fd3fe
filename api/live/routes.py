"""The live feed's routes for the public app: the WebSocket, SSE and the process's ``/metrics``."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar import Request, Response, get
from litestar.handlers import BaseRouteHandler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.errors import NotFoundError
from api.live.service import LiveFeed
from api.live.sse import sse_route
from api.live.ws import websocket_route
from api.public.access import Access

__all__ = ["live_routes"]


def _metrics_route(live: LiveFeed) -> BaseRouteHandler:
    networks = [ipaddress.ip_network(n.strip()) for n in live.config.metrics_from.split(",") if n.strip()]

    @get("/metrics", include_in_schema=False, name="metrics")
    async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
        """Prometheus metrics of this process, for the networks ``live.metrics_from`` names only."""
        host = request.client.host if request.client else ""
        try:
            allowed = any(ipaddress.ip_address(host) in n for n in networks)
        except ValueError:
            allowed = False
        if not allowed:
            raise NotFoundError("not found")
        return Response(generate_latest(live.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return metrics


def live_routes(live: LiveFeed, access: Access) -> list[BaseRouteHandler]:
    return [websocket_route(live, access), sse_route(live, access), _metrics_route(live)]
