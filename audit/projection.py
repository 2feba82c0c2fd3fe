"""How the change envelopes of one schema become audit rows: ClickHouse decodes them, not Python.

A batch of envelopes of one schema travels to ClickHouse as an Avro object container (audit/container.py);
ClickHouse reads it with the structure derived here from the Avro schema and computes every audit column
with the ``SELECT`` built here: the key from the primary key columns the envelope schema names, the rows as
JSON, the changed columns by comparing before and after. Decoding in ClickHouse's C++ reader is what lets
one writer keep up with the CDC reader (Python's Avro decoding managed about a sixth of the rate).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from audit.table import COLUMNS, quote_name

__all__ = ["Plan", "plan_for"]

_PRIMITIVES = {
    "long": "Int64",
    "int": "Int32",
    "string": "String",
    "bytes": "String",
    "boolean": "Bool",
    "double": "Float64",
    "float": "Float32",
}
_LOGICAL = {
    "timestamp-micros": "DateTime64(6, 'UTC')",
    "local-timestamp-micros": "DateTime64(6)",
    "timestamp-millis": "DateTime64(3, 'UTC')",
    "date": "Date32",
}


class Plan(msgspec.Struct, frozen=True):
    """What inserting envelopes of one schema needs."""

    #: the captured table (from the schema's namespace), for metrics and logs
    table: str
    #: the columns of the Avro records, as ClickHouse's ``file``/``input`` table functions take them
    structure: str
    #: the audit columns (audit/table.py ``COLUMNS``, in order) computed from those
    select: str


class _Names:
    """Named Avro types (records, enums) by full name, so a reference such as ``after``'s
    ``rstat.cdc.public.t.Row`` finds the record ``before`` defined."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.types: dict[str, Mapping[str, Any]] = {}
        self._collect(schema, "")

    def _collect(self, node: Any, namespace: str) -> None:
        if isinstance(node, list):
            for item in node:
                self._collect(item, namespace)
        elif isinstance(node, Mapping):
            kind = node.get("type")
            if kind in ("record", "enum", "fixed"):
                full = self.full_name(str(node["name"]), str(node.get("namespace", namespace)))
                self.types[full] = node
                namespace = full.rpartition(".")[0]
                for field in node.get("fields", ()):
                    self._collect(field["type"], namespace)
            elif kind == "array":
                self._collect(node["items"], namespace)
            elif isinstance(kind, list | Mapping):
                self._collect(kind, namespace)

    @staticmethod
    def full_name(name: str, namespace: str) -> str:
        return name if "." in name or not namespace else f"{namespace}.{name}"

    def resolve(self, node: Any) -> Any:
        if isinstance(node, str) and node not in _PRIMITIVES and node != "null":
            return self.types.get(node) or next(t for n, t in self.types.items() if n.rpartition(".")[2] == node)
        return node


def _clickhouse_type(node: Any, names: _Names) -> str:
    node = names.resolve(node)
    if isinstance(node, list):
        others = [t for t in node if t != "null"]
        if len(others) != 1:
            raise ValueError(f"union {node!r}: only [null, T] unions are read")
        inner = _clickhouse_type(others[0], names)
        # ClickHouse has no Nullable(Array): a null array reads as an empty one
        if len(others) == len(node) or inner.startswith(("Nullable(", "Array(")):
            return inner
        return f"Nullable({inner})"
    if isinstance(node, str):
        return _PRIMITIVES[node]
    logical = node.get("logicalType")
    if logical in _LOGICAL:
        return _LOGICAL[str(logical)]
    kind = node["type"]
    if kind == "record":
        fields = ", ".join(f"{quote_name(f['name'])} {_clickhouse_type(f['type'], names)}" for f in node["fields"])
        return f"Tuple({fields})"
    if kind == "enum":
        symbols = ", ".join(f"'{s}' = {n}" for n, s in enumerate(node["symbols"]))
        return f"Enum8({symbols})"
    if kind == "array":
        return f"Array({_clickhouse_type(node['items'], names)})"
    return _clickhouse_type(kind, names)


