"""The audit writer's configuration section (``RSTAT__AUDIT__*``), owned here and composed by ``rstat.settings``.

Where ClickHouse is (embedded or a server) and which database holds the table are the ``clickhouse``
section's; which topics carry changes is the CDC reader's (its topic prefix and schema topic).
"""

from __future__ import annotations

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

    def endpoint(self) -> str:
        return self.url or f"http://{self.host}:{self.port}"
