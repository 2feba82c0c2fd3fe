"""Both gateways' OpenAPI documents describe real response bodies: schemathesis checks answers against
them, and a route typed ``Any`` (schema ``{}``) would let any answer pass. The apps are built over adapters
that never connect: a pool that is never opened and a key source that is never asked."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar

from api.admin.app import create_admin_app
from api.config import ApiConfig
from api.db import Database
from api.public.app import create_public_app
from api.tokens import JwksCache

# Litestar 2.25 warns about parameters it infers (path and query parameters by name); they work until 3.0
pytestmark = pytest.mark.filterwarnings("ignore::litestar.exceptions.LitestarDeprecationWarning")


class _NoKeys:
    async def fetch(self) -> dict[str, Any]:
        raise AssertionError("building an app must not fetch keys")


def _apps() -> dict[str, Litestar]:
    config = ApiConfig()
    db = Database("postgresql://nobody@invalid.invalid/none", 1)
    jwks = JwksCache(_NoKeys(), 300.0)
    return {"admin": create_admin_app(config, db=db, jwks=jwks), "public": create_public_app(config, db=db, jwks=jwks)}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _vague(schema: dict[str, Any], components: dict[str, Any]) -> str | None:
    """Why ``schema`` does not describe a body (None when it does): empty, a bare object, an array of those."""
    schema = _resolve(schema, components)
    if not schema:
        return "an empty schema"
    if "oneOf" in schema or "anyOf" in schema:
        reasons = [_vague(s, components) for s in schema.get("oneOf", schema.get("anyOf", []))]
        return next((r for r in reasons if r), None)
    if schema.get("type") == "array":
        inner = _vague(schema.get("items", {}), components)
        return f"an array of {inner}" if inner else None
    if schema.get("type") == "object" and not schema.get("properties"):
        return "an object without properties"
    return None


@pytest.mark.parametrize("name", ["admin", "public"])
def test_every_success_response_has_a_concrete_schema(name: str) -> None:
    doc = _apps()[name].openapi_schema.to_schema()
    components = doc.get("components", {}).get("schemas", {})
    problems, checked = [], 0
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                checked += 1
                content = response.get("content", {})
                if "application/json" not in content:
                    problems.append(f"{method.upper()} {path} {status}: no JSON body described")
                    continue
                reason = _vague(content["application/json"].get("schema", {}), components)
                if reason:
                    problems.append(f"{method.upper()} {path} {status}: {reason}")
    assert checked > (60 if name == "admin" else 12)
    assert not problems, "\n".join(problems)


def test_building_the_apps_opens_no_connection() -> None:
    for app in _apps().values():
        assert app.openapi_schema.paths
    db = Database("postgresql://nobody@invalid.invalid/none", 1)
    create_public_app(ApiConfig(), db=db, jwks=JwksCache(_NoKeys(), 300.0))
    assert db.pool.closed
