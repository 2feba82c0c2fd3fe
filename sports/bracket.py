"""Knockout brackets with standard seeding, byes for the top seeds, and placeholders resolved by results.

Standard seeding keeps the best seeds apart until the end: in a bracket of 8 the first round is
1-8, 4-5, 2-7, 3-6, so seeds 1 and 2 can meet only in the final. When the number of teams is not a power
of two the bracket is sized up and the missing slots are byes, which go to the top seeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from sports.model import RulesError

__all__ = ["BracketMatch", "Slot", "build_bracket", "resolve_bracket", "seeding_order"]


class Slot(msgspec.Struct, frozen=True):
    """One side of a bracket match: a seed (1-based) or the winner of an earlier match, by number."""

    seed: int = 0
    winner_of: int = 0

    def label(self, teams: Sequence[str]) -> str:
        return teams[self.seed - 1] if self.seed else f"winner of match {self.winner_of}"


class BracketMatch(msgspec.Struct, frozen=True):
    number: int
    round: int
    home: Slot
    away: Slot


def seeding_order(size: int) -> list[int]:
    """Seeds in bracket order for a power-of-two ``size``: [1, 8, 4, 5, 2, 7, 3, 6] for 8."""
    if size < 2 or size & (size - 1):
        raise RulesError(f"a bracket size must be a power of two, not {size}")
    order = [1, 2]
    while len(order) < size:
        total = len(order) * 2 + 1
        order = [s for seed in order for s in (seed, total - seed)]
    return order


def build_bracket(team_count: int, first_number: int = 1) -> list[BracketMatch]:
    """The matches of a single-elimination bracket for ``team_count`` seeded teams, numbered in play order.

    A seed drawn against a bye does not play in the first round: it enters the second round directly.
    """
    if team_count < 2:
        raise RulesError("a knockout needs at least two teams")
    size = 1
    while size < team_count:
        size *= 2
    slots: list[Slot | None] = [Slot(seed=s) if s <= team_count else None for s in seeding_order(size)]
    matches: list[BracketMatch] = []
    number = first_number
    round_no = 1
    while len(slots) > 1:
        advancing: list[Slot | None] = []
        for home, away in zip(slots[0::2], slots[1::2], strict=True):
            if home is None or away is None:
                advancing.append(home or away)
                continue
            matches.append(BracketMatch(number=number, round=round_no, home=home, away=away))
            advancing.append(Slot(winner_of=number))
            number += 1
        slots = advancing
        round_no += 1
    return matches


def resolve_bracket(
    matches: Sequence[BracketMatch], seeds: Sequence[str], winners: Mapping[int, str]
) -> list[tuple[BracketMatch, str | None, str | None]]:
    """Each match with its two teams where known: a placeholder becomes a team once its match has a winner.

    ``winners`` maps match numbers to the winning team, which must be one of that match's two teams.
    """

    def team(slot: Slot) -> str | None:
        if slot.seed:
            return seeds[slot.seed - 1]
        return winners.get(slot.winner_of)

    out = []
    for match in matches:
        home, away = team(match.home), team(match.away)
        winner = winners.get(match.number)
        if winner is not None and winner not in (home, away):
            raise RulesError(f"match {match.number}: {winner} is not one of its teams ({home}, {away})")
        out.append((match, home, away))
    return out
