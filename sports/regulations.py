"""Regulations as data: named, versioned presets of a points system and an ordered tie-break procedure.

A stage names a preset and may override its parameters (``regulation("football", {"win": 2})``). The
criteria are names the standings engine understands; ``H2H_RUN`` marks the criteria computed only over
the matches among the tied teams, which may be re-applied to a smaller tie (UEFA) or not (FIFA).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from sports.model import Outcome, RulesError

__all__ = [
    "CRITERIA",
    "PRESETS",
    "FairPlayScale",
    "PointsSystem",
    "Regulation",
    "regulation",
]

#: Every criterion the engine knows, with what it compares (higher is better for all of them).
CRITERIA: dict[str, str] = {
    "points": "points",
    "points_pct": "points percentage (fewer games played at equal points)",
    "goal_diff": "goal difference",
    "goals_for": "goals scored",
    "wins": "wins",
    "regulation_wins": "wins in regulation time",
    "row": "wins in regulation time and overtime (shoot-out wins excluded)",
    "away_goals": "goals scored away",
    "away_wins": "wins away",
    "fair_play": "fair-play points",
    "opp_points": "points of the opponents played",
    "opp_goal_diff": "goal difference of the opponents played",
    "opp_goals": "goals scored by the opponents played",
    "h2h_points": "points in the matches among the tied teams",
    "h2h_goal_diff": "goal difference in the matches among the tied teams",
    "h2h_goals": "goals scored in the matches among the tied teams",
    "h2h_away_goals": "away goals in the matches among the tied teams",
    "vs_outside": "results against the best-ranked teams outside the tie, in order",
}

H2H_CRITERIA = frozenset({"h2h_points", "h2h_goal_diff", "h2h_goals", "h2h_away_goals"})


class PointsSystem(msgspec.Struct, frozen=True, kw_only=True):
    win: int = 3
    draw: int = 1
    loss: int = 0
    ot_win: int = 3
    ot_loss: int = 0
    so_win: int = 3
    so_loss: int = 0

    def of(self, outcome: Outcome) -> int:
        """The points a team's ``outcome`` of one match is worth."""
        return {
            Outcome.WIN: self.win,
            Outcome.OT_WIN: self.ot_win,
            Outcome.SO_WIN: self.so_win,
            Outcome.DRAW: self.draw,
            Outcome.LOSS: self.loss,
            Outcome.OT_LOSS: self.ot_loss,
            Outcome.SO_LOSS: self.so_loss,
        }[outcome]


class FairPlayScale(msgspec.Struct, frozen=True, kw_only=True):
    """Disciplinary points per card, as non-positive numbers (a card costs points)."""

    yellow: int = -1
    second_yellow: int = -3  # a second yellow and the resulting red, together
    red: int = -4  # straight red
    yellow_red: int = -5  # a yellow, then a straight red in the same match


class Regulation(msgspec.Struct, frozen=True, kw_only=True):
    """A points system and the ordered criteria that rank teams level on points."""

    name: str
    version: str
    sport: str
    points: PointsSystem = msgspec.field(default_factory=PointsSystem)
    criteria: tuple[str, ...] = ()
    #: After the head-to-head criteria split a tie, apply them again to the teams still level (UEFA, IIHF).
    h2h_reapply: bool = False
    #: Whenever a tie comes down to two teams, their direct game(s) decide first (IIHF).
    direct_game_for_two: bool = False
    #: Score of an awarded match for the side it is awarded to (and zero for the other).
    awarded_score: int = 3
    #: Whether the goals of an awarded match count in goals for/against.
    awarded_goals_count: bool = True
    fair_play: FairPlayScale = msgspec.field(default_factory=FairPlayScale)

    def __post_init__(self) -> None:
        unknown = [c for c in self.criteria if c not in CRITERIA]
        if unknown:
            raise RulesError(f"regulation {self.name}: unknown criteria {unknown}; known: {sorted(CRITERIA)}")

    @property
    def max_points_per_match(self) -> int:
        p = self.points
        return max(p.win, p.ot_win, p.so_win)


_FOOTBALL = PointsSystem()
_HOCKEY_3210 = PointsSystem(win=3, draw=1, loss=0, ot_win=2, ot_loss=1, so_win=2, so_loss=1)
_HOCKEY_2_1 = PointsSystem(win=2, draw=1, loss=0, ot_win=2, ot_loss=1, so_win=2, so_loss=1)
_UEFA_DISCIPLINE = FairPlayScale(yellow=-1, second_yellow=-3, red=-3, yellow_red=-4)

