"""Clinch and elimination against brute force: every number ``predict.clinch`` returns is the true one.

The oracle (tests/unit/predict/clinch_oracle.py) tables every completion of small leagues with
``sports.compute_standings``; its docstring says why it is a true oracle for these comparisons. Each case
also checks the relaxation itself: every tabled completion's position lies in the interval the tie-aware
walk gives its configuration.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from predict import clinch_search
from predict.clinch import magic_number, needs_next_match, position_bounds
from predict.clinch_interval import ConfigTable
from predict.clinch_milp import pair_relations, sure_relations
from predict.clinch_model import League, Question
from sports import compute_standings, regulation
from tests.unit.predict.clinch_oracle import Case, Tabled, extremes, random_case, score_set, table_all

FOOTBALL = ["football", "premier-league", "laliga", "uefa-2021", "fifa-2022", "uefa-league-phase-2024"]
HOCKEY = ["iihf", "nhl", "nhl-2010", "khl"]


class Tally:
    def __init__(self) -> None:
        self.decided = self.asked = 0

    def add(self, value: object) -> None:
        self.asked += 1
        self.decided += value is not None


def check_bounds(case: Case, tabled: Sequence[Tabled], tally: Tally, *, milp: bool = False) -> None:
    """``milp``: the search a large league takes (points MILP and pairwise tie relations), forced here."""
    with pytest.MonkeyPatch.context() as mp:
        if milp:
            mp.setattr(clinch_search, "ENUMERATION_LIMIT", 0)
        got = position_bounds(case.played, case.remaining, case.reg, case.teams, case.adjustments, budget_s=10.0)
    for team, (best, worst) in extremes(tabled, case.teams).items():
        b = got[team]
        assert b.best in (None, best), (team, "best", b, best, case)
        assert b.worst in (None, worst), (team, "worst", b, worst, case)
        tally.add(b.best)
        tally.add(b.worst)


def check_relaxation(case: Case, tabled: Sequence[Tabled]) -> None:
    """Every position a completion gives lies inside its configuration's proved interval."""
    league = League(case.played, case.remaining, case.reg, case.teams, case.adjustments)
    seen: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for x in tabled:
        if x.codes not in seen:
            table = ConfigTable(league, x.codes)
            seen[x.codes] = [table.position_range(league.index[t]) for t in case.teams]
        for (lo, hi), team in zip(seen[x.codes], case.teams, strict=True):
            best, worst = x.positions[team]
            assert lo <= best, (team, x.codes, (lo, hi), (best, worst), case)
            assert worst <= hi, (team, x.codes, (lo, hi), (best, worst), case)


def check_relations(case: Case, tabled: Sequence[Tabled]) -> None:
    """The MILP's tie facts hold in every tabled completion: a sure relation whenever the two are level
    on points, a pair relation whenever they are the only two level."""
    league = League(case.played, case.remaining, case.reg, case.teams, case.adjustments)
    every = [league.codes] * len(league.matches)
    for t, team in enumerate(league.teams):
        q = Question(league, t, best=True, allowed=every)
        sure, pair = sure_relations(q), pair_relations(q)
        for x in tabled:
            level = [o for o in league.teams if o != team and x.points[o] == x.points[team]]
            for other in level:
                rel = sure[league.index[other]] or (pair[league.index[other]] if len(level) == 1 else 0)
                if rel == 1:
                    assert x.positions[other][1] < x.positions[team][0], (other, team, x.codes, case)
                elif rel == -1:
                    assert x.positions[team][1] < x.positions[other][0], (team, other, x.codes, case)


