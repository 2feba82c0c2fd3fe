"""The data's facts as rows of the admin API: pure conversions shared by the builder and the live player."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rstat.demo.data import Fixture
from rstat.demo.football import OTHER
from rstat.demo.script import GOALS, LiveEvent

__all__ = ["event_body", "period_scores_of", "pl_period_scores"]


def pl_period_scores(f: Fixture) -> list[list[int]]:
    if f.half_time is None:
        return []
    ht = list(f.half_time)
    return [ht, [f.home_score - ht[0], f.away_score - ht[1]]]


def event_body(event: LiveEvent, match: dict[str, Any], players: Callable[[int, str], int | None]) -> dict[str, Any]:
    """The ``match_events`` row of an event: sides become the match's team ids, player keys their ids."""
    team = {"home": match["home_team_id"], "away": match["away_team_id"]}
    own = team[event.player_side or event.side]
    body: dict[str, Any] = {"match_id": match["id"], "team_id": team[event.side], "kind": event.kind}
    body["period"] = event.period
    for field in ("minute", "stoppage", "clock_seconds", "penalty_minutes", "infraction"):
        if getattr(event, field) is not None:
            body[field] = getattr(event, field)
    for field, column, team_id in (
        ("player", "player_id", own),
        ("player_out", "player_out_id", team[event.side]),
        ("assist1", "assist1_id", team[event.side]),
        ("assist2", "assist2_id", team[event.side]),
        ("goalie", "goalie_id", team[OTHER[event.side]]),
    ):
        key = getattr(event, field)
        if key is not None:
            found = players(team_id, key)
            if found is not None:
                body[column] = found
    return body


def period_scores_of(events: tuple[LiveEvent, ...], least: int) -> list[list[int]]:
    periods = max([least, *(e.period for e in events if e.kind in GOALS)])
    scores = [[0, 0] for _ in range(periods)]
    for e in events:
        if e.kind in GOALS:
            scores[e.period - 1][0 if e.side == "home" else 1] += 1
    return scores
