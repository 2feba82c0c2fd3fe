"""Decoded changes turned into keyed Avro envelopes on their table's topic.

Every change of a transaction is numbered by ``(commit_lsn, ordinal)`` and carries the transaction's
attribution (its ``rstat.context`` message). A table's shape (from a pgoutput Relation message or from the
catalog for a snapshot) becomes a schema that is on the registry topic before the first message using it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Protocol

from cdc.acks import AckTracker, TxAcks
from cdc.config import CdcConfig
from cdc.encoding import EMPTY_CONTEXT, TxBytes, context_bytes
from cdc.pgoutput import Delete, Insert, LogicalMessage, Relation, Truncate, TupleValue, Update
from cdc.relations import RelInfo
from cdc.values import ColumnType
from schemas.codec import SchemaRegistry

__all__ = ["Counts", "Envelopes", "EventPublisher", "SchemaBook", "TableCatalog", "Tx", "context"]

log = logging.getLogger(__name__)

#: changes published since the last status report, by (table, op): metrics are updated in batches
Counts = dict[tuple[str, str], int]


class EventPublisher(Protocol):
    """Where envelopes go (Kafka): each message counts in ``tracker`` until the broker acknowledges it."""

    @property
    def tracker(self) -> AckTracker: ...

    def ensure_topics(self, topics: list[str]) -> None: ...

    def partitions(self, topic: str) -> int: ...

    def publish_schema(self, fingerprint: str, schema_json: str) -> None:
        """Put a schema on the registry topic; returns once it is acknowledged."""

    def produce(
        self, topic: str, key: bytes | None, value: bytes | None, tx: TxAcks, partition: int | None = None
    ) -> None: ...

    def produce_many(self, topic: str, messages: list[tuple[bytes, bytes]], tx: TxAcks) -> None:
        """Keyed messages (key, value) of one transaction to one topic, in order: the hot path of a bulk load."""

    def poll(self, timeout: float = 0.0) -> None:
        """Serve delivery reports (waiting up to ``timeout`` s); raises once a message was refused for good."""

    def drain(self, timeout: float) -> bool:
        """Wait until every message is acknowledged (or ``timeout`` passes); true when none is in flight."""

    def take_bytes(self) -> int:
        """Value bytes produced since the last call."""


class TableCatalog(Protocol):
    """What building a table's schema needs from PostgreSQL's catalog."""

    def column_type(self, oid: int) -> ColumnType: ...

    def primary_key(self, table: str) -> list[str]: ...


class Tx:
    """The transaction being published: its position, numbering and attribution."""

    __slots__ = ("acks", "commit_lsn", "encoded", "ordinal")

    def __init__(self, xid: int | None, commit_lsn: int, commit_ts_us: int, acks: TxAcks) -> None:
        self.commit_lsn = commit_lsn
        self.acks = acks
        self.ordinal = 0
        self.encoded = TxBytes(xid, commit_lsn, commit_ts_us)


class SchemaBook:
    """Schemas already on the registry topic and partition counts of topics, kept across reconnects."""

    def __init__(self, publisher: EventPublisher, registry: SchemaRegistry) -> None:
        self.publisher = publisher
        self.registry = registry
        self._published: set[str] = set()
        self._partitions: dict[str, int] = {}

    def publish(self, info: RelInfo) -> None:
        """Put the schema of ``info`` on the registry topic unless it is there already."""
        fingerprint = info.fingerprint
        if fingerprint not in self._published:
            self.registry.register(info.schema_json)
            self.publisher.publish_schema(fingerprint, self.registry.schema_json(fingerprint))
            self._published.add(fingerprint)
            log.info("schema %s of %s published", fingerprint, info.name)

    def partitions(self, topic: str) -> int:
        if topic not in self._partitions:
            self._partitions[topic] = self.publisher.partitions(topic)
        return self._partitions[topic]


def context(content: bytes) -> bytes:
    """The encoded attribution of a transaction from its ``rstat.context`` message."""
    try:
        data = json.loads(content)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        log.warning("ignored a malformed rstat.context message: %r", content[:200])
        return EMPTY_CONTEXT
    actor, request_id, source = (
        None if data.get(k) is None else str(data[k]) for k in ("actor", "request_id", "source")
    )
    org = data.get("org")
    if org is not None and (isinstance(org, bool) or not isinstance(org, int)):
        log.warning("ignored the organization %r of an rstat.context message: not an id", org)
        org = None
    return context_bytes(actor, request_id, source, org)


class Envelopes:
    """The tables of one connection (relation id -> :class:`RelInfo`) and the envelopes of their changes."""

    def __init__(
        self,
        config: CdcConfig,
        *,
        database: str,
        catalog: TableCatalog,
        publisher: EventPublisher,
        schemas: SchemaBook,
        counts: Counts,
    ) -> None:
        self.config = config
        self.database = database
        self.catalog = catalog
        self.publisher = publisher
        self.schemas = schemas
        self.counts = counts
        self.relations: dict[int, RelInfo] = {}
        self.excluded = {table: frozenset(columns) for table, columns in config.exclude_columns.items()}

    def relinfo(self, schema: str, table: str, columns: list[tuple[str, int]]) -> RelInfo:
        """A table's envelope builder; its schema is published first when it is new."""
        primary = self.catalog.primary_key(table)
        key = list(self.config.key_columns.get(table, ())) or primary or [c for c, _ in columns]
        info = RelInfo(
            self.database,
            schema,
            table,
            [(name, self.catalog.column_type(oid)) for name, oid in columns],
            key,
            topic=self.config.topic_prefix + table,
            excluded=self.excluded.get(table, frozenset()),
            primary_key=primary,
        )
        self.schemas.publish(info)
        self.publisher.ensure_topics([info.topic])
        return info

    def on_relation(self, message: Relation) -> None:
        """A table's (new) shape: a new schema version when columns were added or dropped."""
        self.relations[message.relid] = self.relinfo(
            message.namespace, message.name, [(c.name, c.type_oid) for c in message.columns]
        )

    def emit(
        self,
        info: RelInfo,
        op: str,
        before: Sequence[TupleValue] | None,
        after: Sequence[TupleValue] | None,
        tx: Tx,
        *,
        lsn: int = 0,
    ) -> None:
        value = info.encoder.encode(op, before, after, tx=tx.encoded, lsn=lsn or tx.commit_lsn, ordinal=tx.ordinal)
        tx.ordinal += 1
        key_values = after if after is not None else before
        assert key_values is not None
        key = info.key(key_values)
        self.publisher.produce(info.topic, key, value, tx.acks)
        counts = self.counts
        counts[(info.name, op)] = counts.get((info.name, op), 0) + 1
        if op == "d" and self.config.tombstones:
            self.publisher.produce(info.topic, key, None, tx.acks)

    def change(self, message: object, lsn: int, tx: Tx) -> None:
        """Publish one decoded message of a transaction (data, Relation or ``rstat.context``)."""
        if isinstance(message, Insert):
            self.emit(self.relations[message.relid], "c", None, message.new, tx, lsn=lsn)
        elif isinstance(message, Update):
            info = self.relations[message.relid]
            old = message.old
            if old is not None and message.old_is_key and info.key(old) != info.key(message.new):
                # the key changed: a delete under the old key, then a create under the new one
                self.emit(info, "d", old, None, tx, lsn=lsn)
                self.emit(info, "c", None, message.new, tx, lsn=lsn)
                return
            self.emit(info, "u", old, message.new, tx, lsn=lsn)
        elif isinstance(message, Delete):
            self.emit(self.relations[message.relid], "d", message.old, None, tx, lsn=lsn)
        elif isinstance(message, Truncate):
            for relid in message.relids:
                info = self.relations[relid]
                value = info.encoder.encode("t", None, None, tx=tx.encoded, lsn=lsn, ordinal=tx.ordinal)
                tx.ordinal += 1
                for partition in range(self.schemas.partitions(info.topic)):  # every consumer must see it
                    self.publisher.produce(info.topic, None, value, tx.acks, partition=partition)
                self.counts[(info.name, "t")] = self.counts.get((info.name, "t"), 0) + 1
        elif isinstance(message, Relation):
            self.on_relation(message)
        elif isinstance(message, LogicalMessage) and message.prefix == "rstat.context":
            tx.encoded.context = context(message.content)
