"""Debezium's PostgreSQL connector on Kafka Connect standalone: the peer ``rstat bench cdc --peer debezium``
measures our reader against.

The jars (Kafka Connect of the stack's Kafka version, Debezium 3.6.1.Final) come from Maven Central through
``rstat/ops/stack/debezium-pom.xml`` and are cached under ``<stack home>/debezium/libs``, like the broker's;
nothing of Debezium is in the repository. Connect runs as one JVM started the way Kafka's own
``connect-standalone.sh`` starts it (the same heap and GC flags), so its resident memory is the one a user of
the distribution sees.

The configuration follows Debezium's documentation for throughput, and mirrors our reader wherever the two
have the same knob, so the comparison measures the software and not a setting:
- ``pgoutput`` on a publication of the same table, created by the bench (``publication.autocreate.mode=disabled``);
- ``snapshot.mode=no_data``: only streaming is measured, as for our reader;
- ``max.batch.size``/``max.queue.size`` raised from 2,048/8,192 to 8,192/32,768 (the documented tuning for
  throughput), ``poll.interval.ms`` lowered from 500 to 5 ms (our producer's linger: a trickle of changes is not
  held back half a second, which would decide the latency comparison by a default);
- the producer like ours (cdc/publisher.py): idempotent, ``acks=all``, lz4, ``linger.ms=5``, 1 MB batches, five
  requests in flight (Connect's own default is one, without idempotence);
- ``JsonConverter`` without schemas for keys and values: no Schema Registry runs here, and Confluent's Avro
  converter is not on Maven Central; our reader writes Avro single-object encoding (an 8-byte fingerprint,
  no registry round trip), so neither side pays a registry. JSON is Debezium's cheapest complete envelope
  (no per-message schema, which ``schemas.enable=true`` would embed in every message).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import subprocess
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from rstat.errors import MissingPrerequisiteError
from rstat.ops.stack.kafka import copy_dependencies, java_major_version

__all__ = [
    "ConnectRun",
    "DebeziumJars",
    "connector_config",
    "jvm_command",
    "render_properties",
    "worker_config",
]

#: Connect's log: warnings, plus Debezium's own few lines (slot, streaming start) to explain a failure.
LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
logger.debezium.name = io.debezium
logger.debezium.level = INFO
"""

#: What ``connect-standalone.sh`` and ``kafka-run-class.sh`` of the Kafka distribution pass to the JVM.
JVM_OPTIONS = (
    "-Xms256M",
    "-Xmx2G",
    "-server",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
)

#: The producer settings of our reader (cdc/publisher.py, cdc/config.py), in the Java client's names.
PRODUCER = {
    "enable.idempotence": "true",
    "acks": "all",
    "compression.type": "lz4",
    "linger.ms": "5",
    "batch.size": "1000000",
    "max.in.flight.requests.per.connection": "5",
}


def worker_config(*, bootstrap: str, offsets_file: Path, rest_port: int) -> dict[str, str]:
    """The standalone worker: the stack's broker, a private offsets file, schemaless JSON, our producer."""
    return {
        "bootstrap.servers": bootstrap,
        "key.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "key.converter.schemas.enable": "false",
        "value.converter.schemas.enable": "false",
        "offset.storage.file.filename": str(offsets_file),
        "offset.flush.interval.ms": "10000",
        # The REST server starts even in standalone mode: a free loopback port, not 8083 that may be taken.
        "listeners": f"http://127.0.0.1:{rest_port}",
        # Every jar is on the class path (one folder): the ServiceLoader manifests are enough to find plugins.
        "plugin.discovery": "service_load",
        # The bench creates the topic, with our reader's partition count (the broker creates none on demand).
        "topic.creation.enable": "false",
        **{f"producer.{key}": value for key, value in PRODUCER.items()},
    }


