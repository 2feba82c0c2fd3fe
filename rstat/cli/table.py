"""``rstat table``: the offline table calculator over a results file (no services needed)."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from crawlers.results_io import ResultsFileError, read_results
from rstat.errors import RStatError
from sports.model import Adjustment, RulesError, StandingRow
from sports.regulations import regulation
from sports.standings import compute_standings, standings_by_group

__all__ = ["TABLE_HEADER", "add_table_commands", "run_table"]

TABLE_HEADER = (
    "rank",
    "team",
    "played",
    "won",
    "drawn",
    "lost",
    "ot_won",
    "ot_lost",
    "goals_for",
    "goals_against",
    "goal_diff",
    "points",
    "decided_by",
)


class TableInputError(RStatError):
    """Bad input to ``rstat table``: the message names the file and line, or the option."""


def _adjustments(specs: list[str], teams: set[str]) -> list[Adjustment]:
    adjustments = []
    for spec in specs:
        team, sep, points = spec.rpartition("=")
        try:
            value = int(points)
        except ValueError:
            value = None
        if not sep or not team.strip() or value is None:
            raise TableInputError(f"--adjust {spec!r}: expected TEAM=POINTS, e.g. --adjust 'Everton=-8'")
        if team.strip() not in teams:
            raise TableInputError(f"--adjust {spec!r}: no team {team.strip()!r} in the results")
        adjustments.append(Adjustment(team=team.strip(), points=value))
    return adjustments


def run_table(args: argparse.Namespace) -> int:
    try:
        results = read_results(Path(args.file))
        reg = regulation(args.rules or "football")
    except (ResultsFileError, RulesError) as exc:
        raise TableInputError(str(exc)) from exc
    grouped = any(r.group for r in results)
    if grouped:
        outside = [r for r in results if not r.group]
        if outside:
            print(f"rstat table: left out {len(outside)} matches that belong to no group", file=sys.stderr)
        results = [r for r in results if r.group]
    teams = {t for r in results for t in (r.home, r.away)}
    adjustments = _adjustments(args.adjust, teams)
    if grouped:
        tables = standings_by_group(results, reg, adjustments)
        if args.group is not None:
            if args.group not in tables:
                raise TableInputError(f"--group {args.group!r}: no such group; groups: {', '.join(tables)}")
            tables = {args.group: tables[args.group]}
        rows: list[StandingRow] = [row for table in tables.values() for row in table]
    else:
        if args.group is not None:
            raise TableInputError(f"--group {args.group!r}: the results have no groups")
        rows = compute_standings(results, reg, adjustments)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow((("group",) if grouped else ()) + TABLE_HEADER)
    for row in rows:
        values = [
            row.rank,
            row.team,
            row.played,
            row.won,
            row.drawn,
            row.lost,
            row.ot_won,
            row.ot_lost,
            row.goals_for,
            row.goals_against,
            row.goal_diff,
            row.points,
            row.decided_by,
        ]
        writer.writerow(([row.group] if grouped else []) + values)
    return 0


def _table(args: argparse.Namespace, _settings: object) -> int:
    return run_table(args)


def add_table_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
