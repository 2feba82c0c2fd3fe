"""The one settings object of every R-Stat process.

Read once, from ``RSTAT__SECTION__KEY`` environment variables, by the composition root of a process
(``load_settings()``) and passed down; nothing else in the project reads ``os.environ``. Secrets are
wrapped in :class:`Secret` so that a settings object can be logged or printed without leaking them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

__all__ = [
    "CdcSettings",
    "ClickHouseSettings",
    "KafkaSettings",
    "PostgresSettings",
    "Secret",
    "Settings",
    "SettingsError",
    "StackSettings",
    "StreamsSettings",
    "load_settings",
]

PREFIX = "RSTAT__"


class SettingsError(ValueError):
    """An environment variable names an unknown setting or holds a value of the wrong type."""


class Secret:
    """A string that never shows itself in ``repr``/``str``; call :meth:`reveal` where it is really needed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class StackSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Where ``rstat stack`` keeps the local services (all git-ignored)."""

    #: Folder of the local stack: PostgreSQL cluster, Kafka logs and jars, ClickHouse data, pid files.
    home: str = ".rstat"
    #: Unprivileged OS user that runs PostgreSQL when ``rstat`` runs as root (PostgreSQL refuses root).
    pg_os_user: str = "postgres"
    #: Seconds to wait for a service to become ready before giving up.
    start_timeout_s: float = 90.0

    @property
    def home_path(self) -> Path:
        return Path(self.home).resolve()


class PostgresSettings(msgspec.Struct, frozen=True, kw_only=True):
    """PostgreSQL, the source of truth. With ``dsn`` set the stack starts nothing and uses that server."""

    #: Full DSN of an external server (application role). Empty: the local cluster of ``rstat stack``.
    dsn: Secret = msgspec.field(default_factory=lambda: Secret(""))
    #: DSN for the replication role of an external server (``replication=database`` is added when needed).
    replication_dsn: Secret = msgspec.field(default_factory=lambda: Secret(""))
    #: Loopback port of the local cluster (not 5432, so a system server does not collide).
    port: int = 54329
    #: Host of the local cluster.
    host: str = "127.0.0.1"
    #: Database that holds the domain schema.
    database: str = "rstat"
    #: Superuser of the local cluster, used only by ``rstat stack`` and ``rstat migrate``.
    superuser: str = "rstat_admin"
    #: Password of that superuser.
    superuser_password: Secret = msgspec.field(default_factory=lambda: Secret("rstat-admin-local"))
    #: Application role: the APIs and crawlers write with it.
    app_user: str = "rstat_app"
    #: Password of the application role.
    app_password: Secret = msgspec.field(default_factory=lambda: Secret("rstat-app-local"))
    #: Replication role used by the CDC reader.
    replication_user: str = "rstat_repl"
    #: Password of the replication role.
    replication_password: Secret = msgspec.field(default_factory=lambda: Secret("rstat-repl-local"))

    @property
    def external(self) -> bool:
        return bool(self.dsn.reveal())

    def _local(self, user: str, password: Secret, database: str | None = None) -> str:
        return (
            f"host={self.host} port={self.port} dbname={database or self.database} "
            f"user={user} password={password.reveal()}"
        )

    def app_dsn(self) -> str:
        """DSN of the application role."""
        return self.dsn.reveal() or self._local(self.app_user, self.app_password)

    def admin_dsn(self, database: str | None = None) -> str:
        """DSN with the rights to migrate: the superuser locally, the given DSN on an external server."""
        if self.external:
            return self.dsn.reveal()
        return self._local(self.superuser, self.superuser_password, database)

    def repl_dsn(self) -> str:
        """DSN of the replication role (without the ``replication`` keyword)."""
        if self.external:
            return self.replication_dsn.reveal() or self.dsn.reveal()
        return self._local(self.replication_user, self.replication_password)


class KafkaSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Apache Kafka. With ``bootstrap_servers`` set the stack starts no broker and uses those."""

    #: Comma-separated ``host:port`` list of an external cluster. Empty: the local KRaft node.
    bootstrap_servers: str = ""
    #: Client port of the local broker.
    port: int = 19092
    #: Controller (KRaft quorum) port of the local node.
    controller_port: int = 19093
    #: Heap of the local broker JVM.
    heap: str = "512m"
    #: Default partition count of topics the project creates.
    partitions: int = 3

    @property
    def external(self) -> bool:
        return bool(self.bootstrap_servers)

    def bootstrap(self) -> str:
        return self.bootstrap_servers or f"127.0.0.1:{self.port}"


class ClickHouseSettings(msgspec.Struct, frozen=True, kw_only=True):
    """ClickHouse for the audit log: embedded chdb by default, a server when ``url`` is set."""

    #: URL of a ClickHouse server (``http://user:pass@host:8123``). Empty: embedded chdb under the stack home.
    url: Secret = msgspec.field(default_factory=lambda: Secret(""))

    @property
    def external(self) -> bool:
        return bool(self.url.reveal())

    #: Database of the audit tables.
    database: str = "audit"


class CdcSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The CDC reader (``rstat cdc``): what it captures and how it publishes."""

    #: Logical replication slot of the reader.
    slot: str = "rstat_cdc"
    #: Publication the slot reads; the reader creates it and keeps its table list in line with settings.
    publication: str = "rstat_pub"
    #: Comma-separated tables to capture; empty: every table of the public schema (never ``stats``).
    tables: str = ""
    #: Comma-separated tables never captured.
    exclude_tables: str = "schema_migrations"
    #: Comma-separated ``table.column`` never captured (a publication column list keeps them in the database).
    exclude_columns: str = "users.password_hash,api_clients.secret_hash,refresh_tokens.token_hash"
    #: Kafka key columns per table, ``table:col+col`` comma-separated; other tables are keyed by primary key.
    key_columns: str = "match_events:match_id,lineups:match_id"
    #: Prefix of the per-table topics (``<prefix><table>``).
    topic_prefix: str = "rstat.cdc."
    #: Compacted topic of the Avro schemas (key: fingerprint hex, value: schema JSON).
    schema_topic: str = "rstat.schemas"
    #: Partitions of the per-table topics.
    partitions: int = 3
    #: Follow each delete by a tombstone (null value) with the same key, for compacted consumers.
    tombstones: bool = False
    #: Seconds between heartbeat messages written to the WAL, so the slot advances while tables are quiet.
    heartbeat_s: float = 10.0
    #: Seconds between standby status updates sent to PostgreSQL.
    status_interval_s: float = 1.0
    #: Port of the Prometheus metrics and /healthz endpoint (0 disables it).
    metrics_port: int = 9401
    #: Folder for streamed (in-progress) transactions; empty: ``<stack home>/cdc-spill``.
    spill_dir: str = ""
    #: Messages produced but not yet acknowledged by Kafka before the reader stops reading the WAL.
    max_in_flight: int = 100_000
    #: Producer batching delay in milliseconds.
    linger_ms: int = 5
    #: Producer compression codec.
    compression: str = "lz4"


class StreamsSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The stream processor (``rstat streams``, a Faust worker)."""

    #: Faust application id: the consumer group, and the prefix of its changelog and repartition topics.
    app_id: str = "rstat-streams"
    #: Table store: ``rocksdb://`` (durable, local state under the stack home) or ``memory://``.
    store: str = "rocksdb://"
    #: Compacted topic of the materialized standings (key: stage id and group key).
    standings_topic: str = "rstat.stats.standings"
    #: Compacted topic of live standings (matches in play counted at their current score).
    live_standings_topic: str = "rstat.stats.live-standings"
    #: Compacted topic of team records per stage: home/away splits and form (key: stage id).
    teams_topic: str = "rstat.stats.teams"
    #: Compacted topic of player statistics per season (key: season id and player id).
    players_topic: str = "rstat.stats.players"
    #: Topic of notices (JSON, key: the notice's stable id) for the Telegram and WebSocket senders.
    notices_topic: str = "rstat.notices"
    #: Partitions of the topics the processor creates.
    partitions: int = 3
    #: Folder of the worker's local state; empty: ``<stack home>/streams``.
    data_dir: str = ""


class ApiSettings(msgspec.Struct, frozen=True, kw_only=True):
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

    def jwks(self) -> str:
        return self.jwks_url or f"http://{self.host}:{self.identity_port}/.well-known/jwks.json"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """All settings of a process, one section per external system."""

    stack: StackSettings = msgspec.field(default_factory=StackSettings)
    postgres: PostgresSettings = msgspec.field(default_factory=PostgresSettings)
    kafka: KafkaSettings = msgspec.field(default_factory=KafkaSettings)
    clickhouse: ClickHouseSettings = msgspec.field(default_factory=ClickHouseSettings)
    cdc: CdcSettings = msgspec.field(default_factory=CdcSettings)
    streams: StreamsSettings = msgspec.field(default_factory=StreamsSettings)
    api: ApiSettings = msgspec.field(default_factory=ApiSettings)

    def chdb_dsn(self) -> str:
        return f"chdb://{self.stack.home_path / 'clickhouse'}"

    def keys_path(self) -> Path:
        """The identity app's signing keys: ``api.keys_dir``, or ``keys`` under the stack home."""
        return Path(self.api.keys_dir) if self.api.keys_dir else self.stack.home_path / "keys"


def _dec_hook(kind: type, value: Any) -> Any:
    if kind is Secret and isinstance(value, str):
        return Secret(value)
    raise NotImplementedError(f"cannot read {kind!r}")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from ``RSTAT__SECTION__KEY`` variables (``environ`` defaults to the process's).

    Unknown sections or keys are errors rather than silently ignored: a typo in a deployment manifest must
    not fall back to a local default.
    """
    env = os.environ if environ is None else environ
    sections: dict[str, dict[str, str]] = {}
    known = {f.name: f.type for f in msgspec.structs.fields(Settings)}
    for name, value in env.items():
        if not name.startswith(PREFIX):
            continue
        parts = name[len(PREFIX) :].lower().split("__")
        if len(parts) != 2 or not all(parts):
            raise SettingsError(f"{name}: expected RSTAT__SECTION__KEY")
        section, key = parts
        if section not in known:
            raise SettingsError(f"{name}: unknown section {section!r} (known: {', '.join(sorted(known))})")
        section_type = known[section]
        fields = {f.name for f in msgspec.structs.fields(section_type)}
        if key not in fields:
            raise SettingsError(f"{name}: unknown key {key!r} (known: {', '.join(sorted(fields))})")
        sections.setdefault(section, {})[key] = value
    try:
        return msgspec.convert(sections, Settings, strict=False, dec_hook=_dec_hook)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"invalid setting: {exc}") from exc
