"""``rstat predict``: match probabilities and final-position odds from a results file (no services needed).

Fits the ratings on the matches played before ``--as-of`` (or on every result in the file), forecasts the
rest (the file's matches on or after that day, and the fixtures it lists without a score) and simulates the
season with the stage's regulation. Heavy imports (numpy, scipy) load only when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from rstat.errors import RStatError
from sports.model import Adjustment, Result, RulesError
from sports.regulations import regulation

if TYPE_CHECKING:
    from predict.forecast import Fixture, StageForecast

__all__ = ["PredictInputError", "add_predict_commands", "run_predict"]


class PredictInputError(RStatError):
    """Bad input to ``rstat predict``: the message names the file and line, the date or the option."""


def _adjustments(specs: list[str], teams: set[str]) -> list[Adjustment]:
    out = []
    for spec in specs:
        team, sep, points = spec.rpartition("=")
        team = team.strip()
        if not sep or not team or not points.strip().lstrip("+-").isdigit():
            raise PredictInputError(f"--adjust {spec!r}: expected TEAM=POINTS, e.g. --adjust 'Everton=-8'")
        if team not in teams:
            raise PredictInputError(f"--adjust {spec!r}: no team {team!r} in the file")
        out.append(Adjustment(team=team, points=int(points)))
    return out


def _zones(specs: list[str], n_teams: int) -> dict[str, tuple[int, int]]:
    zones = {}
    for spec in specs:
        name, sep, span = spec.partition("=")
        first, dash, last = span.partition("-")
        if not sep or not name.strip() or not first.strip().isdigit() or (dash and not last.strip().isdigit()):
            raise PredictInputError(f"--zone {spec!r}: expected NAME=FIRST-LAST, e.g. --zone relegation=18-20")
        lo, hi = int(first), int(last) if dash else int(first)
        if not 1 <= lo <= hi <= n_teams:
            raise PredictInputError(f"--zone {spec!r}: positions must lie within 1-{n_teams}")
        zones[name.strip()] = (lo, hi)
    return zones


def _split(args: argparse.Namespace) -> tuple[list[Result], list[Fixture], str | None]:
    """Played results and the fixtures to forecast, cut at ``--as-of``."""
    from crawlers.fixtures_io import read_season
    from crawlers.results_io import ResultsFileError
    from predict.dates import iso_date
    from predict.errors import PredictError
    from predict.forecast import Fixture

    try:
        season = read_season(Path(args.file))
    except ResultsFileError as exc:
        raise PredictInputError(str(exc)) from exc
    results, upcoming = season.results, season.upcoming
    groups = sorted(({r.group for r in results} | {u.group for u in upcoming}) - {""})
    if groups and args.group is None:
        raise PredictInputError(
            f"{args.file}: the matches are in groups; choose one with --group ({', '.join(groups)})"
        )
    if args.group is not None:
        if args.group not in groups:
            raise PredictInputError(f"--group {args.group!r}: no such group; groups: {', '.join(groups) or 'none'}")
        results = [r for r in results if r.group == args.group]
        upcoming = [u for u in upcoming if u.group == args.group]
    try:
        as_of = iso_date(args.as_of) if args.as_of else None
        dated = [(iso_date(r.date) if r.date else None, r) for r in results]
        fixtures = [
            Fixture(id=u.id, home=u.home, away=u.away, date=iso_date(u.date) if u.date else None) for u in upcoming
        ]
    except PredictError as exc:
        raise PredictInputError(
            f"--as-of {args.as_of!r}: {exc}" if args.as_of and "as-of" not in str(exc) else str(exc)
        ) from exc
    if as_of is None:
        played = results
    else:
        undated = [r for d, r in dated if d is None]
        if undated:
            raise PredictInputError(f"{args.file}: match {undated[0].id} has no date, so --as-of cannot place it")
        played = [r for d, r in dated if d is not None and d < as_of]
        later = [(d, r) for d, r in dated if d is not None and d >= as_of]
        fixtures = [Fixture(id=r.id, home=r.home, away=r.away, date=d) for d, r in later] + fixtures
    if not played:
        when = f" before {as_of}" if as_of else ""
        raise PredictInputError(f"{args.file}: no match was played{when}: nothing to fit the ratings on")
    if not fixtures:
        raise PredictInputError(
            f"{args.file}: no match is left to play; give --as-of DATE to forecast the season from that day"
        )
    return played, fixtures, as_of


def _pct(p: float) -> str:
    return f"{100 * p:5.1f}"


def _status(best: int | None, worst: int | None, zones: dict[str, tuple[int, int]]) -> str:
    if best is None or worst is None:
        return "undecided"
    marks = []
    if best == worst:
        marks.append(f"finishes {best}")
    for name, (first, last) in zones.items():
        if first <= best and worst <= last:
            marks.append(f"clinched {name}")
        elif best > last or worst < first:
            marks.append(f"out of {name}")
    return ", ".join(marks)


def _print_text(forecast: StageForecast, zones: dict[str, tuple[int, int]]) -> None:
    out = sys.stdout
    out.write(f"Remaining matches ({len(forecast.matches)}): home / draw / away in %, most likely score\n")
    width = max((len(m.home) for m in forecast.matches), default=4)
    for m in forecast.matches:
        h, a, p = m.likely_scores[0]
        out.write(
            f"{m.date or '':10}  {m.home:>{width}} v {m.away:<{width}}  {_pct(m.p_home)} {_pct(m.p_draw)} "
            f"{_pct(m.p_away)}   {h}-{a} ({100 * p:.0f}%)\n"
        )
    out.write(f"\nFinal positions ({forecast.sims} simulated seasons); possible = exact best-worst position\n")
    width = max(len(t.team) for t in forecast.teams)
    zone_head = "".join(f" {name[:9]:>9}" for name in zones)
    out.write(f"{'':3} {'team':<{width}}    elo  exp.pos   P(1st){zone_head}  possible  status\n")
    for n, t in enumerate(forecast.teams, start=1):
        expected = sum((k + 1) * p for k, p in enumerate(t.position_probabilities))
        zone_cells = "".join(f"    {_pct(t.zone_probabilities[name])}" for name in zones)
        possible = f"{t.best_possible or '?'}-{t.worst_possible or '?'}"
        out.write(
            f"{n:>3} {t.team:<{width}} {t.elo:6.0f}  {expected:7.2f}    {_pct(t.position_probabilities[0])}"
            f"{zone_cells}  {possible:>8}  {_status(t.best_possible, t.worst_possible, zones)}\n"
        )


def _json(forecast: StageForecast) -> str:
    return json.dumps(
        {
            "matches": [
                {
                    "id": m.id,
                    "date": m.date,
                    "home": m.home,
                    "away": m.away,
                    "p_home": m.p_home,
                    "p_draw": m.p_draw,
                    "p_away": m.p_away,
                    "likely_scores": [list(s) for s in m.likely_scores],
                    **({"hockey": msgspec.to_builtins(m.hockey)} if m.hockey is not None else {}),
                }
                for m in forecast.matches
            ],
            "teams": [
                {
                    "team": t.team,
                    "elo": t.elo,
                    "position_probabilities": list(t.position_probabilities),
                    "zone_probabilities": t.zone_probabilities,
                    "best_possible": t.best_possible,
                    "worst_possible": t.worst_possible,
                }
                for t in forecast.teams
            ],
        }
    )


def run_predict(args: argparse.Namespace) -> int:
    from predict.errors import PredictError
    from predict.forecast import forecast_stage

    if args.sims < 1:
        raise PredictInputError(f"--sims {args.sims}: must be at least 1")
    try:
        reg = regulation(args.rules)
    except RulesError as exc:
        raise PredictInputError(str(exc)) from exc
    played, fixtures, as_of = _split(args)
    teams = sorted({t for r in played for t in (r.home, r.away)} | {t for f in fixtures for t in (f.home, f.away)})
    adjustments = _adjustments(args.adjust, set(teams))
    zones = _zones(args.zone, len(teams))
    started = time.perf_counter()
    print(
        f"rstat predict: fitting on {len(played)} matches, simulating {args.sims} seasons of {len(fixtures)} "
        f"matches, exact bounds within {args.clinch_budget:g} s...",
        file=sys.stderr,
    )
    try:
        forecast = forecast_stage(
            played,
            fixtures,
            reg,
            teams,
            adjustments=adjustments,
            zones=zones,
            sims=args.sims,
            seed=args.seed,
            as_of=as_of,
            clinch_budget_s=args.clinch_budget,
        )
    except PredictError as exc:
        raise PredictInputError(str(exc)) from exc
    print(f"rstat predict: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if args.json:
        print(_json(forecast))
    else:
        _print_text(forecast, zones)
    return 0


def _predict(args: argparse.Namespace, _settings: object) -> int:
    return run_predict(args)


def add_predict_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    predict = sub.add_parser(
        "predict",
        help="forecast the remaining matches and the final table from a results file (no services needed)",
        description="Fit team ratings (Dixon-Coles goals model, Elo) on the matches played before --as-of, print "
        "each remaining match's home/draw/away probabilities and the final-position odds of a Monte Carlo of "
        "the season under the regulation, with the exact best and worst position each team can still reach. "
        "Reads the files `rstat table` reads; a row without a score is a fixture.",
    )
    predict.add_argument("file", help="results file (.json or .csv)")
    predict.add_argument("--rules", default="football", help="regulation preset (default: football)")
    predict.add_argument(
        "--as-of", default=None, metavar="DATE", help="fit on matches before this day (YYYY-MM-DD); forecast the rest"
    )
    predict.add_argument("--sims", type=int, default=10_000, help="simulated seasons (default 10000)")
    predict.add_argument("--seed", type=int, default=0, help="random seed (default 0: same input, same output)")
    predict.add_argument(
        "--adjust", action="append", default=[], metavar="TEAM=POINTS", help="point adjustment; repeatable"
    )
    predict.add_argument(
        "--zone",
        action="append",
        default=[],
        metavar="NAME=FIRST-LAST",
        help="a zone of the table, e.g. --zone title=1 --zone relegation=18-20; repeatable",
    )
    predict.add_argument("--group", default=None, help="the group to forecast when the file has groups")
    predict.add_argument(
        "--clinch-budget", type=float, default=2.0, metavar="S", help="seconds for the exact bounds (default 2)"
    )
    predict.add_argument("--json", action="store_true", help="print one JSON object")
    predict.set_defaults(handler=_predict)
