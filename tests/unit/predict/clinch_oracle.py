"""Brute force for the clinch tests: every completion of a small league, tabled by ``sports.compute_standings``.

Why it is a true oracle for what ``predict.clinch`` claims. The completions it enumerates are a finite
subset of all completions (scores are unbounded), so its best position is never better than the true best
and its worst never worse than the true worst. And the subset contains every completion the algorithm can
use as a witness: per match, the witness scores are ``0-0`` / ``BIG-BIG`` draws, wins by 1 or by ``BIG``
and one-goal overtime / shoot-out games at level 0 or ``BIG`` (``predict.clinch_model.BIG``), all in
:func:`score_set`. A number the algorithm returns is proved from one side by such a witness, so the
oracle reaches it too; if the algorithm's other side (its relaxation) were wrong, the true extreme would be
better than the number and the oracle, searching a small grid of scores on top of the witnesses' ones, is
there to find such a completion. So "algorithm == oracle whenever the algorithm answers" checks both sides.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence

from predict.clinch_model import BIG
from sports import Adjustment, DecidedIn, Regulation, Result, compute_standings

__all__ = ["Case", "Tabled", "brute_force", "code_of", "extremes", "random_case", "score_set", "table_all"]

Score = tuple[int, int, DecidedIn]


def score_set(hockey: bool, grid: int) -> list[Score]:
    """Every score of one match the oracle tries: the witnesses' ones and a grid ``0..grid`` each side."""
    reg = DecidedIn.REG
    if not hockey:
        out = {(h, a, reg) for h in range(grid + 1) for a in range(grid + 1)}
        out |= {(1, 0, reg), (0, 1, reg), (0, 0, reg), (BIG, 0, reg), (0, BIG, reg), (BIG, BIG, reg)}
        return sorted(out)
    out = {(h, a, reg) for h in range(grid + 1) for a in range(grid + 1) if h != a}
    out |= {(1, 0, reg), (0, 1, reg), (BIG, 0, reg), (0, BIG, reg)}
    for how in (DecidedIn.OT, DecidedIn.SO):
        for k in {*range(grid), 0, BIG}:
            out |= {(k + 1, k, how), (k, k + 1, how)}
    return sorted(out)


class Case:
    def __init__(
        self,
        reg: Regulation,
        teams: list[str],
        played: list[Result],
        remaining: list[tuple[str, str]],
        adjustments: list[Adjustment],
    ) -> None:
        self.reg = reg
        self.teams = teams
        self.played = played
        self.remaining = remaining
        self.adjustments = adjustments

    def __repr__(self) -> str:
        played = [(r.home, r.away, r.home_score, r.away_score, str(r.decided_in)) for r in self.played]
        return f"Case({self.reg.name}, {self.teams}, {played}, {self.remaining}, {self.adjustments})"


def _played_score(rng: random.Random, hockey: bool) -> tuple[int, int, DecidedIn]:
    if not hockey:
        return rng.randint(0, 3), rng.randint(0, 3), DecidedIn.REG
    how = rng.choice([DecidedIn.REG, DecidedIn.REG, DecidedIn.OT, DecidedIn.SO])
    if how is DecidedIn.REG:
        h = rng.randint(0, 4)
        a = rng.choice([x for x in range(5) if x != h])
        return h, a, how
    k = rng.randint(0, 3)
    return (k + 1, k, how) if rng.random() < 0.5 else (k, k + 1, how)


def random_case(rng: random.Random, reg: Regulation, n_teams: int, n_remaining: int, n_played: int) -> Case:
    """A league of ``n_teams`` playing a double round robin, cut somewhere in it: ``n_played`` matches
    played (random scores), the next ``n_remaining`` left; sometimes a points adjustment."""
    hockey = reg.sport == "ice-hockey"
    teams = [f"T{n}" for n in range(n_teams)]
    fixtures = list(itertools.permutations(teams, 2))
    rng.shuffle(fixtures)
    played = []
    for n, (h, a) in enumerate(fixtures[:n_played]):
        hs, as_, how = _played_score(rng, hockey)
        played.append(Result(id=f"p{n:03d}", home=h, away=a, home_score=hs, away_score=as_, decided_in=how))
    remaining = fixtures[n_played : n_played + n_remaining]
    adjustments = []
    if rng.random() < 0.3:
        adjustments.append(Adjustment(team=rng.choice(teams), points=rng.choice([-3, -2, -1, 1])))
    return Case(reg, teams, played, remaining, adjustments)


def completions(case: Case, scores: Sequence[Score]) -> Iterator[list[Result]]:
    for combo in itertools.product(scores, repeat=len(case.remaining)):
        yield [
            Result(id=f"r{n:03d}", home=h, away=a, home_score=hs, away_score=as_, decided_in=how)
            for n, ((h, a), (hs, as_, how)) in enumerate(zip(case.remaining, combo, strict=True))
        ]


def code_of(r: Result) -> str:
    """The result code (``predict.clinch_model``) of a completed match."""
    side = r.winning_side
    if not side:
        return "D"
    return ("H" if side == "home" else "A") + {DecidedIn.OT: "O", DecidedIn.SO: "S"}.get(r.decided_in, "")


class Tabled:
    """One completion: its result codes and every team's (best, worst) position in its table."""

    __slots__ = ("codes", "points", "positions")

    def __init__(self, codes: tuple[str, ...], positions: dict[str, tuple[int, int]], points: dict[str, int]) -> None:
        self.codes = codes
        self.positions = positions
        self.points = points


def table_all(case: Case, scores: Sequence[Score]) -> list[Tabled]:
    """Every completion with these scores, tabled; a shared rank counts as the better place for the best
    and the worse for the worst."""
    out = []
    for completion in completions(case, scores):
        rows = compute_standings([*case.played, *completion], case.reg, case.adjustments, case.teams)
        last_of: dict[int, int] = {}
        for pos, row in enumerate(rows, start=1):
            last_of[row.rank] = pos
        out.append(
            Tabled(
                tuple(code_of(r) for r in completion),
                {row.team: (row.rank, last_of[row.rank]) for row in rows},
                {row.team: row.points for row in rows},
            )
        )
    return out


def extremes(tabled: Sequence[Tabled], teams: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Each team's best and worst position over the tabled completions."""
    return {t: (min(x.positions[t][0] for x in tabled), max(x.positions[t][1] for x in tabled)) for t in teams}


def brute_force(case: Case, scores: Sequence[Score]) -> dict[str, tuple[int, int]]:
    return extremes(table_all(case, scores), case.teams)
