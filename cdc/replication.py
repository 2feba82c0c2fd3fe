"""The replication connection: slot commands and the COPY_BOTH stream, with non-blocking reads.

psycopg 3 speaks the replication protocol when connected with ``replication=database``: slot commands run as
plain statements, ``START_REPLICATION`` leaves the connection in COPY_BOTH, frames are read with
``get_copy_data`` after waiting on the socket, and standby status updates are written with
``put_copy_data``.
"""

from __future__ import annotations

import select
import struct
import time

import psycopg
from psycopg import sql

__all__ = [
    "FAILOVER_SINCE",
    "PG_EPOCH_US",
    "ReplicationStream",
    "format_lsn",
    "parse_keepalive",
    "parse_lsn",
    "parse_xlogdata",
    "slot_command",
]

PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in microseconds since 1970-01-01
_STATUS = struct.Struct(">cQQQq?")
_KEEPALIVE = struct.Struct(">Qq?")
_XLOG_HEADER = struct.Struct(">QQq")
#: the first server version whose logical slots can be synchronized to standbys
FAILOVER_SINCE = 170000


def parse_lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def format_lsn(lsn: int) -> str:
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


def parse_keepalive(frame: bytes) -> tuple[int, int, bool]:
    """(wal_end, send_time, reply_requested) of a primary keepalive ('k') copy frame."""
    end, sent, reply = _KEEPALIVE.unpack_from(frame, 1)
    return end, sent, reply


def parse_xlogdata(frame: bytes) -> tuple[int, int, bytes]:
    """(start LSN, server WAL end, pgoutput message) of an XLogData ('w') copy frame."""
    start, wal_end, _sent = _XLOG_HEADER.unpack_from(frame, 1)
    return start, wal_end, frame[_XLOG_HEADER.size + 1 :]


def slot_command(slot: str, export_snapshot: bool, failover: bool, server_version: int) -> sql.Composed:
    """``CREATE_REPLICATION_SLOT`` for ``slot``, with ``FAILOVER`` only where the server knows it (17+)."""
    if failover and server_version >= FAILOVER_SINCE:  # options in parentheses: the syntax of PostgreSQL 15+
        snapshot = sql.Literal("export" if export_snapshot else "nothing")
        return sql.SQL("CREATE_REPLICATION_SLOT {} LOGICAL pgoutput (SNAPSHOT {}, FAILOVER)").format(
            sql.Identifier(slot), snapshot
        )
    mode = sql.SQL("EXPORT_SNAPSHOT" if export_snapshot else "NOEXPORT_SNAPSHOT")
    return sql.SQL("CREATE_REPLICATION_SLOT {} LOGICAL pgoutput {}").format(sql.Identifier(slot), mode)


class ReplicationStream:
    """One replication connection: create or drop a slot, stream from it, report positions back."""

    def __init__(self, dsn: str) -> None:
        self.conn = psycopg.connect(
            dsn,
            replication="database",
            autocommit=True,
            options="-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3 -c bytea_output=hex",
        )
        self.pgconn = self.conn.pgconn

    def create_slot(self, slot: str, export_snapshot: bool, failover: bool = False) -> tuple[int, str | None]:
        """(consistent point, exported snapshot name); the snapshot lives until the next command here.

        ``failover``: synchronized to standbys, where the server can (PostgreSQL 17+); ignored before.
        """
        command = slot_command(slot, export_snapshot, failover, self.conn.info.server_version)
        row = self.conn.execute(command).fetchone()
        assert row is not None
        return parse_lsn(str(row[1])), (str(row[2]) if row[2] else None)

    def start(self, slot: str, publication: str, start_lsn: int) -> None:
        self.conn.execute(
            sql.SQL(
                "START_REPLICATION SLOT {} LOGICAL {} (proto_version '2', publication_names {}, "
                "messages 'true', streaming 'on')"
            ).format(sql.Identifier(slot), sql.SQL(format_lsn(start_lsn)), sql.Literal(publication))
        )

    def read(self, timeout: float) -> bytes | None:
        """The next copy frame, or None when none arrives within ``timeout`` seconds."""
        pg = self.pgconn
        nbytes, data = pg.get_copy_data(1)
        if nbytes == 0:
            ready, _, _ = select.select([pg.socket], [], [], timeout)
            if not ready:
                return None
            pg.consume_input()
            nbytes, data = pg.get_copy_data(1)
            if nbytes == 0:
                return None
        if nbytes < 0:
            result = pg.get_result()
            message = pg.error_message.decode(errors="replace").strip() if result is not None else ""
            raise psycopg.OperationalError(f"replication stream ended: {message or 'server closed the stream'}")
        return bytes(data)

    def send_status(self, written: int, flushed: int, reply: bool = False) -> None:
        now = int(time.time() * 1_000_000) - PG_EPOCH_US
        self.pgconn.put_copy_data(_STATUS.pack(b"r", written, flushed, flushed, now, reply))
        self.pgconn.flush()

    def close(self) -> None:
        self.conn.close()
