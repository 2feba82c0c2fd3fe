"""FBref: a competition season's schedule page and its match reports.

- Schedule (``/en/comps/{id}/{season}/schedule/...``): the ``sched_*`` table, one row per match
  (``data-stat`` cells: gameweek, date, start_time, home_team, score, away_team, attendance, venue, referee,
  match_report). Played matches link their report; the others are calendar entries.
- Match report (``/en/matches/{id}/...``): the scorebox (teams with their squad ids, ``div.score``: a
  number, ``3*`` for an awarded result, ``--`` for a cancelled match; the kick-off as ``data-venue-epoch``;
  competition and matchweek; attendance, venue, officials), ``#events_wrap`` (one ``div.event`` per event,
  class ``a`` home or ``b`` away, the minute as ``45+3`` and a closing quote, the kind as an ``event_icon``
  class, the player and ``Assist:``/``for`` the second player) and the two ``div.lineup`` tables (starters,
  then the bench).

An awarded match keeps the protocol of the game played. Own goals are listed under the side they count for,
with the scorer of the other side. A card shown to
someone without a player link (a coach) is a card of the team without a player. The line-ups hold the
starters and the substitutes who came on, as our line-ups do.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import cast

import msgspec
from parsel import Selector, SelectorList

from crawlers.items import Event, LineupEntry, MatchItem, Player, Rejected, Season, Side, Team
from crawlers.parsers.common import RecordError, slugify
from crawlers.parsers.openfootball import football_period
from crawlers.parsers.sportsref import link_id, uncomment_tables

__all__ = ["SOURCE", "ScheduleRow", "parse_match_report", "parse_schedule", "season_from_link"]

SOURCE = "fbref"
MINUTE = re.compile(r"^(\d+)(?:\+(\d+))?")
COMP_LINK = re.compile(r"/en/comps/(\d+)/(\d{4}-\d{4}|\d{4})/")
MATCHWEEK = re.compile(r"\((?:Matchweek|Round) (\d+)\)")
ICONS = {
    "goal": "goal",
    "penalty_goal": "penalty_goal",
    "own_goal": "own_goal",
    "yellow_card": "yellow",
    "yellow_red_card": "second_yellow",
    "red_card": "red",
    "substitute_in": "substitution",
    "penalty_miss": "penalty_miss",
}
OTHER: dict[Side, Side] = {"home": "away", "away": "home"}


class ScheduleRow(msgspec.Struct, frozen=True):
    """A row of a schedule: the report to follow, or the calendar entry of a match not played yet."""

    report: str | None
    fixture: MatchItem | Rejected | None


def _text(sel: Selector | SelectorList[Selector] | None) -> str:
    return " ".join((sel.xpath("string()").get() or "").split()) if sel is not None else ""


def season_from_link(href: str, competition: str) -> Season:
    """The season of a competition link (``/en/comps/12/2023-2024/...``) and the competition's name."""
    found = COMP_LINK.search(href)
    if found is None:
        raise RecordError("no_competition", f"no competition season in {href!r}")
    comp_id, season = found.groups()
    return Season(
        competition_key=comp_id,
        competition=competition or f"FBref competition {comp_id}",
        sport="football",
        slug=f"fbref-{comp_id}-{slugify(competition)}"[:63].strip("-"),
        season=season,
    )


def parse_schedule(html: str, url: str, season: Season) -> list[ScheduleRow]:
    page = Selector(text=uncomment_tables(html))
    rows = []
    for number, row in enumerate(page.css("table[id^=sched] tbody tr"), start=1):
        cell = {c.attrib.get("data-stat", ""): c for c in row.css("th, td")}
        if "home_team" not in cell or not _text(cell["home_team"]):
            continue  # a spacer row between matchweeks
        report = cell["match_report"].css("a::attr(href)").get() if "match_report" in cell else None
        if report and "/matches/" in report:
            rows.append(ScheduleRow(report=report, fixture=None))
            continue
        try:
            rows.append(ScheduleRow(report=None, fixture=_fixture(cell, url, season)))
        except RecordError as exc:
            rejected = Rejected(source=SOURCE, url=url, where=f"row {number}", reason=exc.reason, detail=exc.detail)
            rows.append(ScheduleRow(report=None, fixture=rejected))
    return rows


def _fixture(cell: dict[str, Selector], url: str, season: Season) -> MatchItem:
    home, away = (_team(cell[side]) for side in ("home_team", "away_team"))
    week = _text(cell.get("gameweek"))
    if not week.isdigit():
        raise RecordError("bad_round", f"gameweek {week!r} is not a number")
    date = _text(cell.get("date"))
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise RecordError("bad_date", f"date {date!r} is not YYYY-MM-DD") from None
    return MatchItem(
        source=SOURCE,
        key=f"{season.competition_key}:{season.season}:{home.key}:{away.key}",
        url=url,
        season=season,
        round=int(week),
        home=home,
        away=away,
        kickoff=dt.datetime.combine(day, dt.time(12), dt.UTC),
        venue=_text(cell.get("venue")) or None,
    )


def _team(cell: Selector) -> Team:
    name = _text(cell)
    key = link_id(cell.css("a::attr(href)").get()) or name
    if not name:
        raise RecordError("missing_team", "a team without a name")
    return Team(key=key, name=name)


def _score(text: str) -> tuple[int | None, bool]:
    """(goals, awarded) of a scorebox score: ``3``, ``3*`` awarded, ``--`` none (cancelled)."""
    clean = text.strip()
    if clean.startswith("--"):
        return None, False
    digits = clean.rstrip("*")
    if not digits.isdigit():
        raise RecordError("bad_score", f"score {text!r}")
    return int(digits), clean.endswith("*")


