"""A pure parser for openfootball's Football.TXT match protocols: teams, score, group and every card.

The format writes a line-up as one paragraph per team (``Team: Player, Player [Y 88'] - ...``) with cards
in brackets after the player: ``[Y 12']`` a yellow, ``[Y/R 36']`` a second yellow, ``[R 4']`` a straight red.
"""

from __future__ import annotations

import re

import msgspec

from sports.discipline import Card, CardKind

__all__ = ["TxtMatch", "TxtParseError", "parse_football_txt"]

MATCH_LINE = re.compile(r"^  (?P<home>\S.*?) v (?P<away>\S.*?)\s{2,}(?P<hs>\d+)-(?P<as>\d+)")
STAGE_LINE = re.compile(r"^▪+ (?P<name>.+?)\s*$")
PLAYER_CARDS = re.compile(r"(?P<name>[^,()\[\]]+?)\s*(?P<cards>(?:\[(?:Y|R|Y/R) [^\]]+\]\s*)+)")
CARD = re.compile(r"\[(?P<kind>Y/R|Y|R) (?P<minute>\d+)(?:\+\d+)?'\]")
KINDS = {"Y": CardKind.YELLOW, "Y/R": CardKind.SECOND_YELLOW, "R": CardKind.RED}


class TxtParseError(ValueError):
    """A line the parser cannot read; the message names the line number."""


class TxtMatch(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    group: str
    home: str
    away: str
    home_score: int
    away_score: int
    cards: tuple[Card, ...]


def _cards(text: str, match_id: str, team: str, line_no: int) -> list[Card]:
    cards = []
    for found in PLAYER_CARDS.finditer(text.replace("[c]", "")):  # the captain's mark is not a card
        # the name follows the last formation dash ("A - B") and a substitution minute ("(64' B")
        name = " ".join(found.group("name").split()).rsplit(" - ", 1)[-1]
        name = re.sub(r"^[\s\-]*(?:\d+(?:\+\d+)?'\s*)?", "", name).strip()
        if not name:
            raise TxtParseError(f"line {line_no}: a card without a player")
        for card in CARD.finditer(found.group("cards")):
            cards.append(
                Card(
                    match_id=match_id,
                    player=name,
                    team=team,
                    kind=KINDS[card.group("kind")],
                    minute=int(card.group("minute")),
                )
            )
    return cards


def parse_football_txt(text: str) -> list[TxtMatch]:
    """Every match of the file in order, with the group it was played in ("" outside groups)."""
    matches: list[TxtMatch] = []
    group = ""
    current: dict[str, object] | None = None
    lineup_team = ""
    lineup_text: list[str] = []
    lineup_start = 0

    def flush_lineup() -> None:
        nonlocal lineup_team, lineup_text
        if current is not None and lineup_team:
            cards = current["cards"]
            assert isinstance(cards, list)
            cards.extend(_cards(" ".join(lineup_text), str(current["number"]), lineup_team, lineup_start))
        lineup_team, lineup_text = "", []

    def flush_match() -> None:
        nonlocal current
        flush_lineup()
        if current is not None:
            matches.append(msgspec.convert(current, TxtMatch))
        current = None

    for line_no, line in enumerate(text.splitlines(), start=1):
        if header := STAGE_LINE.match(line):
            flush_match()
            name = header.group("name")
            group = name if name.startswith("Group") else ""
            continue
        if found := MATCH_LINE.match(line):
            flush_match()
            current = {
                "number": len(matches) + 1,
                "group": group,
                "home": found.group("home").strip(),
                "away": found.group("away").strip(),
                "home_score": int(found.group("hs")),
                "away_score": int(found.group("as")),
                "cards": [],
            }
            continue
        if current is None:
            continue
        team_prefix = next((t for t in (current["home"], current["away"]) if line.startswith(f"{t}:")), None)
        if team_prefix is not None:
            flush_lineup()
            lineup_team, lineup_start = str(team_prefix), line_no
            lineup_text = [line[len(str(team_prefix)) + 1 :]]
        elif lineup_team and line.startswith("      ") and line.strip():
            lineup_text.append(line)
        else:
            flush_lineup()
    flush_match()
    return matches
