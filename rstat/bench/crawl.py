"""``rstat bench crawl``: the crawlers against the local fixture site (:mod:`rstat.bench.crawl_site`), on
private databases and topics of their own, removed afterwards.

- ``matches_per_s``: a full Premier League season (football-data.co.uk's 2023/24 CSV, 380 matches with
  results, referees and cards) imported by ``rstat crawl football-data`` into an empty database: matches
  written per second of the crawl (Scrapy's own elapsed time, so without the process's start-up);
- ``recrawl_writes``: rows of the database written (inserted or updated, by any transaction, as their
  ``xmin`` tells) by a second crawl of the unchanged season: 0 when nothing is rewritten;
- ``live_poll_to_stats_p99_ms``: NHL games followed live by ``rstat scheduler`` (its play-by-play polled
  every ``live_poll_interval_s``) through the whole chain (CDC reader, stream worker): for each goal, from the
  moment the site shows its play to the moment ``stats.player_stats`` counts it (after a first game that
  warms the chain up). The wait for the next poll is part of it: the interval is set shorter here than in
  production (10-20 s), where it dominates.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from rstat.bench.crawl_site import CrawlSite, game_header, serve
from rstat.bench.env import ROOT, RSTAT, chain_env, create_database, drop_private, stop_processes
from rstat.errors import RStatError
from rstat.ops.stack.process import wait_until
from rstat.settings import Settings

__all__ = ["bench_crawl"]

TARGETS = {"matches_per_s": 50, "recrawl_writes": 0, "live_poll_to_stats_p99_ms": 2500}
E0 = ROOT / "tests" / "data" / "football" / "E0_2324.csv"
GAME = ROOT / "tests" / "data" / "hockey" / "play-by-play_2024020003__STL-at-SEA_2024-10-08_REG.json"
#: the first game warms the chain up (its goals are not measured), the others make 20 goals
LIVE_GAMES = 5
POLL_S = 1.0
TABLES = ("competitions", "seasons", "stages", "teams", "stage_participants", "officials", "matches",
          "match_events", "external_ids")  # fmt: skip
Conn = psycopg.Connection[tuple[Any, ...]]


def _progress(text: str) -> None:
    print(f"bench crawl: {text}", file=sys.stderr, flush=True)


def _crawl(env: dict[str, str], home: Path, name: str, *args: str) -> dict[str, Any]:
    summary = home / f"{name}.json"
    with (home / f"{name}.log").open("wb") as out:
        done = subprocess.run(
            [RSTAT, "crawl", *args, "--summary-json", str(summary), "--quiet"],
            env=env, stdout=out, stderr=subprocess.STDOUT, check=False, timeout=600,
        )  # fmt: skip
    if done.returncode != 0 or not summary.exists():
        raise RStatError(f"rstat crawl failed ({done.returncode}); see {home / (name + '.log')}")
    found: dict[str, Any] = json.loads(summary.read_text())
    return found


def _touched(conn: Conn, since: int) -> int:
    total = 0
    for table in TABLES:
        row = conn.execute(f"SELECT count(*) FROM {table} WHERE xmin::text::bigint > %s", (since % 2**32,)).fetchone()  # noqa: S608 - our table names
        total += int(row[0]) if row else 0
    return total


def _season(settings: Settings, site: CrawlSite, tag: str, home: Path) -> dict[str, Any]:
    db = f"bench_crawl_{tag}"
    dsn = create_database(settings, db, migrate=True)
    env = {**os.environ, "RSTAT__POSTGRES__DATABASE": db, "RSTAT__CRAWLERS__DELAY_S": "0"}
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench')")
            args = ("football-data", "--season", "2324", "--no-fixtures", "--url", site.url, "--org", "bench")
            _progress("a season: 380 Premier League matches from the fixture site into an empty database")
            first = _crawl(env, home, "season", *args)
            if first["written"] != 380:
                raise RStatError(f"the season crawl wrote {first['written']} matches, not 380; see {home}")
            row = conn.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
            before = int(row[0]) if row else 0
            _progress("the same season again, unchanged")
            again = _crawl(env, home, "recrawl", *args)
            writes = _touched(conn, before)
    finally:
        drop_private(settings, database=db)
    return {
        "season_matches": first["written"],
        "season_rows": first["rows"],
        "season_crawl_s": first["seconds"],
        "matches_per_s": round(first["written"] / first["seconds"], 1),
        "recrawl_unchanged": again["unchanged"],
        "recrawl_writes": writes,
        "recrawl_s": again["seconds"],
    }


def _games(site: CrawlSite) -> None:
    """Copies of the saved game on successive days (another id each), starting a minute ago, growing."""
    saved: dict[str, Any] = json.loads(GAME.read_text(encoding="utf-8"))
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = []
    for n in range(LIVE_GAMES):
        doc = copy.deepcopy(saved)
        doc["id"] = saved["id"] + 1000 + n
        doc["gameDate"] = (dt.date(2024, 10, 8) + dt.timedelta(days=n)).isoformat()
        doc["startTimeUTC"] = start
        site.live_game(f"/v1/gamecenter/{doc['id']}/play-by-play", doc)
        entry = game_header(doc) | {"gameState": "FUT"}
        for side in ("homeTeam", "awayTeam"):
            entry[side].pop("score", None)
        listed.append(entry)
    site.put_json("/v1/club-schedule-season/SEA/20242025", {"games": listed})


def _counted(conn: Conn, goals: int) -> bool:
    """Whether the statistics count ``goals`` goals (or more)."""
    row = conn.execute("SELECT coalesce(sum(goals), 0) FROM stats.player_stats").fetchone()
    return row is not None and int(row[0]) >= goals


def _live(settings: Settings, site: CrawlSite, tag: str, home: Path) -> dict[str, Any]:
    db, prefix, app_id = f"bench_live_{tag}", f"bench.{tag}.", f"bench-crawl-{tag}"
    dsn = create_database(settings, db, migrate=True)
    env = {
        **chain_env(database=db, tag=tag, prefix=prefix, app_id=app_id, home=home),
        "RSTAT__CRAWLERS__TICK_S": "0.2",
        "RSTAT__CRAWLERS__DELAY_S": "0",
        "RSTAT__CRAWLERS__LIVE_INTERVAL_S": str(POLL_S),
    }
    procs: list[subprocess.Popen[bytes]] = []
    _games(site)
    try:
        for part in ("cdc", "streams", "scheduler"):
            if part == "scheduler":
                with psycopg.connect(dsn, autocommit=True) as conn:
                    org = conn.execute("INSERT INTO organizations (slug, name) VALUES ('live', 'Live') RETURNING id")
                    row = org.fetchone()
                    conn.execute(
                        "INSERT INTO crawl_jobs (org_id, spider, arguments, live) VALUES (%s, 'nhl', %s, true)",
                        (row[0] if row else None, Jsonb({"season": "20242025", "team": "SEA", "url": site.url})),
                    )
            with (home / f"{part}.log").open("wb") as out:
                procs.append(subprocess.Popen([RSTAT, part], env=env, stdout=out, stderr=subprocess.STDOUT))
            if part == "cdc" and not wait_until(
                lambda: "streaming slot" in (home / "cdc.log").read_text(errors="replace"), 60
            ):
                raise RStatError(f"the CDC reader did not start; see {home / 'cdc.log'}")
        _progress(f"live: {LIVE_GAMES} NHL games followed by rstat scheduler (play-by-play polled every {POLL_S} s)")
        latencies = _play(dsn, site, procs, home)
    finally:
        stop_processes(procs)
        drop_private(settings, database=db, slots=(f"bench_{tag}",), topic_prefixes=(prefix, app_id))
    latencies.sort()
    return {
        "live_poll_interval_s": POLL_S,
        "live_goals": len(latencies),
        "live_poll_to_stats_p50_ms": round(statistics.median(latencies), 1),
        # nearest rank: with 20 goals, the slowest
        "live_poll_to_stats_p99_ms": round(latencies[math.ceil(len(latencies) * 0.99) - 1], 1),
    }


def _play(dsn: str, site: CrawlSite, procs: list[subprocess.Popen[bytes]], home: Path) -> list[float]:
    """Each goal of each game shown on the site, one at a time: how long until the statistics count it."""

    def alive() -> bool:
        for proc, name in zip(procs, ("cdc", "streams", "scheduler"), strict=True):
            if proc.poll() is not None:
                raise RStatError(f"rstat {name} exited during the bench; see {home / (name + '.log')}")
        return True

    if not wait_until(lambda: alive() and all(site.requested(path) for path in site.games), 120):
        raise RStatError(f"the games' live windows did not open within 120 s; see {home / 'scheduler.log'}")
    games = list(site.games.values())
    latencies: list[float] = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        for game in games:
            game.start()
        scored = 0
        for number, game in enumerate(games):
            while game.reveal_through_next_goal() is not None:
                shown = time.perf_counter()
                scored += 1
                if not wait_until(functools.partial(_counted, conn, scored), 120, 0.01):
                    alive()
                    raise RStatError(f"goal {scored} did not reach stats.player_stats within 120 s; see {home}")
                if number > 0:
                    latencies.append((time.perf_counter() - shown) * 1000)
        alive()
    return latencies


def bench_crawl(settings: Settings) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    home = settings.stack.home_path / f"bench-crawl-{tag}"
    home.mkdir(parents=True, exist_ok=True)
    site = CrawlSite()
    site.put("/mmz4281/2324/E0.csv", E0.read_bytes(), "text/csv")
    with serve(site):
        result = _season(settings, site, tag, home)
        _progress(f"season: {result['matches_per_s']} matches/s; re-crawl: {result['recrawl_writes']} rows written")
        result.update(_live(settings, site, tag, home))
    _progress(f"live: goal on the site -> stats p50 {result['live_poll_to_stats_p50_ms']} ms, "
              f"p99 {result['live_poll_to_stats_p99_ms']} ms")  # fmt: skip
    shutil.rmtree(home, ignore_errors=True)  # kept when the bench failed: its logs say why
    return {**result, "targets": TARGETS}
