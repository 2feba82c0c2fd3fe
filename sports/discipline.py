"""Discipline: suspensions from cards (accumulation rules as data), eligibility, and fair-play points.

Competitions differ only in numbers: UEFA club competitions ban after the 3rd yellow and then after every
odd one (5th, 7th, ...); a Nations League style competition after the 2nd and then every even one; counters
may reset after given rounds (UEFA: after the quarter-finals). A straight red bans for ``red_ban`` matches,
a sending-off for a second yellow for ``second_yellow_ban``; the two yellows of such a sending-off do not
count towards accumulation, while a yellow followed by a straight red does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

import msgspec

from sports.model import RulesError
from sports.regulations import FairPlayScale

__all__ = [
    "NATIONS_LEAGUE",
    "UEFA_CLUB",
    "AccumulationRule",
    "Ban",
    "Card",
    "CardKind",
    "TeamMatch",
    "compute_bans",
    "fair_play_points",
    "is_eligible",
]


class CardKind(StrEnum):
    YELLOW = "yellow"
    SECOND_YELLOW = "second_yellow"
    RED = "red"


class Card(msgspec.Struct, frozen=True, kw_only=True):
    match_id: str
    player: str
    team: str
    kind: CardKind
    minute: int = 0


class TeamMatch(msgspec.Struct, frozen=True, kw_only=True):
    """A match of a team, in the team's play order (``order`` sorts them: a date, a sequence number)."""

    match_id: str
    team: str
    order: str
    round: int = 0


class AccumulationRule(msgspec.Struct, frozen=True, kw_only=True):
    first: int = 3
    every: int = 2
    reset_after_rounds: tuple[int, ...] = ()
    red_ban: int = 1
    second_yellow_ban: int = 1
    accumulation_ban: int = 1

    def __post_init__(self) -> None:
        if self.first < 1 or self.every < 1:
            raise RulesError("yellow-card thresholds must be positive")


UEFA_CLUB = AccumulationRule(first=3, every=2)
NATIONS_LEAGUE = AccumulationRule(first=2, every=2)


class Ban(msgspec.Struct, frozen=True, kw_only=True):
    player: str
    team: str
    reason: str  # yellow_accumulation, second_yellow, red
    from_match: str
    matches: int
    #: the team's matches the ban covers, in order (fewer than ``matches`` while the calendar runs out)
    serves: tuple[str, ...]


def compute_bans(team_matches: Iterable[TeamMatch], cards: Iterable[Card], rule: AccumulationRule) -> list[Ban]:
    """Every ban the cards lead to, with the matches each one covers."""
    schedule: dict[str, list[TeamMatch]] = {}
    for tm in team_matches:
        schedule.setdefault(tm.team, []).append(tm)
    by_match: dict[tuple[str, str], list[Card]] = {}
    for card in cards:
        by_match.setdefault((card.team, card.match_id), []).append(card)
    bans: list[Ban] = []
    for team, matches in sorted(schedule.items()):
        matches.sort(key=lambda m: (m.order, m.match_id))
        known = {m.match_id for m in matches}
        for card_team, match_id in by_match:
            if card_team == team and match_id not in known:
                raise RulesError(f"a card of {team} in match {match_id}, which is not in the team's calendar")
        yellows: dict[str, int] = {}
        for index, match in enumerate(matches):
            later = tuple(m.match_id for m in matches[index + 1 :])
            per_player: dict[str, list[Card]] = {}
            for card in by_match.get((team, match.match_id), []):
                per_player.setdefault(card.player, []).append(card)
            for player, player_cards in sorted(per_player.items()):
                kinds = {c.kind for c in player_cards}
                if CardKind.SECOND_YELLOW in kinds:
                    bans.append(
                        _ban(
                            player,
                            team,
                            "second_yellow",
                            match_id=match.match_id,
                            length=rule.second_yellow_ban,
                            later=later,
                        )
                    )
                    continue
                if CardKind.YELLOW in kinds:
                    count = yellows[player] = yellows.get(player, 0) + 1
                    if count == rule.first or (count > rule.first and (count - rule.first) % rule.every == 0):
                        bans.append(
                            _ban(
                                player,
                                team,
                                "yellow_accumulation",
                                match_id=match.match_id,
                                length=rule.accumulation_ban,
                                later=later,
                            )
                        )
                if CardKind.RED in kinds:
                    bans.append(_ban(player, team, "red", match_id=match.match_id, length=rule.red_ban, later=later))
            if match.round in rule.reset_after_rounds:
                yellows.clear()
    return bans


def _ban(player: str, team: str, reason: str, *, match_id: str, length: int, later: Sequence[str]) -> Ban:
    return Ban(
        player=player, team=team, reason=reason, from_match=match_id, matches=length, serves=tuple(later[:length])
    )


def is_eligible(player: str, match_id: str, bans: Iterable[Ban]) -> bool:
    """Whether ``player`` may play ``match_id``: no ban covers it."""
    return not any(b.player == player and match_id in b.serves for b in bans)


def fair_play_points(cards: Iterable[Card], scale: FairPlayScale) -> dict[tuple[str, str], int]:
    """Disciplinary points per (match, team); one deduction per player and match, the gravest one applies."""
    per_player: dict[tuple[str, str, str], set[CardKind]] = {}
    for card in cards:
        per_player.setdefault((card.match_id, card.team, card.player), set()).add(card.kind)
    points: dict[tuple[str, str], int] = {}
    for (match_id, team, _player), kinds in per_player.items():
        if CardKind.SECOND_YELLOW in kinds:
            value = scale.second_yellow
        elif CardKind.RED in kinds:
            value = scale.yellow_red if CardKind.YELLOW in kinds else scale.red
        else:
            value = scale.yellow
        points[(match_id, team)] = points.get((match_id, team), 0) + value
    return points
