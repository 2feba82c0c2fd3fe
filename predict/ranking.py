"""Final tables of many simulated seasons at once, exactly as ``sports.compute_standings`` would rank them.

Per simulated season every team's points and the regulation's criteria are sums over matches, so they are
matrix products; one ``numpy.lexsort`` per batch then orders all seasons by points and the criteria that
need nothing but the team's own totals (goal difference, goals, wins, regulation wins, points percentage,
away goals and wins, fair play). Head-to-head, results against the teams outside a tie and the opponents'
figures depend on who is tied with whom: teams still level when the regulation reaches such a criterion
are settled by ``predict.head_to_head`` (any number of teams for a regulation with one head-to-head run,
two teams under re-applied head-to-head or IIHF's direct game), and a season it cannot settle is ranked
again by ``sports.compute_standings`` itself. Teams level on everything keep the standings' display order
(by name), so the position of every team is what the standings function would print.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec
import numpy as np
import numpy.typing as npt

from predict.head_to_head import mutual_played, settle_blocks, settle_pairs, settles_blocks
from sports.model import Adjustment, DecidedIn, Outcome, Result
from sports.regulations import Regulation
from sports.standings import compute_standings

__all__ = ["DECIDED", "SampledSeasons", "final_orders", "season_results", "vectorised_criteria"]

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

#: Codes of ``SampledSeasons.decided``, in this order.
DECIDED = (DecidedIn.REG, DecidedIn.OT, DecidedIn.SO)
_VECTORISED = frozenset(
    {"points_pct", "goal_diff", "goals_for", "wins", "regulation_wins", "row", "away_goals", "away_wins", "fair_play"}
)
_SUMMED = frozenset({"points", "gf", "ga", "won", "reg_wins", "row", "away_goals", "away_wins"})
_STATS = ("points", "gf", "ga", "won", "reg_wins", "row", "away_goals", "away_wins", "played", "fair_play")


class SampledSeasons(msgspec.Struct, frozen=True, kw_only=True):
    """Final scores of the remaining matches in each simulated season: arrays of shape (seasons, matches).

    ``decided`` holds indexes into ``DECIDED``; a hockey overtime or shoot-out score counts the decisive goal.
    """

    home_goals: I64
    away_goals: I64
    decided: I64


def vectorised_criteria(reg: Regulation) -> tuple[str, ...]:
    """The leading criteria ranked without ``compute_standings``; after them a tie needs the exact function."""
    if reg.direct_game_for_two:
        return ()
    prefix: list[str] = []
    for criterion in reg.criteria:
        if criterion not in _VECTORISED:
            break
        prefix.append(criterion)
    return tuple(prefix)


def _points_by_outcome(reg: Regulation) -> dict[Outcome, int]:
    return {outcome: reg.points.of(outcome) for outcome in Outcome}


def _base(played: Sequence[Result], reg: Regulation, index: dict[str, int]) -> dict[str, F64]:
    """The totals of the matches already played, as ``sports.standings`` counts them."""
    base = {name: np.zeros(len(index)) for name in _STATS}
    value = _points_by_outcome(reg)
    for r in played:
        hs, as_ = r.home_score, r.away_score
        if r.decided_in == "AWD" and not reg.awarded_goals_count:
            hs = as_ = 0
        for side, team, gf, ga, fair in (
            ("home", r.home, hs, as_, r.home_fair_play),
            ("away", r.away, as_, hs, r.away_fair_play),
        ):
            n = index[team]
            outcome = r.outcome_for(side)
            base["played"][n] += 1
            base["gf"][n] += gf
            base["ga"][n] += ga
            base["fair_play"][n] += fair
            base["points"][n] += value[outcome]
            won = outcome in (Outcome.WIN, Outcome.OT_WIN, Outcome.SO_WIN)
            base["won"][n] += won
            base["reg_wins"][n] += outcome is Outcome.WIN
            base["row"][n] += outcome in (Outcome.WIN, Outcome.OT_WIN)
            if side == "away":
                base["away_goals"][n] += gf
                base["away_wins"][n] += won
    return base


class _PerMatch(dict[str, tuple[F32, F32]]):
    """(home side's value, away side's value) of a statistic in each simulated match, computed when first asked.

    float32: the sums are whole numbers far below 2**24, so the matrix products stay exact at half the memory.
    """

    def __init__(self, seasons: SampledSeasons, reg: Regulation) -> None:
        super().__init__()
        self.hg, self.ag, self.decided = seasons.home_goals, seasons.away_goals, seasons.decided
        self.reg = reg

    def __missing__(self, stat: str) -> tuple[F32, F32]:
        hg, ag, decided = self.hg, self.ag, self.decided
        f = np.float32
        home_won, away_won = hg > ag, ag > hg
        if stat == "points":
            pts = self.reg.points
            reg_time, ot = decided == 0, decided == 1
            win_pts = np.where(reg_time, pts.win, np.where(ot, pts.ot_win, pts.so_win))
            loss_pts = np.where(reg_time, pts.loss, np.where(ot, pts.ot_loss, pts.so_loss))
            drawn = ~(home_won | away_won)
            home_pts = np.where(home_won, win_pts, np.where(drawn, pts.draw, loss_pts))
            away_pts = np.where(away_won, win_pts, np.where(drawn, pts.draw, loss_pts))
            value = (home_pts.astype(f), away_pts.astype(f))
        elif stat in ("gf", "ga"):
            goals = (hg.astype(f), ag.astype(f))
            value = goals if stat == "gf" else (goals[1], goals[0])
        elif stat == "won":
            value = (home_won.astype(f), away_won.astype(f))
        elif stat == "reg_wins":
            value = ((home_won & (decided == 0)).astype(f), (away_won & (decided == 0)).astype(f))
        elif stat == "row":
            value = ((home_won & (decided < 2)).astype(f), (away_won & (decided < 2)).astype(f))
        elif stat == "away_goals":
            value = (np.zeros(hg.shape, dtype=f), ag.astype(f))
        elif stat == "away_wins":
            value = (np.zeros(hg.shape, dtype=f), away_won.astype(f))
        else:
            raise KeyError(stat)
        self[stat] = value
        return value


def season_results(pairs: Sequence[tuple[str, str]], seasons: SampledSeasons, season: int) -> list[Result]:
    """One simulated season's remaining matches as results (ids ``sim:<n>``, apart from any real id)."""
    out = []
    for m, (home, away) in enumerate(pairs):
        hs, as_ = int(seasons.home_goals[season, m]), int(seasons.away_goals[season, m])
        out.append(
            Result(
                id=f"sim:{m:05d}",
                home=home,
                away=away,
                home_score=hs,
                away_score=as_,
                decided_in=DECIDED[int(seasons.decided[season, m])],
            )
        )
    return out


