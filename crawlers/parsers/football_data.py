"""football-data.co.uk season CSVs (``mmz4281/2324/E0.csv``) and the fixtures file (``fixtures.csv``).

A results row: ``Div, Date (dd/mm/yyyy, older seasons dd/mm/yy), Time (UK time), HomeTeam, AwayTeam, FTHG,
FTAG, FTR, HTHG, HTAG, HTR, Referee, ... HY, AY, HR, AR`` and then betting odds, which we leave. The file
has no rounds and no match ids: a match is the season's only meeting of its home and away team, and rounds
are assigned in date order (:func:`crawlers.parsers.common.assign_rounds`). Cards are counts per team, with
neither player nor minute: each becomes a card event of the team without a player, in period 1 (the column
needs one; the source gives no time).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from crawlers.items import Event, MatchItem, Rejected, Season, Team
from crawlers.parsers.common import RecordError, assign_rounds, season_label

__all__ = ["DIVISIONS", "SOURCE", "parse_csv", "season_of"]

SOURCE = "football-data"
UK = ZoneInfo("Europe/London")
#: division code -> (competition name, regulation preset)
DIVISIONS = {
    "E0": ("Premier League", "premier-league"),
    "E1": ("Championship", "football"),
    "E2": ("League One", "football"),
    "E3": ("League Two", "football"),
    "SC0": ("Scottish Premiership", "football"),
    "D1": ("Bundesliga", "football"),
    "I1": ("Serie A", "football"),
    "SP1": ("La Liga", "laliga"),
    "F1": ("Ligue 1", "football"),
    "N1": ("Eredivisie", "football"),
}
CARDS = (("HY", "home", "yellow"), ("AY", "away", "yellow"), ("HR", "home", "red"), ("AR", "away", "red"))


def season_of(division: str, season: str) -> Season:
    """The competition and season of a file: ``E0`` and ``2324`` -> the Premier League, ``2023-24``."""
    if len(season) != 4 or not season.isdigit():
        raise RecordError("bad_season", f"season {season!r} should read like 2324 (2023/24)")
    name, regulation = DIVISIONS.get(division, (division, "football"))
    return Season(
        competition_key=division,
        competition=name,
        sport="football",
        slug=f"fd-{division.lower()}",
        season=season_label(2000 + int(season[:2])),
        regulation=regulation,
    )


def _int(row: dict[str, str], column: str) -> int | None:
    value = (row.get(column) or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise RecordError(f"bad_{column.lower()}", f"column {column} is not a whole number: {value!r}") from None


def _kickoff(row: dict[str, str]) -> dt.datetime:
    date, time = (row.get("Date") or "").strip(), (row.get("Time") or "").strip() or "15:00"
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%y %H:%M"):
        try:
            return dt.datetime.strptime(f"{date} {time}", fmt).replace(tzinfo=UK).astimezone(dt.UTC)
        except ValueError:
            continue
    raise RecordError("bad_date", f"Date/Time {date!r} {time!r} should read dd/mm/yyyy and hh:mm")


def _in_season(row: dict[str, str], season: str) -> bool:
    """Whether a fixture's date lies in the season (July to June): the fixtures file has only the current one."""
    start = 2000 + int(season[:2])
    try:
        day = _kickoff(row).date()
    except RecordError:
        return True  # kept, to be rejected with its reason
    return dt.date(start, 7, 1) <= day < dt.date(start + 1, 7, 1)


def _match(row: dict[str, str], *, season: Season, url: str, round_no: int, fixture: bool) -> MatchItem:
    home, away = (row.get("HomeTeam") or "").strip(), (row.get("AwayTeam") or "").strip()
    if not home or not away:
        raise RecordError("missing_team", "HomeTeam and AwayTeam are required")
    kickoff = _kickoff(row)
    key = f"{season.competition_key}:{season.season}:{home}:{away}"
    common = {
        "source": SOURCE,
        "key": key,
        "url": url,
        "season": season,
        "round": round_no,
        "home": Team(key=home, name=home),
        "away": Team(key=away, name=away),
        "kickoff": kickoff,
        "referee": (row.get("Referee") or "").strip() or None,
    }
    fthg, ftag = _int(row, "FTHG"), _int(row, "FTAG")
    if fixture or (fthg is None and ftag is None):
        return MatchItem(**common)  # type: ignore[arg-type]
    if fthg is None or ftag is None:
        raise RecordError("bad_score", "FTHG and FTAG must both be given")
    hthg, htag = _int(row, "HTHG"), _int(row, "HTAG")
    periods: tuple[tuple[int, int], ...] = ()
    if hthg is not None and htag is not None:
        periods = ((hthg, htag), (fthg - hthg, ftag - htag))
    events = [
        Event(key=f"{kind}:{side}:{n}", side=side, kind=kind, period=1)  # type: ignore[arg-type]
        for column, side, kind in CARDS
        for n in range(1, (_int(row, column) or 0) + 1)
    ]
    return MatchItem(
        **common,  # type: ignore[arg-type]
        status="finished",
        home_score=fthg,
        away_score=ftag,
        period_scores=periods,
        decided_in="REG",
        events=tuple(events),
    )


def parse_csv(
    text: str, *, division: str, season: str, url: str, fixture: bool = False, after: Sequence[tuple[str, str]] = ()
) -> list[MatchItem | Rejected]:
    """The matches of ``division`` in a results file (or, with ``fixture``, the fixtures file, which lists
    every division's next matches: only those of ``season`` are kept). ``after``: the (home, away) pairs
    already given rounds, in order (the results before the fixtures), so that fixtures continue their rounds."""
    meta = season_of(division, season)
    rows = [
        (line, row)
        for line, row in enumerate(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))), start=2)
        if (row.get("Div") or "").strip() == division and (not fixture or _in_season(row, season))
    ]
    pairs = [((row.get("HomeTeam") or "").strip(), (row.get("AwayTeam") or "").strip()) for _line, row in rows]
    rounds = assign_rounds([*after, *pairs])[len(after) :]
    found: list[MatchItem | Rejected] = []
    for (line, row), round_no in zip(rows, rounds, strict=True):
        try:
            found.append(_match(row, season=meta, url=url, round_no=round_no, fixture=fixture))
        except RecordError as exc:
            found.append(Rejected(source=SOURCE, url=url, where=f"line {line}", reason=exc.reason, detail=exc.detail))
    return found
