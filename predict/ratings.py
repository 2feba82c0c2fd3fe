"""Team ratings from results: the goal model's attack and defence, home advantage, Elo, and hockey's overtime.

Football fits the Dixon-Coles model on full-time scores. Hockey fits the same model on regulation scores
(an overtime or shoot-out winner's decisive goal is taken off, as the NHL counts it in the final score) and
keeps the odds of a tie after regulation against what the goal model gives (``tie_boost``) and the share
of ties settled in overtime rather than by shoot-out; who wins an overtime follows the two
sides' scoring rates, a shoot-out is taken as even. Recent matches weigh more (exponential decay by date),
and each team is pulled towards a prior: last season's ratings when given, regressed part of the way to the
league average (strengths drift between seasons), where a newly promoted team gets the mean of the three
weakest teams of that season (promoted sides are, on average, as good as the ones they replace). The
prior's weight and regression per sport are in ``PRIOR``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec
import numpy as np

from predict.dates import days_between, iso_date
from predict.elo import ELO_START, elo_ratings
from predict.errors import PredictError
from predict.poisson import GoalData, PoissonFit, fit_poisson, score_matrices
from sports.model import DecidedIn, Result

__all__ = ["HALF_LIFE_DAYS", "HOCKEY", "PRIOR", "Ratings", "fit_ratings", "regulation_score"]

HOCKEY = "ice-hockey"
#: Half-life of a match's weight in the fit (days).
HALF_LIFE_DAYS = 240.0
#: Per sport, how last season's ratings become this season's prior: the factor they are regressed by
#: towards the league average, and the prior's precision on each attack and defence (in football about 15
#: matches' worth). Hockey teams are closer and a game says less (NHL), so its prior is regressed more and
#: weighs more. Chosen on the benches (Premier League 2023/24, NHL 2015/16): ``rstat bench predict``.
PRIOR: dict[str, tuple[float, float]] = {"football": (0.7, 20.0), HOCKEY: (0.5, 300.0)}
#: Without a prior: a weak pull to the league average that only keeps a team with few matches finite.
_WEAK_WEIGHT = 1.0
#: (intercept, home advantage) before any match is seen: football about 1.35 goals a side, a quarter more at
#: home (Premier League 2022/23: 1.63 v 1.22); hockey about 2.9 regulation goals a side, a little more at home.
_NO_DATA = ((math.log(1.35), 0.25), (math.log(2.9), 0.05))
#: Hockey: how many games the goal model's own tie rate is worth against the ties seen.
_TIE_PRIOR_GAMES = 50.0
#: Hockey: the share of ties after regulation settled in overtime before any game is seen (NHL 2013-16: ~0.6),
#: and how many games that guess is worth.
_OT_SHARE_PRIOR = (0.6, 10.0)


class Ratings(msgspec.Struct, frozen=True, kw_only=True):
    """A stage's ratings on a day. ``attack``/``defence`` are log-scale (0 = league average, higher is better)."""

    sport: str
    as_of: str | None
    attack: dict[str, float]
    defence: dict[str, float]
    intercept: float
    home: float
    rho: float
    elo: dict[str, float]
    #: Hockey: share of the ties after regulation decided in overtime (the rest go to a shoot-out).
    ot_share: float = _OT_SHARE_PRIOR[0]
    #: Hockey: odds ratio applied to ties after regulation (teams play for the overtime point, so regulation
    #: ends level more often than independent goals say); 1 for football, whose draws ``rho`` corrects.
    tie_boost: float = 1.0


def regulation_score(r: Result, sport: str) -> tuple[int, int]:
    """The score the goal model sees: hockey's final score without the overtime or shoot-out winner's goal."""
    hs, as_ = r.home_score, r.away_score
    if sport == HOCKEY and r.decided_in in (DecidedIn.OT, DecidedIn.SO) and hs != as_:
        if hs > as_:
            hs -= 1
        else:
            as_ -= 1
    return hs, as_


def _tie_boost(data: GoalData, fit: PoissonFit, counted: Sequence[Result], toward: float) -> float:
    """Odds of a tie after regulation seen in the stage over the odds the goal model gives (weighted by age).

    ``_TIE_PRIOR_GAMES`` games at the rate ``toward`` (last season's boost, or none) are added to those seen,
    so that a few games move it little.
    """
    lam = np.exp(fit.intercept + fit.home + fit.attack[data.home] - fit.defence[data.away])
    mu = np.exp(fit.intercept + fit.attack[data.away] - fit.defence[data.home])
    predicted = np.trace(score_matrices(lam, mu, 0.0), axis1=1, axis2=2)
    tied = np.array([r.decided_in in (DecidedIn.OT, DecidedIn.SO) for r in counted], dtype=np.float64)
    w = data.weight
    expected = float((w * predicted).sum() / w.sum())
    odds = toward * expected / (1.0 - expected)
    seen = float(((w * tied).sum() + _TIE_PRIOR_GAMES * odds / (1.0 + odds)) / (w.sum() + _TIE_PRIOR_GAMES))
    return (seen / (1.0 - seen)) / (expected / (1.0 - expected))


def _newcomer(values: dict[str, float], count: int = 3) -> float:
    """Mean of the ``count`` lowest values: a promoted team's starting guess."""
    low = sorted(values.values())[:count]
    return sum(low) / len(low) if low else 0.0


