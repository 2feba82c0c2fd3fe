"""``forecast_stage``: the facade the stream processor and ``rstat predict`` share."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from predict.errors import PredictError
from predict.forecast import Fixture, forecast_stage
from sports.model import Adjustment, DecidedIn, Result
from sports.regulations import regulation

TEAMS = ["Ajax", "Benfica", "Celtic", "Dynamo", "Eintracht"]


def first_half(hockey: bool = False) -> tuple[list[Result], list[Fixture]]:
    """A double round robin of five teams: the first meetings played, the return matches left."""
    rng = np.random.default_rng(8)
    played, left = [], []
    for n, (home, away) in enumerate(itertools.combinations(TEAMS, 2)):
        hs, as_ = int(rng.poisson(1.5)), int(rng.poisson(1.2))
        decided = DecidedIn.REG
        if hockey and hs == as_:
            hs, decided = hs + 1, DecidedIn.SO if n % 2 else DecidedIn.OT
        day = f"2024-01-{n + 1:02d}"
        played.append(
            Result(id=str(n), home=home, away=away, home_score=hs, away_score=as_, decided_in=decided, date=day)
        )
        left.append(Fixture(id=f"r{n}", home=away, away=home, date=f"2024-02-{n + 1:02d}"))
    return played, left


def test_football_forecast_is_consistent_with_itself_and_with_the_exact_bounds() -> None:
    played, left = first_half()
    forecast = forecast_stage(
        played, left, regulation("football"), TEAMS, zones={"top": (1, 1), "bottom": (4, 5)}, sims=3000, seed=1
    )
    assert forecast.sport == "football"
    assert len(forecast.matches) == len(left)
    for m in forecast.matches:
        assert m.p_home + m.p_draw + m.p_away == pytest.approx(1.0, abs=1e-3)
        assert m.hockey is None
        assert 3 <= len(m.likely_scores) <= 5
    assert sorted(t.team for t in forecast.teams) == TEAMS
    for t in forecast.teams:
        assert sum(t.position_probabilities) == pytest.approx(1.0, abs=1e-3)
        assert t.zone_probabilities["top"] == pytest.approx(t.position_probabilities[0], abs=1e-3)
        if t.best_possible is not None and t.worst_possible is not None:
            # the simulation never puts a team where the exact search says it cannot finish
            outside = [
                p
                for k, p in enumerate(t.position_probabilities, start=1)
                if not t.best_possible <= k <= t.worst_possible
            ]
            assert sum(outside) == 0.0
    again = forecast_stage(
        played, left, regulation("football"), TEAMS, zones={"top": (1, 1), "bottom": (4, 5)}, sims=3000, seed=1
    )
    assert again == forecast  # seeded: the same input, the same numbers


def test_a_clinched_team_has_probability_one() -> None:
    played, left = first_half()
    forecast = forecast_stage(
        played, left[:2], regulation("football"), TEAMS, adjustments=[Adjustment(team="Eintracht", points=20)], sims=500
    )
    leader = next(t for t in forecast.teams if t.team == "Eintracht")
    assert forecast.teams[0] is leader
    assert leader.position_probabilities[0] == 1.0
    assert (leader.best_possible, leader.worst_possible) == (1, 1)


def test_hockey_forecast_splits_every_match_into_regulation_overtime_and_shoot_out() -> None:
    played, left = first_half(hockey=True)
    forecast = forecast_stage(played, left, regulation("iihf"), TEAMS, sims=2000)
    assert forecast.sport == "ice-hockey"
    for m in forecast.matches:
        split = m.hockey
        assert split is not None
        assert split.p_home_reg == m.p_home
        assert split.p_home_ot + split.p_home_so + split.p_away_ot + split.p_away_so == pytest.approx(
            m.p_draw, abs=1e-3
        )
        total = (
            split.p_home_reg + split.p_home_ot + split.p_home_so + split.p_away_reg + split.p_away_ot + split.p_away_so
        )
        assert total == pytest.approx(1.0, abs=1e-3)
        assert all(h != a for h, a, _ in m.likely_scores)
    for t in forecast.teams:
        assert sum(t.position_probabilities) == pytest.approx(1.0, abs=1e-3)


def test_teams_outside_the_stage_are_refused() -> None:
    played, left = first_half()
    with pytest.raises(PredictError, match="not in the stage: Zenit"):
        forecast_stage(played, [*left, Fixture(id="x", home="Ajax", away="Zenit")], regulation("football"), TEAMS)
    with pytest.raises(PredictError, match="adjustments name teams"):
        forecast_stage(played, left, regulation("football"), TEAMS, adjustments=[Adjustment(team="Zenit", points=-3)])


@pytest.mark.parametrize("preset", ["premier-league", "laliga"])
def test_a_stage_with_no_match_left_to_simulate_is_forecast(preset: str) -> None:
    """Every match cancelled (or none scheduled yet): the head-to-head step has no simulated match to read."""
    played, _left = first_half()
    for matches in ([], played):
        forecast = forecast_stage(matches, [], regulation(preset), TEAMS, sims=200)
        assert forecast.matches == ()
        for team in forecast.teams:
            assert sum(team.position_probabilities) == pytest.approx(1.0)
