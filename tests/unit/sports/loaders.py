"""Readers of the real data sets in tests/data into sports Results (test helpers, not product code)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crawlers.football_txt import parse_football_txt
from sports.discipline import fair_play_points
from sports.hockey_stats import GoalieAppearance, HockeyGame, HockeyGoal, HockeyShot
from sports.model import DecidedIn, Result
from sports.regulations import FairPlayScale
from tests.conftest import DATA

EPL_JSON = DATA / "football" / "2023-24_en.1.json"
EPL_CSV = DATA / "football" / "E0_2324.csv"
EPL_TABLE = DATA / "football" / "epl_2023-24_final_table.csv"
WC_JSON = DATA / "football" / "2018_worldcup.json"
WC_STANDINGS = DATA / "football" / "2018_worldcup.standings.json"
WC_TXT = DATA / "football" / "2018_full.txt"
IIHF_RESULTS = DATA / "hockey" / "iihf_womens_wc_2024_groupA_results.csv"
IIHF_STANDINGS = DATA / "hockey" / "iihf_womens_wc_2024_groupA_published_standings.csv"
NHL_GAMES = DATA / "hockey" / "game.csv"
NHL_TEAM_STATS = DATA / "hockey" / "game_teams_stats.csv"
NHL_TEAMS = DATA / "hockey" / "team_info.csv"


def published_epl_table() -> list[dict[str, str]]:
    with EPL_TABLE.open() as f:
        return list(csv.DictReader(f))


def short_epl_name(name: str) -> str:
    """openfootball's "Arsenal FC" is the published table's "Arsenal"; "AFC Bournemouth" stays."""
    return name.removesuffix(" FC")


def world_cup_group_results() -> list[Result]:
    """The 48 group matches with each side's fair-play points from the cards in the full protocols."""
    protocols = parse_football_txt(WC_TXT.read_text())
    by_teams = {(p.home, p.away): p for p in protocols if p.group}
    fair_play = fair_play_points([c for p in by_teams.values() for c in p.cards], FairPlayScale())
    results = []
    for number, match in enumerate(json.loads(WC_JSON.read_text())["matches"], start=1):
        if "group" not in match:
            continue
        protocol = by_teams[(match["team1"], match["team2"])]
        results.append(
            Result(
                id=str(number),
                home=match["team1"],
                away=match["team2"],
                home_score=match["score"]["ft"][0],
                away_score=match["score"]["ft"][1],
                group=match["group"],
                home_fair_play=fair_play.get((str(protocol.number), protocol.home), 0),
                away_fair_play=fair_play.get((str(protocol.number), protocol.away), 0),
            )
        )
    return results


def iihf_results() -> list[Result]:
    with IIHF_RESULTS.open() as f:
        return [
            Result(
                id=str(n),
                home=r["home"],
                away=r["away"],
                home_score=int(r["home_goals"]),
                away_score=int(r["away_goals"]),
                decided_in=DecidedIn(r["decided_in"]),
                date=r["date"],
            )
            for n, r in enumerate(csv.DictReader(f), start=1)
        ]


def _nhl_team_names() -> dict[str, str]:
    with NHL_TEAMS.open() as f:
        return {r["team_id"]: r["abbreviation"] for r in csv.DictReader(f)}


def nhl_results_from_games(season: str) -> list[Result]:
    """Regular-season games from game.csv, where ``outcome`` reads "home win OT".

    Its goals count the deciding shoot-out goal (as the NHL does), except in a few rows where the score is
    level: the winner always comes from ``outcome``.
    """
    names = _nhl_team_names()
    seen: dict[str, Result] = {}
    with NHL_GAMES.open() as f:
        for r in csv.DictReader(f):
            if r["season"] != season or r["type"] != "R" or r["game_id"] in seen:
                continue
            settled = r["outcome"].rsplit(" ", 1)[-1]
            seen[r["game_id"]] = Result(
                id=r["game_id"],
                home=names[r["home_team_id"]],
                away=names[r["away_team_id"]],
                home_score=int(r["home_goals"]),
                away_score=int(r["away_goals"]),
                decided_in=DecidedIn(settled if settled in ("OT", "SO") else "REG"),
                date=r["date_time"],
                winner=r["outcome"].split(" ", 1)[0],
            )
    return list(seen.values())


