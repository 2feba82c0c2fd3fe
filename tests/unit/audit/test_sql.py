"""The SQL endpoint's reading of ClickHouse HTTP requests, and what it refuses before ClickHouse sees it."""

from __future__ import annotations

import pytest

from audit.errors import ClickHouseError
from audit.sql import content_type, http_status, output_format, parse_request, require_read


def test_a_request_as_clickhouse_reads_it() -> None:
    request = parse_request(
        {
            "query": ["SELECT count() FROM changes WHERE org = {org:Int64}"],
            "database": ["audit"],
            "default_format": ["JSONEachRow"],
            "param_org": ["7"],
            "max_threads": ["2"],
            "session_id": ["s"],  # transport parameters of clients: not settings
            "compress": ["1"],
            "query_id": ["q-1"],
        },
        b"",
    )
    assert request.sql == "SELECT count() FROM changes WHERE org = {org:Int64}"
    assert (request.database, request.default_format, request.query_id) == ("audit", "JSONEachRow", "q-1")
    assert request.params == {"org": "7"}
    assert request.settings == {"max_threads": "2"}


def test_the_body_is_the_query_or_its_end() -> None:
    assert parse_request({}, b"SELECT 1").sql == "SELECT 1"
    assert parse_request({"query": ["SELECT"]}, b"1").sql == "SELECT\n1"
    assert parse_request({}, b"SELECT 1").default_format == "TabSeparated"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "  -- a comment\n/* another */ ( SELECT 1 )",
        "with x as (select 1) select * from x",
        "SHOW TABLES",
        "DESCRIBE changes",
        "EXPLAIN SELECT 1",
        "SELEC 1",  # malformed: ClickHouse answers it with its own syntax error
    ],
)
def test_reads_and_malformed_queries_go_to_clickhouse(sql: str) -> None:
    require_read(sql)


@pytest.mark.parametrize(
    ("sql", "keyword"),
    [
        ("INSERT INTO changes VALUES (1)", "INSERT"),
        ("drop table changes", "DROP"),
        ("/* sneaky */ ALTER TABLE changes DELETE WHERE 1", "ALTER"),
        ("SET readonly = 0", "SET"),
        ("SYSTEM STOP MERGES", "SYSTEM"),
    ],
)
def test_writes_are_refused_saying_what_is_allowed(sql: str, keyword: str) -> None:
    with pytest.raises(ClickHouseError) as refused:
        require_read(sql)
    assert refused.value.code == 164
    assert refused.value.message.startswith("Code: 164. DB::Exception: The audit trail is read-only")
    assert f"not {keyword}. (READONLY)" in refused.value.message
    assert http_status(refused.value) == 403


def test_an_empty_query_is_a_syntax_error() -> None:
    with pytest.raises(ClickHouseError) as refused:
        require_read("  -- nothing\n")
    assert refused.value.code == 62


def test_errors_keep_clickhouse_code_and_status() -> None:
    syntax = ClickHouseError("Code: 62. DB::Exception: Syntax error: failed at position 1. (SYNTAX_ERROR)")
    unknown = ClickHouseError("Code: 60. DB::Exception: Unknown table expression identifier 'nope'. (UNKNOWN_TABLE)")
    other = ClickHouseError("something without a code")
    assert (syntax.code, http_status(syntax)) == (62, 400)
    assert (unknown.code, http_status(unknown)) == (60, 404)
    assert (other.code, http_status(other)) == (1001, 500)


def test_the_format_of_an_answer() -> None:
    assert output_format("SELECT 1 FORMAT JSONCompact", "TabSeparated") == "JSONCompact"
    assert output_format("SELECT 'FORMAT' AS f", "CSV") == "CSV"
    assert content_type("JSONEachRow").startswith("application/json")
    assert content_type("TabSeparatedWithNames").startswith("text/tab-separated-values")
    assert content_type("Native") == "application/octet-stream"
