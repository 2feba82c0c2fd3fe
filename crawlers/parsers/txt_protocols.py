"""Match protocols of openfootball's Football.TXT (``2018_full.txt``): line-ups, substitutions and goals.

The cards come from :func:`crawlers.football_txt.parse_football_txt`; this module reads what that parser
skips. A line-up paragraph is ``Team: Keeper - Defender, ... - Forward (70' Sub (85' Sub2))`` with marks in
brackets (``[c]`` captain, ``[Y 88']`` cards); the goal block under the score line lists
``(Home Scorer 12', 43', Other 71'(og); Away Scorer 73')``, an own goal credited to the side it is listed on;
a shoot-out is ``Penalties: 1-0 Kicker, 1-1 Kicker, Kicker (missed), ...`` in the order of the kicks.
Names are kept as written (``Denis CHERYSHEV``) so that every goal and card finds its player in a line-up.
"""

from __future__ import annotations

import re

import msgspec

from crawlers.football_txt import parse_football_txt

__all__ = ["Card", "Kick", "Protocol", "Substitution", "TxtGoal", "parse_protocols", "split_name"]

MATCH_LINE = re.compile(r"^  (?P<home>\S.*?) v (?P<away>\S.*?)\s{2,}(?P<hs>\d+)-\d+")
MINUTE = re.compile(r"^(\d+)(?:\+(\d+))?'$")
KICK = re.compile(r"^(?:(?P<home>\d+)-(?P<away>\d+)\s+)?(?P<name>.+?)(?P<missed>\s*\(missed\))?$")


class Substitution(msgspec.Struct, frozen=True):
    minute: int
    stoppage: int | None
    player_in: str
    player_out: str


class TxtGoal(msgspec.Struct, frozen=True):
    side: str  # the side credited
    minute: int
    stoppage: int | None
    player: str  # of the other side for an own goal
    own_goal: bool


class Card(msgspec.Struct, frozen=True):
    side: str
    player: str
    kind: str  # yellow, second_yellow, red
    minute: int


class Kick(msgspec.Struct, frozen=True):
    """A shoot-out kick; its side is the kicker's (found in the line-ups), else the alternation's."""

    side: str
    player: str
    scored: bool


class Protocol(msgspec.Struct, frozen=True, kw_only=True):
    home: str
    away: str
    starters: dict[str, tuple[str, ...]]  # side -> players in the order written
    substitutions: dict[str, tuple[Substitution, ...]]
    goals: tuple[TxtGoal, ...]
    cards: tuple[Card, ...]
    shootout: tuple[Kick, ...] = ()


def split_name(name: str) -> tuple[str, str]:
    """(first name, last name): the format writes the surname in capitals (``Denis CHERYSHEV``); a name all
    in capitals is one surname (``MARIO FERNANDES``, ``TREZEGUET``). Surnames are shown title-cased."""
    words = name.split()
    first = [w for w in words if not w.isupper()]
    last = [w for w in words if w.isupper()]
    if not last:
        return "", name
    return " ".join(first), " ".join(w.title() for w in last)


def _minute(text: str) -> tuple[int, int | None]:
    found = MINUTE.match(text.strip())
    if found is None:
        raise ValueError(f"bad minute {text!r}")
    return int(found.group(1)), int(found.group(2)) if found.group(2) else None


