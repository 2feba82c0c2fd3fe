"""The spiders against the local crawl site (saved pages, no service needed): what they yield, how they
treat the site (robots.txt, 429 and 5xx, FBref's pace, their name in the User-Agent) and their outputs."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawlers.outputs import Outputs
from rstat.bench.crawl_site import CrawlSite, serve
from rstat.cli.table import run_table
from tests.conftest import DATA
from tests.unit.crawlers.harness import FAST, crawl
from tests.unit.crawlers.sites import (
    E0,
    FBREF,
    NHL_OT,
    NHL_REG,
    fbref_schedule,
    football_data_site,
    future_game,
    nhl_site,
    pbp,
)

E0_PATH = "/mmz4281/2324/E0.csv"


@pytest.fixture
def site() -> Iterator[CrawlSite]:
    with serve(CrawlSite()) as running:
        yield running


def _table(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    run_table(argparse.Namespace(file=str(path), rules="premier-league", adjust=[], group=None))
    return capsys.readouterr().out


def test_football_data_to_json_lines_and_a_results_csv_that_rstat_table_reads_alike(
    site: CrawlSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = "Div,Date,Time,HomeTeam,AwayTeam\nE0,25/05/2024,15:00,Arsenal,Everton\n"
    football_data_site(site, fixtures=fixtures)
    outputs = Outputs(jsonl=tmp_path / "items.jsonl", results_csv=tmp_path / "results.csv")
    summary = crawl("football-data", outputs=outputs, season="2324", url=site.url)
    assert summary.ok, summary.lines()
    assert (summary.pages, summary.items, summary.dropped) == (3, 381, {})  # robots.txt, results, fixtures
    items = [json.loads(line) for line in (tmp_path / "items.jsonl").read_text().splitlines()]
    assert items[-1]["status"] == "scheduled"
    assert items[-1]["home"]["name"] == "Arsenal"
    assert _table(tmp_path / "results.csv", capsys) == _table(E0, capsys)
    assert all(h.user_agent.startswith("R-Stat-crawler") for h in site.hits)


def test_bad_rows_are_dropped_and_counted_per_reason(site: CrawlSite, tmp_path: Path) -> None:
    lines = E0.read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].replace(",0,3,A,", ",x,3,A,", 1)
    lines[2] = lines[2].replace("Arsenal,Nott'm Forest", "Arsenal,Arsenal", 1)
    lines[3] = lines[3].replace(",12/08/2023,", ",someday,", 1)
    football_data_site(site, "\n".join(lines).encode())
    summary = crawl("football-data", outputs=Outputs(jsonl=tmp_path / "i.jsonl"), season="2324", url=site.url)
    assert summary.dropped == {"bad_fthg": 1, "same_team": 1, "bad_date": 1}
    assert summary.items == 380
    assert len((tmp_path / "i.jsonl").read_text().splitlines()) == 377


def test_robots_txt_is_obeyed(tmp_path: Path) -> None:
    with serve(CrawlSite(robots="User-agent: *\nDisallow: /mmz4281/\n")) as site:
        football_data_site(site)
        summary = crawl("football-data", outputs=Outputs(jsonl=tmp_path / "i.jsonl"), season="2324", url=site.url)
        assert (summary.robots_forbidden, summary.items, summary.ok) == (1, 0, False)
        assert site.requested("/robots.txt")
        assert not site.requested(E0_PATH)


def test_429_with_retry_after_and_503_are_backed_off_then_read(site: CrawlSite, tmp_path: Path) -> None:
    football_data_site(site)
    site.script(E0_PATH, (429, {"Retry-After": "1"}), (503, {}))
    summary = crawl("football-data", outputs=Outputs(jsonl=tmp_path / "i.jsonl"), season="2324", url=site.url)
    assert summary.ok, summary.lines()
    assert (summary.retried, summary.items) == (2, 380)
    asked = site.requested(E0_PATH)
    assert [h.status for h in asked] == [429, 503, 200]
    # the site asked for a second: the retry left at least that long after its answer (a lower bound that a
    # slower machine only widens)
    assert asked[1].at - asked[0].at >= 1.0


def test_a_page_that_keeps_failing_fails_the_crawl(site: CrawlSite, tmp_path: Path) -> None:
    football_data_site(site)
    site.script(E0_PATH, *[(500, {})] * 5)
    summary = crawl("football-data", outputs=Outputs(jsonl=tmp_path / "i.jsonl"), season="2324", url=site.url)
    assert (summary.pages_failed, summary.retried, summary.ok) == ({"http_500": 1}, FAST.retries, False)


def test_pages_come_from_the_http_cache_once_fetched(site: CrawlSite, tmp_path: Path) -> None:
    football_data_site(site)
    cache = tmp_path / "cache"
    first = crawl(
        "football-data", outputs=Outputs(jsonl=tmp_path / "a.jsonl"), cache=cache, season="2324", url=site.url
    )
    site.script(E0_PATH, *[(500, {})] * 10)  # the site is down now
    again = crawl(
        "football-data", outputs=Outputs(jsonl=tmp_path / "b.jsonl"), cache=cache, season="2324", url=site.url
    )
    assert again.ok
    assert again.items == first.items == 380
    assert len(site.requested(E0_PATH)) == 1


def test_nhl_schedule_games_played_and_to_come(site: CrawlSite, tmp_path: Path) -> None:
    nhl_site(site, [pbp(NHL_REG), future_game(pbp(NHL_OT))])
    out = tmp_path / "nhl.jsonl"
    summary = crawl("nhl", outputs=Outputs(jsonl=out), season="20242025", date="2024-10-08", url=site.url)
    assert summary.ok, summary.lines()
    items = {i["key"]: i for i in map(json.loads, out.read_text().splitlines())}
    assert items["2024020003"]["status"] == "finished"
    assert len(items["2024020003"]["events"]) == 69
    assert items["2024020087"]["status"] == "scheduled"
    assert not items["2024020087"]["events"]
    assert not site.requested("/v1/gamecenter/2024020087/play-by-play")  # not started: nothing to read yet


def test_fbref_schedule_and_reports_at_the_site_pace(site: CrawlSite, tmp_path: Path) -> None:
    site.put("/en/comps/12/2023-2024/schedule/2023-2024-Scores-and-Fixtures", fbref_schedule(), "text/html")
    report = "/en/matches/e8867e6b/Girona-Getafe-August-20-2023-La-Liga"
    site.put(report, (FBREF / "match_e8867e6b__Girona-Getafe_2023-08-20.html").read_bytes(), "text/html")
    out = tmp_path / "fbref.jsonl"
    config = type(FAST)(**{**{f: getattr(FAST, f) for f in FAST.__struct_fields__}, "fbref_delay_s": 0.5})
    summary = crawl("fbref", config=config, outputs=Outputs(jsonl=out), competition="12", season="2023-2024",
                    url=site.url)  # fmt: skip
    assert summary.ok, summary.lines()
    assert sorted(i["status"] for i in map(json.loads, out.read_text().splitlines())) == ["finished", "scheduled"]
    pages = [h for h in site.hits if h.path != "/robots.txt"]
    assert pages[1].at - pages[0].at >= 0.5 * 0.5  # Scrapy's delay has a +-50% jitter


def test_fbref_saved_pages_need_no_request(tmp_path: Path) -> None:
    out = tmp_path / "saved.jsonl"
    summary = crawl("fbref", outputs=Outputs(jsonl=out), pages=str(FBREF))
    assert summary.ok, summary.lines()
    assert sorted(i["status"] for i in map(json.loads, out.read_text().splitlines())) == [
        "awarded", "cancelled", "finished",
    ]  # fmt: skip


def test_openfootball_world_cup_with_its_full_protocols(site: CrawlSite, tmp_path: Path) -> None:
    site.put("/2018/worldcup.json", (DATA / "football" / "2018_worldcup.json").read_bytes(), "application/json")
    site.put("/more/2018_full.txt", (DATA / "football" / "2018_full.txt").read_bytes())
    out = tmp_path / "wc.jsonl"
    summary = crawl("openfootball", outputs=Outputs(jsonl=out), season="2018", league="worldcup", url=site.url,
                    txt=f"{site.url}/more/2018_full.txt", regulation="fifa-2022")  # fmt: skip
    assert summary.ok, summary.lines()
    assert summary.items == 64
    items = [json.loads(line) for line in out.read_text().splitlines()]
    assert sum(len(i["lineups"]) for i in items) > 64 * 22
