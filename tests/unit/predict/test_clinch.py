"""Clinch and elimination against brute force: every number ``position_bounds`` returns is the true one.

The oracle (tests/unit/predict/clinch_oracle.py) tables every completion of small leagues with
``sports.compute_standings``; its docstring says why it is a true oracle for these comparisons.
"""

from __future__ import annotations

import random

import pytest

from predict.clinch import Bounds, position_bounds
from sports import Regulation, Result, regulation
from tests.unit.predict.clinch_oracle import Case, brute_force, random_case, score_set

FOOTBALL = ["football", "premier-league", "laliga", "uefa-2021", "fifa-2022", "uefa-league-phase-2024"]
HOCKEY = ["iihf", "nhl", "nhl-2010", "khl"]


def _compare(case: Case, grid: int) -> tuple[int, int]:
    """Asserts every decided bound equals the oracle's; returns (decided, asked)."""
    got = position_bounds(case.played, case.remaining, case.reg, case.teams, case.adjustments, budget_s=10.0)
    want = brute_force(case, score_set(case.reg.sport == "ice-hockey", grid))
    decided = 0
    for team, (best, worst) in want.items():
        b = got[team]
        assert b.best in (None, best), (team, "best", b, best, case)
        assert b.worst in (None, worst), (team, "worst", b, worst, case)
        decided += (b.best is not None) + (b.worst is not None)
    return decided, 2 * len(want)


@pytest.mark.parametrize("preset", FOOTBALL)
def test_football_three_matches_left_agree_with_brute_force(preset: str) -> None:
    decided = asked = 0
    for seed in range(4):
        rng = random.Random(f"{preset}-{seed}")
        n = rng.choice([4, 5])
        case = random_case(rng, regulation(preset), n, 3, rng.randint(n, n * (n - 1) - 3))
        d, a = _compare(case, grid=3)
        decided, asked = decided + d, asked + a
    assert decided >= 0.95 * asked


@pytest.mark.parametrize("preset", HOCKEY)
def test_hockey_two_matches_left_agree_with_brute_force(preset: str) -> None:
    decided = asked = 0
    for seed in range(4):
        rng = random.Random(f"{preset}-{seed}")
        n = rng.choice([4, 5])
        case = random_case(rng, regulation(preset), n, 2, rng.randint(n, n * (n - 1) - 2))
        d, a = _compare(case, grid=2)
        decided, asked = decided + d, asked + a
    assert decided >= 0.9 * asked


def test_a_finished_season_is_its_table() -> None:
    played = [
        Result(id="1", home="A", away="B", home_score=2, away_score=0),
        Result(id="2", home="B", away="C", home_score=1, away_score=1),
        Result(id="3", home="C", away="A", home_score=0, away_score=0),
    ]
    got = position_bounds(played, [], regulation("football"), ["A", "B", "C"])
    assert got == {
        "A": Bounds(best=1, worst=1),
        "C": Bounds(best=2, worst=2),
        "B": Bounds(best=3, worst=3),
    }


def test_an_unresolved_tie_counts_for_the_best_and_against_the_worst() -> None:
    # A and B identical in everything laliga compares: lots decide, so each is 1st at best and 2nd at worst
    played = [
        Result(id="1", home="A", away="B", home_score=1, away_score=1),
        Result(id="2", home="B", away="A", home_score=0, away_score=0),
    ]
    reg: Regulation = regulation("laliga")
    assert position_bounds(played, [], reg, ["A", "B"]) == {
        "A": Bounds(best=1, worst=2),
        "B": Bounds(best=1, worst=2),
    }
