"""NHL play-by-play (api-web.nhle.com ``/v1/gamecenter/{id}/play-by-play``) as a protocol: the dressed
players, goals with assists and the goalie in net, penalties with their minutes and infraction."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import msgspec

from rstat.demo.script import LiveEvent

__all__ = ["PbpGame", "PbpPlayer", "read_play_by_play"]

PENALTY_MINUTES = (2, 4, 5, 10, 20, 25)


class PbpPlayer(msgspec.Struct, frozen=True):
    key: str  # the NHL player id
    side: str
    first_name: str
    last_name: str
    number: int | None
    position: str


class PbpGame(msgspec.Struct, frozen=True, kw_only=True):
    game_id: int
    kickoff: dt.datetime
    venue: str
    #: side -> (full team name, abbreviation)
    teams: dict[str, tuple[str, str]]
    players: tuple[PbpPlayer, ...]
    events: tuple[LiveEvent, ...]
    home_score: int
    away_score: int
    decided_in: str
    periods: int
    #: plays of the file the demo does not enter (shots, hits, faceoffs...), by kind
    skipped: dict[str, int]


def _seconds(clock: str) -> int:
    minutes, seconds = clock.split(":")
    return int(minutes) * 60 + int(seconds)


def read_play_by_play(path: Path) -> PbpGame:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    side_of = {doc["homeTeam"]["id"]: "home", doc["awayTeam"]["id"]: "away"}
    teams = {
        side_of[t["id"]]: (f"{t['placeName']['default']} {t['name']['default']}", t["abbrev"])
        for t in (doc["homeTeam"], doc["awayTeam"])
    }
    players = tuple(
        PbpPlayer(
            key=str(p["playerId"]),
            side=side_of[p["teamId"]],
            first_name=p["firstName"]["default"],
            last_name=p["lastName"]["default"],
            number=p.get("sweaterNumber"),
            position=p.get("positionCode", ""),
        )
        for p in doc["rosterSpots"]
    )
    events: list[LiveEvent] = []
    skipped: dict[str, int] = {}
    for play in doc["plays"]:
        kind, d = play["typeDescKey"], play.get("details", {})
        period = int(play["periodDescriptor"]["number"])
        clock = _seconds(play["timeInPeriod"])
        if kind == "goal":
            events.append(
                LiveEvent(
                    kind="goal",
                    side=side_of[d["eventOwnerTeamId"]],
                    period=period,
                    clock_seconds=clock,
                    player=str(d["scoringPlayerId"]),
                    assist1=str(d["assist1PlayerId"]) if "assist1PlayerId" in d else None,
                    assist2=str(d["assist2PlayerId"]) if "assist2PlayerId" in d else None,
                    goalie=str(d["goalieInNetId"]) if "goalieInNetId" in d else None,
                )
            )
        elif kind == "penalty" and d.get("duration") in PENALTY_MINUTES:
            who = d.get("committedByPlayerId")
            events.append(
                LiveEvent(
                    kind="penalty",
                    side=side_of[d["eventOwnerTeamId"]],
                    period=period,
                    clock_seconds=clock,
                    player=str(who) if who else None,
                    penalty_minutes=int(d["duration"]),
                    infraction=str(d.get("descKey", "")) or None,
                )
            )
        elif kind not in ("period-start", "period-end", "game-end"):
            skipped[kind] = skipped.get(kind, 0) + 1
    outcome = doc.get("gameOutcome", {}).get("lastPeriodType", "REG")
    return PbpGame(
        game_id=int(doc["id"]),
        kickoff=dt.datetime.fromisoformat(doc["startTimeUTC"].replace("Z", "+00:00")),
        venue=doc["venue"]["default"],
        teams=teams,
        players=players,
        events=tuple(events),
        home_score=int(doc["homeTeam"]["score"]),
        away_score=int(doc["awayTeam"]["score"]),
        decided_in={"REG": "REG", "OT": "OT", "SO": "SO"}[outcome],
        periods=max(3, max((e.period for e in events), default=3)),
        skipped=skipped,
    )
