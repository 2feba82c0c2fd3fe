"""What a sport module provides to turn a match protocol into player statistics, and the shape of the
protocol it reads. The stream processor reaches a sport only through this interface (sports/registry.py
finds the module by name), so a new sport is a module here, not a change to the processor.

The protocol types are structural: any objects with these read-only fields will do (the processor's
msgspec structs, a test's), so the rules stay free of the processor's wire formats.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import msgspec

__all__ = ["Figures", "MatchProtocol", "ProtocolEvent", "ProtocolLineup", "Sport", "additive_counts"]


class ProtocolEvent(Protocol):
    """One event of a match protocol (a goal, a card, a substitution, a shot, a period's end ...)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def team_id(self) -> int: ...
    @property
    def player_id(self) -> int | None: ...
    @property
    def assist1_id(self) -> int | None: ...
    @property
    def assist2_id(self) -> int | None: ...
    @property
    def player_out_id(self) -> int | None: ...
    @property
    def goalie_id(self) -> int | None: ...
    @property
    def period(self) -> int: ...
    @property
    def minute(self) -> int | None: ...
    @property
    def clock_seconds(self) -> int | None: ...
    @property
    def strength(self) -> str | None: ...
    @property
    def penalty_minutes(self) -> int | None: ...


class ProtocolLineup(Protocol):
    """One player of a team's line-up."""

    @property
    def team_id(self) -> int: ...
    @property
    def player_id(self) -> int: ...
    @property
    def starter(self) -> bool: ...
    @property
    def goalie_toi_seconds(self) -> int | None: ...


class MatchProtocol(Protocol):
    """A match's protocol: its teams, how it was decided, its events and line-ups."""

    @property
    def match_id(self) -> int: ...
    @property
    def home_team_id(self) -> int: ...
    @property
    def away_team_id(self) -> int: ...
    @property
    def decided_in(self) -> str | None: ...
    @property
    def events(self) -> Sequence[ProtocolEvent]: ...
    @property
    def lineups(self) -> Sequence[ProtocolLineup]: ...


#: one player's additive counts of one match (or summed over matches), by kind of figures: a sport names
#: its kinds (football: ``football``; ice hockey: ``skater`` and ``goalie``)
Figures = dict[str, dict[str, int]]


class Sport(Protocol):
    """The rules of one sport that statistics need."""

    #: the name stages and competitions carry (``football``, ``ice-hockey``)
    name: str
    #: periods of regular time (two halves, three periods): the end of the last is news
    regular_periods: int
    #: the kinds of figures its players' lines hold
    kinds: tuple[str, ...]

    def match_figures(self, protocol: MatchProtocol, *, without_lineups: bool = False) -> dict[str, Figures]:
        """Every player's additive counts from one match, by player id (as text). ``without_lineups``:
        leave the line-ups (and so minutes) out, for a protocol that is not consistent yet; raises
        :class:`~sports.model.RulesError` when the protocol is not consistent."""
        ...

    def season_stats(self, totals: Figures, player: str) -> dict[str, dict[str, Any]]:
        """A player's season figures from his summed counts: the counts with the rates derived from them."""
        ...

    def leader_columns(self, stats: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """The columns players are ranked by (games, goals, assists, points, minutes, cards, penalty
        minutes, shutouts, save percentage, goals-against average) that this sport has, from
        :meth:`season_stats`."""
        ...


def additive_counts(stats: msgspec.Struct) -> dict[str, int]:
    """The additive fields of a stats struct: what a match contributes to a season (rates are derived
    again from the sums)."""
    return {k: getattr(stats, k) for k in _count_fields(type(stats))}


@functools.cache
def _count_fields(kind: type[msgspec.Struct]) -> tuple[str, ...]:
    """The int fields of a stats struct type (computed once: lines are built for every protocol)."""
    return tuple(f.name for f in msgspec.structs.fields(kind) if f.type is int)
