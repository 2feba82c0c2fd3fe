"""NHL's JSON web API (api-web.nhle.com): schedules and a game's play-by-play.

- ``/v1/schedule/{date}`` (``gameWeek[].games[]``) and ``/v1/club-schedule-season/{team}/{season}``
  (``games[]``): a game's id, type (2 regular season), start, state (``FUT``, ``PRE``, ``LIVE``, ``CRIT``,
  ``FINAL``, ``OFF``), schedule state (``PPD`` postponed, ``CNCL`` cancelled) and the two teams.
- ``/v1/gamecenter/{id}/play-by-play``: the same header, ``rosterSpots`` (the dressed players: our
  line-ups) and ``plays``. A play has ``typeDescKey``, ``periodDescriptor`` (``number``, ``periodType``
  REG/OT/SO), ``timeInPeriod`` and ``situationCode``: four digits, away goalie in net (1/0), away skaters,
  home skaters, home goalie; a goal scored against an empty net is ``EN``, else the skaters give EV/PP/SH.

Events: goals with assists, strength and the goalie in net; shots on goal; penalties with infraction and
minutes (a penalty shot, which carries no minutes, is not a penalty here); a goalie change whenever another
goalie is seen in a team's net; shoot-out attempts (period 5, ``scored``); the ends of periods. Goalies' time
in net (for their statistics) is counted from the plays: the game's elapsed time while each was in net,
without the stretches his team played with an empty net (to the resolution of the plays).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import msgspec

from crawlers.items import Event, LineupEntry, MatchItem, Player, Rejected, Season, Side, Team
from crawlers.parsers.common import RecordError
from schemas.columns import PenaltyMinutes

__all__ = ["SOURCE", "GameRef", "parse_play_by_play", "parse_schedule", "play_by_play_url", "season_of"]

SOURCE = "nhl"
REGULAR_SEASON = 2
PERIOD_S = 1200
PENALTY_MINUTES: dict[int, PenaltyMinutes] = {2: 2, 4: 4, 5: 5, 10: 10, 20: 20, 25: 25}
STATUS = {
    "FUT": "scheduled",
    "PRE": "scheduled",
    "LIVE": "live",
    "CRIT": "live",
    "FINAL": "finished",
    "OFF": "finished",
}
SHOTS = ("shot-on-goal", "goal")
SHOOTOUT_KINDS = ("goal", "shot-on-goal", "missed-shot", "failed-shot-attempt")
SHOOTOUT_PERIOD = 5


def play_by_play_url(base_url: str, game_id: int | str) -> str:
    return f"{base_url.rstrip('/')}/v1/gamecenter/{game_id}/play-by-play"


class GameRef(msgspec.Struct, frozen=True):
    """A game of a schedule: whether its play-by-play is worth reading yet, or its calendar entry."""

    game_id: int
    started: bool
    #: the calendar entry of a game not started (or postponed, cancelled), to write as it is
    fixture: MatchItem | Rejected | None


def season_of(season: int | str) -> Season:
    """``20242025`` -> the NHL's 2024-25 regular season."""
    text = str(season)
    if len(text) != 8 or not text.isdigit():
        raise RecordError("bad_season", f"season {season!r} should read like 20242025")
    return Season(
        competition_key="nhl",
        competition="NHL",
        sport="ice-hockey",
        slug="nhl",
        season=f"{text[:4]}-{text[6:]}",
        regulation="nhl",
    )


def _round(date: str, season: Season) -> int:
    """The day of the season (from July 1st), as the round: a team plays at most once a day."""
    first = dt.date(int(season.season[:4]), 7, 1)
    try:
        return (dt.date.fromisoformat(date[:10]) - first).days + 1
    except ValueError:
        raise RecordError("bad_date", f"game date {date!r} is not YYYY-MM-DD") from None


def _team(raw: dict[str, Any]) -> Team:
    name = (raw.get("name") or raw.get("commonName") or {}).get("default", "")
    place = (raw.get("placeName") or {}).get("default", "")
    full = f"{place} {name}".strip() or str(raw.get("abbrev") or "")
    return Team(key=str(raw["id"]), name=full, code=raw.get("abbrev") or None)


