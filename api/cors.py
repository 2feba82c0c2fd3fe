"""Cross-origin access for browsers: the widgets run on other websites' pages and the console on its own
origin, and every credential travels in a header (``Authorization``, ``X-API-Key``), never in a cookie, so
allowing an origin lets its pages send only what they already hold."""

from __future__ import annotations

from litestar.config.cors import CORSConfig

from api.config import ApiConfig

__all__ = ["cors_config"]


def cors_config(api: ApiConfig) -> CORSConfig | None:
    origins = api.cors_list()
    if not origins:
        return None
    return CORSConfig(
        allow_origins=origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "X-API-Key", "Content-Type", "If-None-Match", "X-Request-Id"],
        expose_headers=["ETag", "Retry-After", "Location"],
        allow_credentials=False,
        max_age=600,
    )
