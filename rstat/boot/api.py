"""Bootstrap of the HTTP apps: settings read once, the adapters built, the app handed them.

uvicorn imports the three factories by string (``rstat.boot.api:<app>_app``) in every worker process, so each
worker builds its own adapters; nothing else imports this module, which keeps Litestar out of the other
commands. Building connects to nothing: the database pool opens with the app's startup, the JWKS is fetched
for the first token to verify, and the signing keys are read for the first token to sign.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
from litestar import Litestar

from api.admin.app import create_admin_app
from api.bundles import Bundles
from api.console.routes import console_routes
from api.db import Database
from api.identity import create_identity_app
from api.keys import KeyStore
from api.live.feed import Topics
from api.live.service import LiveFeed
from api.ops.config import OpsConfig
from api.ops.panels import load_panels
from api.ops.routes import ops_routes
from api.ops.scrape import Scraper
from api.public.app import create_public_app
from api.tokens import HttpKeySource, JwksCache
from rstat.error_reports import init_error_reports
from rstat.settings import Settings, load_settings

__all__ = ["admin_app", "identity_app", "public_app"]


def _database(settings: Settings) -> Database:
    return Database(settings.postgres.app_dsn(), settings.api.pool_size)


def _jwks(settings: Settings) -> JwksCache:
    api = settings.api
    return JwksCache(HttpKeySource(api.jwks()), api.jwks_cache_s, api.jwks_min_refetch_s)


def identity_app() -> Litestar:
    settings = load_settings()
    init_error_reports(settings, "rstat api identity")  # a uvicorn worker process starts here, not in main()
    return create_identity_app(settings.api, db=_database(settings), keys=KeyStore(settings.keys_path()))


#: the shared panels (deploy/metrics/queries.json) of a checkout or an image built from one
QUERIES = Path(__file__).resolve().parents[2] / "deploy" / "metrics" / "queries.json"


def ops_config(settings: Settings) -> OpsConfig:
    """The operations page's section, its empty fields derived from the other sections: the CDC reader's
    and the stream processor's metrics ports, the public app's /metrics, the identity app's URL."""
    ops = settings.ops
    api = settings.api
    targets = ops.targets or {
        "rstat-cdc": f"http://127.0.0.1:{settings.cdc.metrics_port}/metrics",
        "rstat-streams": f"http://{settings.streams.metrics_host}:{settings.streams.metrics_port}/metrics",
        "rstat-public": f"http://{api.host}:{api.public_port}/metrics",
    }
    return msgspec.structs.replace(
        ops,
        targets={job: url for job, url in targets.items() if not url.endswith(":0/metrics")},
        queries=ops.queries or str(QUERIES),
        identity_url=ops.identity_url or api.browser_identity_url(),
    )


def admin_app() -> Litestar:
    settings = load_settings()
    init_error_reports(settings, "rstat api admin")  # a uvicorn worker process starts here, not in main()
    ops = ops_config(settings)
    scraper = Scraper(
        ops.targets,
        timeout_s=ops.timeout_s,
        min_interval_s=ops.min_interval_s,
        keep_s=ops.keep_s,
        interval_s=ops.interval_s,
        idle_s=ops.idle_s,
    )
    bundles = Bundles(Path(settings.api.web_dist))
    routes = ops_routes(
        scraper=scraper, panels=load_panels(Path(ops.queries)), bundles=bundles, identity_url=ops.identity_url
    )
    routes += console_routes(
        bundles=bundles,
        identity_url=settings.api.browser_identity_url(),
        public_url=settings.api.browser_public_url(),
    )
    audit_url = settings.audit.credentialed(settings.api.audit_url or settings.audit.endpoint())
    api = msgspec.structs.replace(settings.api, audit_url=audit_url)
    return create_admin_app(api, db=_database(settings), jwks=_jwks(settings), extra_routes=routes)


def _live(settings: Settings, db: Database) -> LiveFeed | None:
    """The live feed over the stream processor's output topics (its section names them)."""
    if not settings.live.enabled:
        return None
    streams = settings.streams
    topics = Topics(
        notices=streams.notices_topic,
        standings=streams.standings_topic,
        live_standings=streams.live_standings_topic,
        players=streams.players_topic,
        predictions=streams.predictions_topic,
    )
    return LiveFeed(settings.live, db, settings.kafka.bootstrap(), topics)


def public_app() -> Litestar:
    settings = load_settings()
    init_error_reports(settings, "rstat api public")  # a uvicorn worker process starts here, not in main()
    db = _database(settings)
    return create_public_app(
        settings.api,
        db=db,
        jwks=_jwks(settings),
        live=_live(settings, db),
        bundles=Bundles(Path(settings.api.web_dist)),
        site=settings.site_path(),
    )