PRESETS: dict[str, Regulation] = {
    r.name: r
    for r in (
        Regulation(
            name="football",
            version="1",
            sport="football",
            points=_FOOTBALL,
            criteria=("goal_diff", "goals_for", "wins"),
        ),
        Regulation(
            name="premier-league",
            version="2023",
            sport="football",
            points=_FOOTBALL,
            criteria=("goal_diff", "goals_for", "h2h_points", "h2h_away_goals"),
        ),
        Regulation(
            name="laliga",
            version="2023",
            sport="football",
            points=_FOOTBALL,
            criteria=("h2h_points", "h2h_goal_diff", "goal_diff", "goals_for", "fair_play"),
        ),
        Regulation(
            name="uefa-2021",
            version="2021",
            sport="football",
            points=_FOOTBALL,
            criteria=(
                "h2h_points",
                "h2h_goal_diff",
                "h2h_goals",
                "goal_diff",
                "goals_for",
                "away_goals",
                "wins",
                "away_wins",
                "fair_play",
            ),
            h2h_reapply=True,
            fair_play=_UEFA_DISCIPLINE,
        ),
        Regulation(
            name="uefa-league-phase-2024",
            version="2024",
            sport="football",
            points=_FOOTBALL,
            criteria=(
                "goal_diff",
                "goals_for",
                "away_goals",
                "wins",
                "away_wins",
                "opp_points",
                "opp_goal_diff",
                "opp_goals",
                "fair_play",
            ),
            fair_play=_UEFA_DISCIPLINE,
        ),
        Regulation(
            name="fifa-2022",
            version="2022",
            sport="football",
            points=_FOOTBALL,
            criteria=("goal_diff", "goals_for", "h2h_points", "h2h_goal_diff", "h2h_goals", "fair_play"),
        ),
        Regulation(
            name="iihf",
            version="2024",
            sport="ice-hockey",
            points=_HOCKEY_3210,
            criteria=("h2h_points", "h2h_goal_diff", "h2h_goals", "vs_outside"),
            h2h_reapply=True,
            direct_game_for_two=True,
            awarded_score=5,
        ),
        Regulation(
            name="nhl",
            version="2019",
            sport="ice-hockey",
            points=_HOCKEY_2_1,
            criteria=("points_pct", "regulation_wins", "row", "wins", "h2h_points", "goal_diff", "goals_for"),
            awarded_score=1,
        ),
        Regulation(
            name="nhl-2010",
            version="2010",
            sport="ice-hockey",
            points=_HOCKEY_2_1,
            criteria=("points_pct", "row", "h2h_points", "goal_diff"),
            awarded_score=1,
        ),
        Regulation(
            name="khl",
            version="2023",
            sport="ice-hockey",
            points=_HOCKEY_2_1,
            criteria=("regulation_wins", "wins", "h2h_points", "h2h_goal_diff", "goal_diff", "goals_for"),
            awarded_score=5,
        ),
    )
}


def regulation(name: str, overrides: Mapping[str, Any] | None = None) -> Regulation:
    """The preset ``name`` with a stage's overrides applied.

    Overrides name a top-level field (``criteria``, ``h2h_reapply``, ``awarded_score``...) or a field of the
    points system or fair-play scale directly (``{"win": 2, "ot_loss": 1}``).
    """
    try:
        base = PRESETS[name]
    except KeyError:
        raise RulesError(f"unknown regulation preset {name!r}; known: {', '.join(sorted(PRESETS))}") from None
    if not overrides:
        return base
    data = msgspec.to_builtins(base)
    points_fields = set(data["points"])
    fair_play_fields = set(data["fair_play"])
    for key, value in overrides.items():
        if key in points_fields:
            data["points"][key] = value
        elif key in fair_play_fields:
            data["fair_play"][key] = value
        elif key in data and key not in ("name", "sport"):
            data[key] = value
        else:
            raise RulesError(f"regulation {name}: cannot override {key!r}")
    try:
        return msgspec.convert(data, Regulation)
    except msgspec.ValidationError as exc:
        raise RulesError(f"regulation {name}: bad override: {exc}") from exc
