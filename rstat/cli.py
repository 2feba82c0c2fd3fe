"""The ``rstat`` command. Each subcommand builds what it needs from one settings object, nothing at import."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

import msgspec

from rstat.api_cli import add_api_commands
from rstat.errors import RStatError
from rstat.settings import Settings, SettingsError, load_settings

__all__ = ["main"]

Handler = Callable[[argparse.Namespace, Settings], int]


def _stack_up(_args: argparse.Namespace, settings: Settings) -> int:
    from rstat.stack import Stack

    Stack(settings).up()
    return 0


def _stack_down(_args: argparse.Namespace, settings: Settings) -> int:
    from rstat.stack import Stack

    Stack(settings).down()
    return 0


def _stack_status(args: argparse.Namespace, settings: Settings) -> int:
    from rstat.stack import Stack

    status = Stack(settings).status()
    if args.json:
        print(json.dumps(msgspec.to_builtins(status)))
        return 0 if status.healthy else 1
    pg, kafka, ch = status.postgres, status.kafka, status.clickhouse
    rows = [
        (
            "postgres",
            pg.healthy,
            f"PostgreSQL {pg.version}, wal_level={pg.wal_level}" if pg.version else "",
            pg.mode,
            pg.detail,
        ),
        (
            "kafka",
            kafka.healthy,
            (
                f"Kafka {kafka.version or '(version not reported by external brokers)'}, "
                + (f"KRaft mode (process.roles={kafka.process_roles})" if kafka.kraft else "not KRaft")
            )
            if kafka.healthy
            else "",
            kafka.mode,
            kafka.detail,
        ),
        ("clickhouse", ch.healthy, f"ClickHouse {ch.version}" if ch.version else "", ch.mode, ch.detail),
    ]
    for name, healthy, what, mode, detail in rows:
        line = f"{name:<11}{'healthy' if healthy else 'DOWN':<9}{what}"
        line += f"  [{mode}]" if mode else ""
        line += f"  {detail}" if detail else ""
        print(line.rstrip())
    return 0 if status.healthy else 1


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    from rstat.migrations import apply_migrations

    applied = apply_migrations(settings.postgres)
    print(f"migrate: applied {len(applied)} migration(s)" if applied else "migrate: the schema is up to date")
    return 0


def _up(_args: argparse.Namespace, settings: Settings) -> int:
    from rstat.migrations import apply_migrations
    from rstat.processes import main_processes
    from rstat.stack import Stack
    from rstat.supervisor import Supervisor

    Stack(settings).up()
    apply_migrations(settings.postgres)
    return Supervisor(main_processes(settings)).run()


def _table(args: argparse.Namespace, _settings: Settings) -> int:
    from rstat.table_cli import run_table

    return run_table(args)


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from rstat.bench import run_bench

    return run_bench(args, settings)


def _cdc(args: argparse.Namespace, settings: Settings) -> int:
    from cdc.reader import CdcReader, request_snapshot

    if args.cdc_command == "snapshot":
        lsn = request_snapshot(settings, args.table)
        print(f"cdc: snapshot of {args.table} requested at {lsn}; the running reader publishes it when it gets there")
        return 0
    CdcReader(settings).run(recreate_slot=args.recreate_slot)
    return 0


def _streams(_args: argparse.Namespace, settings: Settings) -> int:
    from streams.app import run_worker

    run_worker(settings)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rstat",
        description="R-Stat: organize team-sport competitions and serve their live statistics.",
        epilog="Settings come from RSTAT__SECTION__KEY environment variables (see rstat/settings.py).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    stack = sub.add_parser(
        "stack",
        help="manage the local PostgreSQL, Kafka and ClickHouse",
        description="Start, stop and check the local services under .rstat/.",
    )
    stack_sub = stack.add_subparsers(dest="stack_command", required=True, metavar="ACTION")
    stack_sub.add_parser(
        "up",
        help="start the services (idempotent)",
        description="Initialize and start PostgreSQL (wal_level=logical) and a KRaft Kafka node, prepare "
        "ClickHouse. Configured external services are checked instead of started.",
    ).set_defaults(handler=_stack_up)
    stack_sub.add_parser(
        "down",
        help="stop the services, keep their data",
        description="Stop what `rstat stack up` started; the data stays under .rstat/.",
    ).set_defaults(handler=_stack_down)
    status = stack_sub.add_parser(
        "status",
        help="print each service with its version and health",
        description="Exit code 0 when every service is healthy, 1 otherwise.",
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(handler=_stack_status)

    sub.add_parser(
        "migrate",
        help="apply pending schema migrations",
        description="Apply the numbered migrations of schemas/sql in order; applying twice is a no-op.",
    ).set_defaults(handler=_migrate)

    sub.add_parser(
        "up",
        help="the main job: stack, migrations and every process, until Ctrl-C",
        description="Bring the stack up, migrate, run every R-Stat process with its output prefixed by "
        "its name, and stop them all on Ctrl-C or SIGTERM.",
    ).set_defaults(handler=_up)

    cdc = sub.add_parser(
        "cdc",
        help="stream PostgreSQL's WAL into Kafka (the CDC reader)",
        description="Read the logical replication slot and publish every change as an Avro envelope to "
        "rstat.cdc.<table>; the first start snapshots the existing rows.",
    )
    cdc.add_argument(
        "--recreate-slot",
        action="store_true",
        help="drop and create the slot again, then snapshot every table (after a lost slot)",
    )
    cdc.set_defaults(handler=_cdc, cdc_command="run")
    cdc_sub = cdc.add_subparsers(dest="cdc_command", metavar="ACTION")
    snap = cdc_sub.add_parser(
        "snapshot",
        help="re-snapshot one table while the reader keeps streaming",
        description="Ask the running reader to publish every row of TABLE (op r).",
    )
    snap.add_argument("table", help="a captured table of the public schema")
    snap.set_defaults(handler=_cdc)

    sub.add_parser(
        "streams",
        help="run the stream processor (Faust worker): standings, player and team statistics, notices",
        description="Consume rstat.cdc.* and keep standings, live standings, team records and player "
        "statistics exact under replays and corrections; publish them to rstat.stats.* (compacted), notices to "
        "rstat.notices, and materialize the statistics into PostgreSQL's stats schema. Several workers share "
        "the partitions (settings RSTAT__STREAMS__*); SIGINT/SIGTERM stops it cleanly.",
    ).set_defaults(handler=_streams)

    add_api_commands(sub)

    table = sub.add_parser(
        "table",
        help="compute a league table from a results file (no services needed)",
        description="Read results from an openfootball football.json file, a football-data.co.uk CSV or the "
        "R-Stat results CSV and print the table as CSV.",
    )
    table.add_argument("file", help="results file (.json or .csv)")
    table.add_argument(
        "--rules", default=None, help="regulation preset (default: football, or iihf/nhl when the file has OT/SO)"
    )
    table.add_argument(
        "--adjust",
        action="append",
        default=[],
        metavar="TEAM=POINTS",
        help="point adjustment, e.g. --adjust 'Everton=-8'; repeatable",
    )
    table.add_argument("--group", default=None, help="print only this group")
    table.set_defaults(handler=_table)

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from rstat.logs import configure_logging

    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        settings = load_settings()
        handler: Handler = args.handler
        return handler(args, settings)
    except (RStatError, SettingsError) as exc:
        print(f"rstat: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
