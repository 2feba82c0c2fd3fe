"""A captured table as the reader knows it: topic, Avro schema, key columns and envelope encoder.

Built from a pgoutput Relation message while streaming, or from the catalog for a snapshot; both give the
same columns in the same order, so both produce the same schema fingerprint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec

from cdc.encoding import EnvelopeEncoder
from cdc.errors import CdcConfigError
from cdc.inserts import InsertEncoder, compile_insert
from cdc.pgoutput import UNCHANGED_TOAST, TupleValue
from cdc.values import ColumnType
from schemas.codec import fingerprint_of
from schemas.envelope import envelope_schema

__all__ = ["RelInfo"]

_json = msgspec.json.Encoder()


def _key_part(name: str, column: ColumnType) -> Callable[[bytes], bytes]:
    """How one key column appears in the JSON key: integers as they are, everything else as a JSON string."""
    prefix = _json.encode(name) + b":"
    kind = column.avro if isinstance(column.avro, str) else column.avro["type"]
    if kind in ("int", "long") and column.convert is int:
        return lambda raw: prefix + raw
    convert = column.convert
    return lambda raw: prefix + _json.encode(convert(raw))


class RelInfo:
    """Everything needed to turn tuples of this table into envelopes and Kafka keys."""

    __slots__ = (
        "encoder",
        "fingerprint",
        "insert",
        "int_key_prefix",
        "key_index",
        "key_nulls",
        "key_parts",
        "name",
        "schema",
        "schema_json",
        "topic",
    )

    def __init__(
        self,
        db: str,
        schema: str,
        name: str,
        columns: Sequence[tuple[str, ColumnType]],
        key_columns: Sequence[str],
        *,
        topic: str,
        excluded: frozenset[str] = frozenset(),
        primary_key: Sequence[str] = (),
    ) -> None:
        self.schema = schema
        self.name = name
        #: positions of the columns that are published (a column excluded by settings is skipped)
        wanted = [i for i, (col, _) in enumerate(columns) if col not in excluded]
        self.schema_json = envelope_schema(
            schema, name, [(columns[i][0], columns[i][1].avro) for i in wanted], primary_key
        )
        self.fingerprint = fingerprint_of(self.schema_json)
        names = [c for c, _ in columns]
        missing = [k for k in key_columns if k not in names or k in excluded]
        if missing:
            raise CdcConfigError(f"key columns {missing} of {name} are not among its captured columns")
        self.key_index = [names.index(k) for k in key_columns]
        self.key_parts = [_key_part(k, columns[names.index(k)][1]) for k in key_columns]
        self.key_nulls = [_json.encode(k) + b":null" for k in key_columns]
        key_type = columns[names.index(key_columns[0])][1] if len(key_columns) == 1 else None
        self.int_key_prefix = (
            b"{" + _json.encode(key_columns[0]) + b":"
            if key_type is not None and key_type.convert is int and key_type.avro in ("int", "long")
            else None
        )
        self.encoder = EnvelopeEncoder(
            self.fingerprint, db=db, schema=schema, table=name, columns=columns, wanted=wanted
        )
        self.topic = topic
        #: the hot path of an Insert's copy frame (see :mod:`cdc.inserts`), same bytes as ``encoder``
        self.insert: InsertEncoder = compile_insert(
            header=self.encoder.header,
            source_head=self.encoder.source_head,
            columns=columns,
            wanted=wanted,
            key_index=self.key_index,
            int_key_prefix=self.int_key_prefix,
            key=self.key,
        )

    def key(self, values: Sequence[TupleValue]) -> bytes:
        """The Kafka key: the key columns as a JSON object, e.g. ``{"match_id":12}``."""
        if self.int_key_prefix is not None:  # one integer key column: the common case, kept short
            raw = values[self.key_index[0]]
            if isinstance(raw, bytes):
                return self.int_key_prefix + raw + b"}"
        parts: list[bytes] = []
        for index, part in zip(self.key_index, self.key_parts, strict=True):
            raw = values[index]
            if raw is None or raw is UNCHANGED_TOAST:
                parts.append(self.key_nulls[len(parts)])
            else:
                parts.append(part(raw))  # type: ignore[arg-type]
        return b"{" + b",".join(parts) + b"}"
