"""``rstat api public``: the app assembled from its controllers over adapters the bootstrap built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, Router, get
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler
from litestar.static_files import create_static_files_router

from api.bundles import Bundles, bundle_routes
from api.config import ApiConfig
from api.cors import cors_config
from api.db import Database
from api.errors import handlers
from api.live.routes import live_routes
from api.live.service import LiveFeed
from api.openapi import openapi_config
from api.public.access import Access
from api.public.controllers import CompetitionsController, ContentController, MatchesController, PeopleController
from api.public.predictions import PredictionsController
from api.public.replies import Answers
from api.tokens import JwksCache

__all__ = ["create_public_app"]


class LiveHealth(msgspec.Struct, frozen=True):
    #: current (read the topics up to where they stood at start, and keeps up), catching up, down, off
    state: str
    lag_messages: int = 0
    error: str = ""


class PublicHealth(msgspec.Struct, frozen=True):
    status: str
    live: LiveHealth


def create_public_app(
    config: ApiConfig,
    *,
    db: Database,
    jwks: JwksCache,
    live: LiveFeed | None = None,
    bundles: Bundles | None = None,
    site: Path | None = None,
) -> Litestar:
    """The app over adapters built by the process's bootstrap; ``db`` opens with the app's startup, and the
    live feed (when there is one) starts with it too. ``bundles`` are the widgets' scripts (``/widgets/``)
    and ``site`` a folder of static pages (``/site/``: the demo website), both anonymous: a page and its
    scripts carry no data, the widgets fetch it with the website's credential."""
    access = Access(config, db, jwks, Answers(config.public_cache_s))

    @get("/healthz", summary="Liveness, and whether the live feed has caught up with the topics")
    async def healthz() -> PublicHealth:
        state = msgspec.convert(live.health(), LiveHealth) if live is not None else LiveHealth(state="off")
        return PublicHealth(status="ok", live=state)

    routes: list[Any] = [
        CompetitionsController,
        MatchesController,
        PeopleController,
        ContentController,
        PredictionsController,
        healthz,
    ]
    extra: list[BaseRouteHandler | Router] = [*live_routes(live, access)] if live is not None else []
    if bundles is not None:
        extra += bundle_routes(bundles, "widgets", ("rstat-widgets",))
    if site is not None:
        site.mkdir(parents=True, exist_ok=True)
        extra.append(create_static_files_router(path="/site", directories=[site], html_mode=True, name="site"))
    return Litestar(
        route_handlers=[*routes, *extra],
        dependencies={"c": Provide(access.ctx)},
        on_startup=[db.open, *([live.start] if live is not None else [])],
        on_shutdown=[*([live.stop] if live is not None else []), db.close],
        exception_handlers=handlers,
        cors_config=cors_config(config),
        request_max_body_size=config.max_body_bytes,
        openapi_config=openapi_config("R-Stat public API", api_key=True),
    )
