"""Every item is checked before anything is written: its fields against the columns' rules, then the rules
across fields that the database would otherwise refuse half-way through a match (a team against itself, a
finished match without a score, an event naming a player the match does not have).

A broken rule raises :class:`crawlers.errors.InvalidItemError` with a short reason (``invalid:home_score``,
``same_team``, ``unknown_player``...) that the crawl summary counts; the pipeline drops the item whole.
"""

from __future__ import annotations

import re
from collections import Counter

import msgspec

from crawlers.errors import InvalidItemError
from crawlers.items import MatchItem
from sports.model import RulesError
from sports.registry import SPORTS
from sports.regulations import regulation

__all__ = ["validate"]

FIELD_PATH = re.compile(r"at `\$((?:\.\w+|\[\d+\])*)`")
FINAL = ("finished", "awarded")


def _field(exc: msgspec.ValidationError) -> str:
    """``$.events[3].minute`` -> ``events.minute``: the field, without the position of the element."""
    found = FIELD_PATH.search(str(exc))
    path = re.sub(r"\[\d+\]", "", found.group(1)) if found else ""
    return path.lstrip(".") or "item"


def _fail(reason: str, detail: str) -> InvalidItemError:
    return InvalidItemError(reason, detail)


def validate(item: MatchItem) -> MatchItem:
    """``item`` with its fields checked (and converted: a parser may hand over loose values), or Invalid."""
    try:
        checked = msgspec.convert(msgspec.to_builtins(item), MatchItem)
    except msgspec.ValidationError as exc:
        raise _fail(f"invalid:{_field(exc)}", str(exc)) from None
    for problem in _problems(checked):
        raise problem
    return checked


def _problems(item: MatchItem) -> list[InvalidItemError]:
    found: list[InvalidItemError] = []
    where = f"match {item.key} ({item.home.name} v {item.away.name})"
    if item.season.sport not in SPORTS:
        found.append(_fail("unknown_sport", f"{where}: sport {item.season.sport!r}; known: {', '.join(SPORTS)}"))
    try:
        regulation(item.season.regulation)
    except RulesError as exc:
        found.append(_fail("unknown_regulation", f"{where}: {exc}"))
    if item.home.key == item.away.key or item.home.name == item.away.name:
        found.append(_fail("same_team", f"{where}: a team cannot play itself"))
    if (item.home_score is None) != (item.away_score is None):
        found.append(_fail("score_incomplete", f"{where}: both scores or neither"))
    if item.status in FINAL and item.home_score is None:
        found.append(_fail("missing_score", f"{where}: a {item.status} match needs its score"))
    if item.status == "awarded" and item.decided_in != "AWD":
        found.append(_fail("awarded_not_awd", f"{where}: an awarded result is decided AWD"))
    if item.decided_in is not None and item.status not in FINAL:
        found.append(_fail("decided_before_end", f"{where}: decided {item.decided_in} while {item.status}"))
    players = Counter(p.key for p in item.players)
    for label, counted in (
        ("player", players),
        ("lineup", Counter(e.player for e in item.lineups)),
        ("event", Counter(e.key for e in item.events)),
    ):
        twice = sorted(k for k, n in counted.items() if n > 1)
        if twice:
            found.append(_fail("duplicate_key", f"{where}: {label} {twice[0]!r} given twice"))
    named: list[str | None] = [e.player for e in item.lineups]
    for event in item.events:
        named += [event.player, event.assist1, event.assist2, event.player_out, event.goalie]
    unknown = sorted({k for k in named if k is not None and k not in players})
    if unknown:
        found.append(_fail("unknown_player", f"{where}: player {unknown[0]!r} is not among the match's players"))
    for e in item.events:
        if e.kind == "substitution" and (e.player is None or e.player_out is None):
            found.append(_fail("substitution_players", f"{where}: substitution {e.key} needs both players"))
        if e.kind == "penalty" and e.penalty_minutes is None:
            found.append(_fail("penalty_without_minutes", f"{where}: penalty {e.key} needs its minutes"))
        if e.kind == "shootout_attempt" and e.scored is None:
            found.append(_fail("shootout_without_outcome", f"{where}: shoot-out attempt {e.key} needs scored"))
        if e.assist1 is not None and e.kind not in ("goal", "penalty_goal"):
            found.append(_fail("assist_without_goal", f"{where}: event {e.key} ({e.kind}) has an assist"))
        scorers = [p for p in (e.player, e.assist1, e.assist2) if p is not None]
        if len(scorers) != len(set(scorers)) or (e.assist2 is not None and e.assist1 is None):
            found.append(_fail("bad_assists", f"{where}: event {e.key} credits a player twice or skips assist 1"))
    return found
