"""The scheduler's parts that need no database: the command of a run, the site a job reads, the pauses after
failures, and a live game's polling backing off when the site pushes back (or forbids it)."""

from __future__ import annotations

import re
import typing
from typing import Any

from api.admin.resources import SpiderName
from crawlers.arguments import ARGUMENTS
from crawlers.config import CrawlersConfig
from crawlers.scheduler.jobs import Job, LiveGame, backoff_s
from crawlers.scheduler.live import LiveFollower
from crawlers.scheduler.loop import site_of
from crawlers.scheduler.runs import job_argv
from tests.conftest import DATA

MIGRATION = DATA.parent.parent / "schemas" / "sql" / "0009_crawl_jobs.sql"


def _job(spider: str = "nhl", **arguments: Any) -> Job:
    return Job(id=7, org_id=3, spider=spider, arguments=arguments, every_s=600, timeout_s=60, live=True, failures=0)


def test_a_run_is_rstat_crawl_with_the_jobs_arguments_as_options(tmp_path: Any) -> None:
    argv = job_argv(["rstat", "crawl"], _job("football-data", season="2324", fixtures=False, url="http://x"), 9,
                    tmp_path / "s.json")  # fmt: skip
    assert argv == [
        "rstat", "crawl", "football-data", "--org", "3", "--actor", "crawl-job:7", "--request-id", "crawl-run:9",
        "--summary-json", str(tmp_path / "s.json"), "--no-fixtures", "--season", "2324", "--url", "http://x",
    ]  # fmt: skip


def test_one_site_per_host_and_growing_pauses() -> None:
    assert site_of(_job(url="http://127.0.0.1:5000/x")) == "127.0.0.1:5000"
    assert site_of(_job()) == "api-web.nhle.com"
    assert site_of(_job("fbref", pages="/saved")) == "saved pages"
    assert [backoff_s(n, 60, 3600) for n in (1, 2, 3, 8)] == [60, 120, 240, 3600]


def test_the_spiders_are_the_same_everywhere() -> None:
    assert set(typing.get_args(SpiderName)) == set(ARGUMENTS)
    check = re.search(r"spider IN \(([^)]*)\)", MIGRATION.read_text())
    assert check is not None
    assert {s.strip(" '") for s in check.group(1).split(",")} == set(ARGUMENTS)


class FakeSite:
    """Answers of the play-by-play, in turn; robots.txt as given."""

    def __init__(self, robots: str, answers: list[tuple[int, dict[str, str]]]) -> None:
        self.robots = robots
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, url: str) -> tuple[int, dict[str, str], bytes]:
        self.asked.append(url)
        if url.endswith("/robots.txt"):
            return 200, {}, self.robots.encode()
        status, headers = self.answers.pop(0)
        return status, headers, b""


def test_a_live_game_backs_off_on_429_and_5xx() -> None:
    now = [1000.0]
    site = FakeSite("User-agent: *\nAllow: /\n", [(429, {"retry-after": "40"}), (503, {}), (502, {})])
    config = CrawlersConfig(live_interval_s=10, live_max_backoff_s=300)
    follower = LiveFollower(typing.cast(Any, None), site, config, clock=lambda: now[0])
    follower.follow(_job(url="http://nhl.test"), [LiveGame(1, "2024020003")])
    pace = []
    for _ in range(3):
        follower.poll_due()
        followed = next(iter(follower.games.values()))
        pace.append(followed.next_poll - now[0])
        now[0] = followed.next_poll
    assert pace == [40, 40, 80]  # Retry-After, then the interval doubling from the failures so far
    assert site.asked[1] == "http://nhl.test/v1/gamecenter/2024020003/play-by-play"


def test_a_live_game_robots_txt_forbids_is_not_followed() -> None:
    site = FakeSite("User-agent: *\nDisallow: /v1/gamecenter/\n", [])
    follower = LiveFollower(typing.cast(Any, None), site, CrawlersConfig(), clock=lambda: 0.0)
    follower.follow(_job(url="http://nhl.test"), [LiveGame(1, "2024020003")])
    follower.poll_due()
    assert follower.games == {}
    assert site.asked == ["http://nhl.test/robots.txt"]
