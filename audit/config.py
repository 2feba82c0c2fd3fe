"""The audit writer's configuration section (``RSTAT__AUDIT__*``), owned here and composed by ``rstat.settings``.

Where ClickHouse is (embedded or a server) and which database holds the table are the ``clickhouse``
section's; which topics carry changes is the CDC reader's (its topic prefix and schema topic).
"""

from __future__ import annotations

import ipaddress
from typing import ClassVar
from urllib.parse import quote, urlsplit, urlunsplit

import msgspec

__all__ = ["AuditConfig"]


class AuditConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The audit writer (``rstat audit``): how it batches, how long rows are kept, where it answers."""

    #: Table of the audit rows, in the ClickHouse database of the clickhouse section.
    table: str = "changes"
    #: Days a row is kept (a ClickHouse TTL on the commit time; changing it alters the table at start);
    #: 0: for ever.
    ttl_days: int = 3650
    #: Kafka consumer group of the writer; its offsets are committed after each insert.
    group: str = "rstat-audit"
    #: The writer's static member id in that group (``group.instance.id``): a restarted writer takes its
    #: partitions back at once instead of waiting out the dead one's session. Empty: the host name (a pod's
    #: name on Kubernetes); each writer of a group needs its own.
    instance: str = ""
    #: Most changes in one insert.
    batch_max: int = 50_000
    #: Seconds a batch may wait to fill before what it has is inserted (the floor of the audit's delay).
    batch_wait_s: float = 0.2
    #: Address of the writer's HTTP endpoint: the analysts' read-only SQL (ClickHouse's HTTP interface),
    #: the history the admin app shows, /metrics and /healthz. Port 0: no endpoint.
    host: str = "127.0.0.1"
    port: int = 8404
    #: That endpoint as the other processes reach it (the admin app, ``rstat stack status``,
    #: ``rstat audit query``); empty: ``http://<host>:<port>``.
    url: str = ""
    #: Seconds an analyst's query may run (ClickHouse's ``max_execution_time``).
    query_timeout_s: int = 60
    #: The user and password the endpoint's SQL and history ask for (HTTP basic authentication, or
    #: ClickHouse's ``X-ClickHouse-User``/``X-ClickHouse-Key`` headers or ``user``/``password`` parameters, so
    #: ClickHouse clients connect unchanged). Empty password: no authentication, allowed only on loopback.
    user: str = "rstat"
    password: str = ""

    #: Names of the fields whose values are secrets: never shown by ``repr``.
    secret_fields: ClassVar[tuple[str, ...]] = ("password",)

    def __post_init__(self) -> None:
        if self.port and not self.password and not _loopback(self.host):
            raise ValueError(
                f"audit.host {self.host!r} is reachable from other machines: set RSTAT__AUDIT__PASSWORD, "
                "or the audit trail of every organization is open to anyone who can reach the port"
            )

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{f}={'********' if f in self.secret_fields and getattr(self, f) else repr(getattr(self, f))}"
            for f in self.__struct_fields__
        )
        return f"AuditConfig({fields})"

    def endpoint(self) -> str:
        """The endpoint's URL, without credentials (for messages and health checks)."""
        return self.url or f"http://{self.host}:{self.port}"

    def credentialed_endpoint(self) -> str:
        """The endpoint's URL with the user and password in it, for the processes that read through it."""
        return self.credentialed(self.endpoint())

    def credentialed(self, url: str) -> str:
        """``url`` (the endpoint as some process reaches it) with this section's user and password in it."""
        if not self.password or urlsplit(url).username is not None:
            return url
        parts = urlsplit(url)
        netloc = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}@{parts.netloc.rpartition('@')[2]}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
