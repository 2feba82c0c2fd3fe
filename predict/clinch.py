"""Clinched and eliminated, exactly: the best and worst final position each team can still reach.

"Never a wrong flag" is the contract. A position is the team's final place in
``sports.compute_standings(played + completed remaining, reg, adjustments, teams)`` (tie-breakers, head to
head, deductions included) over every completion of the remaining matches: every result, every score
(unbounded; football draws at any level, hockey overtime and shoot-out games won by one goal). An
unresolved tie (a shared rank) counts as the better place for the best position and the worse one for
the worst. Fair play in matches not yet played is open (cards may still come).

Every number returned is proved from both sides (``predict.clinch_search``): a concrete completion whose
table the standings engine computes shows it can happen, and a relaxation shows nothing better (worse)
can. Where the two do not meet within the time budget the answer is ``None``: undecided, never a guess.
For a team's best position its own matches are fixed to wins (worst: losses): a result worth more to it
never gives the opponent more points, so no team above it afterwards was below it before
(``League.extreme_codes`` checks that the points system has this property and keeps every result open if
not). On the Premier League 2023/24 (20 teams, 39 cuts of ten matches) every bound was decided within
the default budget; see tests/unit/predict/test_clinch_epl.py.

- :func:`position_bounds`: best and worst possible final position of every team; clinched a place
  ``p`` or better means ``worst <= p``, eliminated from it means ``best > p``.
- :func:`magic_number`: the fewest points a team must still take to be sure of a place ``p`` or better.
- :func:`needs_next_match`: what each result of a team's next match does to its chances of ``p`` or better.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import msgspec

from predict.clinch_model import League
from predict.clinch_search import Question, solve
from sports.model import Adjustment, Result, RulesError
from sports.regulations import Regulation

__all__ = ["Bounds", "NextMatch", "ResultNeed", "magic_number", "needs_next_match", "position_bounds"]


class Bounds(msgspec.Struct, frozen=True, kw_only=True):
    """Best (smallest) and worst (largest) final position still possible; None: undecided in the budget."""

    best: int | None
    worst: int | None


class ResultNeed(msgspec.Struct, frozen=True, kw_only=True):
    """What one result of the team's next match does for a place ``position`` or better.

    ``clinches``: with this result the place is certain whatever else happens; ``keeps_alive``: with it
    the place can still be reached. None: undecided within the budget.
    """

    result: str  # win, draw, loss; hockey: win, win_ot, win_so, loss, loss_ot, loss_so
    points: int
    clinches: bool | None
    keeps_alive: bool | None


class NextMatch(msgspec.Struct, frozen=True, kw_only=True):
    team: str
    opponent: str
    home: bool
    position: int
    needs: tuple[ResultNeed, ...]


_RESULT_NAMES = {
    ("H", True): "win",
    ("A", False): "win",
    ("H", False): "loss",
    ("A", True): "loss",
    ("D", True): "draw",
    ("D", False): "draw",
    ("HO", True): "win_ot",
    ("AO", False): "win_ot",
    ("HS", True): "win_so",
    ("AS", False): "win_so",
    ("HO", False): "loss_ot",
    ("AO", True): "loss_ot",
    ("HS", False): "loss_so",
    ("AS", True): "loss_so",
}


class _Clock:
    """Shares a budget among questions: each gets an equal part of what is left, unused time carries on."""

    def __init__(self, budget_s: float, questions: int) -> None:
        self.end = time.monotonic() + max(budget_s, 0.0)
        self.left = max(questions, 1)

    def deadline(self) -> float:
        now = time.monotonic()
        share = (self.end - now) / self.left
        self.left = max(self.left - 1, 1)
        return min(self.end, now + max(share, 0.0))


def _range(
    league: League, team: int, *, best: bool, fixed: dict[int, str], deadline: float, thorough: bool = True
) -> tuple[int, int]:
    """Proved (lo, hi) around the team's best (worst) position, its other matches at their extreme result."""
    allowed: list[tuple[str, ...]] = []
    for m, (h, a) in enumerate(league.matches):
        if m in fixed:
            allowed.append((fixed[m],))
        elif team in (h, a):
            allowed.append(league.extreme_codes(team, m, best=best))
        else:
            allowed.append(league.codes)
    return solve(Question(league, team, best=best, allowed=allowed, thorough=thorough), deadline)


