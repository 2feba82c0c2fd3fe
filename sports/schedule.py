"""Round-robin calendars by the circle method with the fewest possible breaks.

A break is two consecutive matches of a team at the same venue status (home-home or away-away); the
fewest a single round robin of ``n`` teams can have is ``n - 2`` (even ``n``, de Werra 1981) and a mirrored
double round robin ``3n - 6``; with an odd ``n`` every team rests once and the minimum is 0 and ``n``.
The construction below (the "canonical" 1-factorization with alternating home rights) reaches those minima.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import msgspec

from sports.model import RulesError

__all__ = ["Fixture", "count_breaks", "double_round_robin", "single_round_robin"]


class Fixture(msgspec.Struct, frozen=True):
    round: int
    home: str
    away: str


def _order(teams: Sequence[str], seed: int | None) -> list[str]:
    names = list(teams)
    if len(set(names)) != len(names):
        raise RulesError("a team is listed twice")
    if len(names) < 2:
        raise RulesError("a round robin needs at least two teams")
    if seed is not None:
        random.Random(seed).shuffle(names)  # noqa: S311 - a draw, not cryptography
    return names


def _rounds(teams: list[str]) -> list[list[tuple[str, str]]]:
    """The single round robin as rounds of (home, away) pairs; an odd count rests one team per round."""
    bye = len(teams) % 2 == 1
    slots: list[str | None] = [*teams, None] if bye else list(teams)
    n = len(slots)
    fixed = slots[-1]
    circle = slots[:-1]
    rounds: list[list[tuple[str, str]]] = []
    for r in range(n - 1):
        pairs: list[tuple[str | None, str | None]] = []
        # the fixed team meets the team at position r; home rights alternate by round
        pairs.append((fixed, circle[r]) if r % 2 == 0 else (circle[r], fixed))
        for k in range(1, n // 2):
            a, b = circle[(r + k) % (n - 1)], circle[(r - k) % (n - 1)]
            pairs.append((a, b) if k % 2 == 1 else (b, a))
        rounds.append([(h, a) for h, a in pairs if h is not None and a is not None])
    return rounds


def single_round_robin(teams: Sequence[str], seed: int | None = None) -> list[Fixture]:
    """Every pair meets once; rounds are numbered from 1. The same teams and seed give the same calendar."""
    rounds = _rounds(_order(teams, seed))
    return [Fixture(n, h, a) for n, pairs in enumerate(rounds, start=1) for h, a in pairs]


def double_round_robin(teams: Sequence[str], seed: int | None = None) -> list[Fixture]:
    """Every pair meets twice, the second half mirroring the first with home and away swapped."""
    rounds = _rounds(_order(teams, seed))
    first = [Fixture(n, h, a) for n, pairs in enumerate(rounds, start=1) for h, a in pairs]
    offset = len(rounds)
    second = [Fixture(n + offset, a, h) for n, pairs in enumerate(rounds, start=1) for h, a in pairs]
    return first + second


def count_breaks(fixtures: Sequence[Fixture]) -> int:
    """Breaks summed over teams: consecutive played matches with the same venue status (rests skipped)."""
    pattern: dict[str, list[tuple[int, bool]]] = {}
    for f in fixtures:
        pattern.setdefault(f.home, []).append((f.round, True))
        pattern.setdefault(f.away, []).append((f.round, False))
    breaks = 0
    for games in pattern.values():
        games.sort()
        breaks += sum(1 for (_, x), (_, y) in itertools.pairwise(games) if x == y)
    return breaks
