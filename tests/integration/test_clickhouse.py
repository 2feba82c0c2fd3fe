"""ClickHouse through clickhouse-connect on the engine the stack provides (embedded chdb by default)."""

from __future__ import annotations

from rstat.ops.stack.clickhouse import connect_clickhouse
from rstat.settings import Settings
from tests.conftest import unique


def test_create_insert_query(stack: Settings) -> None:
    client = connect_clickhouse(stack)
    table = unique("t")
    try:
        client.command(
            "CREATE TABLE {db:Identifier}.{t:Identifier} (id UInt64, actor String) ENGINE = MergeTree ORDER BY id",
            parameters={"db": stack.clickhouse.database, "t": table},
        )
        client.insert(
            f"{stack.clickhouse.database}.{table}",
            [[1, "alice"], [2, "bob"], [3, "alice"]],
            column_names=["id", "actor"],
        )
        rows = client.query(
            "SELECT actor, count() FROM {db:Identifier}.{t:Identifier} GROUP BY actor ORDER BY actor",
            parameters={"db": stack.clickhouse.database, "t": table},
        ).result_rows
        assert rows == [("alice", 2), ("bob", 1)]
    finally:
        client.command(
            "DROP TABLE IF EXISTS {db:Identifier}.{t:Identifier}",
            parameters={"db": stack.clickhouse.database, "t": table},
        )
        client.close()
