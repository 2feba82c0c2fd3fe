"""``rstat streams``: the stream processor (a Faust worker)."""

from __future__ import annotations

import argparse

from rstat.settings import Settings

__all__ = ["add_streams_commands"]


def _streams(_args: argparse.Namespace, settings: Settings) -> int:
    from rstat.boot.streams import run_streams

    run_streams(settings)
    return 0


def add_streams_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        "streams",
        help="run the stream processor (Faust worker): standings, player and team statistics, notices",
        description="Consume rstat.cdc.* and keep standings, live standings, team records and player "
        "statistics exact under replays and corrections; publish them to rstat.stats.* (compacted), notices to "
        "rstat.notices, and materialize the statistics into PostgreSQL's stats schema. Several workers share "
        "the partitions (settings RSTAT__STREAMS__*); SIGINT/SIGTERM stops it cleanly.",
    ).set_defaults(handler=_streams)
