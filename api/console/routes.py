"""``GET /console/`` (the console's page), ``/console/rstat-console.js`` (its script: the stable loader and
the hashed bundle), ``/console/sw.js`` (the service worker that lets the page load offline) and the app
manifest and icons that let a phone install it.

Everything here is anonymous: a page, a script and icons carry no data; the page signs in itself at the
identity app. The page lives at ``/console/`` so that the worker's default scope, the folder of ``/console/sw.js``,
covers it (and it loads offline); ``/console`` redirects there (the router sends both to one handler, which
tells them apart by the request's path). The worker is served under one stable URL,
never cached by HTTP (a browser checks it for updates by fetching that URL), as browsers require.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.handlers import BaseRouteHandler
from litestar.response import Redirect

from api.bundles import Bundles, serve_bundle
from api.errors import NotFoundError

__all__ = ["CONSOLE_BUNDLE", "WORKER_BUNDLE", "console_routes", "page"]

CONSOLE_BUNDLE = "rstat-console"
WORKER_BUNDLE = "rstat-console-sw"
#: the installable app's files, copied by web/build.mjs from web/public/console into web/dist/console
ASSETS = {
    "manifest.webmanifest": "application/manifest+json",
    "icon.svg": "image/svg+xml",
    "icon-192.png": "image/png",
    "icon-512.png": "image/png",
}
ASSET_MAX_AGE_S = 3600


def page(identity_url: str, public_url: str) -> str:
    identity = html.escape(identity_url, quote=True)
    public = html.escape(public_url, quote=True)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#14532d">
<title>R-Stat console</title>
<link rel="manifest" href="/console/manifest.webmanifest">
<link rel="icon" href="/console/icon.svg" type="image/svg+xml">
<link rel="apple-touch-icon" href="/console/icon-192.png">
<style>
html {{ -webkit-text-size-adjust: 100%; }}
body {{ margin: 0; font-family: system-ui, sans-serif; background: #f6f7f9; color: #1b1f24; }}
</style>
<script type="module" src="/console/{CONSOLE_BUNDLE}.js"></script>
</head>
<body>
<rstat-console identity="{identity}" public="{public}"></rstat-console>
<noscript>The R-Stat console needs JavaScript.</noscript>
</body>
</html>
"""


def console_routes(*, bundles: Bundles, identity_url: str, public_url: str) -> list[BaseRouteHandler]:
    body = page(identity_url, public_url)
    assets = bundles.dist / "console"

    @get("/console/", include_in_schema=False, opt={"anonymous": True}, name="console-page")
    async def console_page(request: Request[Any, Any, Any]) -> Response[str] | Redirect:
        if not request.scope.get("raw_path", b"/").split(b"?")[0].endswith(b"/"):
            return Redirect("/console/", status_code=308)
        # no-cache: revalidated on every load (the worker serves it when there is no connection)
        return Response(body, media_type="text/html", headers={"Cache-Control": "no-cache"})

    @get("/console/{file:str}", include_in_schema=False, opt={"anonymous": True}, name="console-file")
    async def console_file(file: str, request: Request[Any, Any, Any]) -> Response[bytes]:
        if file == "sw.js":
            worker = bundles.dist / bundles.hashed(WORKER_BUNDLE)
            headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/console/"}
            return Response(worker.read_bytes(), media_type="text/javascript", headers=headers)
        if file in ASSETS:
            path: Path = assets / file
            if not path.is_file():
                raise NotFoundError(f"{file} is missing from {assets}: run `make web`")
            cache = f"public, max-age={ASSET_MAX_AGE_S}"
            return Response(path.read_bytes(), media_type=ASSETS[file], headers={"Cache-Control": cache})
        return serve_bundle(bundles, (CONSOLE_BUNDLE,), file, request)

    return [console_page, console_file]
