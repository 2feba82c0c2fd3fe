"""Reading the real data files into what an organizer enters: fixtures with results, protocols, teams.

Pure functions over the files' text (no I/O but reading the files the caller names): each result keeps the
facts the source has and nothing more. Where the source lacks a fact (the Premier League file has no goal
minutes or scorers) the reader says so in a field, and the caller decides what to do about it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

__all__ = [
    "Fixture",
    "Goal",
    "NhlGame",
    "Team",
    "nhl_rounds",
    "nhl_season",
    "nhl_teams",
    "points_deductions",
    "premier_league",
    "round_number",
    "world_cup",
]

LONDON = ZoneInfo("Europe/London")
KNOCKOUT_ROUNDS = {"Round of 16": 1, "Quarter-finals": 2, "Semi-finals": 3, "Match for third place": 4, "Final": 5}


class Team(msgspec.Struct, frozen=True):
    name: str
    short_name: str | None = None
    code: str | None = None


class Goal(msgspec.Struct, frozen=True):
    """A goal as openfootball's JSON gives it: credited to ``side`` (an own goal: the side that benefits)."""

    side: str  # "home" | "away"
    minute: int
    stoppage: int | None
    name: str
    penalty: bool = False
    own_goal: bool = False


class Fixture(msgspec.Struct, frozen=True, kw_only=True):
    """One football match of a source file, with its result."""

    number: int  # its place in the file, from 1
    round: int
    home: str
    away: str
    kickoff: dt.datetime
    home_score: int
    away_score: int
    #: half-time score, when the source has it
    half_time: tuple[int, int] | None = None
    decided_in: str = "REG"  # REG, OT (extra time), SO (penalty shoot-out)
    group: str = ""
    venue: str = ""
    #: goals with minutes and scorers; empty when the source has none (``goals_known`` tells which)
    goals: tuple[Goal, ...] = ()
    goals_known: bool = False


class NhlGame(msgspec.Struct, frozen=True, kw_only=True):
    game_id: str
    date: dt.date
    home: str  # team name
    away: str
    home_score: int
    away_score: int
    decided_in: str  # REG, OT, SO


def round_number(label: str) -> int:
    """``"Matchday 12"`` -> 12."""
    digits = re.findall(r"\d+", label)
    if not digits:
        raise ValueError(f"no round number in {label!r}")
    return int(digits[-1])


def _clock(date: str, time: str, zone: dt.tzinfo) -> dt.datetime:
    """openfootball's ``"18:00 UTC+3"`` (or a bare ``"15:00"`` in ``zone``) as an aware datetime."""
    found = re.match(r"(\d{1,2}):(\d{2})(?:\s*UTC([+-]\d{1,2}))?", time or "12:00")
    if found is None:
        raise ValueError(f"bad kick-off time {time!r}")
    hour, minute, offset = int(found.group(1)), int(found.group(2)), found.group(3)
    tz = dt.timezone(dt.timedelta(hours=int(offset))) if offset else zone
    return dt.datetime.combine(dt.date.fromisoformat(date), dt.time(hour, minute), tzinfo=tz)


def premier_league(path: Path) -> list[Fixture]:
    """openfootball's ``en.1.json``: 380 matches with full-time and half-time scores, no goal details."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    fixtures = []
    for n, m in enumerate(doc["matches"], start=1):
        ft, ht = m["score"]["ft"], m["score"].get("ht")
        fixtures.append(
            Fixture(
                number=n,
                round=round_number(m["round"]),
                home=m["team1"],
                away=m["team2"],
                kickoff=_clock(m["date"], m.get("time", ""), LONDON),
                home_score=ft[0],
                away_score=ft[1],
                half_time=(ht[0], ht[1]) if ht else None,
            )
        )
    return fixtures


def points_deductions(path: Path) -> dict[str, tuple[int, str]]:
    """The published final table's deductions (``epl_2023-24_final_table.csv``): team -> (points, note)."""
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return {r["team"]: (int(r["points_deduction"]), r["note"]) for r in rows if int(r["points_deduction"] or 0)}