def _top_level(text: str, separators: str) -> list[str]:
    """``text`` split at the separator characters that are outside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _entry(text: str, subs: list[Substitution]) -> str:
    """The player of one line-up entry; his substitutes (nested: ``A (56' B (79' C))``) go to ``subs``."""
    name, _, rest = text.partition("(")
    name = " ".join(name.split())
    if rest:
        inner = rest[: rest.rindex(")")]
        minute, _, sub = inner.partition(" ")
        player_in = _entry(sub, subs)
        subs.append(Substitution(*_minute(minute), player_in=player_in, player_out=name))
    return name


def _lineup(text: str) -> tuple[tuple[str, ...], tuple[Substitution, ...]]:
    clean = re.sub(r"\[[^\]]*\]", "", text)  # captain and card marks
    subs: list[Substitution] = []
    starters = tuple(_entry(e, subs) for e in _top_level(clean.replace(" - ", ","), ","))
    return starters, tuple(sorted(subs, key=lambda s: (s.minute, s.stoppage or 0)))


def _goals(text: str, home_scored: bool) -> tuple[TxtGoal, ...]:
    """The goals of a block; a block without ``;`` lists one side's goals: the home side's if it scored."""
    blocks = text.split(";")
    sides = ("home", "away") if len(blocks) == 2 or home_scored else ("away",)
    goals = []
    for side, block in zip(sides, blocks, strict=False):
        name = ""
        for raw in (i.strip() for i in block.split(",") if i.strip()):
            own = raw.endswith("(og)")
            minute = raw.removesuffix("(og)").strip()
            words = minute.rsplit(" ", 1)
            if len(words) == 2 and not words[0][0].isdigit():
                name, minute = words[0].strip(), words[1]
            goals.append(TxtGoal(side, *_minute(minute), player=name, own_goal=own))
    return tuple(goals)


def _shootout(text: str, lineups: dict[str, tuple[tuple[str, ...], tuple[Substitution, ...]]]) -> tuple[Kick, ...]:
    """The kicks of a ``Penalties:`` block. A scored kick's side shows in the score it reaches; a missed one
    is the side of the kicker's line-up, or else the other side of the kick before (kicks alternate)."""
    played = {side: set(starters) | {s.player_in for s in subs} for side, (starters, subs) in lineups.items()}
    kicks: list[Kick] = []
    score = (0, 0)
    for entry in (e.strip() for e in text.split(",") if e.strip()):
        found = KICK.match(entry)
        if found is None:
            raise ValueError(f"bad shoot-out kick {entry!r}")
        name = " ".join(found.group("name").split())
        if found.group("home") is not None:
            reached = (int(found.group("home")), int(found.group("away")))
            side = "home" if reached[0] > score[0] else "away"
            score = reached
        elif name in played["home"] or name in played["away"]:
            side = "home" if name in played["home"] else "away"
        else:
            side = "away" if kicks and kicks[-1].side == "home" else "home"
        kicks.append(Kick(side=side, player=name, scored=found.group("home") is not None))
    return tuple(kicks)


def parse_protocols(text: str) -> list[Protocol]:
    """Every match of the file in order (the same order as openfootball's JSON of the tournament)."""
    cards = parse_football_txt(text)
    protocols: list[Protocol] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        found = MATCH_LINE.match(lines[i])
        if found is None:
            i += 1
            continue
        home, away = found.group("home").strip(), found.group("away").strip()
        i += 1
        goal_text = ""
        if i < len(lines) and lines[i].strip().startswith("("):
            while True:
                goal_text += " " + lines[i].strip()
                i += 1
                if goal_text.rstrip().endswith(")"):
                    break
        penalties = ""
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i < len(lines) and lines[i].startswith("Penalties:"):
            penalties = lines[i].removeprefix("Penalties:")
            i += 1
            while i < len(lines) and lines[i].startswith(" ") and lines[i].strip():
                penalties += " " + lines[i].strip()
                i += 1
        paragraphs: dict[str, str] = {}
        side = ""
        while i < len(lines) and not MATCH_LINE.match(lines[i]) and not lines[i].startswith(("Refs:", "▪")):
            line = lines[i]
            for name, key in ((home, "home"), (away, "away")):
                if line.startswith(f"{name}:"):
                    side, line = key, line[len(name) + 1 :]
            if side and line.strip():
                paragraphs[side] = paragraphs.get(side, "") + " " + line.strip()
            i += 1
        lineups = {s: _lineup(paragraphs.get(s, "")) for s in ("home", "away")}
        parsed = cards[len(protocols)]
        protocols.append(
            Protocol(
                home=home,
                away=away,
                starters={s: lineups[s][0] for s in lineups},
                substitutions={s: lineups[s][1] for s in lineups},
                goals=_goals(goal_text.strip()[1:-1], found.group("hs") != "0") if goal_text else (),
                cards=tuple(
                    Card("home" if c.team == home else "away", c.player, str(c.kind), c.minute) for c in parsed.cards
                ),
                shootout=_shootout(penalties, lineups) if penalties else (),
            )
        )
    return protocols
