"""The season simulation: odds that add up, certainties that stay certain, and tables ranked exactly as sports/."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from predict.match_model import match_model
from predict.ranking import SampledSeasons, final_orders, season_results, vectorised_criteria
from predict.ratings import HOCKEY, fit_ratings
from predict.simulate import sample_seasons, simulate_season, zone_probabilities
from sports.model import Adjustment, DecidedIn, Result
from sports.regulations import PRESETS, regulation
from sports.standings import compute_standings

TEAMS = [f"T{i}" for i in range(6)]


def round_robin(teams: list[str], seed: int, hockey: bool = False) -> list[Result]:
    rng = np.random.default_rng(seed)
    out = []
    for n, (home, away) in enumerate(itertools.permutations(teams, 2)):
        hs, as_ = int(rng.poisson(1.4)), int(rng.poisson(1.1))
        decided = DecidedIn.REG
        if hockey and hs == as_:
            hs, decided = hs + 1, DecidedIn.OT
        out.append(Result(id=f"p{n:03d}", home=home, away=away, home_score=hs, away_score=as_, decided_in=decided))
    return out


def test_position_probabilities_add_up_per_team_and_per_position() -> None:
    played = round_robin(TEAMS, seed=1)
    remaining = list(itertools.permutations(TEAMS, 2))
    ratings = fit_ratings(played, TEAMS, sport="football")
    odds = simulate_season(
        played, remaining, regulation("premier-league"), TEAMS, model=match_model(ratings, remaining), sims=2000
    )
    assert np.allclose(odds.positions.sum(axis=0), 1.0)
    assert np.allclose(odds.positions.sum(axis=1), 1.0)
    zones = zone_probabilities(odds, {"top": (1, 2), "all": (1, 6)})
    assert all(z["all"] == pytest.approx(1.0) for z in zones.values())
    assert sum(z["top"] for z in zones.values()) == pytest.approx(2.0)


def test_the_same_seed_gives_the_same_seasons() -> None:
    ratings = fit_ratings(round_robin(TEAMS, seed=2), TEAMS, sport="football")
    model = match_model(ratings, list(itertools.permutations(TEAMS, 2)))
    a, b, c = sample_seasons(model, 50, seed=4), sample_seasons(model, 50, seed=4), sample_seasons(model, 50, seed=5)
    assert np.array_equal(a.home_goals, b.home_goals)
    assert not np.array_equal(a.home_goals, c.home_goals)


def test_a_team_already_out_of_reach_finishes_first_in_every_season() -> None:
    played = round_robin(TEAMS, seed=3)
    adjustments = [Adjustment(team="T5", points=30)]  # a lead no two matches can close
    remaining = [("T0", "T5"), ("T5", "T1"), ("T2", "T3")]
    ratings = fit_ratings(played, TEAMS, sport="football")
    odds = simulate_season(
        played,
        remaining,
        regulation("football"),
        TEAMS,
        model=match_model(ratings, remaining),
        adjustments=adjustments,
        sims=1000,
    )
    assert odds.positions[TEAMS.index("T5"), 0] == 1.0


def test_hockey_seasons_always_have_a_winner_and_overtime_adds_the_decisive_goal() -> None:
    played = round_robin(TEAMS, seed=4, hockey=True)
    remaining = list(itertools.permutations(TEAMS, 2))
    ratings = fit_ratings(played, TEAMS, sport=HOCKEY)
    seasons = sample_seasons(match_model(ratings, remaining), 500, seed=0)
    assert not np.any(seasons.home_goals == seasons.away_goals)
    beyond = seasons.decided > 0
    assert beyond.any()
    assert np.all(np.abs(seasons.home_goals - seasons.away_goals)[beyond] == 1)
    odds = simulate_season(played, remaining, regulation("nhl"), TEAMS, model=match_model(ratings, remaining), sims=500)
    assert np.allclose(odds.positions.sum(axis=1), 1.0)


def test_head_to_head_first_rules_are_never_vectorised_past_points() -> None:
    assert vectorised_criteria(regulation("laliga")) == ()
    assert vectorised_criteria(regulation("premier-league")) == ("goal_diff", "goals_for")
    assert vectorised_criteria(regulation("iihf")) == ()  # the direct game decides any tie of two
    assert vectorised_criteria(regulation("football")) == ("goal_diff", "goals_for", "wins")


@st.composite
def leagues(
    draw: st.DrawFn,
) -> tuple[str, list[str], list[Result], list[tuple[str, str]], SampledSeasons, list[Adjustment]]:
    preset = draw(st.sampled_from(sorted(PRESETS)))
    hockey = PRESETS[preset].sport == HOCKEY
    teams = [f"T{i}" for i in range(draw(st.integers(3, 5)))]
    pairs = list(itertools.permutations(teams, 2))
    played = []
    for n, (home, away) in enumerate(draw(st.lists(st.sampled_from(pairs), max_size=8))):
        hs, as_ = draw(st.integers(0, 2)), draw(st.integers(0, 2))
        decided = DecidedIn.REG
        if hockey and hs == as_:
            hs, decided = hs + 1, draw(st.sampled_from([DecidedIn.OT, DecidedIn.SO]))
        played.append(Result(id=f"p{n:02d}", home=home, away=away, home_score=hs, away_score=as_, decided_in=decided))
    remaining = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=8))
    n_seasons = 6
    shape = (n_seasons, len(remaining))
    flat = n_seasons * len(remaining)
    goals = st.lists(st.integers(0, 2), min_size=flat, max_size=flat)
    home_goals = np.array(draw(goals), dtype=np.int64).reshape(shape)
    away_goals = np.array(draw(goals), dtype=np.int64).reshape(shape)
    codes = np.zeros(shape, dtype=np.int64)
    if hockey:
        how = np.array(draw(st.lists(st.integers(1, 2), min_size=flat, max_size=flat)), dtype=np.int64).reshape(shape)
        tie = home_goals == away_goals
        home_goals = home_goals + tie
        codes = np.where(tie, how, 0).astype(np.int64)
    adjustments = [Adjustment(team=teams[0], points=draw(st.integers(-3, 3)))]
    seasons = SampledSeasons(home_goals=home_goals, away_goals=away_goals, decided=codes)
    return preset, teams, played, remaining, seasons, adjustments


@settings(max_examples=150, deadline=None)
@given(leagues())
def test_the_vectorised_ranking_equals_compute_standings(
    league: tuple[str, list[str], list[Result], list[tuple[str, str]], SampledSeasons, list[Adjustment]],
) -> None:
    preset, teams, played, remaining, seasons, adjustments = league
    reg = regulation(preset)
    order, _exact = final_orders(played, remaining, reg, teams, seasons=seasons, adjustments=adjustments)
    for s in range(seasons.home_goals.shape[0]):
        rows = compute_standings(played + season_results(remaining, seasons, s), reg, adjustments, teams)
        assert [teams[i] for i in order[s]] == [row.team for row in rows]


def test_two_teams_level_on_points_are_settled_by_their_own_matches_without_the_exact_path() -> None:
    # A and B finish level on points; B beat A, so LaLiga's head-to-head puts B first although A has the
    # better goal difference and comes first by name.
    played = [
        Result(id="1", home="A", away="C", home_score=5, away_score=0),
        Result(id="2", home="B", away="A", home_score=1, away_score=0),
        Result(id="3", home="C", away="B", home_score=0, away_score=0),
    ]
    remaining = [("A", "C")]
    seasons = SampledSeasons(
        home_goals=np.array([[1]], dtype=np.int64),
        away_goals=np.array([[1]], dtype=np.int64),
        decided=np.zeros((1, 1), dtype=np.int64),
    )
    teams = ["A", "B", "C"]
    reg = regulation("laliga")
    order, exact = final_orders(played, remaining, reg, teams, seasons=seasons)
    assert [teams[i] for i in order[0]] == ["B", "A", "C"]
    assert exact == 0
    rows = compute_standings(played + season_results(remaining, seasons, 0), reg, (), teams)
    assert [row.team for row in rows] == ["B", "A", "C"]


def test_three_teams_level_are_settled_by_the_matches_among_them() -> None:
    # A beat B, B beat C, C beat A: level on points and head-to-head points; C's 3-0 puts it first on
    # head-to-head goal difference, A and B stay level until goals scored. D and E share everything.
    played = [
        Result(id="1", home="A", away="B", home_score=2, away_score=0),
        Result(id="2", home="B", away="C", home_score=1, away_score=0),
        Result(id="3", home="C", away="A", home_score=3, away_score=0),
    ]
    remaining = [("D", "E")]
    seasons = SampledSeasons(
        home_goals=np.array([[1]], dtype=np.int64),
        away_goals=np.array([[1]], dtype=np.int64),
        decided=np.zeros((1, 1), dtype=np.int64),
    )
    teams = ["A", "B", "C", "D", "E"]
    reg = regulation("laliga")
    order, exact = final_orders(played, remaining, reg, teams, seasons=seasons)
    rows = compute_standings(played + season_results(remaining, seasons, 0), reg, (), teams)
    assert [row.team for row in rows] == ["C", "A", "B", "D", "E"]
    assert [teams[i] for i in order[0]] == ["C", "A", "B", "D", "E"]
    assert exact == 0
