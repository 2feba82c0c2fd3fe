"""The HTTP apps' configuration section (``RSTAT__API__*``), composed by ``rstat.settings``."""

from __future__ import annotations

import msgspec

__all__ = ["ApiConfig"]


class ApiConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The three HTTP apps (``rstat api identity|admin|public``) and the tokens between them."""

    host: str = "127.0.0.1"
    identity_port: int = 8401
    admin_port: int = 8402
    public_port: int = 8403
    #: ``iss`` of every token, checked by the admin and public apps.
    issuer: str = "rstat-identity"
    #: Where the identity app keeps its RS256 signing keys (PEM, one file per key id); empty:
    #: ``<stack home>/keys``. In production a mounted secret volume.
    keys_dir: str = ""
    #: JWKS the admin and public apps verify tokens against; empty: the local identity app's.
    jwks_url: str = ""
    #: How long the admin and public apps trust a fetched JWKS before fetching it again (an unknown key id
    #: triggers one refetch at once).
    jwks_cache_s: float = 300.0
    #: Least time between two JWKS fetches, however many unknown key ids arrive: a request that needs a
    #: fetch inside it waits for it (or shares one in flight) rather than being refused.
    jwks_min_refetch_s: float = 1.0
    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 30 * 24 * 3600
    #: Failed logins allowed per account, and per client address, within ``login_window_s``.
    login_attempts_per_account: int = 5
    login_attempts_per_address: int = 20
    login_window_s: float = 60.0
    #: Requests per minute a public API client (one token's client id) may make.
    public_requests_per_minute: int = 6000
    #: ``Cache-Control: max-age`` of public answers.
    public_max_age_s: int = 10
    #: How long a public app process reuses a standings answer it built (0: never). Standings are the
    #: most-read answer by far; a second of staleness is far below what max-age already allows clients.
    public_cache_s: float = 1.0
    #: Largest request body accepted, in bytes (413 above it).
    max_body_bytes: int = 1_048_576
    #: Connections per app process to PostgreSQL.
    pool_size: int = 8
    #: Worker processes per app (uvicorn); one per core is the usual choice.
    workers: int = 1
    #: Seconds a stopping app waits for open requests before it cuts them (live SSE streams never end on
    #: their own; their browsers reconnect to another process and resume).
    shutdown_grace_s: int = 5
    #: Origins whose pages may call the apps from a browser (CORS), comma-separated; ``*``: any website,
    #: which is what embeddable widgets need (credentials travel in headers, never in cookies); empty: none.
    cors_origins: str = "*"
    #: Folder of the built browser bundles (``web/dist``, with its ``manifest.json``), relative to the
    #: working directory; the public app serves the widgets from it, the admin app the operations page.
    web_dist: str = "web/dist"
    #: The identity and public apps' URLs as browsers reach them (the console page signs in at the first and
    #: embeds widgets reading the second); empty: ``http://<host>:<port>`` of the local apps.
    identity_url: str = ""
    public_url: str = ""
    #: Static pages the public app serves under ``/site/`` (the demo website); empty: ``<stack home>/site``.
    site_dir: str = ""
    #: The audit writer's endpoint, where the admin app reads histories (only the writer may open the
    #: embedded ClickHouse); empty: the audit section's address (``RSTAT__AUDIT__URL``, host and port).
    audit_url: str = ""

    def cors_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    def browser_identity_url(self) -> str:
        return self.identity_url or f"http://{self.host}:{self.identity_port}"

    def browser_public_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.public_port}"

    def jwks(self) -> str:
        return self.jwks_url or f"http://{self.host}:{self.identity_port}/.well-known/jwks.json"
