"""Building the demo organization through the admin API, as an organizer would: competitions, seasons,
stages and groups one by one, teams, players and matches by bulk import, protocols (line-ups, events) one
request per fact, then each finished match's result, which the API checks against its goal events.

Each competition is recorded in the state file once it is complete, so an interrupted build resumes at the
competition it was building (that one is deleted and built again).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from crawlers.parsers.txt_protocols import Protocol, parse_protocols, split_name
from rstat.demo.client import AdminApi
from rstat.demo.config import DemoConfig
from rstat.demo.data import (
    nhl_rounds,
    nhl_season,
    nhl_teams,
    points_deductions,
    premier_league,
    world_cup,
)
from rstat.demo.football import lineup, protocol_events
from rstat.demo.hockey import read_play_by_play
from rstat.demo.rows import event_body, period_scores_of, pl_period_scores
from rstat.demo.state import DemoState

__all__ = ["PBP_FILES", "Builder"]

log = logging.getLogger(__name__)

PBP_FILES = (
    "play-by-play_2024020003__STL-at-SEA_2024-10-08_REG.json",
    "play-by-play_2024020087__CGY-at-SEA_2024-10-19_OT.json",
)


class Builder:
    def __init__(self, api: AdminApi, state: DemoState, config: DemoConfig, save: Callable[[], None]) -> None:
        self.api = api
        self.state = state
        self.config = config
        self.save = save
        self.data = config.data_path()

    # -- helpers -------------------------------------------------------------------------------------

    def player(self, team: int, key: str) -> int | None:
        return self.state.players.get(f"{team}|{key}")

    def _teams(self, rows: list[dict[str, Any]], key: str = "name") -> dict[str, int]:
        """Ids of teams by ``key`` (name or code): the organization's existing teams, the others imported."""
        existing = {str(t[key]): int(t["id"]) for t in self.api.listing("teams") if t.get(key)}
        missing = [r for r in rows if r[key] not in existing]
        if missing:
            ids = self.api.import_rows("teams", missing)
            existing.update({r[key]: i for r, i in zip(missing, ids, strict=True)})
        return {r[key]: existing[r[key]] for r in rows}

    def _start(self, key: str, sport: str, slug: str, name: str) -> int:
        """The competition ``key``: a half-built one (interrupted build) is deleted and created again."""
        if key in self.state.competitions:
            log.info("deleting the half-built competition %s (%s) to build it again", name, key)
            self.api.delete("competitions", self.state.competitions.pop(key))
        comp = self.api.create("competitions", sport=sport, slug=slug, name=name)
        self.state.competitions[key] = comp
        self.save()
        return comp

    def _lineups(self, match: dict[str, Any], rows: Sequence[tuple[int, int, bool, int | None, str | None]]) -> None:
        for team, player, starter, number, position in rows:
            body: dict[str, Any] = {"match_id": match["id"], "team_id": team, "player_id": player, "starter": starter}
            if number is not None:
                body["number"] = number
            if position:
                body["position"] = position
            self.api.create("lineups", **body)

    def _venues(self, grounds: list[str]) -> dict[str, int]:
        """Venue ids by the source's ground ("Luzhniki Stadium, Moscow"): one venue per stadium name (the
        source spells one city two ways)."""
        ids = {str(v["name"]): int(v["id"]) for v in self.api.listing("venues")}  # an interrupted build's
        for ground in grounds:
            name, _, city = ground.partition(", ")
            if name not in ids:
                ids[name] = self.api.create("venues", name=name, city=city or None)
        return {g: ids[g.partition(", ")[0]] for g in grounds}

    # -- the competitions ------------------------------------------------------------------------------

    def build(self) -> None:
        steps = (
            ("pl", self.premier_league),
            ("wc", self.world_cup),
            ("nhl", self.nhl),
            ("nhl_pbp", self.nhl_play_by_play),
        )
        for key, step in steps:
            if key in self.state.stages:
                continue
            started, requests = time.monotonic(), self.api.requests
            step()
            log.info("  (%d requests in %.1f s)", self.api.requests - requests, time.monotonic() - started)
            self.save()

    def premier_league(self) -> None:
        fixtures = premier_league(self.data / "football" / "2023-24_en.1.json")
        last = self.config.pl_finished_rounds
        log.info("building Premier League 2023/24 from football/2023-24_en.1.json (openfootball, CC0)")
        comp = self._start("pl", "football", "premier-league", "Premier League")
        season = self.api.create(
            "seasons", competition_id=comp, name="2023/24", starts_on="2023-08-11", ends_on="2024-05-19"
        )
        stage = self.api.create(
            "stages",
            season_id=season,
            name="Regular season",
            kind="league",
            regulation="premier-league",
            # what the odds widget gives each club its chances of (the places of the 2023/24 season)
            zones=[
                {"name": "title", "first": 1, "last": 1},
                {"name": "champions-league", "first": 1, "last": 4},
                {"name": "relegation", "first": 18, "last": 20},
            ],
        )
        names = sorted({f.home for f in fixtures})
        teams = self._teams([{"name": n, "short_name": n.removesuffix(" FC")} for n in names])
        rows = []
        for f in fixtures:
            row: dict[str, Any] = {
                "stage_id": stage,
                "round": f.round,
                "home_team_id": teams[f.home],
                "away_team_id": teams[f.away],
                "kickoff": f.kickoff.isoformat(),
            }
            if f.round <= last:
                row |= {
                    "status": "finished",
                    "home_score": f.home_score,
                    "away_score": f.away_score,
                    "decided_in": "REG",
                    "period_scores": pl_period_scores(f),
                }
            rows.append(row)
        self.api.import_rows("matches", rows)
        finished = sum(1 for f in fixtures if f.round <= last)
        log.info(
            "imported %d matches of Premier League 2023/24 (%d teams): rounds 1-%d finished (%d results), "
            "rounds %d-%d scheduled to be played live",
            len(rows),
            len(teams),
            last,
            finished,
            last + 1,
            max(f.round for f in fixtures),
        )
        deductions = points_deductions(self.data / "football" / "epl_2023-24_final_table.csv")
        for name, team in teams.items():
            if name.removesuffix(" FC") in deductions:
                points, note = deductions[name.removesuffix(" FC")]
                self.api.create("point_adjustments", stage_id=stage, team_id=team, points=-points, reason=note)
                log.info("points deduction of %s: -%d (%s; from the published final table)", name, points, note)
        self.state.seasons["pl"], self.state.stages["pl"] = season, stage
        self.state.teams.update({f"pl|{n}": i for n, i in teams.items()})

    def world_cup(self) -> None:
        fixtures = world_cup(self.data / "football" / "2018_worldcup.json")
        protocols = {
            (p.home, p.away): p for p in parse_protocols((self.data / "football" / "2018_full.txt").read_text())
        }
        log.info("building the 2018 World Cup from football/2018_worldcup.json and 2018_full.txt (openfootball, CC0)")
        comp = self._start("wc", "football", "world-cup", "FIFA World Cup")
        season = self.api.create(
            "seasons", competition_id=comp, name="2018", starts_on="2018-06-14", ends_on="2018-07-15"
        )
        groups_stage = self.api.create(
            "stages", season_id=season, name="Group stage", kind="groups", ordinal=1, regulation="fifa-2022"
        )
        knockout = self.api.create(
            "stages", season_id=season, name="Knockout stage", kind="knockout", ordinal=2, regulation="fifa-2022"
        )
        groups = {
            g: self.api.create("groups", stage_id=groups_stage, name=g)
            for g in sorted({f.group for f in fixtures if f.group})
        }
        teams = self._teams([{"name": n} for n in sorted({f.home for f in fixtures} | {f.away for f in fixtures})])
        venues = self._venues(sorted({f.venue for f in fixtures}))
        # players: everyone in a line-up, per team, in the order first seen
        seen: dict[tuple[str, str], None] = {}
        for f in fixtures:
            for side, name, _starter in lineup(protocols[(f.home, f.away)]):
                seen[(f.home if side == "home" else f.away, name)] = None
        # an interrupted build registered some already (the state keeps them): those are not imported twice
        people = [(team, name) for team, name in seen if f"{teams[team]}|{name}" not in self.state.players]
        ids = self.api.import_rows(
            "players", [dict(zip(("first_name", "last_name"), split_name(name), strict=True)) for _team, name in people]
        )
        for (team, name), pid in zip(people, ids, strict=True):
            self.state.players[f"{teams[team]}|{name}"] = pid
        self.save()
        for team, name in seen:
            pid = self.state.players[f"{teams[team]}|{name}"]
            self.api.create("roster_entries", season_id=season, team_id=teams[team], player_id=pid)
        log.info("registered %d players of 32 squads (everyone who played) on the 2018 rosters", len(seen))
        rows = [
            {
                "stage_id": groups_stage if f.group else knockout,
                "group_id": groups.get(f.group),
                "round": f.round,
                "home_team_id": teams[f.home],
                "away_team_id": teams[f.away],
                "venue_id": venues[f.venue],
                "kickoff": f.kickoff.isoformat(),
            }
            for f in fixtures
        ]
        match_ids = self.api.import_rows("matches", rows)
        played = 0
        for f, mid in zip(fixtures, match_ids, strict=True):
            if not f.group:
                continue  # the knockout stage is played live
            match = {"id": mid, "home_team_id": teams[f.home], "away_team_id": teams[f.away]}
            protocol = protocols[(f.home, f.away)]
            events = protocol_events(f, protocol)
            if self.config.world_cup_protocols:
                self.enter_lineup(match, protocol)
                for e in events:
                    self.api.create("match_events", **event_body(e, match, self.player))
            self.api.update(
                "matches",
                mid,
                status="finished",
                home_score=f.home_score,
                away_score=f.away_score,
                decided_in=f.decided_in,
                period_scores=period_scores_of(events, 2),
            )
            played += 1
        log.info(
            "imported 64 matches of the 2018 World Cup: %d group matches finished %s, the 16 knockout matches "
            "scheduled to be played live with their real protocols",
            played,
            "with line-ups, substitutions, goals and cards" if self.config.world_cup_protocols else "(results only)",
        )
        self.state.seasons["wc"] = season
        self.state.stages["wc_groups"], self.state.stages["wc_knockout"] = groups_stage, knockout
        self.state.stages["wc"] = groups_stage
        self.state.teams.update({f"wc|{n}": i for n, i in teams.items()})

    def enter_lineup(self, match: dict[str, Any], protocol: Protocol) -> None:
        team = {"home": match["home_team_id"], "away": match["away_team_id"]}
        rows = []
        for side, name, starter in lineup(protocol):
            pid = self.player(team[side], name)
            assert pid is not None, name
            rows.append((team[side], pid, starter, None, None))
        self._lineups(match, rows)

    def nhl(self) -> None:
        season_code = self.config.nhl_season
        info = nhl_teams(self.data / "hockey" / "team_info.csv")
        games = nhl_season(self.data / "hockey" / "game.csv", info, season_code)
        label = f"{season_code[:4]}/{season_code[6:]}"
        log.info(
            "building the NHL %s regular season from hockey/game.csv and team_info.csv (Kaggle NHL Game Data)", label
        )
        comp = self._start("nhl", "ice-hockey", "nhl", "National Hockey League")
        first = min(g.date for g in games)
        season = self.api.create(
            "seasons",
            competition_id=comp,
            name=label,
            starts_on=first.isoformat(),
            ends_on=max(g.date for g in games).isoformat(),
        )
        stage = self.api.create("stages", season_id=season, name="Regular season", kind="league", regulation="nhl")
        by_name = {t.name: t for t in info.values()}
        names = sorted({g.home for g in games})
        codes = self._teams(
            [{"name": n, "short_name": by_name[n].short_name, "code": by_name[n].code} for n in names], key="code"
        )
        teams = {n: codes[str(by_name[n].code)] for n in names}
        rows = [
            {
                "stage_id": stage,
                "round": round_no,
                "home_team_id": teams[g.home],
                "away_team_id": teams[g.away],
                "kickoff": f"{g.date.isoformat()}T00:00:00Z",
                "status": "finished",
                "home_score": g.home_score,
                "away_score": g.away_score,
                "decided_in": g.decided_in,
            }
            for g, round_no in zip(games, nhl_rounds(games), strict=True)
        ]
        self.api.import_rows("matches", rows)
        log.info(
            "imported %d games of the NHL %s regular season (%d teams; %d decided in overtime, %d by shoot-out)",
            len(rows),
            label,
            len(teams),
            sum(g.decided_in == "OT" for g in games),
            sum(g.decided_in == "SO" for g in games),
        )
        self.state.seasons["nhl"], self.state.stages["nhl"] = season, stage
        self.state.teams.update({f"nhl|{n}": i for n, i in teams.items()})

    def nhl_play_by_play(self) -> None:
        """Two 2024/25 games with full play-by-play, in a season of their own: played live by the demo."""
        games = [read_play_by_play(self.data / "hockey" / name) for name in PBP_FILES]
        comp = self.state.competitions["nhl"]
        log.info("building two NHL 2024/25 games with full play-by-play (api-web.nhle.com) to play live")
        if "nhl_pbp" in self.state.seasons:  # an interrupted build: that season again, from the start
            self.api.delete("seasons", self.state.seasons.pop("nhl_pbp"))
        season = self.api.create("seasons", competition_id=comp, name="2024/25 (two games with play-by-play)")
        self.state.seasons["nhl_pbp"] = season
        self.save()
        stage = self.api.create("stages", season_id=season, name="Play-by-play games", kind="league", regulation="nhl")
        team_rows = {
            code: {"name": name, "code": code, "short_name": name.split(" ")[-1]}
            for g in games
            for name, code in g.teams.values()
        }
        teams = self._teams(list(team_rows.values()), key="code")
        people = {(teams[g.teams[p.side][1]], p.key): p for g in games for p in g.players}
        new = [k for k in people if f"{k[0]}|{k[1]}" not in self.state.players]  # not twice after an interruption
        ids = self.api.import_rows(
            "players", [{"first_name": people[k].first_name, "last_name": people[k].last_name} for k in new]
        )
        self.state.players.update({f"{team}|{key}": pid for (team, key), pid in zip(new, ids, strict=True)})
        self.save()
        for (team, key), person in people.items():
            pid = self.state.players[f"{team}|{key}"]
            self.api.create("roster_entries", season_id=season, team_id=team, player_id=pid, number=person.number)
        rows = [
            {
                "stage_id": stage,
                "round": n,
                "home_team_id": teams[g.teams["home"][1]],
                "away_team_id": teams[g.teams["away"][1]],
                "kickoff": g.kickoff.isoformat(),
            }
            for n, g in enumerate(games, start=1)
        ]
        self.api.import_rows("matches", rows)
        log.info(
            "imported 2 NHL 2024/25 games (%d players) to play live: goals with assists, penalties, periods; "
            "the files' shots, hits and faceoffs are not entered",
            len(people),
        )
        self.state.seasons["nhl_pbp"], self.state.stages["nhl_pbp"] = season, stage
