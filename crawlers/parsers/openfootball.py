"""openfootball (public domain, CC0): ``football.json`` season files and the Football.TXT full protocols.

A football.json match: ``round`` ("Matchday 3", "Quarter-finals"), ``date``, ``time`` ("18:00 UTC+3", or
local time without a zone), ``team1``/``team2``, ``score`` {``ht``, ``ft``, ``et`` extra time, ``p``
shoot-out}, and in tournament files ``group``, ``ground`` and ``goals1``/``goals2`` (scorer, minute,
``offset`` for stoppage time, ``penalty``, ``owngoal``; an own goal is listed under the side it counts for).
A file with groups is a tournament: its group matches make a groups stage and the others a knockout stage.

With the tournament's Football.TXT (:mod:`crawlers.parsers.txt_protocols`) a match gets its whole protocol:
line-ups, substitutions, goals and cards with the players as written there, and the shoot-out kick by kick.
The JSON stays authoritative for the goals' flags (penalty, own goal), which the text does not always mark.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import deque
from collections.abc import Sequence
from typing import Any, cast
from zoneinfo import ZoneInfo

import msgspec

from crawlers.items import Event, LineupEntry, MatchItem, Player, Rejected, Season, Side, Team
from crawlers.parsers.common import RecordError, slugify
from crawlers.parsers.txt_protocols import Protocol, split_name

__all__ = ["KNOCKOUT_ROUNDS", "SOURCE", "football_period", "parse_football_json"]

SOURCE = "openfootball"
KNOCKOUT_ROUNDS = ("Round of 32", "Round of 16", "Quarter-finals", "Semi-finals", "Match for third place", "Final")
TIME = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?:\s*UTC(?P<off>[+-]\d{1,2})(?::?(?P<offm>\d{2}))?)?$")
OTHER: dict[Side, Side] = {"home": "away", "away": "home"}
SHOOTOUT_PERIOD = 5


def football_period(minute: int) -> int:
    """The period of a match minute: halves, then the two halves of extra time (45+2 is minute 45: period 1)."""
    return 1 if minute <= 45 else 2 if minute <= 90 else 3 if minute <= 105 else 4


def _round(name: str) -> int:
    digits = "".join(ch for ch in name if ch.isdigit())
    if name.lower().startswith(("matchday", "round ")) and digits and not name.startswith("Round of"):
        return int(digits)
    if name in KNOCKOUT_ROUNDS:
        return KNOCKOUT_ROUNDS.index(name) + 1
    raise RecordError("unknown_round", f"round {name!r} is neither a matchday nor a knockout round")


def _kickoff(date: str, time: str, zone: ZoneInfo) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise RecordError("bad_date", f"date {date!r} is not YYYY-MM-DD") from None
    found = TIME.match(time.strip()) if time else None
    if time and found is None:
        raise RecordError("bad_time", f"time {time!r} is not HH:MM [UTC+N]")
    clock = dt.time(int(found.group("h")), int(found.group("m"))) if found else dt.time(12)
    if found and found.group("off"):
        hours = int(found.group("off"))
        minutes = int(found.group("offm") or 0) * (1 if hours >= 0 else -1)
        tz: dt.tzinfo = dt.timezone(dt.timedelta(hours=hours, minutes=minutes))
    else:
        tz = zone
    return dt.datetime.combine(day, clock, tz).astimezone(dt.UTC)


class _Goal:
    """A goal of the JSON: for its flags, and for its scorer when there is no protocol."""

    def __init__(self, side: Side, raw: dict[str, Any]) -> None:
        self.side = side
        self.name = str(raw.get("name", ""))
        self.minute = int(raw["minute"])
        self.stoppage = int(raw["offset"]) if raw.get("offset") else None
        self.penalty = bool(raw.get("penalty"))
        self.own_goal = bool(raw.get("owngoal"))

    def near(self, side: str, minute: int, stoppage: int | None) -> bool:
        return self.side == side and abs(self.minute + (self.stoppage or 0) - minute - (stoppage or 0)) <= 1


class _Protocol:
    """Builds a match's players, line-ups and events, with unique keys."""

    def __init__(self, teams: dict[Side, Team]) -> None:
        self.teams = teams
        self.players: dict[str, Player] = {}
        self.lineups: list[LineupEntry] = []
        self.events: list[Event] = []
        self._keys: set[str] = set()

    def player(self, side: Side, name: str) -> str:
        key = f"{self.teams[side].key}|{name}"
        if key not in self.players:
            first, last = split_name(name)
            self.players[key] = Player(key=key, side=side, first_name=first, last_name=last or name)
        return key

    def event(self, kind: str, side: Side, period: int, **fields: Any) -> None:
        base = f"{kind}:{side}:{fields.get('player', '')}:{fields.get('minute', '')}:{fields.get('stoppage', '')}"
        key, n = base, 1
        while key in self._keys:
            n += 1
            key = f"{base}#{n}"
        self._keys.add(key)
        self.events.append(Event(key=key, side=side, kind=kind, period=period, **fields))  # type: ignore[arg-type]


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def _played(protocol: Protocol, side: Side) -> list[str]:
    return [*protocol.starters[side], *(s.player_in for s in protocol.substitutions[side])]


