"""The Dixon-Coles model: goals of each side are Poisson, corrected for the low scores, weighted by age.

log(home goals' mean) = intercept + home + attack[home] - defence[away], log(away mean) = intercept +
attack[away] - defence[home]; Dixon and Coles (1997) multiply the four low scores (0-0, 1-0, 0-1, 1-1) by a
factor with one parameter ``rho`` because independent Poisson goals get draws wrong. Attack and defence are
centred (they sum to zero) so that the intercept carries the league's scoring and the fit is identified.

The negative log-likelihood and its analytic gradient are minimised by scipy's L-BFGS-B (no optimizer of
ours). A Gaussian penalty pulls each team towards a prior (last season's ratings, or zero): early in a
season a handful of matches should not decide a team's strength, and a team with no matches stays finite.
"""

from __future__ import annotations

import msgspec
import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize  # type: ignore[import-untyped]  # scipy ships no stubs; scipy-stubs is not a dependency

from predict.errors import PredictError

__all__ = ["MAX_GOALS", "GoalData", "PoissonFit", "fit_poisson", "score_matrices"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

#: Score matrices go from 0 to this many goals per side; the mass beyond (about 1e-5 at EPL rates) is renormalised.
MAX_GOALS = 10
_RHO_BOUNDS = (-0.2, 0.2)
_TINY = 1e-12


class GoalData(msgspec.Struct, frozen=True, kw_only=True):
    """Matches as arrays: team indexes, goals and each match's weight (its age's decay)."""

    home: I64
    away: I64
    home_goals: F64
    away_goals: F64
    weight: F64


class PoissonFit(msgspec.Struct, frozen=True, kw_only=True):
    attack: F64
    defence: F64
    intercept: float
    home: float
    rho: float


def _tau_terms(x: F64, y: F64, lam: F64, mu: F64, rho: float) -> tuple[F64, F64, F64, F64]:
    """log of the Dixon-Coles factor and its derivatives by log(lam), log(mu) and rho."""
    log_tau = np.zeros_like(lam)
    d_h = np.zeros_like(lam)
    d_a = np.zeros_like(lam)
    d_rho = np.zeros_like(lam)
    m00 = (x == 0) & (y == 0)
    m01 = (x == 0) & (y == 1)
    m10 = (x == 1) & (y == 0)
    m11 = (x == 1) & (y == 1)
    t = np.maximum(1.0 - lam[m00] * mu[m00] * rho, _TINY)
    log_tau[m00] = np.log(t)
    d_h[m00] = d_a[m00] = -lam[m00] * mu[m00] * rho / t
    d_rho[m00] = -lam[m00] * mu[m00] / t
    t = np.maximum(1.0 + lam[m01] * rho, _TINY)
    log_tau[m01] = np.log(t)
    d_h[m01] = lam[m01] * rho / t
    d_rho[m01] = lam[m01] / t
    t = np.maximum(1.0 + mu[m10] * rho, _TINY)
    log_tau[m10] = np.log(t)
    d_a[m10] = mu[m10] * rho / t
    d_rho[m10] = mu[m10] / t
    log_tau[m11] = np.log(max(1.0 - rho, _TINY))
    d_rho[m11] = -1.0 / max(1.0 - rho, _TINY)
    return log_tau, d_h, d_a, d_rho


def fit_poisson(
    data: GoalData,
    n_teams: int,
    *,
    prior_attack: F64,
    prior_defence: F64,
    prior_weight: F64,
    start: PoissonFit | None = None,
    fit_rho: bool = True,
) -> PoissonFit:
    """Maximum (penalised) likelihood ratings of ``n_teams`` teams.

    ``prior_weight`` is per team: the penalty's precision (1/variance) around ``prior_attack`` and
    ``prior_defence``. ``start`` warm-starts the optimizer (the previous date's fit: a few iterations then).
    """
    if data.home.size == 0:
        raise PredictError("no played matches to fit the ratings on")
    n = n_teams
    h, a, x, y, w = data.home, data.away, data.home_goals, data.away_goals, data.weight

    def objective(theta: F64) -> tuple[float, F64]:
        att = theta[:n] - theta[:n].mean()
        dfc = theta[n : 2 * n] - theta[n : 2 * n].mean()
        c, home, rho = theta[2 * n], theta[2 * n + 1], theta[2 * n + 2]
        eta_h = c + home + att[h] - dfc[a]
        eta_a = c + att[a] - dfc[h]
        lam, mu = np.exp(eta_h), np.exp(eta_a)
        log_tau, t_h, t_a, t_rho = _tau_terms(x, y, lam, mu, float(rho))
        ll = w * (x * eta_h - lam + y * eta_a - mu + log_tau)
        g_h = w * (x - lam + t_h)
        g_a = w * (y - mu + t_a)
        d_att_diff = att - prior_attack
        d_def_diff = dfc - prior_defence
        value = -float(ll.sum()) + 0.5 * float((prior_weight * (d_att_diff**2 + d_def_diff**2)).sum())
        g_att = -(np.bincount(h, g_h, n) + np.bincount(a, g_a, n)) + prior_weight * d_att_diff
        g_def = np.bincount(a, g_h, n) + np.bincount(h, g_a, n) + prior_weight * d_def_diff
        grad = np.empty_like(theta)
        grad[:n] = g_att - g_att.mean()
        grad[n : 2 * n] = g_def - g_def.mean()
        grad[2 * n] = -float((g_h + g_a).sum())
        grad[2 * n + 1] = -float(g_h.sum())
        grad[2 * n + 2] = -float((w * t_rho).sum()) if fit_rho else 0.0
        return value, grad

    if start is not None and start.attack.size == n:
        x0 = np.concatenate([start.attack, start.defence, [start.intercept, start.home, start.rho if fit_rho else 0.0]])
    else:
        mean_goals = max(float((w * (x + y)).sum() / (2 * w.sum())), 0.1)
        x0 = np.concatenate([prior_attack, prior_defence, [np.log(mean_goals), 0.2, 0.0]])
    bounds = [(None, None)] * (2 * n + 2) + [_RHO_BOUNDS if fit_rho else (0.0, 0.0)]
    found = minimize(objective, x0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 500})
    theta = np.asarray(found.x, dtype=np.float64)
    if not np.all(np.isfinite(theta)):
        raise PredictError(f"the rating fit did not converge: {found.message}")
    return PoissonFit(
        attack=theta[:n] - theta[:n].mean(),
        defence=theta[n : 2 * n] - theta[n : 2 * n].mean(),
        intercept=float(theta[2 * n]),
        home=float(theta[2 * n + 1]),
        rho=float(theta[2 * n + 2]),
    )


def score_matrices(lam: F64, mu: F64, rho: float) -> F64:
    """P(home scores i, away scores j) for each match: shape (matches, MAX_GOALS + 1, MAX_GOALS + 1)."""
    goals = np.arange(MAX_GOALS + 1, dtype=np.float64)
    log_fact = np.cumsum(np.log(np.maximum(goals, 1.0)))
    p_h = np.exp(goals[None, :] * np.log(lam)[:, None] - lam[:, None] - log_fact[None, :])
    p_a = np.exp(goals[None, :] * np.log(mu)[:, None] - mu[:, None] - log_fact[None, :])
    m = p_h[:, :, None] * p_a[:, None, :]
    m[:, 0, 0] *= np.maximum(1.0 - lam * mu * rho, 0.0)
    m[:, 0, 1] *= np.maximum(1.0 + lam * rho, 0.0)
    m[:, 1, 0] *= np.maximum(1.0 + mu * rho, 0.0)
    m[:, 1, 1] *= max(1.0 - rho, 0.0)
    total = m.sum(axis=(1, 2), keepdims=True)
    result: F64 = m / total
    return result
