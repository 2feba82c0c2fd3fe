"""Avro single-object encoding and the fingerprint registry every consumer decodes with.

A message is ``C3 01``, the schema's 8-byte CRC-64-AVRO fingerprint (little-endian, as fastavro returns it in
hex), then the Avro binary datum. Schemas travel on the compacted topic ``rstat.schemas`` (key: fingerprint
hex, value: schema JSON); a consumer feeds what it reads there into :class:`SchemaRegistry`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from fastavro import parse_schema, schemaless_reader
from fastavro.schema import fingerprint, to_parsing_canonical_form

from schemas.avro_writer import compile_encoder

__all__ = ["MAGIC", "CodecError", "SchemaRegistry", "UnknownSchemaError", "fingerprint_of"]

MAGIC = b"\xc3\x01"


class CodecError(ValueError):
    """Bytes that are not a single-object-encoded Avro datum."""


class UnknownSchemaError(CodecError):
    """A message whose schema fingerprint the registry has not seen (yet)."""

    def __init__(self, fingerprint_hex: str) -> None:
        super().__init__(f"unknown schema fingerprint {fingerprint_hex}: read rstat.schemas first")
        self.fingerprint_hex = fingerprint_hex


def fingerprint_of(schema: Any) -> str:
    """The CRC-64-AVRO fingerprint of ``schema`` as 16 hex digits, in single-object header byte order."""
    return str(fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO"))


class SchemaRegistry:
    """Fingerprint -> parsed schema; encodes with a known schema, decodes any registered one."""

    def __init__(self) -> None:
        self._parsed: dict[bytes, Any] = {}
        self._encoders: dict[str, Callable[[Any], bytes]] = {}
        self._json: dict[str, str] = {}

    def register(self, schema: Any) -> str:
        """Add a schema (dict or JSON text); returns its fingerprint hex."""
        raw = json.loads(schema) if isinstance(schema, str | bytes) else schema
        fp = fingerprint_of(raw)
        if bytes.fromhex(fp) not in self._parsed:
            self._parsed[bytes.fromhex(fp)] = parse_schema(raw)
            self._encoders[fp] = compile_encoder(raw)
            self._json[fp] = json.dumps(raw, separators=(",", ":"), sort_keys=True)
        return fp

    def schema_json(self, fp: str) -> str:
        return self._json[fp]

    def __contains__(self, fp: str) -> bool:
        return fp in self._json

    def encode(self, fp: str, record: Any) -> bytes:
        """Single-object encoding of ``record`` with the registered schema ``fp``."""
        return MAGIC + bytes.fromhex(fp) + self._encoders[fp](record)

    def decode(self, data: bytes) -> tuple[str, Any]:
        """(fingerprint hex, record) of a single-object-encoded message."""
        if len(data) < 10 or data[:2] != MAGIC:
            raise CodecError("not an Avro single-object message (missing C3 01 header)")
        key = bytes(data[2:10])
        schema = self._parsed.get(key)
        if schema is None:
            raise UnknownSchemaError(key.hex())
        return key.hex(), schemaless_reader(io.BytesIO(data[10:]), schema, None)
