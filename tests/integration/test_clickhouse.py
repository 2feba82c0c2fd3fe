"""ClickHouse through clickhouse-connect on the engine the stack provides (embedded chdb by default), in a
folder of the test's own: the stack's ``.rstat/clickhouse`` belongs to the audit writer of ``rstat up``,
and chdb lets one process at a time open a folder."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from rstat.ops.stack.clickhouse import check_clickhouse, connect_clickhouse, ensure_clickhouse
from rstat.ops.stack.process import free_port
from rstat.settings import Settings
from tests.conftest import unique
from tests.waiting import eventually


@pytest.fixture
def private(stack: Settings, tmp_path: Path) -> Settings:
    """The stack's settings with an engine folder of the test's own (and an audit endpoint nobody serves)."""
    return msgspec.structs.replace(
        stack,
        clickhouse=msgspec.structs.replace(stack.clickhouse, path=str(tmp_path)),
        audit=msgspec.structs.replace(stack.audit, port=free_port()),
    )


def test_create_insert_query(private: Settings) -> None:
    assert ensure_clickhouse(private) == "embedded"
    client = connect_clickhouse(private)
    table = unique("t")
    try:
        client.command(
            "CREATE TABLE {db:Identifier}.{t:Identifier} (id UInt64, actor String) ENGINE = MergeTree ORDER BY id",
            parameters={"db": private.clickhouse.database, "t": table},
        )
        client.insert(
            f"{private.clickhouse.database}.{table}",
            [[1, "alice"], [2, "bob"], [3, "alice"]],
            column_names=["id", "actor"],
        )
        rows = client.query(
            "SELECT actor, count() FROM {db:Identifier}.{t:Identifier} GROUP BY actor ORDER BY actor",
            parameters={"db": private.clickhouse.database, "t": table},
        ).result_rows
        assert rows == [("alice", 2), ("bob", 1)]
    finally:
        client.close()
    assert check_clickhouse(private).healthy


@pytest.fixture
def held(private: Settings) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the engine open (as the audit writer does), until the test ends."""
    script = (
        f"import chdb, sys; c = chdb.connect({str(private.chdb_path())!r}); print('open', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    eventually(lambda: holder.stdout is not None and holder.stdout.readline().strip() == "open", message="the holder")
    yield holder
    holder.communicate("", timeout=60)


def test_up_and_status_tell_the_truth_while_another_process_holds_the_engine(
    private: Settings, held: subprocess.Popen[str]
) -> None:
    assert "open in the audit writer" in ensure_clickhouse(private)  # and it does not try to open it
    status = check_clickhouse(private)  # nobody answers on the audit endpoint's port here
    assert not status.healthy
    assert "open in the audit writer" in status.mode
    assert "another process holds the engine, and the audit endpoint at" in status.detail
