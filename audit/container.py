"""Avro single-object messages of one schema, regrouped as one Avro object container file.

The messages' bodies are already Avro binary datums of that schema: a container is the schema in a header,
then the datums as they are, so building it copies bytes and decodes nothing. ClickHouse reads containers
(format ``Avro``) but not single-object messages.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from schemas.avro_writer import write_long

__all__ = ["container"]

_MAGIC = b"Obj\x01"


def _bytes(out: bytearray, data: bytes) -> None:
    write_long(out, len(data))
    out += data


def container(schema_json: str, datums: Sequence[bytes]) -> bytes:
    """An uncompressed container holding ``datums`` (Avro binary, without the single-object header)."""
    sync = os.urandom(16)
    out = bytearray(_MAGIC)
    write_long(out, 2)  # the metadata map: one block of two entries, then the end of the map
    _bytes(out, b"avro.schema")
    _bytes(out, schema_json.encode())
    _bytes(out, b"avro.codec")
    _bytes(out, b"null")
    write_long(out, 0)
    out += sync
    body = b"".join(datums)
    write_long(out, len(datums))
    write_long(out, len(body))
    out += body
    out += sync
    return bytes(out)
