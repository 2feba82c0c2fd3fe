"""``rstat audit``: the audit writer, and analysts' read-only SQL and preset reports over what it wrote."""

from __future__ import annotations

import argparse
import logging
import sys

from rstat.settings import Settings

__all__ = ["add_audit_commands"]

DEFAULT_FORMAT = "PrettyCompactMonoBlock"


def _print(answer: bytes) -> None:
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from audit.sql import require_read
    from rstat.boot.audit import reading_store, run_audit

    if args.audit_command == "query":
        sql, params = args.sql, dict[str, str]()
    elif args.audit_command == "report":
        from audit.reports import report

        try:
            sql, params = report(args.preset, settings.audit.table, days=args.days, org=args.org, match=args.match)
        except ValueError as exc:
            print(f"rstat: {exc}", file=sys.stderr)
            return 2
    else:
        run_audit(settings)
        return 0
    require_read(sql)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would bury the answer
    store = reading_store(settings)
    try:
        _print(store.read(sql, fmt=args.format, params=params))
    finally:
        store.close()
    return 0


def add_audit_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from audit.reports import PRESETS

    audit = sub.add_parser(
        "audit",
        help="the audit writer (ClickHouse), and read-only SQL and reports over the audit trail",
        description="Without an action: consume every rstat.cdc.* topic and write one ClickHouse row per change "
        "(table, key, op, position, commit time, before/after, changed columns, who: organization, actor, "
        "request id, source), batched, offsets committed after each insert; serve the analysts' read-only SQL "
        "(ClickHouse's HTTP interface), the history the admin app shows, /metrics and /healthz on "
        "RSTAT__AUDIT__HOST:PORT (127.0.0.1:8404). SIGINT/SIGTERM stops it cleanly.",
    )
    audit.set_defaults(handler=_audit)
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    query = actions.add_parser(
        "query",
        help="run one read-only SQL query over the audit trail",
        description="Run SQL (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, EXISTS) in the audit database: on the "
        "ClickHouse server when RSTAT__CLICKHOUSE__URL is set, else through the running writer (which owns the "
        "embedded engine), else on the embedded engine directly. Each change appears once (FINAL). Example: "
        'rstat audit query "SELECT table, op, count() FROM changes GROUP BY ALL"',
    )
    query.add_argument("sql", help="the query; a FORMAT clause overrides --format")
    query.add_argument("--format", default=DEFAULT_FORMAT, help=f"ClickHouse output format (default {DEFAULT_FORMAT})")
    query.set_defaults(handler=_audit)
    presets = "; ".join(f"{name}: {preset.description}" for name, preset in PRESETS.items())
    rep = actions.add_parser(
        "report",
        help="run a preset report",
        description=f"Preset reports over the audit trail. {presets}.",
    )
    rep.add_argument("preset", choices=list(PRESETS), help="which report")
    rep.add_argument("--days", type=int, default=30, help="how far back (default 30)")
    rep.add_argument("--org", type=int, default=None, help="one organization's changes only (its id)")
    rep.add_argument("--match", type=int, default=None, help="the match of match-history")
    rep.add_argument("--format", default=DEFAULT_FORMAT, help=f"ClickHouse output format (default {DEFAULT_FORMAT})")
    rep.set_defaults(handler=_audit)
