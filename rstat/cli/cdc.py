"""``rstat cdc``: the CDC reader, and re-snapshots of a table while it runs."""

from __future__ import annotations

import argparse

from rstat.settings import Settings

__all__ = ["add_cdc_commands"]


def _cdc(args: argparse.Namespace, settings: Settings) -> int:
    from rstat.boot.cdc import request_cdc_snapshot, run_cdc

    if args.cdc_command == "snapshot":
        lsn = request_cdc_snapshot(settings, args.table)
        print(f"cdc: snapshot of {args.table} requested at {lsn}; the running reader publishes it when it gets there")
        return 0
    run_cdc(settings, recreate_slot=args.recreate_slot)
    return 0


def add_cdc_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
