"""The Avro schema of CDC change envelopes: one schema per captured table version.

Wire contract (DESIGN.md): ``op`` (c, u, d, t, r), ``before``, ``after``, ``unchanged_toast``, ``source``
{db, schema, table, txid, lsn, commit_lsn, commit_ts_us, ordinal}, ``context`` {actor, request_id, source,
org}. Every column is nullable: a delete's ``after`` and an insert's ``before`` are null, and ``before`` of a
table without REPLICA IDENTITY FULL carries only its key columns.

The envelope record names the table's primary key columns in a ``primary_key`` attribute (Avro keeps
attributes it does not define as metadata): the Kafka key is not always the primary key (match events are
keyed by match), and a reader such as the audit needs to know which row a change is about. Attributes are
not part of the parsing canonical form, so they do not change the fingerprint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["OPS", "envelope_schema"]

OPS = ("c", "u", "d", "t", "r")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

SOURCE_FIELDS = [
    {"name": "db", "type": "string"},
    {"name": "schema", "type": "string"},
    {"name": "table", "type": "string"},
    {"name": "txid", "type": ["null", "long"]},
    {"name": "lsn", "type": "long"},
    {"name": "commit_lsn", "type": "long"},
    {"name": "commit_ts_us", "type": "long"},
    {"name": "ordinal", "type": "long"},
]
CONTEXT_FIELDS = [
    {"name": "actor", "type": ["null", "string"], "default": None},
    {"name": "request_id", "type": ["null", "string"], "default": None},
    {"name": "source", "type": ["null", "string"], "default": None},
    # the organization the transaction wrote for, when the writer said (added after the first three)
    {"name": "org", "type": ["null", "long"], "default": None},
]


def envelope_schema(
    schema: str, table: str, columns: Sequence[tuple[str, Any]], primary_key: Sequence[str] = ()
) -> dict[str, Any]:
    """The envelope of ``schema.table`` with ``columns`` as (name, Avro type) in table order, and the names
    of its ``primary_key`` columns (none for a table without one)."""
    for name in (schema, table, *(c for c, _ in columns)):
        if not _NAME.match(name):
            raise ValueError(f"{name!r} is not a valid Avro name; rename it or exclude it from capture")
    namespace = f"rstat.cdc.{schema}.{table}"
    row = {
        "type": "record",
        "name": "Row",
        "namespace": namespace,
        "fields": [{"name": name, "type": ["null", avro], "default": None} for name, avro in columns],
    }
    return {
        "type": "record",
        "name": "Envelope",
        "namespace": namespace,
        "primary_key": list(primary_key),
        "fields": [
            {"name": "op", "type": {"type": "enum", "name": "Op", "namespace": "rstat.cdc", "symbols": list(OPS)}},
            {"name": "before", "type": ["null", row], "default": None},
            {"name": "after", "type": ["null", f"{namespace}.Row"], "default": None},
            {"name": "unchanged_toast", "type": {"type": "array", "items": "string"}, "default": []},
            {
                "name": "source",
                "type": {"type": "record", "name": "Source", "namespace": "rstat.cdc", "fields": SOURCE_FIELDS},
            },
            {
                "name": "context",
                "type": {"type": "record", "name": "Context", "namespace": "rstat.cdc", "fields": CONTEXT_FIELDS},
            },
        ],
    }