def _string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _element(tuple_expr: str, name: str) -> str:
    return f"tupleElement({tuple_expr}, {_string(name)})"


def _fields(node: Any, names: _Names) -> Iterator[str]:
    """The field names of a record, or of the record of a [null, record] union."""
    node = names.resolve(node)
    if isinstance(node, list):
        node = names.resolve(next(t for t in node if t != "null"))
    for field in node["fields"]:
        yield str(field["name"])


def _key(primary_key: list[str]) -> str:
    """The JSON object of the primary key values, e.g. ``{"id":12}``, from whichever row the change has."""
    if not primary_key:
        return "''"
    row = "ifNull(after, before)"
    parts = ", ',', ".join(
        f"{_string(msgspec.json.encode(name).decode() + ':')}, toJSONString({_element(row, name)})"
        for name in primary_key
    )
    return f"if(isNull(after) AND isNull(before), '', concat('{{', {parts}, '}}'))"


def _changed(columns: list[str]) -> str:
    """The columns whose value differs between before and after (a missing row counts as all nulls),
    leaving out those PostgreSQL did not send (unchanged TOAST)."""
    if not columns:
        return "CAST([], 'Array(String)')"
    tests = ", ".join(f"if({_element('before', c)} <=> {_element('after', c)}, '', {_string(c)})" for c in columns)
    return f"arrayFilter(c -> c != '' AND NOT has(unchanged_toast, c), [{tests}])"


def plan_for(schema: Mapping[str, Any]) -> Plan | None:
    """The plan of a CDC envelope schema; None for any other schema (the registry topic carries the
    statistics' schemas too)."""
    fields = {f["name"]: f["type"] for f in schema.get("fields", ())} if isinstance(schema, Mapping) else {}
    if schema.get("name") != "Envelope" or not {"op", "before", "after", "source", "context"} <= fields.keys():
        return None
    names = _Names(schema)
    columns = list(_fields(fields["before"], names))
    context = set(_fields(fields["context"], names))
    declared = schema.get("primary_key")
    # envelopes published before the attribute existed: the usual primary key, or every column
    primary_key = [str(c) for c in declared] if isinstance(declared, list) else (["id"] if "id" in columns else columns)
    source = "source"
    expressions = {
        "table": _element(source, "table"),
        "key": _key(primary_key),
        "op": "toString(op)",
        "commit_lsn": f"toUInt64({_element(source, 'commit_lsn')})",
        "ordinal": f"toUInt32({_element(source, 'ordinal')})",
        "lsn": f"toUInt64({_element(source, 'lsn')})",
        "txid": _element(source, "txid"),
        "commit_time": f"fromUnixTimestamp64Micro({_element(source, 'commit_ts_us')}, 'UTC')",
        "before": "if(isNull(before), '', toJSONString(before))",
        "after": "if(isNull(after), '', toJSONString(after))",
        "changed": _changed(columns),
        "unchanged_toast": "unchanged_toast",
        "org": _element("context", "org") if "org" in context else "CAST(NULL, 'Nullable(Int64)')",
        "actor": f"ifNull({_element('context', 'actor')}, '')",
        "request_id": f"ifNull({_element('context', 'request_id')}, '')",
        "source": f"ifNull({_element('context', 'source')}, '')",
        "db": _element(source, "db"),
        "schema": _element(source, "schema"),
    }
    structure = ", ".join(
        f"{quote_name(str(f['name']))} {_clickhouse_type(f['type'], names)}" for f in schema["fields"]
    )
    namespace = str(schema.get("namespace", ""))
    return Plan(
        table=namespace.rpartition(".")[2] or "?",
        structure=structure,
        # no aliases: an alias named like an input column (source, before) would replace it in the others
        select=",\n".join(expressions[name] for name, _ in COLUMNS),
    )
