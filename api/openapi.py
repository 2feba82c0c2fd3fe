"""The OpenAPI description shared by the apps: title, version and how callers authenticate."""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, Reference, SecurityScheme

__all__ = ["openapi_config"]


def openapi_config(title: str, *, api_key: bool = False) -> OpenAPIConfig:
    """Bearer JWTs everywhere; with ``api_key``, the ``X-API-Key`` header as an alternative (public app)."""
    schemes: dict[str, SecurityScheme | Reference] = {
        "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
    }
    if api_key:
        schemes["apiKey"] = SecurityScheme(type="apiKey", name="X-API-Key", security_scheme_in="header")
    return OpenAPIConfig(
        title=title,
        version="1",
        components=Components(security_schemes=schemes),
        security=[{name: []} for name in schemes],
    )
