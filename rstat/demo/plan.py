"""The live part of the demo as numbered steps: step ``k`` plays, at once, a Premier League round (the
rounds after the imported ones, in turn), one World Cup knockout match (in the tournament's order, with its
real protocol) and one of the two NHL play-by-play games. When a part runs out it starts over: its matches
are set back to scheduled (and their events deleted) first, so the tables fall back to the imported rounds.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec

from crawlers.parsers.txt_protocols import parse_protocols
from rstat.demo.build import PBP_FILES
from rstat.demo.client import AdminApi
from rstat.demo.config import DemoConfig
from rstat.demo.data import premier_league, world_cup
from rstat.demo.football import lineup, protocol_events
from rstat.demo.hockey import read_play_by_play
from rstat.demo.script import MatchScript, synthesized_goals
from rstat.demo.state import DemoState

__all__ = ["LineupRow", "Plan", "Step"]

log = logging.getLogger(__name__)

#: (side, player key, starter, shirt number, position)
LineupRow = tuple[str, str, bool, int | None, str | None]


class Step(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    title: str
    scripts: list[MatchScript]
    #: match id -> line-up rows by side ("home"/"away") and player key
    lineups: dict[int, list[LineupRow]]
    #: matches to set back to scheduled before the step (a part starting over), and which parts those are
    resets: list[int]
    restarted: list[str]
    #: the match the website shows, and the Premier League round in play (0: none)
    featured: int
    pl_round: int = 0


class _Part(msgspec.Struct, kw_only=True):
    name: str
    #: rounds of the part, each a list of scripts (and the line-ups they need)
    rounds: list[list[MatchScript]]
    lineups: dict[int, list[LineupRow]]


class Plan:
    """Reads the data and the live stages' matches once; ``step(k)`` is then pure."""

    def __init__(self, api: AdminApi, state: DemoState, config: DemoConfig) -> None:
        self.config = config
        data = config.data_path()
        self.parts: list[_Part] = []
        # Premier League: the rounds after the imported ones, goals at invented minutes in the right half
        matches = _by_teams(api.listing("matches", stage_id=state.stages["pl"]))
        teams = {k.split("|", 1)[1]: v for k, v in state.teams.items() if k.startswith("pl|")}
        live = [
            f for f in premier_league(data / "football" / "2023-24_en.1.json") if f.round > config.pl_finished_rounds
        ]
        rounds: dict[int, list[MatchScript]] = {}
        for f in live:
            m = matches[(teams[f.home], teams[f.away])]
            rounds.setdefault(f.round, []).append(
                MatchScript(
                    match_id=m["id"],
                    label=f"{f.home} v {f.away}",
                    sport="football",
                    events=synthesized_goals(f),
                    home_score=f.home_score,
                    away_score=f.away_score,
                )
            )
        self.pl_rounds = sorted(rounds)
        if self.pl_rounds:
            log.info(
                "Premier League rounds %d-%d are played live. The data has each match's half-time and full-time "
                "score but no goal minutes or scorers: the live goals get INVENTED minutes inside the right half "
                "(seeded, the same every time) and no scorer; the scores, halves and results are the real ones",
                self.pl_rounds[0],
                self.pl_rounds[-1],
            )
        self.parts.append(_Part(name="Premier League", rounds=[rounds[r] for r in self.pl_rounds], lineups={}))
        # World Cup knockout: the real protocols
        matches = _by_teams(api.listing("matches", stage_id=state.stages["wc_knockout"]))
        teams = {k.split("|", 1)[1]: v for k, v in state.teams.items() if k.startswith("wc|")}
        protocols = {(p.home, p.away): p for p in parse_protocols((data / "football" / "2018_full.txt").read_text())}
        wc_rounds: list[list[MatchScript]] = []
        wc_lineups: dict[int, list[LineupRow]] = {}
        for f in world_cup(data / "football" / "2018_worldcup.json"):
            if f.group:
                continue
            m = matches[(teams[f.home], teams[f.away])]
            protocol = protocols[(f.home, f.away)]
            wc_rounds.append(
                [
                    MatchScript(
                        match_id=m["id"],
                        label=f"{f.home} v {f.away} (World Cup 2018)",
                        sport="football",
                        events=protocol_events(f, protocol),
                        home_score=f.home_score,
                        away_score=f.away_score,
                        decided_in=f.decided_in,
                        periods=4 if f.decided_in in ("OT", "SO") else 2,
                    )
                ]
            )
            wc_lineups[m["id"]] = [(side, name, starter, None, None) for side, name, starter in lineup(protocol)]
        self.parts.append(_Part(name="World Cup knockout", rounds=wc_rounds, lineups=wc_lineups))
        # NHL: two games of play-by-play
        matches_list = sorted(api.listing("matches", stage_id=state.stages["nhl_pbp"]), key=lambda m: m["round"])
        nhl_rounds: list[list[MatchScript]] = []
        nhl_lineups: dict[int, list[LineupRow]] = {}
        for m, name in zip(matches_list, PBP_FILES, strict=True):
            g = read_play_by_play(data / "hockey" / name)
            nhl_rounds.append(
                [
                    MatchScript(
                        match_id=m["id"],
                        label=f"{g.teams['home'][0]} v {g.teams['away'][0]} (NHL 2024/25)",
                        sport="ice-hockey",
                        events=g.events,
                        home_score=g.home_score,
                        away_score=g.away_score,
                        decided_in=g.decided_in,
                        periods=g.periods,
                    )
                ]
            )
            nhl_lineups[m["id"]] = [(p.side, p.key, True, p.number, p.position) for p in g.players]
        self.parts.append(_Part(name="NHL play-by-play", rounds=nhl_rounds, lineups=nhl_lineups))

    def step(self, k: int) -> Step:
        scripts: list[MatchScript] = []
        lineups: dict[int, list[LineupRow]] = {}
        resets: list[int] = []
        restarted: list[str] = []
        titles = []
        pl_round = 0
        for part in self.parts:
            n = len(part.rounds)
            if not n:
                continue
            if k > 0 and k % n == 0:
                resets += [s.match_id for r in part.rounds for s in r]
                restarted.append(part.name)
            chosen = part.rounds[k % n]
            scripts += chosen
            lineups.update({s.match_id: part.lineups[s.match_id] for s in chosen if s.match_id in part.lineups})
            if part.name == "Premier League":
                pl_round = self.pl_rounds[k % n]
                titles.append(f"Premier League round {pl_round}")
            else:
                titles.append(chosen[0].label)
        featured = next((s.match_id for s in scripts if s.match_id in lineups), scripts[0].match_id)
        return Step(
            number=k,
            title="; ".join(titles),
            scripts=scripts,
            lineups=lineups,
            resets=resets,
            restarted=restarted,
            featured=featured,
        )


def _by_teams(matches: list[dict[str, Any]]) -> dict[tuple[int, int], dict[str, Any]]:
    return {(m["home_team_id"], m["away_team_id"]): m for m in matches}
