"""The local stack: PostgreSQL, Kafka and ClickHouse for development, tests and ``rstat up``.

Components configured as external (a DSN, bootstrap servers, a URL) are checked, never started.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import msgspec

from rstat.errors import StackError
from rstat.ops.stack.clickhouse import ClickHouseStatus, check_clickhouse, ensure_clickhouse
from rstat.ops.stack.kafka import KafkaStatus, LocalKafka, check_kafka
from rstat.ops.stack.postgres import LocalPostgres, PostgresStatus, check_postgres, find_server_bindir
from rstat.settings import Settings

__all__ = ["Stack", "StackStatus"]

log = logging.getLogger(__name__)


class StackStatus(msgspec.Struct, frozen=True):
    postgres: PostgresStatus
    kafka: KafkaStatus
    clickhouse: ClickHouseStatus

    @property
    def healthy(self) -> bool:
        return self.postgres.healthy and self.kafka.healthy and self.clickhouse.healthy


class Stack:
    """Brings the three services up, down, and reports on them."""

    def __init__(self, settings: Settings, progress: Callable[[str], None] = print) -> None:
        self.settings = settings
        self.progress = progress
        self.postgres = LocalPostgres(settings.stack, settings.postgres)
        self.kafka = LocalKafka(settings.stack, settings.kafka)

    def check_prerequisites(self) -> None:
        """Fail before starting anything when a program a local service needs is missing."""
        if not self.settings.postgres.external:
            find_server_bindir()
        if not self.settings.kafka.external:
            self.kafka.require_java()
            if not self.kafka.jars_ready():
                self.kafka.require_maven()

    def up(self) -> None:
        """Start what is not running; a second call finds everything up and does nothing."""
        self.check_prerequisites()
        self.settings.stack.home_path.mkdir(parents=True, exist_ok=True)
        self._postgres_up()
        self._kafka_up()
        self.progress(f"clickhouse: ready ({ensure_clickhouse(self.settings)})")

    def _postgres_up(self) -> None:
        pg = self.settings.postgres
        if pg.external:
            status = check_postgres(pg.admin_dsn())
            if not status.healthy:
                raise StackError(f"external PostgreSQL: {status.detail}")
            self.progress(f"postgres: using the external server (PostgreSQL {status.version}, wal_level=logical)")
            return
        if self.postgres.init():
            self.progress(f"postgres: initialized a new cluster in {self.postgres.data}")
        if self.postgres.start():
            self.progress(f"postgres: started on 127.0.0.1:{pg.port}")
        else:
            self.progress(f"postgres: already running on 127.0.0.1:{pg.port}")
        self.postgres.bootstrap()
        status = check_postgres(pg.admin_dsn())
        if not status.healthy:
            raise StackError(f"local PostgreSQL is unhealthy: {status.detail}")

    def _kafka_up(self) -> None:
        kafka = self.settings.kafka
        if kafka.external:
            status = check_kafka(kafka.bootstrap())
            if not status.healthy:
                raise StackError(f"external Kafka: {status.detail}")
            self.progress(f"kafka: using the external cluster at {kafka.bootstrap()}")
            return
        if self.kafka.pid() is None:
            if not self.kafka.jars_ready():
                self.progress("kafka: resolving the broker jars from Maven Central (first run only)...")
                self.kafka.resolve_jars()
            self.progress(f"kafka: starting the KRaft node on 127.0.0.1:{kafka.port}...")
        if self.kafka.start():
            self.progress(f"kafka: ready, Kafka {self.kafka.version()} on 127.0.0.1:{kafka.port}")
        else:
            self.progress(f"kafka: already running on 127.0.0.1:{kafka.port}")

    def down(self) -> None:
        """Stop what ``up`` started; data stays for the next ``up``. External services are left alone."""
        if not self.settings.kafka.external:
            stopped = self.kafka.stop()
            self.progress("kafka: stopped" if stopped else "kafka: was not running")
        if not self.settings.postgres.external:
            stopped = self.postgres.stop()
            self.progress("postgres: stopped" if stopped else "postgres: was not running")

    def status(self) -> StackStatus:
        pg = self.settings.postgres
        if pg.external:
            pg_status = msgspec.structs.replace(check_postgres(pg.admin_dsn()), mode="external server")
        else:
            pg_status = self.postgres.status()
        kafka = self.settings.kafka
        if kafka.external:
            kafka_status = msgspec.structs.replace(
                check_kafka(kafka.bootstrap()), mode=f"external cluster {kafka.bootstrap()}"
            )
        else:
            kafka_status = self.kafka.status()
        return StackStatus(postgres=pg_status, kafka=kafka_status, clickhouse=check_clickhouse(self.settings))
