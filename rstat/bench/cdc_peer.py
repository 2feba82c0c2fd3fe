"""``rstat bench cdc --peer debezium``: our reader and Debezium's PostgreSQL connector, one after the other in
one run, on the same PostgreSQL, the same broker and the same workloads (rstat/bench/cdc.py).

The output is ``rstat bench cdc``'s own object with its keys unchanged (our figures, the raw decode rate and
``bulk_share_of_raw``), plus Debezium's figures under ``debezium``, the ratios ours / Debezium's, the peer's
configuration and notes on how to read them. Debezium's jars are resolved before our run starts, so a missing
Java or Maven fails in seconds rather than after several minutes of our figures.
"""

from __future__ import annotations

import sys
from typing import Any

from rstat.bench.cdc import bench_cdc
from rstat.bench.debezium import PRODUCER, DebeziumJars
from rstat.bench.debezium_measure import WARM_UP_CHANGES, bench_debezium
from rstat.errors import RStatError
from rstat.settings import Settings

__all__ = ["PEERS", "bench_cdc_with_peer", "side_by_side"]

PEERS = ("debezium",)

NOTES = (
    "ratios are ours / Debezium's: above 1 is better for us in bulk_ratio_to_debezium and "
    "small_tx_ratio_to_debezium (changes/s), below 1 is better for us in latency_p99_ratio_to_debezium and "
    "rss_ratio_to_debezium. Our bulk and small-transaction figures are commit -> last Kafka acknowledgement "
    "(the reader's own histogram); Debezium's are end of the committing statement -> last message at a "
    "consumer (Connect reports no such figure), later than an acknowledgement by one fetch of a few ms. "
    "Our reader asks PostgreSQL to stream transactions in progress (pgoutput proto_version 2, streaming on); "
    "Debezium 3.6 asks for proto_version 1, so PostgreSQL decodes a large transaction only after its commit. "
    "Latency: commit timestamp -> consumer for both. RSS: VmHWM of each process after a 1,000,000-row "
    "transaction. Connect's JVM is warmed up with 300,000 changes before its first measured run (ours: "
    "100,000; its bulk rate still rose run after run after 100,000) and runs with connect-standalone.sh's "
    "heap (-Xms256M -Xmx2G), so its RSS follows the heap ceiling G1 grows into "
    "(debezium.peak_rss_mb_before_1m_tx: the peak before that transaction). Debezium writes schemaless JSON "
    "(no Schema Registry here), we write Avro single-object messages. Shared 2-core machine: figures are "
    "noisy from run to run."
)


def _progress(text: str) -> None:
    print(f"bench cdc --peer: {text}", file=sys.stderr, flush=True)


def _ratio(ours: Any, theirs: Any) -> float | None:
    if not isinstance(ours, int | float) or not isinstance(theirs, int | float) or not theirs:
        return None
    return round(ours / theirs, 3)


def side_by_side(ours: dict[str, Any], theirs: dict[str, Any], peer: dict[str, Any]) -> dict[str, Any]:
    """One object: our figures as ``rstat bench cdc`` prints them, Debezium's, and the ratios ours / theirs."""
    theirs = dict(theirs)
    raw = ours.get("raw_decode_changes_per_s")
    if isinstance(raw, int | float) and raw:
        theirs["bulk_share_of_raw"] = round(theirs["bulk_changes_per_s"] / raw, 3)
    return {
        **ours,
        "debezium": theirs,
        "bulk_ratio_to_debezium": _ratio(ours.get("bulk_changes_per_s"), theirs.get("bulk_changes_per_s")),
        "small_tx_ratio_to_debezium": _ratio(ours.get("small_tx_per_s"), theirs.get("small_tx_per_s")),
        "latency_p99_ratio_to_debezium": _ratio(ours.get("latency_p99_ms"), theirs.get("latency_p99_ms")),
        "rss_ratio_to_debezium": _ratio(ours.get("peak_rss_mb_1m_tx"), theirs.get("peak_rss_mb_1m_tx")),
        "peer": peer,
        "notes": NOTES,
    }


def peer_description(jars: DebeziumJars) -> dict[str, Any]:
    """What was measured, with the settings that decide a comparison."""
    return {
        "name": "debezium",
        "debezium_connector_postgres": jars.version("debezium-connector-postgres"),
        "kafka_connect": jars.version("connect-runtime"),
        "mode": "Kafka Connect standalone, one task",
        "warm_up_changes": WARM_UP_CHANGES,
        "converter": "org.apache.kafka.connect.json.JsonConverter, schemas.enable=false (key and value)",
        "connector": {
            "plugin.name": "pgoutput",
            "snapshot.mode": "no_data",
            "max.batch.size": 8192,
            "max.queue.size": 32768,
            "poll.interval.ms": 5,
        },
        "producer": PRODUCER,
    }


def bench_cdc_with_peer(settings: Settings, peer: str) -> dict[str, object]:
    if peer not in PEERS:
        raise RStatError(f"unknown CDC peer {peer!r}; known: {', '.join(PEERS)}")
    jars = DebeziumJars(settings.stack.home_path)
    if not jars.ready():
        _progress(f"resolving Kafka Connect and Debezium with Maven into {jars.libs}")
    jars.resolve()
    _progress("our reader (rstat bench cdc)")
    ours = bench_cdc(settings)
    _progress("Debezium's PostgreSQL connector on Kafka Connect")
    theirs = bench_debezium(settings, jars)
    return side_by_side(ours, theirs, peer_description(jars))
