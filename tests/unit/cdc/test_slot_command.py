"""The slot is created with ``FAILOVER`` where the server can synchronize it to standbys (PostgreSQL 17+),
and with the syntax every supported version knows otherwise; the metrics endpoint listens where told."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from cdc.metrics import CdcMetrics
from cdc.replication import slot_command


@pytest.mark.parametrize(
    ("export", "failover", "version", "command"),
    [
        (True, True, 170002, "CREATE_REPLICATION_SLOT \"rstat_cdc\" LOGICAL pgoutput (SNAPSHOT 'export', FAILOVER)"),
        (False, True, 180000, "CREATE_REPLICATION_SLOT \"rstat_cdc\" LOGICAL pgoutput (SNAPSHOT 'nothing', FAILOVER)"),
        (True, True, 150010, 'CREATE_REPLICATION_SLOT "rstat_cdc" LOGICAL pgoutput EXPORT_SNAPSHOT'),
        (True, False, 170002, 'CREATE_REPLICATION_SLOT "rstat_cdc" LOGICAL pgoutput EXPORT_SNAPSHOT'),
        (False, False, 160004, 'CREATE_REPLICATION_SLOT "rstat_cdc" LOGICAL pgoutput NOEXPORT_SNAPSHOT'),
    ],
)
def test_failover_only_where_the_server_has_it(export: bool, failover: bool, version: int, command: str) -> None:
    assert slot_command("rstat_cdc", export, failover, version).as_string(None) == command


def test_the_metrics_endpoint_listens_on_the_given_address() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    metrics = CdcMetrics()
    metrics.healthy = True
    metrics.serve("0.0.0.0", port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            assert answer.read() == b"ok\n"
        assert metrics._server is not None
        assert metrics._server.server_address[0] == "0.0.0.0"
    finally:
        metrics.close()