def _priors(prior: Ratings | None, teams: Sequence[str], sport: str) -> tuple[np.ndarray, np.ndarray, float]:
    if prior is None:
        zeros = np.zeros(len(teams))
        return zeros, zeros.copy(), _WEAK_WEIGHT
    strength = {t: prior.attack[t] + prior.defence[t] for t in prior.attack}
    weakest = sorted(strength, key=strength.__getitem__)[:3]
    new_att = sum(prior.attack[t] for t in weakest) / max(len(weakest), 1)
    new_def = sum(prior.defence[t] for t in weakest) / max(len(weakest), 1)
    shrink, weight = PRIOR.get(sport, PRIOR["football"])
    att = shrink * np.array([prior.attack.get(t, new_att) for t in teams])
    dfc = shrink * np.array([prior.defence.get(t, new_def) for t in teams])
    return att - att.mean(), dfc - dfc.mean(), weight


def fit_ratings(
    played: Sequence[Result],
    teams: Sequence[str],
    *,
    sport: str,
    as_of: str | None = None,
    prior: Ratings | None = None,
    start: Ratings | None = None,
    half_life_days: float = HALF_LIFE_DAYS,
) -> Ratings:
    """Ratings of ``teams`` from ``played`` (all of them count: cut by date before calling).

    ``as_of`` is the day the decay counts from (default: the last match's day). ``prior`` is last season's
    ratings; ``start`` a previous fit of the same teams to warm-start the optimizer from.
    """
    index = {t: n for n, t in enumerate(teams)}
    missing = sorted({t for r in played for t in (r.home, r.away)} - index.keys())
    if missing:
        raise PredictError(f"results name teams that are not in the stage: {', '.join(missing)}")
    counted = [r for r in played if r.decided_in is not DecidedIn.AWD]  # an awarded score says nothing of strength
    days = [iso_date(r.date) if r.date else None for r in counted]
    reference = iso_date(as_of) if as_of else max((d for d in days if d), default=None)
    decay = math.log(2.0) / half_life_days
    weights = np.array(
        [math.exp(-decay * max(days_between(d, reference), 0)) if d and reference else 1.0 for d in days]
    )
    scores = np.array([regulation_score(r, sport) for r in counted], dtype=np.float64).reshape(-1, 2)
    data = GoalData(
        home=np.array([index[r.home] for r in counted], dtype=np.int64),
        away=np.array([index[r.away] for r in counted], dtype=np.int64),
        home_goals=scores[:, 0],
        away_goals=scores[:, 1],
        weight=weights,
    )
    prior_att, prior_def, weight = _priors(prior, teams, sport)
    if not counted and prior is None:  # nothing known yet: every team average, the sport's usual scoring
        intercept, home = _NO_DATA[sport == HOCKEY]
        return Ratings(
            sport=sport,
            as_of=reference,
            attack=dict.fromkeys(teams, 0.0),
            defence=dict.fromkeys(teams, 0.0),
            intercept=intercept,
            home=home,
            rho=0.0,
            elo=dict.fromkeys(teams, ELO_START),
        )
    if not counted and prior is not None:  # a season not started yet: last season's ratings, newcomers placed
        return Ratings(
            sport=sport,
            as_of=reference,
            attack={t: float(prior_att[n]) for n, t in enumerate(teams)},
            defence={t: float(prior_def[n]) for n, t in enumerate(teams)},
            intercept=prior.intercept,
            home=prior.home,
            rho=prior.rho,
            elo={t: prior.elo.get(t, _newcomer(prior.elo)) for t in teams},
            ot_share=prior.ot_share,
            tie_boost=prior.tie_boost,
        )
    warm = None
    if start is not None and all(t in start.attack for t in teams):
        warm = PoissonFit(
            attack=np.array([start.attack[t] for t in teams]),
            defence=np.array([start.defence[t] for t in teams]),
            intercept=start.intercept,
            home=start.home,
            rho=start.rho,
        )
    fit = fit_poisson(
        data,
        len(teams),
        prior_attack=prior_att,
        prior_defence=prior_def,
        prior_weight=np.full(len(teams), weight),
        start=warm,
        fit_rho=sport != HOCKEY,
    )
    ordered = sorted(zip(days, counted, strict=True), key=lambda dr: dr[0] or "")
    elo_start = prior.elo if prior is not None else None
    elo = elo_ratings(
        (r for _, r in ordered),
        teams,
        start=elo_start,
        newcomer=_newcomer(elo_start) if elo_start else ELO_START,
    )
    ot_share, tie_boost = _OT_SHARE_PRIOR[0], 1.0
    if sport == HOCKEY:
        ot = sum(1 for r in counted if r.decided_in is DecidedIn.OT)
        so = sum(1 for r in counted if r.decided_in is DecidedIn.SO)
        guess, worth = _OT_SHARE_PRIOR
        ot_share = (ot + guess * worth) / (ot + so + worth)
        tie_boost = _tie_boost(data, fit, counted, prior.tie_boost if prior is not None else 1.0)
    return Ratings(
        sport=sport,
        as_of=reference,
        attack={t: float(fit.attack[n]) for n, t in enumerate(teams)},
        defence={t: float(fit.defence[n]) for n, t in enumerate(teams)},
        intercept=fit.intercept,
        home=fit.home,
        rho=fit.rho,
        elo={t: round(elo[t], 1) for t in teams},
        ot_share=ot_share,
        tie_boost=tie_boost,
    )
