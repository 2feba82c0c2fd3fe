"""``rstat bench predict``: the forecasts against the Premier League 2023/24 and against Pinnacle's closing odds.

Every match from a club's tenth game on (both sides have played nine) is forecast from the matches before its
day only: the ratings are refitted per match day, warm-started from the previous day's fit, with the 2022/23
season's final ratings as the prior. The market's probabilities are Pinnacle's closing odds (PSCH, PSCD,
PSCA) with the margin removed proportionally. The naive forecast gives every match the home/draw/away
frequencies of the matches before its day (2022/23 included). The same for hockey on the NHL 2015/16
season (regulation three-way and winner). Then the speed of the season simulation and
of the exact bounds of ``predict.clinch`` per matchday of the season.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

import numpy as np

from crawlers.results_io import read_results
from predict.clinch import position_bounds
from predict.dates import iso_date
from predict.match_model import match_model, outcome_probabilities
from predict.ratings import HOCKEY, Ratings, fit_ratings
from predict.scoring import log_loss, outcome_index, proportional_probabilities, ranked_probability_score
from predict.simulate import simulate_season
from rstat.settings import Settings
from sports.model import DecidedIn, Result
from sports.regulations import regulation

__all__ = ["bench_predict"]

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "football"
SEASON, PREVIOUS, ROUNDS = DATA / "E0_2324.csv", DATA / "E0_2223.csv", DATA / "2023-24_en.1.json"
NHL_GAMES = DATA.parent / "hockey" / "game.csv"
FIRST_GAME = 10


def _closing_odds(path: Path) -> dict[str, tuple[float, float, float]]:
    """Pinnacle's closing odds by result id (the CSV line, as ``read_results`` numbers them)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {
            str(line): (float(row["PSCH"]), float(row["PSCD"]), float(row["PSCA"]))
            for line, row in enumerate(csv.DictReader(f), start=2)
            if row.get("PSCH") and row.get("PSCD") and row.get("PSCA")
        }


def _prior() -> Ratings | None:
    if not PREVIOUS.exists():
        return None
    previous = read_results(PREVIOUS)
    teams = sorted({t for r in previous for t in (r.home, r.away)})
    return fit_ratings(previous, teams, sport="football")


def _accuracy(season: list[Result], prior: Ratings | None) -> dict[str, object]:
    teams = sorted({t for r in season for t in (r.home, r.away)})
    day = {r.id: iso_date(r.date) or "" for r in season}
    ordered = sorted(season, key=lambda r: (day[r.id], int(r.id)))
    games: Counter[str] = Counter()
    by_day: dict[str, list[Result]] = {}
    for d in sorted(set(day.values())):
        todays = [r for r in ordered if day[r.id] == d]
        by_day[d] = [r for r in todays if games[r.home] >= FIRST_GAME - 1 and games[r.away] >= FIRST_GAME - 1]
        for r in todays:
            games[r.home] += 1
            games[r.away] += 1
    odds = _closing_odds(SEASON)
    previous_outcomes = [outcome_index(r.home_score, r.away_score) for r in read_results(PREVIOUS)] if prior else []
    model_p, market_p, naive_p, outcomes = [], [], [], []
    fit: Ratings | None = None
    fits, fit_seconds = 0, 0.0
    for d, matches in by_day.items():
        if not matches:
            continue
        before = [r for r in ordered if day[r.id] < d]
        started = time.perf_counter()
        fit = fit_ratings(before, teams, sport="football", as_of=d, prior=prior, start=fit)
        fit_seconds += time.perf_counter() - started
        fits += 1
        probs = outcome_probabilities(match_model(fit, [(r.home, r.away) for r in matches]))
        counts = np.bincount(
            previous_outcomes + [outcome_index(r.home_score, r.away_score) for r in before], minlength=3
        )
        for n, r in enumerate(matches):
            model_p.append(probs[n])
            market_p.append(proportional_probabilities(odds[r.id]))
            naive_p.append(counts / counts.sum())
            outcomes.append(outcome_index(r.home_score, r.away_score))
    model, market, naive = np.array(model_p), np.array(market_p), np.array(naive_p)
    ll, market_ll = log_loss(model, outcomes), log_loss(market, outcomes)
    return {
        "matches_forecast": len(outcomes),
        "refits": fits,
        "refit_ms_mean": round(1000 * fit_seconds / max(fits, 1), 1),
        "log_loss": round(ll, 4),
        "rps": round(ranked_probability_score(model, outcomes), 4),
        "market_log_loss": round(market_ll, 4),
        "market_rps": round(ranked_probability_score(market, outcomes), 4),
        "market_margin_removal": "proportional",
        "log_loss_ratio_to_market": round(ll / market_ll, 4),
        "naive_log_loss": round(log_loss(naive, outcomes), 4),
        "naive_rps": round(ranked_probability_score(naive, outcomes), 4),
        "warm_start": "2022/23 ratings as prior" if prior else "none (no 2022/23 file)",
    }


def _simulation_speed(season: list[Result]) -> dict[str, object]:
    """10,000 seasons of the last 190 matches (by date) under the Premier League rules; best of five runs."""
    ordered = sorted(season, key=lambda r: (iso_date(r.date) or "", int(r.id)))
    played, left = ordered[:190], ordered[190:]
    teams = sorted({t for r in season for t in (r.home, r.away)})
    reg = regulation("premier-league")
    pairs = [(r.home, r.away) for r in left]
    model = match_model(fit_ratings(played, teams, sport="football"), pairs)
    runs, cpu, exact = [], [], 0
    for seed in range(5):
        started, started_cpu = time.perf_counter(), time.process_time()
        odds = simulate_season(played, pairs, reg, teams, model=model, sims=10_000, seed=seed)
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        exact = odds.exact_rankings
    best = min(runs)
    return {
        "sims_s_10000": round(best, 3),
        "sims_per_s": round(10_000 / best),
        "sims_cpu_s_10000": round(min(cpu), 3),  # CPU time: less at the mercy of other processes than the clock
        "sims_exact_rankings_per_10000": exact,
    }


