"""``rstat bench PART --json``: measurements printed as one JSON object on stdout.

Each figure is the median of repeated runs after a warm-up, so one slow run on a noisy machine does not
decide it. Parts that need services run against the real local stack.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable

from rstat.settings import Settings
from sports import DecidedIn, Result, compute_standings, regulation
from sports.schedule import double_round_robin

__all__ = ["run_bench"]


def _median_ms(work: Callable[[], object], repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 3)


def bench_sports() -> dict[str, object]:
    """A 20-team season (380 results) through the Premier League rules, and a 32-team double round robin."""
    rnd = random.Random(2024)  # noqa: S311 - reproducible test scores, not secrets
    teams = [f"Team {i:02d}" for i in range(20)]
    fixtures = double_round_robin(teams, seed=1)
    results = [
        Result(
            id=str(n),
            home=f.home,
            away=f.away,
            home_score=rnd.randint(0, 4),
            away_score=rnd.randint(0, 4),
            decided_in=DecidedIn.REG,
            round=f.round,
        )
        for n, f in enumerate(fixtures)
    ]
    assert len(results) == 380
    reg = regulation("premier-league")
    clubs = [f"Club {i:02d}" for i in range(32)]
    return {
        "table_20x380_ms": _median_ms(lambda: compute_standings(results, reg), repeat=200),
        "schedule_32_double_ms": _median_ms(lambda: double_round_robin(clubs, seed=7), repeat=200),
        "targets": {"table_20x380_ms": 5, "schedule_32_double_ms": 50},
    }


def _cdc(settings: Settings, args: argparse.Namespace) -> dict[str, object]:
    from rstat.bench.cdc import bench_cdc  # noqa: PLC0415 - needs the stack; sports does not

    if args.peer is None:
        return bench_cdc(settings)
    from rstat.bench.cdc_peer import bench_cdc_with_peer  # noqa: PLC0415 - Kafka Connect and Debezium's jars

    return bench_cdc_with_peer(settings, args.peer)


def _predict(settings: Settings) -> dict[str, object]:
    from rstat.bench.predict import bench_predict  # noqa: PLC0415 - numpy and scipy load only when asked

    return bench_predict(settings)


def _streams(settings: Settings) -> dict[str, object]:
    from rstat.bench.streams import bench_streams  # noqa: PLC0415 - needs the stack; sports does not

    return bench_streams(settings)


def _api(settings: Settings) -> dict[str, object]:
    from rstat.bench.api import bench_api  # noqa: PLC0415 - needs the stack; sports does not

    return bench_api(settings)


def _live(settings: Settings, args: argparse.Namespace) -> dict[str, object]:
    from rstat.bench.live import LiveOptions, bench_live  # noqa: PLC0415 - needs the stack; sports does not

    options = LiveOptions(clients=args.clients, idle=args.idle, goals_per_s=args.goals_per_s, seconds=args.seconds)
    return bench_live(settings, options)


def _web(settings: Settings) -> dict[str, object]:
    from rstat.bench.web import bench_web  # noqa: PLC0415 - needs the stack; sports does not

    return bench_web(settings)


def _console(settings: Settings) -> dict[str, object]:
    from rstat.bench.console import bench_console  # noqa: PLC0415 - needs the stack; sports does not

    return bench_console(settings)


def _audit(settings: Settings) -> dict[str, object]:
    from rstat.bench.audit import bench_audit  # noqa: PLC0415 - needs the stack; sports does not

    return bench_audit(settings)


def _crawl(settings: Settings) -> dict[str, object]:
    from rstat.bench.crawl import bench_crawl  # noqa: PLC0415 - needs the stack; sports does not

    return bench_crawl(settings)


def _telegram(settings: Settings) -> dict[str, object]:
    from rstat.bench.telegram import bench_telegram  # noqa: PLC0415 - needs the stack; sports does not

    return bench_telegram(settings)


BENCHES: dict[str, Callable[[Settings], dict[str, object]]] = {
    "sports": lambda _settings: bench_sports(),
    "streams": _streams,
    "api": _api,
    "web": _web,
    "console": _console,
    "audit": _audit,
    "crawl": _crawl,
    "telegram": _telegram,
    "predict": _predict,
}


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    if args.part == "live":
        found = _live(settings, args)
    elif args.part == "cdc":
        found = _cdc(settings, args)
    else:
        found = BENCHES[args.part](settings)
    print(json.dumps({"part": args.part, **found}))
    return 0
