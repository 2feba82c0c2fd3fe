"""A captured table as the reader knows it: topic, Avro schema, key columns and value converters.

Built from a pgoutput Relation message while streaming, or from the catalog for a snapshot; both give the
same columns in the same order, so both produce the same schema fingerprint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from cdc.errors import CdcConfigError
from cdc.pgoutput import UNCHANGED_TOAST, TupleValue
from cdc.values import ColumnType, ColumnValueError
from schemas.envelope import envelope_schema

__all__ = ["RelInfo"]

_key_encoder = msgspec.json.Encoder()


class RelInfo:
    """Everything needed to turn a tuple of this table into an envelope row and a Kafka key."""

    __slots__ = (
        "columns",
        "converters",
        "fingerprint",
        "key_columns",
        "key_index",
        "name",
        "schema",
        "schema_json",
        "topic",
        "wanted",
    )

    def __init__(
        self,
        schema: str,
        name: str,
        columns: Sequence[tuple[str, ColumnType]],
        key_columns: Sequence[str],
        *,
        topic: str,
        excluded: frozenset[str] = frozenset(),
    ) -> None:
        self.schema = schema
        self.name = name
        #: positions of the columns that are published (a column excluded by settings is skipped)
        self.wanted = [i for i, (col, _) in enumerate(columns) if col not in excluded]
        self.columns = [columns[i][0] for i in self.wanted]
        self.converters = [columns[i][1].convert for i in self.wanted]
        self.schema_json = envelope_schema(schema, name, [(columns[i][0], columns[i][1].avro) for i in self.wanted])
        self.fingerprint = ""
        missing = [k for k in key_columns if k not in self.columns]
        if missing:
            raise CdcConfigError(f"key columns {missing} of {name} are not among its captured columns")
        self.key_columns = list(key_columns)
        self.key_index = [self.columns.index(k) for k in key_columns]
        self.topic = topic

    def row(self, values: Sequence[TupleValue]) -> tuple[dict[str, Any], list[str]]:
        """The typed row and the names of unchanged TOAST columns (None in the row, never confused with NULL)."""
        out: dict[str, Any] = {}
        unchanged: list[str] = []
        columns, converters = self.columns, self.converters
        for n, i in enumerate(self.wanted):
            value = values[i]
            name = columns[n]
            if value is None:
                out[name] = None
            elif value is UNCHANGED_TOAST:
                out[name] = None
                unchanged.append(name)
            else:
                try:
                    out[name] = converters[n](value)  # type: ignore[arg-type]
                except (ValueError, UnicodeDecodeError) as exc:
                    raise ColumnValueError(f"{self.name}.{name}: {exc}") from exc
        return out, unchanged

    def key(self, row: dict[str, Any]) -> bytes:
        """The Kafka key: the key columns as a JSON object, e.g. ``{"match_id":12}``."""
        return _key_encoder.encode({k: row[k] for k in self.key_columns})