def parse_match_report(html: str, url: str) -> MatchItem:
    """The match of a report page, with its protocol when it was played."""
    page = Selector(text=uncomment_tables(html))
    box = page.css("div.scorebox")
    if not box:
        raise RecordError("not_a_match_report", "no scorebox on the page")
    teams = box.css(":scope > div")[:2]
    if len(teams) < 2:
        raise RecordError("missing_team", "the scorebox names fewer than two teams")
    sides: dict[Side, Team] = {}
    scores: list[int | None] = []
    awarded = False
    for side, div in zip(("home", "away"), teams, strict=True):
        link = div.css("strong a")
        sides[cast(Side, side)] = Team(key=link_id(link.attrib.get("href")) or _text(link), name=_text(link))
        goals, star = _score(_text(div.css("div.score")))
        scores.append(goals)
        awarded = awarded or star
    meta = box.css("div.scorebox_meta")
    comp = meta.css("a[href*='/en/comps/']")
    season = season_from_link(comp.attrib.get("href", ""), _text(comp))
    matchweek = MATCHWEEK.search(_text(comp.xpath("..")))
    epoch = meta.css("span.venuetime::attr(data-venue-epoch)").get()
    info = {
        label.strip(): value
        for label, value in (_text(d).split(":", 1) for d in meta.css("div") if ":" in _text(d) and d.css("small"))
    }
    referee = re.search(r"([^·]+?)\s*\(Referee\)", info.get("Officials", ""))
    canonical = page.css("link[rel=canonical]::attr(href)").get() or url
    item = MatchItem(
        source=SOURCE,
        key=link_id(canonical) or canonical,
        url=url,
        season=season,
        round=int(matchweek.group(1)) if matchweek else 1,
        home=sides["home"],
        away=sides["away"],
        kickoff=dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit() else None,
        venue=info.get("Venue", "").strip() or None,
        referee=" ".join(referee.group(1).split()) if referee else None,
        attendance=int(info["Attendance"].replace(",", "")) if info.get("Attendance", "").strip() else None,
    )
    if scores[0] is None or scores[1] is None:
        return msgspec.structs.replace(item, status="cancelled")
    players, lineups = _lineups(page)
    events = _events(page, players)
    return msgspec.structs.replace(
        item,
        status="awarded" if awarded else "finished",
        home_score=scores[0],
        away_score=scores[1],
        decided_in="AWD" if awarded else "REG",
        players=tuple(players.values()),
        lineups=tuple(e for e in lineups if e.starter or any(v.player == e.player for v in events)),
        events=tuple(events),
    )


def _lineups(page: Selector) -> tuple[dict[str, Player], list[LineupEntry]]:
    players: dict[str, Player] = {}
    entries: list[LineupEntry] = []
    for side, table in (("home", page.css("div.lineup#a")), ("away", page.css("div.lineup#b"))):
        starter = True
        for row in table.css("tr"):
            if row.css("th"):
                starter = starter and "Bench" not in _text(row)
                continue
            link = row.css("a")
            key = link_id(link.attrib.get("href"))
            number = _text(row.css("td")[0]) if row.css("td") else ""
            if key is None:
                continue
            first, _, last = _text(link).rpartition(" ")
            players[key] = Player(
                key=key,
                side=cast(Side, side),
                first_name=first,
                last_name=last or _text(link),
                number=int(number) if number.isdigit() and int(number) <= 99 else None,
            )
            entries.append(LineupEntry(player=key, starter=starter, number=players[key].number))
    return players, entries


def _events(page: Selector, players: dict[str, Player]) -> list[Event]:
    events: list[Event] = []
    keys: set[str] = set()
    for div in page.css("#events_wrap div.event"):
        side: Side = "home" if "a" in div.attrib.get("class", "").split() else "away"
        icon = next((c for c in (div.css("div.event_icon::attr(class)").get() or "").split() if c in ICONS), None)
        if icon is None:
            continue
        kind = ICONS[icon]
        found = MINUTE.match(_text(div.css(":scope > div")[0]) if div.css(":scope > div") else "")
        if found is None:
            raise RecordError("bad_minute", f"event without a minute: {_text(div)[:80]!r}")
        minute, stoppage = int(found.group(1)), int(found.group(2)) if found.group(2) else None
        names = div.css(":scope > div")[1].css("a") if len(div.css(":scope > div")) > 1 else []
        ids = [link_id(a.attrib.get("href")) for a in names]
        player_side = OTHER[side] if kind == "own_goal" else side
        for key, a in zip(ids, names, strict=True):
            if key is not None and key not in players:
                first, _, last = _text(a).rpartition(" ")
                players[key] = Player(key=key, side=player_side, first_name=first, last_name=last or _text(a))
        player = ids[0] if ids else None
        second = ids[1] if len(ids) > 1 else None
        base = f"{kind}:{side}:{player}:{minute}:{stoppage}"
        key, n = base, 1
        while key in keys:
            n += 1
            key = f"{base}#{n}"
        keys.add(key)
        events.append(
            Event(
                key=key,
                side=side,
                kind=kind,  # type: ignore[arg-type]
                period=football_period(minute),
                minute=minute,
                stoppage=stoppage,
                player=player,
                assist1=second if kind in ("goal", "penalty_goal") else None,
                player_out=second if kind == "substitution" else None,
            )
        )
    return events