def final_orders(
    played: Sequence[Result],
    pairs: Sequence[tuple[str, str]],
    reg: Regulation,
    teams: Sequence[str],
    *,
    seasons: SampledSeasons,
    adjustments: Sequence[Adjustment] = (),
) -> tuple[I64, int]:
    """Each simulated season's final order (team indexes, first place first) and how many needed the exact path."""
    index = {t: n for n, t in enumerate(teams)}
    n_teams, n_seasons = len(teams), seasons.home_goals.shape[0]
    base = _base(played, reg, index)
    for adj in adjustments:
        base["points"][index[adj.team]] += adj.points
    home_inc = np.zeros((len(pairs), n_teams), dtype=np.float32)
    away_inc = np.zeros((len(pairs), n_teams), dtype=np.float32)
    for m, (home, away) in enumerate(pairs):
        home_inc[m, index[home]] = 1.0
        away_inc[m, index[away]] = 1.0
    per_match = _PerMatch(seasons, reg)
    cache: dict[str, F64] = {}

    def total(stat: str) -> F64:
        if stat not in cache:
            if stat in _SUMMED:
                h, a = per_match[stat]
                cache[stat] = base[stat][None, :] + (h @ home_inc + a @ away_inc).astype(np.float64)
            else:  # played and fair play: simulated matches add games and no cards
                extra = home_inc.sum(axis=0) + away_inc.sum(axis=0) if stat == "played" else 0.0
                cache[stat] = np.broadcast_to(base[stat] + extra, (n_seasons, n_teams))
        return cache[stat]

    def points_pct() -> F64:
        games = total("played") * reg.max_points_per_match
        return np.where(games > 0, total("points") / np.where(games > 0, games, 1.0), 0.0)

    keys: dict[str, Callable[[], F64]] = {
        "points": lambda: total("points"),
        "points_pct": points_pct,
        "goal_diff": lambda: total("gf") - total("ga"),
        "goals_for": lambda: total("gf"),
        "wins": lambda: total("won"),
        "regulation_wins": lambda: total("reg_wins"),
        "row": lambda: total("row"),
        "away_goals": lambda: total("away_goals"),
        "away_wins": lambda: total("away_wins"),
        "fair_play": lambda: total("fair_play"),
    }
    prefix = ("points", *vectorised_criteria(reg))
    values = [keys[c]() for c in prefix]
    by_name = np.argsort(np.argsort(np.array(teams, dtype=object)))  # each team's place in name order
    name_key = np.broadcast_to(by_name, (n_seasons, n_teams))
    order: I64 = np.lexsort([name_key, *(-v for v in reversed(values))], axis=-1).astype(np.int64)
    exact = len(prefix) - 1 < len(reg.criteria) or reg.direct_game_for_two
    fallbacks = 0
    if exact:
        level = np.ones((n_seasons, n_teams - 1), dtype=bool)
        for v in values:
            ranked = np.take_along_axis(v, order, axis=1)
            level &= ranked[:, 1:] == ranked[:, :-1]
        value = _points_by_outcome(reg)
        after = reg.criteria[len(prefix) - 1 :]
        mutual = mutual_played(played, reg, index, lambda r, side: value[r.outcome_for(side)])
        if settles_blocks(reg, after):
            exact_seasons = settle_blocks(
                order,
                level,
                after=after,
                mutual=mutual,
                pairs=pairs,
                index=index,
                per_match=per_match,
                total_key=lambda criterion: keys[criterion](),
                name_rank=by_name,
            )
        else:
            exact_seasons = settle_pairs(
                order,
                level,
                reg=reg,
                after=after,
                mutual=mutual,
                pairs=pairs,
                index=index,
                per_match=per_match,
                total_key=lambda criterion: keys[criterion](),
            )
        needs = np.flatnonzero(exact_seasons)
        fallbacks = int(needs.size)
        played_list = list(played)
        for s in needs:
            rows = compute_standings(played_list + season_results(pairs, seasons, int(s)), reg, adjustments, teams)
            order[s] = [index[row.team] for row in rows]
    return order, fallbacks
