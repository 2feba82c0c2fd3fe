"""Football facts of the data as protocol events: the World Cup's full protocols and the Premier League's
results (whose goals need invented minutes, see :func:`rstat.demo.script.synthesized_goals`)."""

from __future__ import annotations

from crawlers.parsers.txt_protocols import Protocol
from rstat.demo.data import Fixture
from rstat.demo.script import LiveEvent, football_period

__all__ = ["OTHER", "lineup", "protocol_events"]

OTHER = {"home": "away", "away": "home"}


def _penalty(fixture: Fixture, side: str, minute: int, stoppage: int | None) -> bool:
    """Whether openfootball's JSON marks the goal (same side, within a minute) as a penalty: the full
    protocol (the TXT) does not mark penalties."""
    at = minute + (stoppage or 0)
    return any(g.penalty and g.side == side and abs(g.minute + (g.stoppage or 0) - at) <= 1 for g in fixture.goals)


def protocol_events(fixture: Fixture, protocol: Protocol) -> tuple[LiveEvent, ...]:
    """Substitutions, goals and cards of a match in minute order; players are keyed by name as written.

    Goals come from the full protocol (its scorers are the line-ups' names); the two openfootball sources
    disagree by a minute on a few goals, and there the protocol's minute is kept."""
    events: list[LiveEvent] = []
    for side in ("home", "away"):
        for s in protocol.substitutions[side]:
            events.append(
                LiveEvent(
                    kind="substitution",
                    side=side,
                    period=football_period(s.minute),
                    minute=s.minute,
                    stoppage=s.stoppage,
                    player=s.player_in,
                    player_out=s.player_out,
                )
            )
    for g in protocol.goals:
        kind = (
            "own_goal" if g.own_goal else "penalty_goal" if _penalty(fixture, g.side, g.minute, g.stoppage) else "goal"
        )
        events.append(
            LiveEvent(
                kind=kind,
                side=g.side,
                period=football_period(g.minute),
                minute=g.minute,
                stoppage=g.stoppage,
                player=g.player,
                player_side=OTHER[g.side] if g.own_goal else None,
            )
        )
    for c in protocol.cards:
        events.append(
            LiveEvent(kind=c.kind, side=c.side, period=football_period(c.minute), minute=c.minute, player=c.player)
        )
    return tuple(sorted(events, key=lambda e: (e.minute or 0, e.stoppage or 0)))


def lineup(protocol: Protocol) -> list[tuple[str, str, bool]]:
    """(side, player, starter) of everyone who played: the eleven starters, then the substitutes used."""
    rows = []
    for side in ("home", "away"):
        rows += [(side, name, True) for name in protocol.starters[side]]
        rows += [(side, s.player_in, False) for s in protocol.substitutions[side]]
    return rows