def connector_config(
    *,
    name: str,
    conninfo: Mapping[str, str],
    topic_prefix: str,
    slot: str,
    publication: str,
    tables: tuple[str, ...],
) -> dict[str, str]:
    """Debezium's PostgreSQL connector on one database (``conninfo``: host, port, user, password, dbname)."""
    return {
        "name": name,
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "tasks.max": "1",
        "database.hostname": conninfo["host"],
        "database.port": conninfo["port"],
        "database.user": conninfo["user"],
        "database.password": conninfo["password"],
        "database.dbname": conninfo["dbname"],
        "topic.prefix": topic_prefix,
        "plugin.name": "pgoutput",
        "slot.name": slot,
        "publication.name": publication,
        "publication.autocreate.mode": "disabled",
        "table.include.list": ",".join(f"public.{table}" for table in tables),
        "snapshot.mode": "no_data",
        "max.batch.size": "8192",
        "max.queue.size": "32768",
        "poll.interval.ms": "5",
    }


def render_properties(config: Mapping[str, str]) -> str:
    """A Java properties file (values here never hold a newline; ``\\``, ``=`` and ``:`` are escaped)."""
    lines = ["# written by rstat bench cdc --peer debezium"]
    for key, value in config.items():
        escaped = value.replace("\\", "\\\\").replace("=", "\\=").replace(":", "\\:")
        lines.append(f"{key}={escaped}")
    return "\n".join(lines) + "\n"


def jvm_command(libs: Path, log4j: Path, worker: Path, connector: Path) -> list[str]:
    java = shutil.which("java") or "java"
    return [
        java,
        *JVM_OPTIONS,
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        f"{libs}/*",
        "org.apache.kafka.connect.cli.ConnectStandalone",
        str(worker),
        str(connector),
    ]


class DebeziumJars:
    """Kafka Connect and Debezium's jars under ``<stack home>/debezium/libs``, resolved once by Maven."""

    def __init__(self, home: Path) -> None:
        self.root = home / "debezium"
        self.libs = self.root / "libs"

    @staticmethod
    def pom() -> str:
        return resources.files("rstat.ops.stack").joinpath("debezium-pom.xml").read_text()

    def _stamp(self) -> str:
        return hashlib.sha256(self.pom().encode()).hexdigest()[:16]

    def ready(self) -> bool:
        stamp = self.libs / ".resolved"
        return stamp.is_file() and stamp.read_text().strip() == self._stamp()

    def version(self, artifact: str) -> str:
        """The version of a cached jar (``debezium-connector-postgres``, ``connect-runtime``)."""
        for jar in self.libs.glob(f"{artifact}-*.jar"):
            return jar.name.removeprefix(f"{artifact}-").removesuffix(".jar")
        return ""

    def resolve(self) -> bool:
        """Java 17 checked, the jars resolved with Maven unless cached; False when they already were."""
        major = java_major_version()
        if major is None or major < 17:
            found = "no java on PATH" if major is None else f"java {major} found"
            raise MissingPrerequisiteError(f"Kafka Connect 4 needs Java 17 or newer ({found})")
        if self.ready():
            return False
        mvn = shutil.which("mvn")
        if mvn is None:
            raise MissingPrerequisiteError(
                "Maven is needed to fetch Kafka Connect and Debezium: install it (apt-get install maven)"
            )
        copy_dependencies(mvn, self.pom(), self.libs, self._stamp(), what="Kafka Connect and Debezium")
        return True


class ConnectRun:
    """One Kafka Connect standalone JVM with one Debezium connector, its files in a private folder."""

    def __init__(self, jars: DebeziumJars, folder: Path, worker: Mapping[str, str], connector: Mapping[str, str]):
        self.jars = jars
        self.folder = folder
        self.worker = worker
        self.connector = connector
        self.logfile = folder / "connect.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        self.folder.mkdir(parents=True, exist_ok=True)
        worker, connector, log4j = (
            self.folder / n for n in ("worker.properties", "connector.properties", "log4j2.properties")
        )
        worker.write_text(render_properties(self.worker))
        connector.write_text(render_properties(self.connector))
        log4j.write_text(LOG4J2)
        with self.logfile.open("wb") as out:
            self.proc = subprocess.Popen(
                jvm_command(self.jars.libs, log4j, worker, connector),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self.proc

    def failed(self) -> bool:
        """Whether the JVM exited, or the connector task died (Connect keeps running with a failed task)."""
        if self.proc is not None and self.proc.poll() is not None:
            return True
        return bool(re.search(r"Task threw an uncaught and unrecoverable exception", self.log_text()))

    def log_text(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.logfile.read_text(errors="replace")
        return ""

    def log_tail(self, lines: int = 25) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])
