"""Clinch on a real season: the Premier League 2023/24 from football-data.co.uk, cut matchday by matchday.

A "matchday" is ten matches in date order (38 of them, as many as the season's rounds; the real rounds
were rescheduled around cups). The test takes matchdays 0, 10, 20, then every second one from the 28th
and each of the last two (where clinches happen), with a budget of one second each, to stay short. The
deductions are the final ones (Everton -8, Nottingham Forest -4) from the first cut on. Asserted: after
the last match every team's best and worst position is its published final position; at every cut each
decided bound is consistent with the final table (the real completion is one of the completions, so
nobody finishes outside their bounds), and bounds only narrow as matches are played. Timings and counts
are printed for the report, never asserted.
"""

from __future__ import annotations

import csv
import statistics
import time
from datetime import datetime

from crawlers.results_io import read_results
from predict.clinch import Bounds, magic_number, needs_next_match, position_bounds
from sports import Adjustment, compute_standings, regulation
from tests.conftest import DATA

EPL_CSV = DATA / "football" / "E0_2324.csv"
EPL_TABLE = DATA / "football" / "epl_2023-24_final_table.csv"
#: football-data.co.uk's short names -> the published table's
NAMES = {
    "Man City": "Manchester City",
    "Man United": "Manchester United",
    "Tottenham": "Tottenham Hotspur",
    "Newcastle": "Newcastle United",
    "West Ham": "West Ham United",
    "Brighton": "Brighton & Hove Albion",
    "Bournemouth": "AFC Bournemouth",
    "Wolves": "Wolverhampton Wanderers",
    "Nott'm Forest": "Nottingham Forest",
    "Luton": "Luton Town",
}


def test_every_matchday_of_epl_2023_24_is_consistent_with_the_final_table() -> None:
    results = read_results(EPL_CSV)
    results.sort(key=lambda r: (datetime.strptime(r.date, "%d/%m/%Y"), int(r.id)))
    teams = sorted({r.home for r in results})
    adjustments = [Adjustment(team="Everton", points=-8), Adjustment(team="Nott'm Forest", points=-4)]
    reg = regulation("premier-league")
    with EPL_TABLE.open() as f:
        published = {row["team"]: int(row["pos"]) for row in csv.DictReader(f)}
    final = {t: published[NAMES.get(t, t)] for t in teams}
    assert {r.team: r.rank for r in compute_standings(results, reg, adjustments, teams)} == final

    previous: dict[str, Bounds] = {}
    timings, cpu, decided = [], [], 0
    for cut in [0, 100, 200, 280, 300, 320, 340, 360, 370, 380]:
        remaining = [(r.home, r.away) for r in results[cut:]]
        start, start_cpu = time.perf_counter(), time.process_time()
        bounds = position_bounds(results[:cut], remaining, reg, teams, adjustments, budget_s=1.0)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        for team, b in bounds.items():
            decided += (b.best is not None) + (b.worst is not None)
            if b.best is not None:
                assert b.best <= final[team], (cut, team, b)
            if b.worst is not None:
                assert final[team] <= b.worst, (cut, team, b)
            before = previous.get(team)
            if before is not None and before.best is not None and b.best is not None:
                assert b.best >= before.best, (cut, team, before, b)
            if before is not None and before.worst is not None and b.worst is not None:
                assert b.worst <= before.worst, (cut, team, before, b)
        previous = bounds
    assert {t: (b.best, b.worst) for t, b in previous.items()} == {t: (p, p) for t, p in final.items()}
    timings.sort()
    print(
        f"\nEPL 2023/24, {len(timings)} cuts: decide p50 {statistics.median(timings) * 1000:.0f} ms, "
        f"p99 {timings[min(len(timings) - 1, round(0.99 * len(timings)))] * 1000:.0f} ms "
        f"(CPU p50 {statistics.median(cpu) * 1000:.0f} ms, max {max(cpu) * 1000:.0f} ms), "
        f"decided {decided} of {40 * len(timings)} bounds"
    )


def test_the_last_matchday_of_epl_2023_24_what_each_team_needed() -> None:
    """Before the last round: City 88 points (goal difference 60), Arsenal 86 (61); Tottenham 63 over
    Chelsea 60; Nottingham Forest 29 (after its deduction) over Luton 26. Goal difference can still move
    both ways in every match, so only points clinch."""
    results = read_results(EPL_CSV)
    results.sort(key=lambda r: (datetime.strptime(r.date, "%d/%m/%Y"), int(r.id)))
    teams = sorted({r.home for r in results})
    adjustments = [Adjustment(team="Everton", points=-8), Adjustment(team="Nott'm Forest", points=-4)]
    reg = regulation("premier-league")
    played, remaining = results[:370], [(r.home, r.away) for r in results[370:]]
    assert len({t for m in remaining for t in m}) == 20

    def magic(team: str, position: int) -> int | None:
        return magic_number(played, remaining, reg, teams, team=team, position=position, adjustments=adjustments)

    def needs(team: str, position: int) -> dict[str, tuple[bool | None, bool | None]]:
        nxt = needs_next_match(played, remaining, reg, teams, team=team, position=position, adjustments=adjustments)
        assert nxt is not None
        return {n.result: (n.clinches, n.keeps_alive) for n in nxt.needs}

    assert magic("Man City", 1) == 3  # a draw leaves Arsenal a way past on goal difference
    assert needs("Man City", 1) == {"win": (True, True), "draw": (False, True), "loss": (False, True)}
    assert magic("Arsenal", 1) is None  # even a win needs City to slip
    assert needs("Arsenal", 1) == {"win": (False, True), "draw": (False, False), "loss": (False, False)}
    assert magic("Tottenham", 5) == 1
    assert magic("Nott'm Forest", 17) == 1
    assert magic("Luton", 17) is None
    assert needs("Luton", 17) == {"win": (False, True), "draw": (False, False), "loss": (False, False)}