def _goals(m: dict[str, object]) -> tuple[Goal, ...]:
    goals = []
    for key, side in (("goals1", "home"), ("goals2", "away")):
        raw = m.get(key) or []
        assert isinstance(raw, list)
        for g in raw:
            goals.append(
                Goal(
                    side=side,
                    minute=int(g["minute"]),
                    stoppage=int(g["offset"]) if g.get("offset") else None,
                    name=str(g["name"]),
                    penalty=bool(g.get("penalty")),
                    own_goal=bool(g.get("owngoal")),
                )
            )
    return tuple(sorted(goals, key=lambda g: (g.minute, g.stoppage or 0)))


def world_cup(path: Path) -> list[Fixture]:
    """openfootball's ``worldcup.json`` 2018: 64 matches, groups A-H then the knockout rounds; every goal
    with its minute and scorer; extra time (``et``) and shoot-outs (``p``) in the score."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    fixtures = []
    for n, m in enumerate(doc["matches"], start=1):
        score = m["score"]
        final = score.get("et") or score["ft"]
        group = m.get("group", "")
        ht = score.get("ht")
        fixtures.append(
            Fixture(
                number=n,
                round=round_number(m["round"]) if group else KNOCKOUT_ROUNDS[m["round"]],
                home=m["team1"],
                away=m["team2"],
                kickoff=_clock(m["date"], m.get("time", ""), dt.UTC),
                home_score=final[0],
                away_score=final[1],
                half_time=(ht[0], ht[1]) if ht else None,
                decided_in="SO" if "p" in score else "OT" if "et" in score else "REG",
                group=group,
                venue=m.get("ground", ""),
                goals=_goals(m),
                goals_known=True,
            )
        )
    return fixtures


def nhl_teams(path: Path) -> dict[str, Team]:
    """Kaggle's ``team_info.csv``: team id -> the team (``"New Jersey Devils"``, code ``NJD``)."""
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return {
        r["team_id"]: Team(
            name=_nhl_name(r["shortName"], r["teamName"]), short_name=r["teamName"], code=r["abbreviation"]
        )
        for r in rows
    }


def _nhl_name(place: str, name: str) -> str:
    """``"New Jersey"`` + ``"Devils"``; the file's ``"NY Rangers"`` + ``"Rangers"`` is ``"New York Rangers"``."""
    if place.startswith("NY "):
        place = "New York"
    return f"{place.replace('St ', 'St. ')} {name}"


def nhl_rounds(games: list[NhlGame]) -> list[int]:
    """A round number per game (the NHL has none; a team plays at most once per round in R-Stat): the day
    of the season, or the day before or after when a team already plays that day. The file's dates are
    UTC dates, so a late game and the next evening's game can share one."""
    first = min(g.date for g in games)
    busy: set[tuple[int, str]] = set()
    rounds = []
    for g in games:
        day = (g.date - first).days + 1
        for candidate in (day, day - 1, day + 1, day - 2, day + 2):
            if candidate >= 1 and not {(candidate, g.home), (candidate, g.away)} & busy:
                break
        else:
            raise ValueError(f"game {g.game_id}: no free round around day {day}")
        busy |= {(candidate, g.home), (candidate, g.away)}
        rounds.append(candidate)
    return rounds


def nhl_season(path: Path, teams: dict[str, Team], season: str) -> list[NhlGame]:
    """The regular-season games (type ``R``) of ``season`` in Kaggle's ``game.csv``, each once, by date.

    The file's goals include the shoot-out winner's extra goal (a 3-2 SO win was 2-2 after overtime), which
    is how R-Stat records a shoot-out too; ``outcome`` ends in REG, OT or SO."""
    games: dict[str, NhlGame] = {}
    for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
        if r["season"] != season or r["type"] != "R" or r["game_id"] in games:
            continue
        decided = r["outcome"].rsplit(" ", 1)[-1]
        if decided not in ("REG", "OT", "SO"):
            raise ValueError(f"game {r['game_id']}: unknown outcome {r['outcome']!r}")
        games[r["game_id"]] = NhlGame(
            game_id=r["game_id"],
            date=dt.date.fromisoformat(r["date_time"][:10]),
            home=teams[r["home_team_id"]].name,
            away=teams[r["away_team_id"]].name,
            home_score=int(r["home_goals"]),
            away_score=int(r["away_goals"]),
            decided_in=decided,
        )
    return sorted(games.values(), key=lambda g: (g.date, g.game_id))
