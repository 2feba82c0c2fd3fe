"""The PromQL subset of the operations page means what Prometheus means: hand-worked cases of rate, the
aggregations and histogram_quantile (the algorithm of Prometheus' promql/quantile.go), and every panel of
deploy/metrics/queries.json evaluated over real exposition text written by prometheus_client."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from api.ops.panels import evaluate_panels, load_panels
from api.ops.promql import Labels, PromQLError, evaluate, histogram_quantile, parse
from api.ops.scrape import parse_metrics

QUERIES = Path(__file__).parents[3] / "deploy" / "metrics" / "queries.json"


def series(name: str, **labels: str) -> Labels:
    return tuple(sorted({**labels, "__name__": name}.items()))


def test_every_shared_query_is_in_the_subset() -> None:
    panels = load_panels(QUERIES)
    assert len(panels) == len(json.loads(QUERIES.read_text())["panels"])
    assert len({p.id for p in panels}) == len(panels)


@pytest.mark.parametrize(
    "text", ["irate(x[1m])", "x + y", "sum(x) by (a)", "rate(x[5d])", "topk(3, x)", "x offset 5m", "sum by (a (x)"]
)
def test_what_is_outside_the_subset_is_refused(text: str) -> None:
    with pytest.raises(PromQLError):
        parse(text)


def test_selector_matchers() -> None:
    samples = {
        series("up", job="rstat-cdc"): [(1.0, 1.0)],
        series("up", job="other"): [(1.0, 0.0)],
        series("up", job="rstat-streams"): [(1.0, 0.0)],
    }
    assert evaluate(parse('up{job=~"rstat-.*"}'), samples, 1.0) == {
        series("up", job="rstat-cdc"): 1.0,
        series("up", job="rstat-streams"): 0.0,
    }
    assert list(evaluate(parse('up{job!~"rstat-.*"}'), samples, 1.0)) == [series("up", job="other")]
    assert list(evaluate(parse('up{job="rstat-cdc"}'), samples, 1.0)) == [series("up", job="rstat-cdc")]
    # the regex is anchored, as PromQL's
    assert evaluate(parse('up{job=~"cdc"}'), samples, 1.0) == {}


def test_rate_is_the_growth_in_the_window_extrapolated_as_prometheus_does() -> None:
    steady = [(t, 2.0 * t) for t in range(0, 200, 10)]
    samples = {series("c_total", t="a"): [(float(t), v) for t, v in steady]}
    # a full window of a steady counter: its slope, wherever the window starts between samples
    assert evaluate(parse("rate(c_total[1m])"), samples, 125.0) == {(("t", "a"),): pytest.approx(2.0)}
    assert evaluate(parse("increase(c_total[1m])"), samples, 125.0) == {(("t", "a"),): pytest.approx(120.0)}
    points = [(0.0, 0.0), (100.0, 50.0), (110.0, 70.0), (120.0, 90.0), (130.0, 110.0)]
    samples = {series("c_total", t="a"): points}
    # within (70, 130]: 50 -> 110 over 30 s; the window's start is 30 s before the first sample, more than
    # 1.1 intervals, so Prometheus extrapolates half an interval (5 s) there: 60 * 35/30 = 70 over the minute
    assert evaluate(parse("rate(c_total[1m])"), samples, 130.0) == {(("t", "a"),): pytest.approx(70 / 60)}
    assert evaluate(parse("increase(c_total[1m])"), samples, 130.0) == {(("t", "a"),): pytest.approx(70.0)}


def test_a_counter_reset_counts_what_came_after_it() -> None:
    # 10 -> 30 (+20), restart at 5 (+5), 5 -> 15 (+10): 35 over 30 s; extrapolated back to where the counter
    # would have been 0 (30 * 10/35 s before the first sample), never below: 35 * (30 + 60/7) / 30 = 45
    samples = {series("c_total"): [(0.0, 10.0), (10.0, 30.0), (20.0, 5.0), (30.0, 15.0)]}
    assert evaluate(parse("increase(c_total[1m])"), samples, 30.0) == {(): pytest.approx(45.0)}
    assert evaluate(parse("rate(c_total[1m])"), samples, 30.0) == {(): pytest.approx(0.75)}


def test_one_sample_has_no_rate() -> None:
    assert evaluate(parse("rate(c_total[1m])"), {series("c_total"): [(1.0, 5.0)]}, 1.0) == {}


def test_nested_aggregations_dedupe_what_every_worker_reports() -> None:
    lag = "rstat_streams_consumer_lag_messages"
    samples = {
        series(lag, group="g", topic="t", partition="0", instance="w1"): [(1.0, 5.0)],
        series(lag, group="g", topic="t", partition="0", instance="w2"): [(1.0, 5.0)],
        series(lag, group="g", topic="t", partition="1", instance="w1"): [(1.0, 7.0)],
        series(lag, group="h", topic="t", partition="0", instance="w1"): [(1.0, 1.0)],
    }
    expr = parse(f"sum by (group, topic) (max by (group, topic, partition) ({lag}))")
    assert evaluate(expr, samples, 1.0) == {
        (("group", "g"), ("topic", "t")): 12.0,
        (("group", "h"), ("topic", "t")): 1.0,
    }
    assert evaluate(parse(f"sum({lag})"), samples, 1.0) == {(): 18.0}
    assert evaluate(parse(f"max({lag})"), samples, 1.0) == {(): 7.0}
    assert evaluate(parse(f"min({lag})"), samples, 1.0) == {(): 1.0}
    assert evaluate(parse(f"avg({lag})"), samples, 1.0) == {(): 4.5}
    assert evaluate(parse(f"count({lag})"), samples, 1.0) == {(): 4.0}


def test_histogram_quantile_interpolates_inside_the_bucket_of_the_rank() -> None:
    buckets = [(0.1, 10.0), (0.5, 20.0), (math.inf, 20.0)]
    assert histogram_quantile(0.5, buckets) == pytest.approx(0.1)  # rank 10: the top of the first bucket
    assert histogram_quantile(0.75, buckets) == pytest.approx(0.3)  # rank 15: halfway through (0.1, 0.5]
    assert histogram_quantile(0.25, buckets) == pytest.approx(0.05)  # the first bucket starts at 0
    # a rank in +Inf: the highest finite bound, as Prometheus answers
    assert histogram_quantile(0.99, [(0.1, 10.0), (0.5, 20.0), (math.inf, 30.0)]) == pytest.approx(0.5)
    assert math.isnan(histogram_quantile(0.5, [(0.1, 0.0), (math.inf, 0.0)]))
    assert math.isnan(histogram_quantile(0.5, [(0.1, 1.0)]))  # no +Inf bucket
    assert histogram_quantile(-1, buckets) == -math.inf
    assert histogram_quantile(2, buckets) == math.inf


def test_histogram_quantile_over_rates_of_real_exposition_text() -> None:
    registry = CollectorRegistry()
    h = Histogram("rstat_streams_commit_to_stats_seconds", "x", buckets=(0.1, 0.5, 1.0), registry=registry)
    scrapes = []
    for t, observed in ((0.0, [0.05] * 4), (10.0, [0.3] * 10 + [0.7] * 10)):
        for value in observed:
            h.observe(value)
        scrapes.append((t, parse_metrics(generate_latest(registry).decode(), {"job": "rstat-streams"})))
    samples: dict[Labels, list[tuple[float, float]]] = {}
    for t, found in scrapes:
        for labels, value in found.items():
            samples.setdefault(labels, []).append((t, value))
    [p50] = evaluate(
        parse("histogram_quantile(0.5, sum by (le) (rate(rstat_streams_commit_to_stats_seconds_bucket[5m])))"),
        samples,
        10.0,
    ).values()
    # two scrapes 10 s apart, 4 observations in (0, 0.1] before, then 10 in (0.1, 0.5] and 10 in (0.5, 1]:
    # each bucket's increase is extrapolated back to where it was 0 (Prometheus' rule), so the cumulative
    # counts are 0, 14, 24, 24 (per 300 s); rank 12 lies in (0.1, 0.5] at 12/14 of its width
    assert p50 == pytest.approx(0.1 + 0.4 * 12 / 14)


def test_the_shared_panels_over_two_scrapes() -> None:
    registry = CollectorRegistry()
    changes = Counter("rstat_cdc_changes_total", "x", ["table", "op"], registry=registry)
    lag = Gauge("rstat_cdc_slot_lag_bytes", "x", registry=registry)
    samples: dict[Labels, list[tuple[float, float]]] = {}
    for t, n in [(100.0 + 2 * i, 30 * (i > 0)) for i in range(36)]:  # 30 changes every 2 s for 70 s
        changes.labels("goals", "c").inc(n)
        lag.set(4096 + n)
        for labels, value in parse_metrics(generate_latest(registry).decode(), {"job": "rstat-cdc"}).items():
            samples.setdefault(labels, []).append((t, value))
    values = {p.id: p for p in evaluate_panels(load_panels(QUERIES), samples, 170.0)}
    assert [s.value for s in values["changes_per_second"].series] == [pytest.approx(15.0)]
    assert values["changes_per_second"].range_s == 60
    assert [s.value for s in values["slot_lag_bytes"].series] == [4126.0]
    assert values["slot_lag_bytes"].range_s == 0
    assert values["commit_to_stats_seconds"].series == []  # nothing scraped from the streams
