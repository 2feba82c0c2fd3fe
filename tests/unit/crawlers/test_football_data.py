"""football-data.co.uk's season CSV read into matches: every row, UK kick-off times in UTC, cards as counts,
rounds in which no team plays twice, and the rows that cannot be read rejected with a reason."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

from crawlers.items import MatchItem, Rejected
from crawlers.parsers.football_data import parse_csv
from tests.unit.crawlers.sites import E0

TEXT = E0.read_text(encoding="utf-8-sig")


def _matches(text: str = TEXT, **kwargs: object) -> list[MatchItem]:
    found = parse_csv(text, division="E0", season="2324", url="u", **kwargs)  # type: ignore[arg-type]
    assert all(isinstance(m, MatchItem) for m in found), [m for m in found if isinstance(m, Rejected)]
    return [m for m in found if isinstance(m, MatchItem)]


def test_the_season_reads_whole_with_its_cards_referees_and_half_time_scores() -> None:
    matches = _matches()
    rows = list(csv.DictReader(io.StringIO(TEXT)))
    assert len(matches) == len(rows) == 380
    assert {m.season.competition for m in matches} == {"Premier League"}
    assert {m.season.season for m in matches} == {"2023-24"}
    cards = Counter(e.kind for m in matches for e in m.events)
    assert cards["yellow"] == sum(int(r["HY"]) + int(r["AY"]) for r in rows)
    assert cards["red"] == sum(int(r["HR"]) + int(r["AR"]) for r in rows)
    first = matches[0]
    assert (first.home.name, first.away.name, first.home_score, first.away_score) == ("Burnley", "Man City", 0, 3)
    assert first.referee == "C Pawson"
    assert first.period_scores == ((0, 2), (0, 1))
    # 20:00 in London in August (BST) is 19:00 UTC
    assert first.kickoff == dt.datetime(2023, 8, 11, 19, 0, tzinfo=dt.UTC)
    assert sum(m.home_score or 0 for m in matches) + sum(m.away_score or 0 for m in matches) == 1246


def test_rounds_never_have_a_team_twice_and_stay_put_when_matches_are_appended() -> None:
    matches = _matches()
    seen: set[tuple[int, str]] = set()
    for m in matches:
        for team in (m.home.key, m.away.key):
            assert (m.round, team) not in seen
            seen.add((m.round, team))
    half = "\n".join(TEXT.splitlines()[:191])
    assert [m.round for m in _matches(half)] == [m.round for m in matches[:190]]


def test_unreadable_rows_are_rejected_with_their_reason_and_the_others_kept() -> None:
    lines = TEXT.splitlines()
    bad_score = lines[1].replace(",0,3,A,", ",x,3,A,", 1)
    bad_date = lines[2].replace("12/08/2023", "2023-08-12", 1)
    found = parse_csv("\n".join([lines[0], bad_score, bad_date, lines[3]]), division="E0", season="2324", url="u")
    rejected = [(r.reason, r.where) for r in found if isinstance(r, Rejected)]
    assert rejected == [("bad_fthg", "line 2"), ("bad_date", "line 3")]
    assert [m.home.name for m in found if isinstance(m, MatchItem)] == ["Bournemouth"]


def test_fixtures_are_calendar_entries_of_the_season_continuing_its_rounds() -> None:
    results = _matches()
    fixtures = (
        "Div,Date,Time,HomeTeam,AwayTeam,B365H\n"
        "E0,01/06/2024,15:00,Arsenal,Everton,1.5\n"
        "E1,01/06/2024,15:00,Leeds,Hull,2.0\n"
        "E0,16/08/2025,15:00,Arsenal,Chelsea,2.0\n"
    )
    found = parse_csv(
        fixtures, division="E0", season="2324", url="f", fixture=True, after=[(m.home.key, m.away.key) for m in results]
    )
    assert len(found) == 1  # another division and another season are not this one's
    fixture = found[0]
    assert isinstance(fixture, MatchItem)
    assert (fixture.status, fixture.home_score, fixture.events) == ("scheduled", None, ())
    taken = {m.round for m in results if {"Arsenal", "Everton"} & {m.home.key, m.away.key}}
    assert fixture.round not in taken
    assert fixture.round == min(set(range(1, 50)) - taken)
