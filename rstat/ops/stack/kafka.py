"""The local Apache Kafka node: one KRaft process that is broker and controller at once.

The jars come from Maven Central through Maven (``kafka-pom.xml`` beside this module) and are cached under
the stack home, so a second ``up`` needs no network. Readiness is a real metadata request, not an open port.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import re
import shutil
import subprocess
import uuid
from importlib import resources
from pathlib import Path

import msgspec
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource

from rstat.errors import MissingPrerequisiteError, StackError
from rstat.ops.stack.process import PidFile, port_open, require_free_port, wait_until
from rstat.settings import KafkaSettings, StackSettings

__all__ = ["KafkaStatus", "LocalKafka", "check_kafka", "copy_dependencies", "java_major_version"]

log = logging.getLogger(__name__)

LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
"""


#: Brokers this process started: they outlive the Popen handle on purpose (``down`` stops them by pid file),
#: and holding the handle keeps Python from warning that a child is still running when it is collected.
_DETACHED: list[subprocess.Popen[bytes]] = []


def copy_dependencies(mvn: str, pom_text: str, libs: Path, stamp: str, *, what: str) -> None:
    """Resolve ``pom_text``'s runtime dependencies with Maven into ``libs``, stamped with ``stamp``.

    Maven copies into a staging folder that replaces ``libs`` only once complete, so an interrupted
    resolution never leaves a half-filled folder that looks resolved.
    """
    root = libs.parent
    root.mkdir(parents=True, exist_ok=True)
    pom = root / "pom.xml"
    pom.write_text(pom_text)
    staging = libs.with_name(f"{libs.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise StackError(f"Maven could not resolve {what} (is Maven Central reachable?):\n{tail}")
    (staging / ".resolved").write_text(stamp + "\n")
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)


class KafkaStatus(msgspec.Struct, frozen=True):
    """What ``rstat stack status`` prints for Kafka."""

    healthy: bool
    mode: str
    version: str = ""
    kraft: bool = False
    process_roles: str = ""
    brokers: int = 0
    detail: str = ""


def java_major_version() -> int | None:
    """The major version of ``java`` on PATH, or None when there is none."""
    java = shutil.which("java")
    if java is None:
        return None
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def check_kafka(bootstrap: str, timeout: float = 3.0) -> KafkaStatus:
    """A metadata request and the broker's ``process.roles``: KRaft mode means the roles are set."""
    # log_level 0: a broker that is down is reported in the status, not as librdkafka noise on stderr.
    admin = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": int(timeout * 1000), "log_level": 0})
    try:
        metadata = admin.list_topics(timeout=timeout)
        broker_id = next(iter(metadata.brokers))
        resource = ConfigResource(ConfigResource.Type.BROKER, str(broker_id))
        configs = admin.describe_configs([resource], request_timeout=timeout)[resource].result(timeout=timeout)
    except (KafkaException, StopIteration) as exc:
        return KafkaStatus(healthy=False, mode="", detail=f"no metadata answer from {bootstrap}: {exc}")
    roles_entry = configs.get("process.roles")
    roles = str(roles_entry.value) if roles_entry is not None and roles_entry.value else ""
    return KafkaStatus(healthy=True, mode="", kraft=bool(roles), process_roles=roles, brokers=len(metadata.brokers))