def position_bounds(  # noqa: PLR0917  # the contract the simulation, the CLI and the stream call
    played: Sequence[Result],
    remaining: Sequence[tuple[str, str]],
    reg: Regulation,
    teams: Sequence[str],
    adjustments: Sequence[Adjustment] = (),
    budget_s: float = 2.0,
) -> dict[str, Bounds]:
    """Every team's best and worst possible final position (None where the budget did not decide it).

    ``budget_s`` bounds the whole call (all teams): a team left undecided gets None, never an estimate.
    """
    league = League(played, remaining, reg, teams, adjustments)
    end = time.monotonic() + max(budget_s, 0.0)
    questions = [(n, best) for n in range(len(league.teams)) for best in (True, False)]
    found: dict[tuple[int, bool], int] = {}
    # a quick pass over every question first, then the time left for the ones it did not decide
    for thorough in (False, True):
        clock = _Clock(end - time.monotonic(), len(questions))
        for n, best in questions:
            lo, hi = _range(league, n, best=best, fixed={}, deadline=clock.deadline(), thorough=thorough)
            if lo == hi:
                found[(n, best)] = lo
        questions = [q for q in questions if q not in found]
        if not questions or time.monotonic() >= end:
            break
    return {name: Bounds(best=found.get((n, True)), worst=found.get((n, False))) for n, name in enumerate(league.teams)}


def _team_index(league: League, team: str) -> int:
    try:
        return league.index[team]
    except KeyError:
        raise RulesError(f"{team} is not in this table") from None


def magic_number(
    played: Sequence[Result],
    remaining: Sequence[tuple[str, str]],
    reg: Regulation,
    teams: Sequence[str],
    *,
    team: str,
    position: int,
    adjustments: Sequence[Adjustment] = (),
    budget_s: float = 2.0,
) -> int | None:
    """The fewest points ``team`` must still take from its remaining matches to be sure of finishing
    ``position`` or better, whatever the other results and scores (0: clinched already).

    Only totals the team can actually make are answered (one football match left: 0, 1 or 3, never 2).
    None when even winning everything does not guarantee the place, or when the budget did not decide.
    Whether a total is enough is monotone in the total (a higher floor leaves fewer completions), so a
    binary search over the reachable totals asks few questions.
    """
    league = League(played, remaining, reg, teams, adjustments)
    t = _team_index(league, team)
    mine = league.matches_of[t]
    totals = {0}
    for m in mine:
        totals = {s + league.own_points(t, m, c) for s in totals for c in league.codes}
    reachable = sorted(totals)
    clock = _Clock(budget_s, max(len(reachable).bit_length() + 1, 1))

    def enough(k: int) -> bool | None:
        allowed = [league.codes for _ in league.matches]
        q = Question(league, t, best=False, allowed=allowed, min_points=league.base_points[t] + k)
        lo, hi = solve(q, clock.deadline())
        if hi <= position:
            return True
        if lo > position:
            return False
        return None

    top = enough(reachable[-1])
    if top is not True:
        return None
    lo_i, hi_i = -1, len(reachable) - 1  # enough(reachable[hi_i]) is True; lo_i is "not enough" or -1
    while hi_i - lo_i > 1:
        mid = (lo_i + hi_i) // 2
        verdict = enough(reachable[mid])
        if verdict is None:
            return None
        if verdict:
            hi_i = mid
        else:
            lo_i = mid
    return reachable[hi_i]


def needs_next_match(
    played: Sequence[Result],
    remaining: Sequence[tuple[str, str]],
    reg: Regulation,
    teams: Sequence[str],
    *,
    team: str,
    position: int,
    adjustments: Sequence[Adjustment] = (),
    budget_s: float = 2.0,
) -> NextMatch | None:
    """For ``team``'s next match (its first in ``remaining``, which is in playing order), what each result
    does for a place ``position`` or better: clinches it outright, or keeps it reachable.

    A result that does not keep it alive eliminates the team from that place. None: no match left.
    """
    league = League(played, remaining, reg, teams, adjustments)
    t = _team_index(league, team)
    if not league.matches_of[t]:
        return None
    m = league.matches_of[t][0]
    h, a = league.matches[m]
    clock = _Clock(budget_s, 2 * len(league.codes))
    needs = []
    for code in league.codes:
        fixed = {m: code}
        worst_lo, worst_hi = _range(league, t, best=False, fixed=fixed, deadline=clock.deadline())
        best_lo, best_hi = _range(league, t, best=True, fixed=fixed, deadline=clock.deadline())
        clinches = True if worst_hi <= position else False if worst_lo > position else None
        alive = True if best_hi <= position else False if best_lo > position else None
        needs.append(
            ResultNeed(
                result=_RESULT_NAMES[(code, h == t)],
                points=league.own_points(t, m, code),
                clinches=clinches,
                keeps_alive=alive,
            )
        )
    return NextMatch(
        team=team,
        opponent=league.teams[a if h == t else h],
        home=h == t,
        position=position,
        needs=tuple(needs),
    )
