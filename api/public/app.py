"""``rstat api public``: the app assembled from its controllers over adapters the bootstrap built."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.di import Provide

from api.config import ApiConfig
from api.db import Database
from api.errors import handlers
from api.health import Health
from api.openapi import openapi_config
from api.public.access import Access
from api.public.controllers import CompetitionsController, ContentController, MatchesController, PeopleController
from api.public.replies import Answers
from api.tokens import JwksCache

__all__ = ["create_public_app"]


@get("/healthz", summary="Liveness")
async def healthz() -> Health:
    return Health(status="ok")


def create_public_app(config: ApiConfig, *, db: Database, jwks: JwksCache) -> Litestar:
    """The app over adapters built by the process's bootstrap; ``db`` opens with the app's startup."""
    access = Access(config, db, jwks, Answers(config.public_cache_s))
    return Litestar(
        route_handlers=[CompetitionsController, MatchesController, PeopleController, ContentController, healthz],
        dependencies={"c": Provide(access.ctx)},
        on_startup=[db.open],
        on_shutdown=[db.close],
        exception_handlers=handlers,
        request_max_body_size=config.max_body_bytes,
        openapi_config=openapi_config("R-Stat public API", api_key=True),
    )
