"""The browser bundles built under ``web/`` (``make web``), served by the app that owns their page.

``web/dist/manifest.json`` maps each bundle's stable name to its content-hashed file. A hashed file never
changes, so it is served with a year's cache lifetime (``immutable``); the stable URL
(``/<prefix>/<name>.js``) is a one-line module that imports the current hashed file and is cached for
minutes, so a website that pasted one ``<script>`` gets a new release within those minutes and never a mix
of two.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.handlers import BaseRouteHandler

from api.errors import NotFoundError

__all__ = ["IMMUTABLE", "JS", "Bundles", "bundle_routes", "serve_bundle"]

#: a hashed bundle's file name as ``web/build.mjs`` writes it
_HASHED = re.compile(r"^[a-z][a-z0-9-]*\.[A-Z0-9]{8}\.js$")
IMMUTABLE = "public, max-age=31536000, immutable"
LOADER_MAX_AGE_S = 300
JS = "text/javascript"


class Bundles:
    """The built bundles of one ``web/dist`` folder, read once at start (a rebuild needs a restart, as a
    new release would)."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist
        manifest = dist / "manifest.json"
        self.files: dict[str, str] = json.loads(manifest.read_text()) if manifest.is_file() else {}
        self._bodies: dict[str, tuple[bytes, str]] = {}

    def hashed(self, name: str) -> str:
        """The hashed file of bundle ``name``; an error that says how to build it when it is missing."""
        try:
            return self.files[name]
        except KeyError:
            raise NotFoundError(f"the {name} bundle is not built: run `make web` (it writes {self.dist})") from None

    def body(self, file: str) -> tuple[bytes, str]:
        """A hashed file's bytes and their ETag, kept in memory after the first read."""
        if file not in self._bodies:
            if not _HASHED.match(file) or file not in self.files.values():
                raise NotFoundError(f"no bundle {file!r}")
            data = (self.dist / file).read_bytes()
            self._bodies[file] = (data, '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"')
        return self._bodies[file]


def _not_modified(request: Request[Any, Any, Any], etag: str) -> bool:
    return etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]


def serve_bundle(
    bundles: Bundles, names: tuple[str, ...], file: str, request: Request[Any, Any, Any]
) -> Response[bytes]:
    """``<name>.js`` (the stable loader of a bundle in ``names``) or a hashed bundle file."""
    stem = file.removesuffix(".js")
    if file.endswith(".js") and stem in names:
        loader = f'import "./{bundles.hashed(stem)}";\n'.encode()
        cache = f"public, max-age={LOADER_MAX_AGE_S}"
        return Response(loader, media_type=JS, headers={"Cache-Control": cache})
    data, etag = bundles.body(file)
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag}
    if _not_modified(request, etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(data, media_type=JS, headers=headers)


def bundle_routes(bundles: Bundles, prefix: str, names: tuple[str, ...]) -> list[BaseRouteHandler]:
    """``GET /<prefix>/<name>.js`` (the stable loader of each bundle in ``names``) and
    ``GET /<prefix>/<hashed file>`` (the bundle itself)."""

    @get(f"/{prefix}/{{file:str}}", include_in_schema=False, opt={"anonymous": True}, name=f"{prefix}-bundle")
    async def bundle(file: str, request: Request[Any, Any, Any]) -> Response[bytes]:
        return serve_bundle(bundles, names, file, request)

    return [bundle]
