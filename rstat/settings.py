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

from api.config import ApiConfig
from api.live.config import LiveConfig
from api.ops.config import OpsConfig
from audit.config import AuditConfig
from cdc.config import CdcConfig
from crawlers.config import CrawlersConfig
from notify.config import TelegramConfig
from rstat.demo.config import DemoConfig
from streams.config import StreamsConfig

__all__ = [
    "ClickHouseSettings",
    "KafkaSettings",
    "PostgresSettings",
    "Secret",
    "SentrySettings",
    "Settings",
    "SettingsError",
    "StackSettings",
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
    #: Folder of the embedded engine; empty: ``clickhouse`` under the stack home.
    path: str = ""


class SentrySettings(msgspec.Struct, frozen=True, kw_only=True):
    """Error aggregation with Sentry (or a Sentry-compatible server such as GlitchTip): off unless a DSN is set."""

    #: The project's DSN (``https://key@host/project``). Empty: nothing is sent anywhere.
    dsn: Secret = msgspec.field(default_factory=lambda: Secret(""))
    #: Environment name shown on every event (``prod``, ``dev``).
    environment: str = "local"
    #: Share of transactions traced for performance (0 to 1); errors are always sent.
    traces_sample_rate: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.traces_sample_rate <= 1.0:
            raise ValueError(f"sentry.traces_sample_rate {self.traces_sample_rate}: expected a number from 0 to 1")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """All settings of a process: one section per external system, and each component's own section
    (``cdc``, ``streams``, ``api``), defined next to the component's code."""

    stack: StackSettings = msgspec.field(default_factory=StackSettings)
    postgres: PostgresSettings = msgspec.field(default_factory=PostgresSettings)
    kafka: KafkaSettings = msgspec.field(default_factory=KafkaSettings)
    clickhouse: ClickHouseSettings = msgspec.field(default_factory=ClickHouseSettings)
    cdc: CdcConfig = msgspec.field(default_factory=CdcConfig)
    streams: StreamsConfig = msgspec.field(default_factory=StreamsConfig)
    api: ApiConfig = msgspec.field(default_factory=ApiConfig)
    live: LiveConfig = msgspec.field(default_factory=LiveConfig)
    ops: OpsConfig = msgspec.field(default_factory=OpsConfig)
    demo: DemoConfig = msgspec.field(default_factory=DemoConfig)
    audit: AuditConfig = msgspec.field(default_factory=AuditConfig)
    crawlers: CrawlersConfig = msgspec.field(default_factory=CrawlersConfig)
    telegram: TelegramConfig = msgspec.field(default_factory=TelegramConfig)
    sentry: SentrySettings = msgspec.field(default_factory=SentrySettings)

    def chdb_path(self) -> Path:
        """The embedded ClickHouse engine's folder: ``clickhouse.path``, or ``clickhouse`` under the stack home."""
        return Path(self.clickhouse.path).resolve() if self.clickhouse.path else self.stack.home_path / "clickhouse"

    def chdb_dsn(self) -> str:
        return f"chdb://{self.chdb_path()}"

    def site_path(self) -> Path:
        """The static pages of the public app's ``/site/``: ``api.site_dir``, or ``site`` under the stack home."""
        return Path(self.api.site_dir) if self.api.site_dir else self.stack.home_path / "site"

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
    not fall back to a local default. A section's ``env_parsers`` read its mini-languages (lists, mappings)
    here, so a malformed value fails at start with the variable's name.
    """
    env = os.environ if environ is None else environ
    sections: dict[str, dict[str, Any]] = {}
    known = {f.name: f.type for f in msgspec.structs.fields(Settings)}
    for name, raw in env.items():
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
        parser = getattr(section_type, "env_parsers", {}).get(key)
        try:
            value = parser(raw) if parser is not None else raw
        except ValueError as exc:
            raise SettingsError(f"{name}: {exc}") from exc
        sections.setdefault(section, {})[key] = value
    try:
        return msgspec.convert(sections, Settings, strict=False, dec_hook=_dec_hook)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"invalid setting: {exc}") from exc
