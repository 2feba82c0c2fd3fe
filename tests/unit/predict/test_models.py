"""The rating models: probabilities that add up, a fit that finds strengths it was given, scores and dates."""

from __future__ import annotations

import itertools

import msgspec
import numpy as np
import pytest

from predict.dates import iso_date
from predict.elo import elo_ratings
from predict.errors import PredictError
from predict.match_model import likely_scores, match_model, outcome_probabilities
from predict.ratings import HOCKEY, Ratings, fit_ratings, regulation_score
from predict.scoring import log_loss, proportional_probabilities, ranked_probability_score
from sports.model import DecidedIn, Result

TEAMS = [f"T{i}" for i in range(8)]
TRUE_ATTACK = np.linspace(-0.4, 0.4, len(TEAMS))
TRUE_DEFENCE = np.linspace(-0.3, 0.3, len(TEAMS))


def synthetic_season(seed: int, rounds: int = 6) -> list[Result]:
    """Each pair meets ``rounds`` times at each ground, goals drawn from the Poisson model with known strengths."""
    rng = np.random.default_rng(seed)
    results = []
    n = 0
    for _ in range(rounds):
        for i, j in itertools.permutations(range(len(TEAMS)), 2):
            lam = np.exp(0.1 + 0.25 + TRUE_ATTACK[i] - TRUE_DEFENCE[j])
            mu = np.exp(0.1 + TRUE_ATTACK[j] - TRUE_DEFENCE[i])
            results.append(
                Result(
                    id=str(n),
                    home=TEAMS[i],
                    away=TEAMS[j],
                    home_score=int(rng.poisson(lam)),
                    away_score=int(rng.poisson(mu)),
                )
            )
            n += 1
    return results


def flat_ratings(sport: str = "football") -> Ratings:
    zero = dict.fromkeys(TEAMS, 0.0)
    return Ratings(
        sport=sport,
        as_of=None,
        attack=zero,
        defence=dict(zero),
        intercept=0.3,
        home=0.2,
        rho=-0.1,
        elo=dict.fromkeys(TEAMS, 1500.0),
    )


def test_the_fit_recovers_the_strengths_the_goals_were_drawn_with() -> None:
    ratings = fit_ratings(synthetic_season(seed=7), TEAMS, sport="football")
    attack = np.array([ratings.attack[t] for t in TEAMS])
    defence = np.array([ratings.defence[t] for t in TEAMS])
    assert np.corrcoef(attack, TRUE_ATTACK)[0, 1] > 0.9
    assert np.corrcoef(defence, TRUE_DEFENCE)[0, 1] > 0.9
    assert np.abs(attack - TRUE_ATTACK).max() < 0.25
    assert abs(ratings.home - 0.25) < 0.12
    assert abs(sum(ratings.attack.values())) < 1e-9  # identified: centred


def test_a_warm_start_reaches_the_same_fit() -> None:
    season = synthetic_season(seed=3)
    cold = fit_ratings(season, TEAMS, sport="football")
    warm = fit_ratings(season, TEAMS, sport="football", start=cold)
    assert max(abs(cold.attack[t] - warm.attack[t]) for t in TEAMS) < 1e-3


def test_match_probabilities_sum_to_one_and_favour_the_stronger_side() -> None:
    ratings = fit_ratings(synthetic_season(seed=11), TEAMS, sport="football")
    pairs = [("T7", "T0"), ("T0", "T7"), ("T3", "T4")]
    model = match_model(ratings, pairs)
    probs = outcome_probabilities(model)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert np.allclose(model.matrices.sum(axis=(1, 2)), 1.0)
    assert probs[0, 0] > 0.6 > probs[1, 0]
    scores = likely_scores(model, 0)
    assert len(scores) == 5
    assert [s[2] for s in scores] == sorted((s[2] for s in scores), reverse=True)


def test_hockey_splits_a_tie_into_overtime_and_shoot_out() -> None:
    model = match_model(flat_ratings(HOCKEY), [("T1", "T2")])
    assert model.tie_split is not None
    assert model.tie_split[0].sum() == pytest.approx(1.0)
    assert model.tie_split[0, 0] > model.tie_split[0, 1]  # the home side scores more, so wins more overtimes
    assert model.tie_split[0, 2] == pytest.approx(model.tie_split[0, 3])  # a shoot-out is even
    final = likely_scores(model, 0)
    assert all(h != a for h, a, _ in final)  # a hockey game always has a winner


