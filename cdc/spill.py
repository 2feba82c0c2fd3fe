"""Spill files for streamed transactions: chunks of a big in-progress transaction wait on disk, not in memory.

PostgreSQL streams a transaction larger than ``logical_decoding_work_mem`` before it commits. Its changes
must not reach Kafka before the commit (it may still abort), and holding them in memory would make memory
grow with the transaction. Each message goes to a file of its top-level transaction, with its WAL position,
and is read back in order when the transaction commits.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["SpillStore"]

_FRAME = struct.Struct(">QI")


class SpillStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[int, BinaryIO] = {}
        self.aborted_subxacts: dict[int, set[int]] = {}

    def reset(self) -> None:
        """Forget every partial transaction: after a reconnect PostgreSQL streams them again from the start."""
        for handle in self._files.values():
            handle.close()
        self._files.clear()
        self.aborted_subxacts.clear()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)

    def append(self, xid: int, lsn: int, message: bytes) -> None:
        handle = self._files.get(xid)
        if handle is None:
            handle = self._files[xid] = (self.folder / f"{xid}.spill").open("wb", buffering=1 << 20)
        handle.write(_FRAME.pack(lsn, len(message)))
        handle.write(message)

    def abort(self, xid: int, subxid: int) -> None:
        if subxid == xid:
            self.discard(xid)
        else:
            self.aborted_subxacts.setdefault(xid, set()).add(subxid)

    def discard(self, xid: int) -> None:
        handle = self._files.pop(xid, None)
        if handle is not None:
            handle.close()
        self.aborted_subxacts.pop(xid, None)
        (self.folder / f"{xid}.spill").unlink(missing_ok=True)

    def replay(self, xid: int) -> Iterator[tuple[int, bytes]]:
        """(lsn, message) of every spilled message of ``xid`` in order; the file is removed afterwards."""
        handle = self._files.pop(xid, None)
        if handle is None:
            return
        handle.close()
        path = self.folder / f"{xid}.spill"
        with path.open("rb", buffering=1 << 20) as f:
            while header := f.read(_FRAME.size):
                lsn, length = _FRAME.unpack(header)
                yield lsn, f.read(length)
        path.unlink(missing_ok=True)