def nhl_results_from_team_stats(season: str) -> list[Result]:
    """The same games from game_teams_stats.csv: one row per team with ``won`` and ``settled_in``.

    Unlike game.csv, its goals leave out the deciding shoot-out goal, so the winner comes from ``won``.
    """
    names = _nhl_team_names()
    rows: dict[str, dict[str, dict[str, str]]] = {}
    with NHL_TEAM_STATS.open() as f:
        for r in csv.DictReader(f):
            game_id = r["game_id"]
            # game ids start with the season's first year and the game type (02 = regular season)
            if game_id[:4] != season[:4] or game_id[4:6] != "02":
                continue
            rows.setdefault(game_id, {})[r["HoA"]] = r
    results = []
    for game_id, sides in rows.items():
        home, away = sides["home"], sides["away"]
        settled = home["settled_in"]
        results.append(
            Result(
                id=game_id,
                home=names[home["team_id"]],
                away=names[away["team_id"]],
                home_score=int(home["goals"]),
                away_score=int(away["goals"]),
                decided_in=DecidedIn(settled if settled in ("OT", "SO") else "REG"),
                winner="home" if home["won"] == "TRUE" else "away",
            )
        )
    return results


def nhl_seasons() -> Iterator[str]:
    yield from ("20132014", "20142015", "20152016")


NHL_PBP_REG = DATA / "hockey" / "play-by-play_2024020003__STL-at-SEA_2024-10-08_REG.json"
NHL_PBP_OT = DATA / "hockey" / "play-by-play_2024020087__CGY-at-SEA_2024-10-19_OT.json"


def _clock(value: str) -> int:
    minutes, seconds = value.split(":")
    return int(minutes) * 60 + int(seconds)


def nhl_play_by_play(path: Path) -> tuple[HockeyGame, dict[str, Any]]:
    """A HockeyGame from an NHL play-by-play document, with the raw document for the expected figures.

    ``situationCode`` reads away goalie, away skaters, home skaters, home goalie: the scoring side with more
    skaters scored on the power play, with fewer short-handed; no goalie on the other side is an empty net.
    """
    doc = json.loads(path.read_text())
    home_id, away_id = doc["homeTeam"]["id"], doc["awayTeam"]["id"]
    abbrev = {home_id: doc["homeTeam"]["abbrev"], away_id: doc["awayTeam"]["abbrev"]}
    goals, shots, penalties = [], [], []
    in_net: dict[str, set[str]] = {}
    last_period, last_clock = 3, 1200
    for play in doc["plays"]:
        d = play.get("details", {})
        period = play["periodDescriptor"]["number"]
        clock = _clock(play["timeInPeriod"])
        last_period, last_clock = max((last_period, last_clock), (period, clock))
        kind = play["typeDescKey"]
        if kind not in ("goal", "shot-on-goal", "penalty"):
            continue
        team = abbrev[d["eventOwnerTeamId"]]
        if kind == "penalty":
            player = d.get("committedByPlayerId") or d.get("servedByPlayerId")
            penalties.append((str(player), int(d["duration"])))
            continue
        goalie = str(d["goalieInNetId"]) if d.get("goalieInNetId") else ""
        if goalie:
            in_net.setdefault("home" if team == abbrev[away_id] else "away", set()).add(goalie)
        if kind == "shot-on-goal":
            shots.append(HockeyShot(team=team, shooter=str(d["shootingPlayerId"]), goalie=goalie))
            continue
        code = play["situationCode"]
        away_skaters, home_skaters = int(code[1]), int(code[2])
        ours, theirs = (home_skaters, away_skaters) if team == abbrev[home_id] else (away_skaters, home_skaters)
        their_goalie = int(code[0]) if team == abbrev[home_id] else int(code[3])
        strength = "EN" if their_goalie == 0 else ("PP" if ours > theirs else ("SH" if ours < theirs else "EV"))
        assists = tuple(str(d[k]) for k in ("assist1PlayerId", "assist2PlayerId") if d.get(k))
        goals.append(
            HockeyGoal(
                team=team,
                scorer=str(d["scoringPlayerId"]),
                period=period,
                clock_seconds=clock,
                strength=strength,
                assists=assists,
                goalie=goalie,
            )
        )
    seconds = (last_period - 1) * 1200 + last_clock
    goalies = tuple(
        GoalieAppearance(team=abbrev[home_id] if side == "home" else abbrev[away_id], goalie=g, seconds=seconds)
        for side, names in in_net.items()
        for g in names
    )
    game = HockeyGame(
        match_id=str(doc["id"]),
        home=abbrev[home_id],
        away=abbrev[away_id],
        decided_in=doc["gameOutcome"]["lastPeriodType"],
        goals=tuple(goals),
        shots=tuple(shots),
        penalties=tuple(penalties),
        goalies=goalies,
    )
    return game, doc