class LocalKafka:
    """A single-node KRaft cluster under ``<stack home>/kafka``."""

    def __init__(self, stack: StackSettings, settings: KafkaSettings) -> None:
        self.settings = settings
        self.root = stack.home_path / "kafka"
        self.libs = self.root / "libs"
        self.data = self.root / "data"
        self.config = self.root / "server.properties"
        self.log4j = self.root / "log4j2.properties"
        self.logfile = self.root / "kafka.log"
        self.pidfile = PidFile(self.root / "kafka.pid", str(self.config))
        self.timeout = stack.start_timeout_s

    # -- jars ---------------------------------------------------------------------------------------------

    @staticmethod
    def _pom() -> str:
        return resources.files("rstat.ops.stack").joinpath("kafka-pom.xml").read_text()

    def _stamp(self) -> str:
        return hashlib.sha256(self._pom().encode()).hexdigest()[:16]

    def jars_ready(self) -> bool:
        stamp = self.libs / ".resolved"
        return stamp.is_file() and stamp.read_text().strip() == self._stamp()

    def require_java(self) -> None:
        major = java_major_version()
        if major is None or major < 17:
            found = "no java on PATH" if major is None else f"java {major} found"
            raise MissingPrerequisiteError(
                f"Kafka 4 needs Java 17 or newer ({found}): install it (apt-get install openjdk-17-jre-headless)"
            )

    @staticmethod
    def require_maven() -> str:
        mvn = shutil.which("mvn")
        if mvn is None:
            raise MissingPrerequisiteError(
                "Maven is needed to fetch the Kafka jars: install it (apt-get install maven)"
            )
        return mvn

    def resolve_jars(self) -> bool:
        """Resolve the broker's jars with Maven once; False when the cache is already complete."""
        if self.jars_ready():
            return False
        copy_dependencies(self.require_maven(), self._pom(), self.libs, self._stamp(), what="the Kafka jars")
        return True

    def version(self) -> str:
        """The Kafka version of the cached broker jar (``kafka_2.13-<version>.jar``)."""
        for jar in self.libs.glob("kafka_2.13-*.jar"):
            return jar.name.removeprefix("kafka_2.13-").removesuffix(".jar")
        return ""

    # -- configuration and storage -----------------------------------------------------------------------

    def _write_config(self) -> None:
        s = self.settings
        self.config.write_text(
            "\n".join(
                [
                    "# written by `rstat stack up`",
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@127.0.0.1:{s.controller_port}",
                    f"listeners=PLAINTEXT://127.0.0.1:{s.port},CONTROLLER://127.0.0.1:{s.controller_port}",
                    f"advertised.listeners=PLAINTEXT://127.0.0.1:{s.port}",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"log.dirs={self.data}",
                    f"num.partitions={s.partitions}",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "default.replication.factor=1",
                    "min.insync.replicas=1",
                    "auto.create.topics.enable=false",
                    "group.initial.rebalance.delay.ms=0",
                    "log.retention.hours=168",
                    "log.cleaner.enable=true",
                    "",
                ]
            )
        )
        self.log4j.write_text(LOG4J2)

    def _java(self, *args: str) -> list[str]:
        java = shutil.which("java") or "java"
        return [java, f"-Dlog4j2.configurationFile={self.log4j}", "-cp", f"{self.libs}/*", *args]

    def format_storage(self) -> bool:
        """Format the KRaft log folder once; False when it is already formatted."""
        if (self.data / "meta.properties").is_file():
            return False
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        result = subprocess.run(
            self._java("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(self.config)),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"formatting the Kafka storage failed: {(result.stderr or result.stdout).strip()}")
        return True

    # -- life cycle ---------------------------------------------------------------------------------------

    def pid(self) -> int | None:
        return self.pidfile.pid()

    def start(self) -> bool:
        """Start the node and wait for a metadata answer; False when it was already running."""
        if self.pid() is not None:
            return False
        self.require_java()
        for port, setting in (
            (self.settings.port, "RSTAT__KAFKA__PORT"),
            (self.settings.controller_port, "RSTAT__KAFKA__CONTROLLER_PORT"),
        ):
            require_free_port(port, "Kafka", setting)
        self.resolve_jars()
        self._write_config()
        self.format_storage()
        with self.logfile.open("ab") as out:
            proc = subprocess.Popen(
                self._java(
                    f"-Xms{self.settings.heap}",
                    f"-Xmx{self.settings.heap}",
                    "-XX:+UseG1GC",
                    "-XX:MaxGCPauseMillis=20",
                    "-Djava.awt.headless=true",
                    "kafka.Kafka",
                    str(self.config),
                ),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pidfile.write(proc.pid)
        _DETACHED.append(proc)
        bootstrap = self.settings.bootstrap()
        ready = wait_until(
            lambda: (
                proc.poll() is not None
                or (port_open(self.settings.port) and check_kafka(bootstrap, timeout=1.0).healthy)
            ),
            self.timeout,
            0.5,
        )
        if proc.poll() is not None:
            self.pidfile.path.unlink(missing_ok=True)
            raise StackError(f"Kafka exited with code {proc.returncode} while starting:\n{self.log_tail()}")
        if not ready:
            raise StackError(f"Kafka did not answer a metadata request within {self.timeout:.0f} s; see {self.logfile}")
        return True

    def stop(self) -> bool:
        return self.pidfile.stop(timeout=60)

    def status(self) -> KafkaStatus:
        mode = f"local KRaft node, 127.0.0.1:{self.settings.port}"
        if self.pid() is None:
            detail = "not running: run `rstat stack up`"
            if port_open(self.settings.port):
                detail = f"port {self.settings.port} is held by another program"
            return KafkaStatus(healthy=False, mode=mode, detail=detail)
        checked = check_kafka(self.settings.bootstrap())
        return msgspec.structs.replace(checked, mode=mode, version=self.version())

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(FileNotFoundError):
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        return ""
