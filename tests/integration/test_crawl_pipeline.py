"""The crawlers' pipelines on the real database: a season imported whole (its table is `rstat table`'s on the
same CSV), a re-crawl that writes nothing, a changed page that writes only what changed, hand edits kept and
reported, and a match the database refuses rolled back whole."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from crawlers.outputs import Outputs
from crawlers.summary import CrawlSummary
from rstat.bench.crawl_site import CrawlSite, serve
from rstat.cli.table import run_table
from sports import DecidedIn, Result, compute_standings, regulation
from tests.conftest import DATA
from tests.unit.crawlers.harness import crawl
from tests.unit.crawlers.sites import E0, FBREF, NHL_OT, NHL_REG, football_data_site, nhl_site, pbp

Conn = psycopg.Connection[dict[str, Any]]
DOMAIN = ("competitions", "seasons", "stages", "teams", "stage_participants", "officials", "matches", "match_events",
          "players", "lineups", "roster_entries", "external_ids")  # fmt: skip


@pytest.fixture
def db(database: str) -> Iterator[tuple[str, Conn, int]]:
    with psycopg.connect(database, autocommit=True, row_factory=dict_row) as conn:
        slug = f"o{uuid.uuid4().hex[:10]}"
        org = conn.execute("INSERT INTO organizations (slug, name) VALUES (%s, 'Crawled') RETURNING id", (slug,))
        yield database, conn, int(org.fetchone()["id"])  # type: ignore[index]


@pytest.fixture
def site() -> Iterator[CrawlSite]:
    with serve(CrawlSite()) as running:
        yield running


def _crawl(db: tuple[str, Conn, int], spider: str, **args: Any) -> CrawlSummary:
    dsn, _conn, org = db
    return crawl(spider, outputs=Outputs(dsn=dsn, org_id=org, actor="test", request_id="t"), **args)


def _xid(conn: Conn) -> int:
    return int(conn.execute("SELECT pg_current_xact_id()::text::bigint AS x").fetchone()["x"])  # type: ignore[index]


def _touched(conn: Conn, since: int) -> dict[str, int]:
    """Rows of each table written (inserted or updated) by a transaction after ``since``."""
    counts = {}
    for table in DOMAIN:
        row = conn.execute(f"SELECT count(*) AS n FROM {table} WHERE xmin::text::bigint > %s", (since % 2**32,))
        counts[table] = int(row.fetchone()["n"])  # type: ignore[index]
    return {t: n for t, n in counts.items() if n}


def _db_table(conn: Conn) -> list[tuple[str, int, int, int]]:
    rows = conn.execute(
        "SELECT h.name AS home, a.name AS away, m.home_score, m.away_score FROM matches m "
        "JOIN teams h ON h.id = m.home_team_id JOIN teams a ON a.id = m.away_team_id WHERE m.status = 'finished'"
    ).fetchall()
    results = [
        Result(id=str(n), home=r["home"], away=r["away"], home_score=r["home_score"], away_score=r["away_score"],
               decided_in=DecidedIn.REG)
        for n, r in enumerate(rows)
    ]  # fmt: skip
    return [(r.team, r.played, r.goal_diff, r.points) for r in compute_standings(results, regulation("premier-league"))]


def test_a_season_is_imported_whole_and_its_table_is_rstat_tables(
    db: tuple[str, Conn, int], site: CrawlSite, capsys: pytest.CaptureFixture[str]
) -> None:
    _dsn, conn, org = db
    summary = _crawl(db, "football-data", season="2324", url=football_data_site(site).url)
    assert summary.ok, summary.lines()
    assert (summary.written, summary.unchanged, summary.dropped, summary.conflicts) == (380, 0, {}, [])
    assert conn.execute("SELECT count(*) AS n FROM matches").fetchone() == {"n": 380}
    assert conn.execute("SELECT count(*) AS n FROM stage_participants").fetchone() == {"n": 20}
    comp = conn.execute("SELECT org_id, slug, name, sport FROM competitions").fetchone()
    assert comp == {"org_id": org, "slug": "fd-e0", "name": "Premier League", "sport": "football"}
    capsys.readouterr()
    run_table(argparse.Namespace(file=str(E0), rules="premier-league", adjust=[], group=None))
    published = [
        (r["team"], int(r["played"]), int(r["goal_diff"]), int(r["points"]))
        for r in csv.DictReader(io.StringIO(capsys.readouterr().out))
    ]
    assert _db_table(conn) == published
    # re-crawling the unchanged page writes nothing at all
    before = _xid(conn)
    again = _crawl(db, "football-data", season="2324", url=site.url)
    assert (again.written, again.unchanged, again.rows) == (0, 380, 0)
    assert _touched(conn, before) == {}


def test_a_changed_page_writes_only_what_changed(db: tuple[str, Conn, int], site: CrawlSite) -> None:
    _dsn, conn, _org = db
    lines = E0.read_text(encoding="utf-8-sig").splitlines()[:41]  # the first four rounds
    football_data_site(site, "\n".join(lines).encode())
    _crawl(db, "football-data", season="2324", url=site.url)
    # a corrected result (Burnley 1-3 Man City, one more Burnley yellow card) and a new referee
    lines[1] = lines[1].replace("E0,11/08/2023,20:00,Burnley,Man City,0,3,A,0,2,A,C Pawson", "E0,11/08/2023,20:00,"
                                "Burnley,Man City,1,3,A,0,2,A,A Taylor")  # fmt: skip
    lines[1] = lines[1].replace(",6,5,0,0,1,0,", ",6,5,1,0,1,0,", 1)  # HY 0 -> 1
    football_data_site(site, "\n".join(lines).encode())
    before = _xid(conn)
    summary = _crawl(db, "football-data", season="2324", url=site.url)
    assert (summary.written, summary.unchanged) == (1, 39)
    touched = _touched(conn, before)
    assert touched == {"matches": 1, "match_events": 1, "external_ids": 2}, touched  # A Taylor: a known referee
    match = conn.execute(
        "SELECT m.home_score, m.period_scores, o.name FROM matches m JOIN officials o ON o.id = m.referee_id "
        "JOIN teams t ON t.id = m.home_team_id WHERE t.name = 'Burnley' AND m.round = 1"
    ).fetchone()
    assert match == {"home_score": 1, "period_scores": [[0, 2], [1, 1]], "name": "A Taylor"}


def test_hand_edits_are_kept_and_contradictions_reported(db: tuple[str, Conn, int], site: CrawlSite) -> None:
    _dsn, conn, _org = db
    lines = E0.read_text(encoding="utf-8-sig").splitlines()[:41]
    football_data_site(site, "\n".join(lines).encode())
    _crawl(db, "football-data", season="2324", url=site.url)
    first = "SELECT m.* FROM matches m JOIN teams t ON t.id = m.home_team_id WHERE t.name = 'Burnley' AND m.round = 1"
    match = conn.execute(first).fetchone()
    assert match is not None
    # an organizer corrects the kick-off and adds the attendance (the site has none), and deletes a card
    conn.execute("UPDATE matches SET kickoff = kickoff + interval '15 minutes', attendance = 21000 WHERE id = %s",
                 (match["id"],))  # fmt: skip
    conn.execute("DELETE FROM match_events WHERE match_id = %s AND kind = 'red'", (match["id"],))
    unchanged = _crawl(db, "football-data", season="2324", url=site.url)
    assert (unchanged.written, unchanged.conflicts) == (0, [])  # the site still says what the crawl wrote
    # the site moves the kick-off as well (to 20:30 in London), and scores another way
    lines[1] = lines[1].replace("11/08/2023,20:00,", "11/08/2023,20:30,", 1).replace(",0,3,A,0,2,", ",0,4,A,0,2,", 1)
    football_data_site(site, "\n".join(lines).encode())
    summary = _crawl(db, "football-data", season="2324", url=site.url)
    assert [(c.table, c.field, c.ours, c.theirs) for c in summary.conflicts] == [
        ("matches", "kickoff", "2023-08-11T19:15:00+00:00", "2023-08-11T19:30:00+00:00"),
    ]
    after = conn.execute(first).fetchone()
    assert after is not None
    assert (after["attendance"], after["away_score"]) == (21000, 4)  # the site's new score taken, ours kept
    assert after["kickoff"] == match["kickoff"] + dt.timedelta(minutes=15)  # ours kept
    assert conn.execute("SELECT count(*) AS n FROM match_events WHERE match_id = %s AND kind = 'red'",
                        (match["id"],)).fetchone() == {"n": 0}  # fmt: skip


def test_a_match_the_database_refuses_is_not_written_at_all(db: tuple[str, Conn, int], site: CrawlSite) -> None:
    _dsn, conn, _org = db
    broken = pbp(NHL_OT)
    late = next(p for p in broken["plays"] if p["typeDescKey"] == "penalty")
    late["timeInPeriod"] = "21:30"  # beyond the 20 minutes of a period: the database's limit
    nhl_site(site, [pbp(NHL_REG), broken])
    summary = _crawl(db, "nhl", season="20242025", date="2024-10-08", url=site.url)
    assert summary.dropped == {"match_events_clock_limit": 1}
    assert summary.written == 1
    teams = {r["name"] for r in conn.execute("SELECT name FROM teams").fetchall()}
    assert teams == {"Seattle Kraken", "St. Louis Blues"}  # Calgary came only with the refused game
    games = conn.execute("SELECT external_id FROM external_ids WHERE kind = 'match'").fetchall()
    assert games == [{"external_id": "2024020003"}]
    assert conn.execute("SELECT count(*) AS n FROM match_events").fetchone() == {"n": 69}
    assert conn.execute("SELECT count(*) AS n FROM lineups").fetchone() == {"n": 40}
    assert conn.execute("SELECT count(*) AS n FROM roster_entries").fetchone() == {"n": 40}


def test_a_tournament_with_its_full_protocols(db: tuple[str, Conn, int], site: CrawlSite) -> None:
    _dsn, conn, _org = db
    site.put("/2018/worldcup.json", (DATA / "football" / "2018_worldcup.json").read_bytes(), "application/json")
    site.put("/more/2018_full.txt", (DATA / "football" / "2018_full.txt").read_bytes())
    args = {"season": "2018", "league": "worldcup", "url": site.url, "txt": f"{site.url}/more/2018_full.txt"}
    summary = _crawl(db, "openfootball", regulation="fifa-2022", **args)
    assert (summary.written, summary.dropped) == (64, {}), summary.lines()
    rows = conn.execute("SELECT kind::text AS kind, count(*) AS n FROM match_events GROUP BY kind").fetchall()
    kinds = {r["kind"]: r["n"] for r in rows}
    assert kinds == {"goal": 135, "penalty_goal": 22, "own_goal": 12, "yellow": 220, "second_yellow": 2, "red": 2,
                     "substitution": 382, "shootout_attempt": 39}  # fmt: skip
    groups = conn.execute("SELECT count(*) AS n FROM groups").fetchone()
    assert groups == {"n": 8}
    again = _crawl(db, "openfootball", regulation="fifa-2022", **args)
    assert (again.written, again.unchanged) == (0, 64)


def test_the_admin_apis_protocol_rules_refuse_a_match_whole(db: tuple[str, Conn, int], tmp_path: Path) -> None:
    """An organizer took a player out of the line-up; the site then shows him booked: the card would name a
    player outside the line-up (the admin API's rule), so nothing of the page's changes is written."""
    _dsn, conn, _org = db
    page = (FBREF / "match_e8867e6b__Girona-Getafe_2023-08-20.html").read_text(encoding="utf-8")
    (tmp_path / "girona.html").write_text(page, encoding="utf-8")
    assert _crawl(db, "fbref", pages=str(tmp_path)).written == 1
    savio = conn.execute("SELECT id FROM players WHERE last_name = 'Sávio'").fetchone()
    assert savio is not None
    conn.execute("DELETE FROM lineups WHERE player_id = %s", (savio["id"],))
    conn.execute("DELETE FROM match_events WHERE assist1_id = %s", (savio["id"],))
    # the site corrects the attendance and books Sávio in the 80th minute
    card = (
        '<div class="event a"><div> 80&rsquo;</div><div><div class="event_icon yellow_card"></div><div><div>'
        '<a href="/en/players/fe6e7156/Savio">Sávio</a></div></div></div></div>'
    )
    changed = page.replace("11,784", "11,790").replace('<div class="event_header">Half Time</div>',
                                                       card + '<div class="event_header">Half Time</div>')  # fmt: skip
    (tmp_path / "girona.html").write_text(changed, encoding="utf-8")
    summary = _crawl(db, "fbref", pages=str(tmp_path))
    assert summary.dropped == {"lineup": 1}
    attendance = conn.execute("SELECT attendance FROM matches").fetchone()
    assert attendance == {"attendance": 11784}  # the page's other change was not written either