def _header(doc: dict[str, Any], url: str) -> MatchItem:
    try:
        season = season_of(doc["season"])
        if int(doc.get("gameType", REGULAR_SEASON)) != REGULAR_SEASON:
            raise RecordError("unsupported_game_type", f"game type {doc.get('gameType')}: only the regular season (2)")
        state, schedule = str(doc.get("gameState", "FUT")), str(doc.get("gameScheduleState", "OK"))
        status = {"PPD": "postponed", "CNCL": "cancelled"}.get(schedule) or STATUS.get(state)
        if status is None:
            raise RecordError("unknown_game_state", f"game state {state!r}")
        home, away = doc["homeTeam"], doc["awayTeam"]
        item = MatchItem(
            source=SOURCE,
            key=str(doc["id"]),
            url=url,
            season=season,
            round=_round(str(doc.get("gameDate") or doc["startTimeUTC"]), season),
            home=_team(home),
            away=_team(away),
            kickoff=dt.datetime.fromisoformat(str(doc["startTimeUTC"]).replace("Z", "+00:00")),
            venue=(doc.get("venue") or {}).get("default") or None,
            status=status,  # type: ignore[arg-type]
        )
    except RecordError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordError("bad_game", f"game header: {exc!r}") from None
    if status in ("live", "finished") and "score" in home:
        item = msgspec.structs.replace(item, home_score=int(home["score"]), away_score=int(away["score"]))
    if status == "finished":
        outcome = str((doc.get("gameOutcome") or {}).get("lastPeriodType", "REG"))
        if outcome not in ("REG", "OT", "SO"):
            raise RecordError("unknown_outcome", f"last period type {outcome!r}")
        item = msgspec.structs.replace(item, decided_in=outcome)
    return item


def parse_schedule(doc: Any, url: str) -> list[GameRef]:
    """The games of a schedule document (by date: ``gameWeek``; a team's season: ``games``)."""
    if not isinstance(doc, dict):
        return []
    games = doc.get("games") or [g for day in doc.get("gameWeek") or [] for g in day.get("games") or []]
    refs = []
    for game in games:
        started = STATUS.get(str(game.get("gameState")), "scheduled") != "scheduled"
        fixture: MatchItem | Rejected | None = None
        if not started:
            try:
                fixture = _header(game, url)
            except RecordError as exc:
                fixture = Rejected(
                    source=SOURCE, url=url, where=f"game {game.get('id')}", reason=exc.reason, detail=exc.detail
                )
        refs.append(GameRef(game_id=int(game["id"]), started=started, fixture=fixture))
    return refs


def _clock(play: dict[str, Any]) -> int:
    minutes, _, seconds = str(play.get("timeInPeriod", "0:00")).partition(":")
    return int(minutes) * 60 + int(seconds or 0)


def _strength(situation: str, scorer: Side) -> str:
    """EV, PP, SH or EN for a goal by ``scorer`` in the situation of the play."""
    if len(situation) != 4 or not situation.isdigit():
        return "EV"
    away_goalie, away_skaters, home_skaters, home_goalie = (int(c) for c in situation)
    if (away_goalie if scorer == "home" else home_goalie) == 0:
        return "EN"
    ours, theirs = (home_skaters, away_skaters) if scorer == "home" else (away_skaters, home_skaters)
    return "PP" if ours > theirs else "SH" if ours < theirs else "EV"


class _Goalies:
    """Who is in each team's net along the game: changes as events, and each goalie's time in net."""

    def __init__(self) -> None:
        self.current: dict[Side, str | None] = {"home": None, "away": None}
        self.since: dict[Side, int] = {"home": 0, "away": 0}
        self.seconds: dict[str, int] = {}
        self.first: dict[Side, str] = {}
        self.empty: dict[Side, int | None] = {"home": None, "away": None}

    def credit(self, side: Side, now: int) -> None:
        goalie = self.current[side]
        if goalie is not None and self.empty[side] is None:
            self.seconds[goalie] = self.seconds.get(goalie, 0) + now - self.since[side]
        self.since[side] = now

    def seen(self, side: Side, goalie: str, now: int) -> bool:
        """Record ``goalie`` in ``side``'s net at ``now``; whether he replaced another goalie."""
        if self.current[side] == goalie:
            return False
        changed = self.current[side] is not None
        if changed:
            self.credit(side, now)  # the first goalie was in net from the start
        self.current[side] = goalie
        self.first.setdefault(side, goalie)
        return changed

    def situation(self, code: str, now: int) -> None:
        """A net emptied (goalie pulled) or filled again, from the play's situation code."""
        if len(code) != 4 or not code.isdigit():
            return
        for side, digit in (("away", code[0]), ("home", code[3])):
            side = cast(Side, side)
            if digit == "0" and self.empty[side] is None:
                self.credit(side, now)
                self.empty[side] = now
            elif digit == "1" and self.empty[side] is not None:
                self.empty[side] = None
                self.since[side] = now


