"""The ``rstat`` command. Each subcommand builds what it needs from one settings object, nothing at import."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from audit.errors import AuditError
from cdc.errors import CdcError
from notify.errors import NotifyError
from rstat.cli.api import add_api_commands
from rstat.cli.audit import add_audit_commands
from rstat.cli.bench import add_bench_commands
from rstat.cli.cdc import add_cdc_commands
from rstat.cli.crawl import add_crawl_commands
from rstat.cli.demo import add_demo_commands
from rstat.cli.predict import add_predict_commands
from rstat.cli.stack import add_stack_commands
from rstat.cli.streams import add_streams_commands
from rstat.cli.table import add_table_commands
from rstat.cli.telegram import add_telegram_commands
from rstat.error_reports import init_error_reports
from rstat.errors import RStatError
from rstat.settings import Settings, SettingsError, load_settings
from streams.errors import StreamsError

__all__ = ["main"]

Handler = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rstat",
        description="R-Stat: organize team-sport competitions and serve their live statistics.",
        epilog="Settings come from RSTAT__SECTION__KEY environment variables (see rstat/settings.py).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add_stack_commands(sub)
    add_cdc_commands(sub)
    add_streams_commands(sub)
    add_audit_commands(sub)
    add_api_commands(sub)
    add_table_commands(sub)
    add_predict_commands(sub)
    add_bench_commands(sub)
    add_demo_commands(sub)
    add_crawl_commands(sub)
    add_telegram_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from rstat.logs import configure_logging

    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        settings = load_settings()
        init_error_reports(settings, f"rstat {args.command}")
        handler: Handler = args.handler
        return handler(args, settings)
    except (RStatError, SettingsError, CdcError, StreamsError, AuditError, NotifyError) as exc:
        print(f"rstat: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