def _named(short: str, names: Sequence[str]) -> str | None:
    """The player of ``names`` (as the text writes them) whose surname is the JSON's short name."""
    wanted = _folded(short)
    return next((n for n in names if _folded(split_name(n)[1]) == wanted), None)


def _from_txt(built: _Protocol, protocol: Protocol, goals: Sequence[_Goal]) -> None:
    sides: tuple[Side, Side] = ("home", "away")
    for side in sides:
        for name in protocol.starters[side]:
            built.lineups.append(LineupEntry(player=built.player(side, name), starter=True))
        for sub in protocol.substitutions[side]:
            player_in = built.player(side, sub.player_in)
            built.lineups.append(LineupEntry(player=player_in, starter=False))
            built.event(
                "substitution",
                side,
                football_period(sub.minute),
                player=player_in,
                player_out=built.player(side, sub.player_out),
                minute=sub.minute,
                stoppage=sub.stoppage,
            )
    for g in protocol.goals:
        side = cast(Side, g.side)
        flags = next((j for j in goals if j.near(side, g.minute, g.stoppage)), None)
        own = g.own_goal or (flags is not None and flags.own_goal)
        kind = "own_goal" if own else "penalty_goal" if flags is not None and flags.penalty else "goal"
        scorer = g.player
        if own and not g.own_goal and flags is not None:
            # the text credits a player of the side it counts for; the JSON names the other side's player
            scorer = _named(flags.name, _played(protocol, OTHER[side])) or scorer
        built.event(
            kind,
            side,
            football_period(g.minute),
            player=built.player(OTHER[side] if own else side, scorer),
            minute=g.minute,
            stoppage=g.stoppage,
        )
    for c in protocol.cards:
        side = cast(Side, c.side)
        built.event(c.kind, side, football_period(c.minute), player=built.player(side, c.player), minute=c.minute)
    for n, kick in enumerate(protocol.shootout, start=1):
        side = cast(Side, kick.side)
        built.events.append(
            Event(
                key=f"kick:{n}",
                side=side,
                kind="shootout_attempt",
                period=SHOOTOUT_PERIOD,
                player=built.player(side, kick.player),
                scored=kick.scored,
            )
        )


def _from_json(built: _Protocol, goals: Sequence[_Goal]) -> None:
    for g in goals:
        scorer_side = OTHER[g.side] if g.own_goal else g.side
        kind = "own_goal" if g.own_goal else "penalty_goal" if g.penalty else "goal"
        built.event(
            kind,
            g.side,
            football_period(g.minute),
            player=built.player(scorer_side, g.name) if g.name else None,
            minute=g.minute,
            stoppage=g.stoppage,
        )


