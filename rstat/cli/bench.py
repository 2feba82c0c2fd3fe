"""``rstat bench PART --json``: measurements on the real local stack."""

from __future__ import annotations

import argparse

from rstat.settings import Settings

__all__ = ["add_bench_commands"]


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from rstat.bench.run import run_bench

    return run_bench(args, settings)


def add_bench_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bench = sub.add_parser(
        "bench",
        help="measure a part of the system and print one JSON object",
        description="Benchmarks on the real local stack.",
    )
    bench.add_argument(
        "part",
        choices=["sports", "cdc", "streams", "api", "live", "web", "console", "audit", "crawl", "telegram", "predict"],
        help="what to measure (all but sports need `rstat stack up`)",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object (the only output format)")
    live = bench.add_argument_group("live", "the live feed (WebSocket) bench")
    live.add_argument("--clients", type=int, default=1000, help="WebSocket clients under load (default 1000)")
    live.add_argument("--idle", type=int, default=5000, help="idle connections for the memory figure (default 5000)")
    live.add_argument("--goals-per-s", type=float, default=5.0, help="goals committed per second (default 5)")
    live.add_argument("--seconds", type=float, default=20.0, help="how long goals are committed (default 20)")
    cdc = bench.add_argument_group("cdc", "the CDC reader bench")
    cdc.add_argument(
        "--peer",
        choices=["debezium"],
        help="also run Debezium's PostgreSQL connector on the same workloads and report the ratios",
    )
    bench.set_defaults(handler=_bench)
