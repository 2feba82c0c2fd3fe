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
        choices=["sports", "cdc", "streams", "api"],
        help="what to measure (all but sports need `rstat stack up`)",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object (the only output format)")
    bench.set_defaults(handler=_bench)