def test_hockey_fits_regulation_scores_and_counts_overtime() -> None:
    ot = Result(id="1", home="A", away="B", home_score=3, away_score=2, decided_in=DecidedIn.OT)
    so = Result(id="2", home="B", away="A", home_score=1, away_score=2, decided_in=DecidedIn.SO)
    assert regulation_score(ot, HOCKEY) == (2, 2)
    assert regulation_score(so, HOCKEY) == (1, 1)
    assert regulation_score(ot, "football") == (3, 2)
    ratings = fit_ratings([ot, ot, so], ["A", "B"], sport=HOCKEY)
    assert 0.6 < ratings.ot_share < 0.7  # two overtimes, one shoot-out, pulled towards the prior 0.6


def test_without_matches_teams_are_average_or_a_prior_stands_in() -> None:
    blank = fit_ratings([], TEAMS, sport="football")
    assert set(blank.attack.values()) == {0.0}
    probs = outcome_probabilities(match_model(blank, [("T1", "T2"), ("T2", "T1")]))
    assert probs[0, 0] == pytest.approx(probs[1, 0])  # only the home side differs
    assert probs[0, 0] > probs[0, 2]
    prior = fit_ratings(synthetic_season(seed=5), TEAMS, sport="football")
    fresh = fit_ratings([], [*TEAMS[:7], "Promoted"], sport="football", prior=prior)
    strength = {t: fresh.attack[t] + fresh.defence[t] for t in fresh.attack}
    others = sorted(strength[t] for t in TEAMS[:7])
    assert strength["Promoted"] < others[3]  # placed among the weakest, as promoted sides are
    assert fresh.elo["Promoted"] < 1500.0


def test_results_naming_an_unknown_team_are_refused() -> None:
    with pytest.raises(PredictError, match="not in the stage"):
        fit_ratings(synthetic_season(seed=1)[:5], TEAMS[:3], sport="football")


def test_elo_moves_by_k_times_the_surprise() -> None:
    win = Result(id="1", home="A", away="B", home_score=1, away_score=0)
    after = elo_ratings([win], ["A", "B"], k=20.0)
    expected_home = 1.0 / (1.0 + 10.0 ** (-60.0 / 400.0))
    assert after["A"] == pytest.approx(1500.0 + 20.0 * (1.0 - expected_home))
    assert after["A"] + after["B"] == pytest.approx(3000.0)


def test_scores_of_forecasts() -> None:
    sure = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert ranked_probability_score(sure, [0, 2]) == 0.0
    assert log_loss(sure, [0, 2]) == pytest.approx(0.0)
    even = np.full((1, 3), 1 / 3)
    assert log_loss(even, [1]) == pytest.approx(np.log(3))
    assert ranked_probability_score(np.array([[0.0, 0.0, 1.0]]), [0]) == pytest.approx(1.0)
    market = proportional_probabilities((2.0, 3.5, 4.0))
    assert sum(market) == pytest.approx(1.0)
    assert market[0] > market[1] > market[2]
    with pytest.raises(PredictError):
        proportional_probabilities((1.0, 3.0, 3.0))


def test_dates_in_the_files_formats() -> None:
    assert iso_date("11/08/2023") == "2023-08-11"
    assert iso_date("11/08/23") == "2023-08-11"
    assert iso_date("2023-08-11T20:00:00Z") == "2023-08-11"
    assert iso_date(" ") is None
    with pytest.raises(PredictError, match="unreadable date"):
        iso_date("next Tuesday")


def test_hockey_ties_after_regulation_follow_the_stage() -> None:
    # Half of these games go past regulation, far more than independent goals give: the boost follows.
    games = []
    for n, (h, a) in enumerate(itertools.permutations(TEAMS, 2)):
        if n % 2:
            games.append(Result(id=str(n), home=h, away=a, home_score=3, away_score=2, decided_in=DecidedIn.OT))
        else:
            games.append(Result(id=str(n), home=h, away=a, home_score=4, away_score=1))
    ratings = fit_ratings(games, TEAMS, sport=HOCKEY)
    assert ratings.rho == 0.0  # hockey corrects ties with the boost, not with football's low-score factor
    assert ratings.tie_boost > 1.5
    tie = outcome_probabilities(match_model(ratings, [("T0", "T1")]))[0, 1]
    plain = outcome_probabilities(match_model(msgspec.structs.replace(ratings, tie_boost=1.0), [("T0", "T1")]))[0, 1]
    assert tie > plain
