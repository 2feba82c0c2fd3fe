"""FBref match reports (a played match, an awarded one, a cancelled one), the same pages with their tables
sent inside HTML comments as Sports Reference sites do, and a schedule page."""

from __future__ import annotations

import re
from collections import Counter

from parsel import Selector

from crawlers.items import MatchItem
from crawlers.parsers.fbref import parse_match_report, parse_schedule, season_from_link
from crawlers.parsers.sportsref import uncomment_tables
from crawlers.validate import validate
from tests.conftest import DATA
from tests.unit.crawlers.sites import FBREF, fbref_schedule

GIRONA = (FBREF / "match_e8867e6b__Girona-Getafe_2023-08-20.html").read_text(encoding="utf-8")
AWARDED = (FBREF / "match_e0a20cfe__Hellas-Verona-Roma_2020-09-19_awarded.html").read_text(encoding="utf-8")
CANCELLED = (FBREF / "match_1d845950__Lyon-Reims_2020-03-13_cancelled.html").read_text(encoding="utf-8")
BOXSCORE = DATA / "hockey" / "hockey-reference" / "boxscore_202003040VAN__ARI-at-VAN_2020-03-04.html"


def test_a_played_match_with_its_events_and_line_ups() -> None:
    m = validate(parse_match_report(GIRONA, "u"))
    assert (m.key, m.home.name, m.away.name, m.home.key) == ("e8867e6b", "Girona", "Getafe", "9024a00a")
    assert (m.status, m.home_score, m.away_score, m.decided_in, m.round) == ("finished", 3, 0, "REG", 2)
    assert (m.season.competition, m.season.season, m.season.competition_key) == ("La Liga", "2023-2024", "12")
    assert m.kickoff is not None
    assert m.kickoff.isoformat() == "2023-08-20T17:00:00+00:00"
    assert (m.venue, m.referee, m.attendance) == ("Estadi Municipal de Montilivi, Girona", "Jorge Figueroa", 11784)
    kinds = Counter(e.kind for e in m.events)
    assert kinds == {"substitution": 9, "yellow": 8, "goal": 3}
    goals = [e for e in m.events if e.kind == "goal"]
    assert next((e.minute, e.side, e.player, e.assist1) for e in goals) == (12, "home", "5083a734", "fe6e7156")
    stoppage = next(e for e in m.events if e.stoppage)
    assert (stoppage.minute, stoppage.stoppage, stoppage.period, stoppage.kind) == (45, 3, 1, "yellow")
    coach = [e for e in m.events if e.kind == "yellow" and e.player is None]
    assert len(coach) == 1  # Getafe's coach: a card of the team without a player
    assert sum(e.starter for e in m.lineups) == 22
    assert len(m.lineups) == 22 + 9  # the starters and the substitutes who came on
    sub = next(e for e in m.events if e.kind == "substitution")
    assert sub.player_out is not None
    assert {sub.player, sub.player_out} <= {e.player for e in m.lineups}


def test_an_awarded_and_a_cancelled_match() -> None:
    awarded = validate(parse_match_report(AWARDED, "u"))
    assert (awarded.status, awarded.home_score, awarded.away_score, awarded.decided_in) == ("awarded", 3, 0, "AWD")
    assert not any(e.kind == "goal" for e in awarded.events)  # 0-0 on the pitch, 3-0 at the table
    cancelled = validate(parse_match_report(CANCELLED, "u"))
    assert (cancelled.status, cancelled.home_score, cancelled.events, cancelled.lineups) == ("cancelled", None, (), ())
    assert (cancelled.home.name, cancelled.away.name, cancelled.round) == ("Lyon", "Reims", 29)


def _commented(html: str) -> str:
    """The page with its line-ups and events inside comments, as Sports Reference sends many tables."""
    for found in re.findall(r'<div class="lineup" id="[ab]">.*?</table>\s*</div>', html, re.DOTALL):
        html = html.replace(found, f"<!--\n{found}\n-->")
    return html


def test_tables_sent_inside_comments_read_the_same() -> None:
    commented = _commented(GIRONA)
    assert not Selector(text=commented).css("div.lineup")  # hidden from a parser of the served HTML
    assert parse_match_report(commented, "u") == parse_match_report(GIRONA, "u")
    hockey = BOXSCORE.read_text(encoding="utf-8")
    assert not Selector(text=hockey).css("table#ARI_adv")
    advanced = Selector(text=uncomment_tables(hockey)).css("table#ARI_adv")
    assert advanced
    assert advanced.css("tbody tr")


def test_a_schedule_links_played_matches_and_lists_the_others() -> None:
    season = season_from_link("/en/comps/12/2023-2024/", "La Liga")
    rows = parse_schedule(fbref_schedule(), "s", season)
    assert [r.report for r in rows if r.report] == ["/en/matches/e8867e6b/Girona-Getafe-August-20-2023-La-Liga"]
    fixtures = [r.fixture for r in rows if r.fixture is not None]
    assert len(fixtures) == 1
    assert isinstance(fixtures[0], MatchItem)
    assert (fixtures[0].home.name, fixtures[0].away.name, fixtures[0].status, fixtures[0].round) == (
        "Getafe", "Girona", "scheduled", 30,
    )  # fmt: skip
