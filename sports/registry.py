"""The sports the statistics know, by name: adding a sport is a module beside football.py and hockey.py
and its line in ``SPORTS``; the stream processor asks here and names no sport itself."""

from __future__ import annotations

from sports.football import FOOTBALL
from sports.hockey import HOCKEY
from sports.sport import Sport

__all__ = ["REGULAR_PERIODS", "SPORTS", "sport_of_kind", "sport_rules"]

SPORTS: dict[str, Sport] = {sport.name: sport for sport in (FOOTBALL, HOCKEY)}
#: regular periods per sport (the ``sports`` table says the same)
REGULAR_PERIODS = {name: sport.regular_periods for name, sport in SPORTS.items()}
_BY_KIND = {kind: sport for sport in SPORTS.values() for kind in sport.kinds}


def sport_rules(name: str) -> Sport:
    """The sport called ``name``; a name without a module here is played as football, as the processor
    always has (a stage's regulation names its sport, and the presets know only these)."""
    return SPORTS.get(name, FOOTBALL)


def sport_of_kind(kind: str) -> Sport | None:
    """The sport whose lines hold figures of ``kind`` (``football``, ``skater``, ``goalie``)."""
    return _BY_KIND.get(kind)
