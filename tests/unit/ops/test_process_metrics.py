"""The processes' own metrics without services: the stream processor's wrappers of its ports, the commit
clock, the lag arithmetic, the CDC reader's slot lag in seconds, and the bootstrap's derived targets."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import msgspec
from prometheus_client import generate_latest

from api.ops.scrape import parse_metrics
from cdc.metrics import CdcMetrics
from rstat.boot.api import QUERIES, ops_config
from rstat.settings import load_settings
from streams.batching import Staged
from streams.materializer import STANDINGS, Target
from streams.metrics import CommitClock, StreamsMetrics, lags


def values(metrics_text: bytes) -> dict[str, float]:
    found = parse_metrics(metrics_text.decode(), {})
    return {",".join(f"{k}={v}" for k, v in labels): value for labels, value in found.items()}


def test_commit_clock_answers_each_commit_once_and_forgets_the_oldest() -> None:
    clock = CommitClock(limit=2)
    clock.read(10, 1_000)
    clock.read(10, 9_999)  # a second change of the same transaction keeps the first time
    clock.read(20, 2_000)
    clock.read(30, 3_000)
    assert clock.materialized(10) is None  # forgotten beyond the limit
    assert clock.materialized(20) == 2_000
    assert clock.materialized(20) is None
    assert len(clock) == 1


def test_lag_is_end_minus_committed_or_the_whole_partition() -> None:
    committed = {("g", "t", 0): 5, ("g", "t", 1): -1001, ("g", "t", 2): 3, ("g", "gone", 0): 1}
    starts = {("t", 0): 0, ("t", 1): 4, ("t", 2): 10}
    ends = {("t", 0): 8, ("t", 1): 9, ("t", 2): 12}
    assert lags(committed, starts, ends) == {("g", "t", 0): 3, ("g", "t", 1): 5, ("g", "t", 2): 2}


class FakeSink:
    def __init__(self) -> None:
        self.batches: list[int] = []

    def write(self, items: Sequence[tuple[Target, dict[str, Any]]]) -> int:
        self.batches.append(len(items))
        return len(items)


class FakeSends:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
        self.sent.append(topic)

    def flush(self, timeout: float = 60) -> None:
        return None


def test_streams_metrics_count_changes_events_notices_and_time_commits() -> None:
    metrics = StreamsMetrics()
    commit_us = int((time.time() - 2.0) * 1e6)
    envelope = {"op": "c", "source": {"table": "match_events", "commit_lsn": 77, "commit_ts_us": commit_us}}
    decode = metrics.decoding(lambda _value: envelope)
    decode(b"x")
    decode(b"y")
    sends = FakeSends()
    counting = metrics.sending(sends, "rstat.notices")
    counting.send("rstat.notices", b"k", msgspec.json.encode({"id": "n1", "kind": "goal_scored"}))
    counting.send("rstat.notices", b"k", b"not json")
    counting.send("rstat.stats.teams", b"k", b"...")
    assert sends.sent == ["rstat.notices", "rstat.notices", "rstat.stats.teams"]
    applied: list[int] = []
    step = metrics.applying("fold", lambda _staged, _events, _entity, items: applied.append(len(items)))
    step(Staged(sends), [], 1, ["a", "b", "c"])
    sink = FakeSink()
    timed = metrics.materializing(sink)
    timed.write([(STANDINGS, {"commit_lsn": 77}), (STANDINGS, {"commit_lsn": 77}), (STANDINGS, {"commit_lsn": 5})])
    assert sink.batches == [3]
    found = values(generate_latest(metrics.registry))
    assert found["__name__=rstat_streams_changes_total,op=c,table=match_events"] == 2
    assert found["__name__=rstat_streams_notices_published_total,kind=goal_scored"] == 1
    assert found["__name__=rstat_streams_notices_published_total,kind=unknown"] == 1
    assert found["__name__=rstat_streams_events_applied_total,agent=fold"] == 3
    # one commit observed once, about two seconds after it
    assert found["__name__=rstat_streams_commit_to_stats_seconds_count"] == 1
    assert 1.9 < found["__name__=rstat_streams_commit_to_stats_seconds_sum"] < 10
    assert found["__name__=rstat_streams_commit_to_stats_seconds_bucket,le=1.0"] == 0
    assert found["__name__=rstat_streams_commit_to_stats_seconds_bucket,le=2.5"] == 1


def test_cdc_slot_lag_seconds_is_the_age_of_the_oldest_unconfirmed_commit() -> None:
    metrics = CdcMetrics()
    assert "rstat_cdc_slot_lag_seconds" not in generate_latest(metrics.registry).decode()  # until it is watched
    oldest: list[int] = []
    metrics.watch_unconfirmed(lambda: oldest[0] if oldest else None)
    assert values(generate_latest(metrics.registry))["__name__=rstat_cdc_slot_lag_seconds"] == 0
    oldest.append(int((time.time() - 30) * 1e6))
    assert 29 < values(generate_latest(metrics.registry))["__name__=rstat_cdc_slot_lag_seconds"] < 40


def test_the_bootstrap_derives_the_targets_from_the_other_sections() -> None:
    settings = load_settings({"RSTAT__API__PUBLIC_PORT": "8999", "RSTAT__STREAMS__METRICS_PORT": "0"})
    ops = ops_config(settings)
    assert ops.targets == {
        "rstat-cdc": f"http://127.0.0.1:{settings.cdc.metrics_port}/metrics",
        "rstat-public": f"http://{settings.api.host}:8999/metrics",
    }
    assert ops.queries == str(QUERIES)
    assert ops.identity_url == f"http://{settings.api.host}:{settings.api.identity_port}"
