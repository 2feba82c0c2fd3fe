"""``rstat stack``, ``rstat migrate`` and ``rstat up``: the local services, the schema, and the main job."""

from __future__ import annotations

import argparse
import json

import msgspec

from rstat.settings import Settings

__all__ = ["add_stack_commands"]


def _stack_up(_args: argparse.Namespace, settings: Settings) -> int:
    from rstat.ops.stack import Stack

    Stack(settings).up()
    return 0


def _stack_down(_args: argparse.Namespace, settings: Settings) -> int:
    from rstat.ops.stack import Stack

    Stack(settings).down()
    return 0


def _stack_status(args: argparse.Namespace, settings: Settings) -> int:
    from rstat.ops.stack import Stack

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
    from rstat.ops.migrations import apply_migrations

    applied = apply_migrations(settings.postgres)
    print(f"migrate: applied {len(applied)} migration(s)" if applied else "migrate: the schema is up to date")
    return 0


def _up(_args: argparse.Namespace, settings: Settings) -> int:
    from rstat.ops.migrations import apply_migrations
    from rstat.ops.processes import main_processes
    from rstat.ops.stack import Stack
    from rstat.ops.supervisor import Supervisor

    Stack(settings).up()
    apply_migrations(settings.postgres)
    return Supervisor(main_processes(settings)).run()


def add_stack_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