def check_magic_and_needs(case: Case, tabled: Sequence[Tabled], team: str, position: int, tally: Tally) -> None:
    base = {r.team: r.points for r in compute_standings(case.played, case.reg, case.adjustments, case.teams)}
    totals = sorted({x.points[team] - base[team] for x in tabled})
    want = None
    for s in totals:
        if all(x.positions[team][1] <= position for x in tabled if x.points[team] - base[team] >= s):
            want = s
            break
    got = magic_number(
        case.played, case.remaining, case.reg, case.teams, team=team, position=position,
        adjustments=case.adjustments, budget_s=10.0,
    )  # fmt: skip
    # None is "impossible or undecided": when the oracle has an answer, None counts as undecided
    assert got in (want, None), (team, position, got, want, case)
    if want is not None:
        tally.add(got)
    nxt = needs_next_match(
        case.played, case.remaining, case.reg, case.teams, team=team, position=position,
        adjustments=case.adjustments, budget_s=10.0,
    )  # fmt: skip
    first = next((m for m, (h, a) in enumerate(case.remaining) if team in (h, a)), None)
    if first is None:
        assert nxt is None
        return
    assert nxt is not None
    assert nxt.home == (case.remaining[first][0] == team)
    codes = sorted({x.codes[first] for x in tabled})
    assert len(nxt.needs) == len(codes)
    for need in nxt.needs:
        mine = [x for x in tabled if _result_name(x.codes[first], nxt.home) == need.result]
        assert mine, need
        clinches = all(x.positions[team][1] <= position for x in mine)
        alive = any(x.positions[team][0] <= position for x in mine)
        assert need.clinches in (None, clinches), (team, position, need, case)
        assert need.keeps_alive in (None, alive), (team, position, need, case)
        tally.add(need.clinches)
        tally.add(need.keeps_alive)


def _result_name(code: str, home: bool) -> str:
    if code == "D":
        return "draw"
    won = code.startswith("H") == home
    return ("win" if won else "loss") + {"O": "_ot", "S": "_so"}.get(code[1:], "")


def run_case(case: Case, grid: int, tally: Tally, rng: random.Random, milp_tally: Tally | None = None) -> None:
    tabled = table_all(case, score_set(case.reg.sport == "ice-hockey", grid))
    check_bounds(case, tabled, tally)
    check_bounds(case, tabled, milp_tally or Tally(), milp=True)
    check_relaxation(case, tabled)
    check_relations(case, tabled)
    team = rng.choice(case.teams)
    check_magic_and_needs(case, tabled, team, rng.randint(1, len(case.teams) - 1), tally)


@pytest.mark.parametrize("preset", FOOTBALL)
def test_football_with_a_few_matches_left_agrees_with_brute_force(preset: str) -> None:
    tally, milp_tally = Tally(), Tally()
    for seed in range(3):
        rng = random.Random(f"{preset}-{seed}")
        n = rng.choice([4, 5, 6])
        left = 3 if seed else 2
        case = random_case(rng, regulation(preset), n, left, rng.randint(n, n * (n - 1) - left))
        run_case(case, 3 if left == 2 else 2, tally, rng, milp_tally)
    assert tally.decided >= 0.95 * tally.asked, (tally.decided, tally.asked)
    assert milp_tally.decided >= 0.9 * milp_tally.asked, (milp_tally.decided, milp_tally.asked)


@pytest.mark.parametrize("preset", HOCKEY)
def test_hockey_with_a_few_matches_left_agrees_with_brute_force(preset: str) -> None:
    tally, milp_tally = Tally(), Tally()
    for seed in range(3):
        rng = random.Random(f"{preset}-{seed}")
        n = rng.choice([4, 5])
        case = random_case(rng, regulation(preset), n, 2, rng.randint(n, n * (n - 1) - 2))
        run_case(case, 2, tally, rng, milp_tally)
    assert tally.decided >= 0.9 * tally.asked, (tally.decided, tally.asked)
    assert milp_tally.decided >= 0.8 * milp_tally.asked, (milp_tally.decided, milp_tally.asked)


@pytest.mark.parametrize("preset", ["laliga", "uefa-2021", "premier-league"])
def test_five_matches_left_agree_with_the_witness_scores(preset: str) -> None:
    tally = Tally()
    rng = random.Random(f"long-{preset}")
    case = random_case(rng, regulation(preset), 5, 5, 10)
    run_case(case, 0, tally, rng)
    assert tally.decided >= 0.95 * tally.asked, (tally.decided, tally.asked)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rng=st.randoms(use_true_random=False),
    preset=st.sampled_from([*FOOTBALL, *HOCKEY]),
    n=st.integers(4, 6),
)
def test_random_small_leagues_are_never_wrong(rng: random.Random, preset: str, n: int) -> None:
    case = random_case(rng, regulation(preset), n, 2, rng.randint(0, n * (n - 1) - 2))
    run_case(case, 1, Tally(), rng)