def parse_play_by_play(doc: Any, url: str) -> MatchItem:
    """A game's protocol as far as it has been played (a live game's document grows with each play)."""
    if not isinstance(doc, dict):
        raise RecordError("bad_json", "the play-by-play is not a JSON object")
    item = _header(doc, url)
    try:
        side_of: dict[str, Side] = {str(doc["homeTeam"]["id"]): "home", str(doc["awayTeam"]["id"]): "away"}
        players = tuple(
            Player(
                key=str(p["playerId"]),
                side=side_of[str(p["teamId"])],
                first_name=(p.get("firstName") or {}).get("default", ""),
                last_name=(p.get("lastName") or {}).get("default", "") or str(p["playerId"]),
                number=p.get("sweaterNumber"),
                position=p.get("positionCode") or None,
            )
            for p in doc.get("rosterSpots") or []
        )
        events, goalies = _events(doc.get("plays") or [], side_of, {p.key for p in players})
    except RecordError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordError("bad_play", f"play-by-play: {exc!r}") from None
    lineups = tuple(
        LineupEntry(
            player=p.key,
            starter=p.position != "G" or goalies.first.get(p.side) == p.key,
            number=p.number,
            position=p.position,
            goalie_toi_seconds=goalies.seconds.get(p.key) if item.status == "finished" else None,
        )
        for p in players
    )
    periods = _period_scores(events, item)
    return msgspec.structs.replace(item, players=players, lineups=lineups, events=tuple(events), period_scores=periods)


def _events(plays: list[dict[str, Any]], side_of: dict[str, Side], dressed: set[str]) -> tuple[list[Event], _Goalies]:
    events: list[Event] = []
    goalies = _Goalies()
    now = 0
    for play in sorted(plays, key=lambda p: int(p.get("sortOrder", 0))):
        kind, details = str(play.get("typeDescKey")), play.get("details") or {}
        period_info = play.get("periodDescriptor") or {}
        period, period_type = int(period_info.get("number", 1)), str(period_info.get("periodType", "REG"))
        clock = _clock(play)
        if period_type != "SO":
            now = (period - 1) * PERIOD_S + clock
            goalies.situation(str(play.get("situationCode", "")), now)
        owner = side_of.get(str(details.get("eventOwnerTeamId")))
        key = str(play.get("eventId"))

        def person(field: str, details: dict[str, Any] = details) -> str | None:
            value = details.get(field)
            return str(value) if value is not None and str(value) in dressed else None

        if period_type == "SO":
            if kind in SHOOTOUT_KINDS and owner is not None:
                shooter = person("scoringPlayerId") or person("shootingPlayerId")
                events.append(
                    Event(
                        key=key,
                        side=owner,
                        kind="shootout_attempt",
                        period=SHOOTOUT_PERIOD,
                        player=shooter,
                        goalie=person("goalieInNetId"),
                        scored=kind == "goal",
                    )
                )
            continue
        if kind in SHOTS and owner is not None:
            goalie = person("goalieInNetId")
            defending: Side = "away" if owner == "home" else "home"
            if goalie is not None and goalies.seen(defending, goalie, now):
                events.append(
                    Event(
                        key=f"goalie:{key}",
                        side=defending,
                        kind="goalie_change",
                        period=period,
                        goalie=goalie,
                        player=goalie,
                        clock_seconds=clock,
                    )
                )
            if kind == "goal":
                events.append(
                    Event(
                        key=key,
                        side=owner,
                        kind="goal",
                        period=period,
                        clock_seconds=clock,
                        player=person("scoringPlayerId"),
                        assist1=person("assist1PlayerId"),
                        assist2=person("assist2PlayerId") if person("assist1PlayerId") else None,
                        goalie=goalie,
                        strength=_strength(str(play.get("situationCode", "")), owner),  # type: ignore[arg-type]
                    )
                )
            else:
                events.append(
                    Event(
                        key=key,
                        side=owner,
                        kind="shot",
                        period=period,
                        clock_seconds=clock,
                        player=person("shootingPlayerId"),
                        goalie=goalie,
                    )
                )
        elif kind == "penalty" and owner is not None and details.get("duration") in PENALTY_MINUTES:
            events.append(
                Event(
                    key=key,
                    side=owner,
                    kind="penalty",
                    period=period,
                    clock_seconds=clock,
                    player=person("committedByPlayerId") or person("servedByPlayerId"),
                    penalty_minutes=PENALTY_MINUTES[int(details["duration"])],
                    infraction=str(details.get("descKey") or "")[:100] or None,
                )
            )
        elif kind == "period-end":
            events.append(Event(key=key, side="home", kind="period_end", period=period, clock_seconds=clock))
    sides: tuple[Side, Side] = ("home", "away")
    for side in sides:
        goalies.credit(side, now)
    return events, goalies


def _period_scores(events: list[Event], item: MatchItem) -> tuple[tuple[int, int], ...]:
    """Goals per period; a shoot-out adds its period with the winner's one goal, so the periods add up to the
    final score as the NHL counts it."""
    played = max((e.period for e in events if e.kind != "shootout_attempt"), default=0)
    if item.status == "finished":
        played = max(played, 3)
    scores = [[0, 0] for _ in range(played)]
    for e in events:
        if e.kind == "goal":
            scores[e.period - 1][0 if e.side == "home" else 1] += 1
    if item.decided_in == "SO" and item.home_score is not None and item.away_score is not None:
        scores.append([1, 0] if item.home_score > item.away_score else [0, 1])
    return tuple((h, a) for h, a in scores)
