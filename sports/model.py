"""The facts the rules work on: match results and point adjustments, and the standings they produce.

Plain frozen structs with no behaviour beyond derived properties, so that every rule is a pure function.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

__all__ = ["Adjustment", "DecidedIn", "Outcome", "Result", "RulesError", "StandingRow"]


class RulesError(ValueError):
    """Input the rules cannot accept: a team playing itself, a draw decided in a shoot-out, an unknown preset."""


class DecidedIn(StrEnum):
    REG = "REG"  # regulation time
    OT = "OT"  # overtime / extra time
    SO = "SO"  # shoot-out (hockey counts the decisive goal in the score; football shoot-outs level)
    AWD = "AWD"  # awarded by a decision; the score is the awarded one


class Outcome(StrEnum):
    """A result seen from one team."""

    WIN = "win"
    OT_WIN = "ot_win"
    SO_WIN = "so_win"
    DRAW = "draw"
    LOSS = "loss"
    OT_LOSS = "ot_loss"
    SO_LOSS = "so_loss"


class Result(msgspec.Struct, frozen=True, kw_only=True):
    """One match that counts for a table.

    ``winner`` names the winning side when the score alone does not (a football shoot-out leaves the score
    level): "home" or "away". ``home_fair_play``/``away_fair_play`` are that match's disciplinary points
    of each side as non-positive integers (FIFA fair-play scale or the regulation's own).
    """

    id: str
    home: str
    away: str
    home_score: int
    away_score: int
    decided_in: DecidedIn = DecidedIn.REG
    group: str = ""
    round: int = 0
    date: str = ""
    winner: str = ""
    home_fair_play: int = 0
    away_fair_play: int = 0

    def __post_init__(self) -> None:
        if self.home == self.away:
            raise RulesError(f"match {self.id}: {self.home} cannot play itself")
        if self.home_score < 0 or self.away_score < 0:
            raise RulesError(f"match {self.id}: scores cannot be negative")
        if self.winner not in ("", "home", "away"):
            raise RulesError(f"match {self.id}: winner must be 'home' or 'away', not {self.winner!r}")
        level = self.home_score == self.away_score
        if self.decided_in in (DecidedIn.OT, DecidedIn.SO) and level and not self.winner:
            raise RulesError(f"match {self.id}: a match decided in {self.decided_in} needs a winner")
        if self.home_fair_play > 0 or self.away_fair_play > 0:
            raise RulesError(f"match {self.id}: fair-play points are zero or negative")

    @property
    def winning_side(self) -> str:
        """ "home", "away" or "" for a draw."""
        if self.winner:
            return self.winner
        if self.home_score > self.away_score:
            return "home"
        if self.away_score > self.home_score:
            return "away"
        return ""

    def outcome_for(self, side: str) -> Outcome:
        winning = self.winning_side
        if not winning:
            return Outcome.DRAW
        won = winning == side
        if self.decided_in is DecidedIn.OT:
            return Outcome.OT_WIN if won else Outcome.OT_LOSS
        if self.decided_in is DecidedIn.SO:
            return Outcome.SO_WIN if won else Outcome.SO_LOSS
        return Outcome.WIN if won else Outcome.LOSS


class Adjustment(msgspec.Struct, frozen=True, kw_only=True):
    """Points added to (positive) or deducted from (negative) a team's total by a decision."""

    team: str
    points: int
    reason: str = ""


class StandingRow(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a table. ``decided_by`` names the criterion that placed this team below the one above.

    ``unresolved`` is true when no criterion of the regulation separates this team from a neighbour: the
    rank is shared and the competition must draw lots or stage a play-off.
    """

    rank: int
    team: str
    played: int
    won: int
    drawn: int
    lost: int
    ot_won: int
    ot_lost: int
    goals_for: int
    goals_against: int
    goal_diff: int
    points: int
    points_pct: float
    decided_by: str = ""
    unresolved: bool = False
    group: str = ""