def _clinch_speed() -> dict[str, object]:
    """``predict.clinch.position_bounds`` after each of the 38 matchdays (openfootball's rounds), 2 s budget."""
    season = read_results(ROUNDS)
    teams = sorted({t for r in season for t in (r.home, r.away)})
    reg = regulation("premier-league")
    times, undecided = [], 0
    for matchday in range(1, 39):
        played = [r for r in season if r.round <= matchday]
        left = [(r.home, r.away) for r in season if r.round > matchday]
        started = time.perf_counter()
        bounds = position_bounds(played, left, reg, teams, budget_s=2.0)
        times.append(1000 * (time.perf_counter() - started))
        undecided += sum(1 for b in bounds.values() if b.best is None or b.worst is None)
    return {
        "clinch_decide_ms_p99": round(float(np.percentile(times, 99)), 1),
        "clinch_decide_ms_p50": round(float(np.percentile(times, 50)), 1),
        "clinch_matchdays": len(times),
        "clinch_undecided_bounds": undecided,
    }


def _nhl_season(season: str) -> list[Result]:
    """Regular-season games of game.csv (Kaggle NHL data): goals count the shoot-out winner's, ``outcome``
    names the winner and how the game ended."""
    seen: dict[str, Result] = {}
    with NHL_GAMES.open(newline="") as f:
        for row in csv.DictReader(f):
            if row["season"] != season or row["type"] != "R" or row["game_id"] in seen:
                continue
            settled = row["outcome"].rsplit(" ", 1)[-1]
            seen[row["game_id"]] = Result(
                id=row["game_id"],
                home=row["home_team_id"],
                away=row["away_team_id"],
                home_score=int(row["home_goals"]),
                away_score=int(row["away_goals"]),
                decided_in=DecidedIn(settled if settled in ("OT", "SO") else "REG"),
                date=row["date_time"],
                winner=row["outcome"].split(" ", 1)[0],
            )
    return sorted(seen.values(), key=lambda r: (r.date, r.id))


def _hockey_accuracy() -> dict[str, object]:
    """NHL 2015/16 from November on, each day's games from the games before it (2014/15 as prior): the
    regulation three-way (home win, tie, away win) and the winner, against the frequencies before the day."""
    previous, season = _nhl_season("20142015"), _nhl_season("20152016")
    prior = fit_ratings(previous, sorted({t for r in previous for t in (r.home, r.away)}), sport=HOCKEY)
    teams = sorted({t for r in season for t in (r.home, r.away)})
    three, winner, naive_three, naive_winner, outcomes, won_home = [], [], [], [], [], []
    ot_predicted, ot_seen = [], []
    fit: Ratings | None = None
    history = [(r.decided_in is not DecidedIn.REG, r.winning_side == "home", r) for r in previous]
    for day in sorted({r.date for r in season if r.date >= "2015-11-01"}):
        before = [r for r in season if r.date < day]
        todays = [r for r in season if r.date == day]
        fit = fit_ratings(before, teams, sport=HOCKEY, as_of=day, prior=prior, start=fit)
        model = match_model(fit, [(r.home, r.away) for r in todays])
        probs = outcome_probabilities(model)
        seen = history + [(r.decided_in is not DecidedIn.REG, r.winning_side == "home", r) for r in before]
        ties = sum(t for t, _, _ in seen) / len(seen)
        home_reg = sum(1 for t, h, _ in seen if h and not t) / len(seen)
        home_wins = sum(h for _, h, _ in seen) / len(seen)
        assert model.tie_split is not None
        for n, r in enumerate(todays):
            tied = r.decided_in is not DecidedIn.REG
            three.append(probs[n])
            split = model.tie_split[n]
            winner.append(probs[n, 0] + probs[n, 1] * (split[0] + split[2]))
            naive_three.append((home_reg, ties, 1.0 - home_reg - ties))
            naive_winner.append(home_wins)
            outcomes.append(1 if tied else outcome_index(r.home_score, r.away_score))
            won_home.append(r.winning_side == "home")
            if tied:
                ot_predicted.append(split[0] + split[1])
                ot_seen.append(r.decided_in is DecidedIn.OT)
    p_win, p_naive = np.array(winner), np.array(naive_winner)
    home = np.array(won_home)
    return {
        "hockey_games_forecast": len(outcomes),
        "hockey_log_loss_3way": round(log_loss(np.array(three), outcomes), 4),
        "hockey_naive_log_loss_3way": round(log_loss(np.array(naive_three), outcomes), 4),
        "hockey_winner_log_loss": round(float(-np.log(np.where(home, p_win, 1.0 - p_win)).mean()), 4),
        "hockey_naive_winner_log_loss": round(float(-np.log(np.where(home, p_naive, 1.0 - p_naive)).mean()), 4),
        "hockey_p_ot_given_tie_predicted": round(float(np.mean(ot_predicted)), 3),
        "hockey_p_ot_given_tie_seen": round(float(np.mean(ot_seen)), 3),
    }


def bench_predict(_settings: Settings) -> dict[str, object]:
    season = read_results(SEASON)
    return {
        **_accuracy(season, _prior()),
        **_hockey_accuracy(),
        **_simulation_speed(season),
        **_clinch_speed(),
        "targets": {
            "log_loss_ratio_to_market": "<= 1.05",
            "log_loss": "< naive_log_loss",
            "sims_s_10000": "<= 1.0",
            "sims_per_s": ">= 10000",
        },
    }