def _match(
    raw: dict[str, Any],
    *,
    season: Season,
    knockout: Season | None,
    url: str,
    zone: ZoneInfo,
    protocol: Protocol | None,
) -> MatchItem:
    home_name, away_name = str(raw.get("team1") or ""), str(raw.get("team2") or "")
    if not home_name or not away_name:
        raise RecordError("missing_team", "team1 and team2 are required")
    group = str(raw.get("group") or "") or None
    meta = knockout if knockout is not None and group is None else season
    round_name = str(raw.get("round") or "")
    teams: dict[Side, Team] = {"home": Team(key=home_name, name=home_name), "away": Team(key=away_name, name=away_name)}
    item = MatchItem(
        source=SOURCE,
        key=f"{season.competition_key}:{season.season}:{round_name}:{home_name}:{away_name}",
        url=url,
        season=meta,
        round=_round(round_name),
        home=teams["home"],
        away=teams["away"],
        group=group,
        kickoff=_kickoff(str(raw.get("date") or ""), str(raw.get("time") or ""), zone),
        venue=str(raw.get("ground") or "") or None,
    )
    score = raw.get("score") or {}
    if "ft" not in score:
        return item
    try:
        ft = [int(v) for v in score["ft"]]
        final = [int(v) for v in score.get("et") or ft]
        halves = [[int(v) for v in score["ht"]]] if "ht" in score else []
    except (TypeError, ValueError):
        raise RecordError("bad_score", f"score {score!r} is not pairs of whole numbers") from None
    periods: list[tuple[int, int]] = []
    if halves:
        periods = [(halves[0][0], halves[0][1]), (ft[0] - halves[0][0], ft[1] - halves[0][1])]
    if "et" in score and periods:
        periods.append((final[0] - ft[0], final[1] - ft[1]))
    fields: tuple[tuple[Side, str], ...] = (("home", "goals1"), ("away", "goals2"))
    goals = [_Goal(side, g) for side, field in fields for g in raw.get(field) or []]
    built = _Protocol(teams)
    if protocol is not None:
        _from_txt(built, protocol, goals)
    else:
        _from_json(built, goals)
    return msgspec.structs.replace(
        item,
        status="finished",
        home_score=final[0],
        away_score=final[1],
        period_scores=tuple(periods),
        decided_in="SO" if "p" in score else "OT" if "et" in score else "REG",
        players=tuple(built.players.values()),
        lineups=tuple(built.lineups),
        events=tuple(built.events),
    )


def parse_football_json(
    text: str,
    *,
    league: str,
    season: str,
    url: str,
    zone: ZoneInfo,
    regulation: str = "football",
    protocols: Sequence[Protocol] = (),
) -> list[MatchItem | Rejected]:
    """Every match of a football.json file; ``protocols`` (of the same competition's Football.TXT) are
    joined to the matches by their two teams, in order (two teams may meet twice in a tournament)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Rejected(source=SOURCE, url=url, where=f"line {exc.lineno}", reason="bad_json", detail=exc.msg)]
    matches = doc.get("matches") if isinstance(doc, dict) else None
    if not isinstance(matches, list):
        return [Rejected(source=SOURCE, url=url, where="file", reason="bad_json", detail='no "matches" list')]
    name = str(doc.get("name") or league)
    tournament = any(isinstance(m, dict) and m.get("group") for m in matches)
    meta = Season(
        competition_key=league,
        competition=name,
        sport="football",
        slug=f"of-{slugify(league)}",
        season=season,
        stage="Group stage" if tournament else "Regular season",
        stage_kind="groups" if tournament else "league",
        regulation=regulation,
    )
    knockout = Season(**{**_fields(meta), "stage": "Knockout stage", "stage_kind": "knockout"}) if tournament else None
    queues: dict[tuple[str, str], deque[Protocol]] = {}
    for p in protocols:
        queues.setdefault((p.home, p.away), deque()).append(p)
    found: list[MatchItem | Rejected] = []
    for number, raw in enumerate(matches, start=1):
        try:
            if not isinstance(raw, dict):
                raise RecordError("bad_match", "a match is not an object")
            queue = queues.get((str(raw.get("team1")), str(raw.get("team2"))))
            protocol = queue.popleft() if queue else None
            found.append(_match(raw, season=meta, knockout=knockout, url=url, zone=zone, protocol=protocol))
        except RecordError as exc:
            found.append(
                Rejected(source=SOURCE, url=url, where=f"match {number}", reason=exc.reason, detail=exc.detail)
            )
    return found


def _fields(season: Season) -> dict[str, Any]:
    return {f: getattr(season, f) for f in season.__struct_fields__}
