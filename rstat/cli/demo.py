"""``rstat demo``: build the demo organization through the APIs and play its matches live."""

from __future__ import annotations

import argparse
import logging

from rstat.settings import Settings

__all__ = ["add_demo_commands"]


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from rstat.demo.run import run_demo

    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would drown the demo's own

    seconds = args.match_seconds or settings.demo.match_seconds
    return run_demo(settings, play=not args.no_play, match_seconds=seconds / args.speed, rounds=args.rounds)


def add_demo_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser(
        "demo",
        help="build a demo organization from real data and play its matches live",
        description="Wait for the identity and admin apps, build (first time) a demo organization through "
        "the admin API from the real data in tests/data (Premier League 2023/24, World Cup 2018, NHL), "
        "write the demo website (<stack home>/site/index.html, served at the public app's /site/), then play "
        "matches live as a scorer would, round after round, until stopped. The organizer's credentials are "
        "kept in <stack home>/demo.json (mode 0600); a second run reuses the organization.",
        epilog="Settings: RSTAT__DEMO__MATCH_SECONDS, RSTAT__DEMO__PL_FINISHED_ROUNDS, RSTAT__DEMO__ENABLED "
        "(rstat up), RSTAT__DEMO__DATA_DIR (see rstat/demo/config.py).",
    )
    demo.add_argument("--no-play", action="store_true", help="build and write the website, then exit")
    demo.add_argument(
        "--speed", type=float, default=1.0, help="play this many times faster than demo.match_seconds (default 1)"
    )
    demo.add_argument(
        "--match-seconds", type=float, default=0.0, help="seconds of a 90-minute match (overrides the setting)"
    )
    demo.add_argument(
        "--rounds", type=int, default=None, help="play this many live rounds, then exit (default: forever)"
    )
    demo.set_defaults(handler=_demo)
