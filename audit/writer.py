"""The audit writer's loop: a batch of changes from Kafka, inserted into ClickHouse, then its offsets committed.

Per batch, the messages are grouped by schema and each group goes to ClickHouse as one Avro container with
the ``SELECT`` that turns envelopes into audit rows (audit/projection.py), under an
``insert_deduplication_token`` derived from the batch's offsets. Offsets are committed after the inserts,
so a writer killed at any point replays at most its last batch, and the table shows each change once.

Bad input, by what losing it would cost:
- a message that is not Avro single-object encoded, or whose datum does not decode: not a change anyone
  can audit; logged with its topic, partition and offset, counted, skipped;
- a schema that is not a change envelope (statistics on the same registry): skipped, logged once per topic;
- a schema missing from the registry even after reading it again: that is an audit row the writer cannot
  write, so it stops, saying what to do, with nothing of the batch committed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from audit.config import AuditConfig
from audit.container import container
from audit.errors import ClickHouseError, SchemaMissingError
from audit.kafka import Record
from audit.metrics import AuditMetrics
from audit.projection import Plan, plan_for
from audit.store import AuditStore
from audit.table import COLUMNS, create_statements, quote_name, ttl_days_of, ttl_statement
from schemas.codec import MAGIC, SchemaRegistry

__all__ = ["ChangeSource", "Writer"]

log = logging.getLogger(__name__)

#: ClickHouse's codes for input it cannot read (INCORRECT_DATA, AVRO_EXCEPTION, CANNOT_PARSE_*)
_BAD_DATA = frozenset({6, 27, 117, 748})
_RETRY_MAX_S = 30.0


class ChangeSource(Protocol):
    """The CDC topics (audit/kafka.py ``CdcConsumer``)."""

    #: monotonic time since which no broker answers, None while they do
    down_since: float | None

    def poll(self, max_messages: int, wait_s: float) -> Sequence[Record]: ...

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        """Commit the next offsets to read; raises when Kafka does not take them."""

    def lag(self) -> dict[str, int]: ...

    def close(self) -> None: ...


@dataclass
class _Group:
    """The messages of one schema in a batch (each with a value)."""

    plan: Plan
    records: list[Record] = field(default_factory=list)

    def datums(self) -> list[bytes]:
        """The Avro datums: the messages without their single-object header."""
        return [value[10:] for value in (r.value() for r in self.records) if value is not None]


class Writer:
    def __init__(
        self,
        config: AuditConfig,
        *,
        database: str,
        source: ChangeSource,
        store: AuditStore,
        registry: SchemaRegistry,
        reload_schemas: Callable[[], int],
        schema_topic: str,
        metrics: AuditMetrics,
    ) -> None:
        self.config = config
        self.database = database
        self.target = f"{quote_name(database)}.{quote_name(config.table)}"
        self.source = source
        self.store = store
        self.registry = registry
        self.reload_schemas = reload_schemas
        self.schema_topic = schema_topic
        self.metrics = metrics
        self.stop = threading.Event()
        self._plans: dict[bytes, Plan | None] = {}
        self._foreign_topics: set[str] = set()
        #: offsets of batches written but not yet committed (Kafka refused the commit)
        self._uncommitted: dict[tuple[str, int], int] = {}
        self.rows_written = 0

    # -- set-up --------------------------------------------------------------------------------------------

    def prepare(self) -> None:
        """The database and table exist, with the configured TTL."""
        self.store.prepare(create_statements(self.database, self.config.table, self.config.ttl_days))
        answer = self.store.read(
            "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {t:String}",
            fmt="TabSeparatedRaw",
            params={"db": self.database, "t": self.config.table},
        )
        if ttl_days_of(answer.decode()) != self.config.ttl_days:
            log.info("setting the TTL of %s to %d days (0: none)", self.target, self.config.ttl_days)
            self.store.prepare([ttl_statement(self.database, self.config.table, self.config.ttl_days)])

    # -- the loop ------------------------------------------------------------------------------------------

    def run(self) -> None:
        """Write until ``stop`` is set; the batch in hand is finished (or left uncommitted) first."""
        while not self.stop.is_set():
            self.step()
        if self._uncommitted:
            self._commit({})

    def step(self) -> int:
        """One batch; returns how many rows it wrote."""
        records = self.source.poll(self.config.batch_max, self.config.batch_wait_s)
        self.metrics.kafka_up.set(0 if self.source.down_since is not None else 1)
        if not records:
            if self._uncommitted:
                self._commit({})
            self._measure_lag()
            return 0
        started = time.monotonic()
        groups, offsets, token = self._group(records)
        written = 0
        for fingerprint, group in groups.items():
            written += self._insert(fingerprint, group, f"{token}:{fingerprint.hex()}")
        self._commit(offsets)
        self.metrics.batch.observe(time.monotonic() - started)
        self._observe_newest(groups)
        self._measure_lag()
        self.rows_written += written
        return written

    def _group(self, records: Sequence[Record]) -> tuple[dict[bytes, _Group], dict[tuple[str, int], int], str]:
        """The batch's messages by schema, the next offset of each partition, and the batch's token."""
        groups: dict[bytes, _Group] = {}
        offsets: dict[tuple[str, int], int] = {}
        first: dict[tuple[str, int], int] = {}
        for record in records:
            topic, offset = record.topic() or "", record.offset() or 0
            partition = (topic, record.partition() or 0)
            offsets[partition] = offset + 1
            first.setdefault(partition, offset)
            value = record.value()
            if value is None:  # a tombstone after a delete: the delete itself was audited
                continue
            if topic == self.schema_topic:  # shares the table topics' prefix in some set-ups
                self.registry.register(value.decode())
                continue
            if len(value) < 10 or value[:2] != MAGIC:
                log.warning(
                    "%s [%d] offset %d: not an Avro single-object message (%d bytes starting %r); skipped",
                    *partition,
                    offset,
                    len(value),
                    value[:10],
                )
                self.metrics.skipped.labels("not_avro").inc()
                continue
            fingerprint = value[2:10]
            plan = self._plans[fingerprint] if fingerprint in self._plans else self._plan(fingerprint, record)
            if plan is None:
                self.metrics.skipped.labels("other_schema").inc()
                if topic not in self._foreign_topics:
                    self._foreign_topics.add(topic)
                    log.info("%s carries messages that are not change envelopes: they are not audited", topic)
                continue
            group = groups.get(fingerprint)
            if group is None:
                group = groups[fingerprint] = _Group(plan)
            group.records.append(record)
        return groups, offsets, _token(first, offsets)

    def _plan(self, fingerprint: bytes, record: Record) -> Plan | None:
        hex_ = fingerprint.hex()
        if hex_ not in self.registry:
            found = self.reload_schemas()  # a new table version: its schema was published before its messages
            log.info("read %s again for schema %s: %d schemas", self.schema_topic, hex_, found)
        if hex_ not in self.registry:
            raise SchemaMissingError(
                f"{record.topic()} [{record.partition()}] offset {record.offset()}: schema {hex_} is not on "
                f"{self.schema_topic}, even after reading it again. The writer stopped before writing this "
                "batch, and nothing after its last commit is lost. Publish the schema (`rstat cdc` publishes "
                "the schema of every table it captures when it starts, so restarting the reader does it; "
                "another producer must publish its schemas before its messages), then start `rstat audit` again."
            )
        plan = plan_for(json.loads(self.registry.schema_json(hex_)))
        self._plans[fingerprint] = plan
        return plan

    def _insert(self, fingerprint: bytes, group: _Group, token: str) -> int:
        """Insert one group, retrying (with the same token) until ClickHouse takes it or the writer stops."""
        schema_json = self.registry.schema_json(fingerprint.hex())
        columns = [name for name, _ in COLUMNS]
        delay = 0.5
        checked = False
        while True:
            try:
                self.store.insert_avro(
                    self.target,
                    columns,
                    group.plan.select,
                    data=container(schema_json, group.datums()),
                    structure=group.plan.structure,
                    token=token,
                )
            except ClickHouseError as exc:
                if exc.code in _BAD_DATA and not checked:
                    checked = True
                    if self._drop_corrupt(group):
                        continue
                if self.stop.is_set():
                    raise  # stopping: nothing of this batch is committed, the next start writes it
                log.warning(
                    "inserting %d changes of %s failed, retrying in %.1f s: %s",
                    len(group.records),
                    group.plan.table,
                    delay,
                    exc.message.splitlines()[0],
                )
                self.stop.wait(delay)
                delay = min(delay * 2, _RETRY_MAX_S)
                continue
            self.metrics.rows.labels(group.plan.table).inc(len(group.records))
            return len(group.records)

    def _drop_corrupt(self, group: _Group) -> bool:
        """Find the datums ClickHouse could not read by decoding each one here; drop them (logging where each
        was). True when some were dropped."""
        kept: list[Record] = []
        for record in group.records:
            try:
                self.registry.decode(record.value() or b"")
            except Exception as exc:  # fastavro fails in many ways (EOFError, ValueError, IndexError...)
                log.warning(
                    "%s [%d] offset %d: an Avro datum that does not decode (%s); skipped",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    exc,
                )
                self.metrics.skipped.labels("corrupt").inc()
                continue
            kept.append(record)
        dropped = len(kept) < len(group.records)
        group.records = kept
        return dropped

    def _commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        """Commit the batch's offsets (and any a refused commit left); Kafka being down delays it."""
        pending = {**self._uncommitted, **offsets}
        try:
            self.source.commit(pending)
        except Exception as exc:  # confluent-kafka raises KafkaException, but also others on shutdown
            if not self._uncommitted:
                log.warning("committing offsets failed (%s); retried after the next batch", exc)
            self._uncommitted = pending
            return
        self._uncommitted = {}
        for (topic, partition), offset in pending.items():
            self.metrics.committed.labels(topic, str(partition)).set(offset)

    def _observe_newest(self, groups: dict[bytes, _Group]) -> None:
        """Commit time and LSN of the batch's newest change: decoding one message per group is enough."""
        newest: tuple[int, int] | None = None
        for group in groups.values():
            if group.records:
                source = self.registry.decode(group.records[-1].value() or b"")[1]["source"]
                mark = (int(source["commit_lsn"]), int(source["commit_ts_us"]))
                newest = mark if newest is None or mark > newest else newest
        if newest is not None:
            self.metrics.commit_lsn.set(newest[0])
            self.metrics.freshness.observe(max(0.0, time.time() - newest[1] / 1e6))

    def _measure_lag(self) -> None:
        for topic, lag in self.source.lag().items():
            self.metrics.lag.labels(topic).set(lag)


def _token(first: dict[tuple[str, int], int], after: dict[tuple[str, int], int]) -> str:
    """The batch's deduplication token: its offset range in each partition (the same batch, read again
    after a restart, gets the same token)."""
    text = ";".join(f"{t}:{p}:{first[(t, p)]}-{after[(t, p)]}" for t, p in sorted(first))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
