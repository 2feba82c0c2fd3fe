"""``rstat scheduler`` on the real database: due jobs run as crawl processes, one at a time per site, each run
recorded with its outcome and counts; a failing job is retried with growing pauses; a hung crawl is stopped
at its timeout; and a live NHL game is followed from 0-0 to the final whistle, its goals reaching the
statistics and the notices through the whole chain."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from rstat.bench.crawl_site import CrawlSite, serve
from rstat.settings import Settings
from tests.integration.cdc_support import RSTAT, CdcEnv, TopicReader, start_streams
from tests.unit.crawlers.sites import NHL_REG, football_data_site, future_game, nhl_site, pbp
from tests.waiting import StopWaiting, eventually

Conn = psycopg.Connection[dict[str, Any]]
FAST = {
    "RSTAT__CRAWLERS__TICK_S": "0.2",
    "RSTAT__CRAWLERS__DELAY_S": "0",
    "RSTAT__CRAWLERS__RETRIES": "1",
    "RSTAT__CRAWLERS__BACKOFF_S": "0.2",
    "RSTAT__CRAWLERS__RETRY_BASE_S": "1",
    "RSTAT__CRAWLERS__LIVE_INTERVAL_S": "1",
}


@pytest.fixture
def site() -> Iterator[CrawlSite]:
    with serve(CrawlSite()) as running:
        yield running


def _org(conn: Conn) -> int:
    row = conn.execute(
        "INSERT INTO organizations (slug, name) VALUES (%s, 'Crawled') RETURNING id", (f"o{uuid.uuid4().hex[:10]}",)
    ).fetchone()
    assert row is not None
    return int(row["id"])


def _job(conn: Conn, org: int, spider: str, arguments: dict[str, Any], **columns: Any) -> int:
    names = ["org_id", "spider", "arguments", *columns]
    row = conn.execute(
        f"INSERT INTO crawl_jobs ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))}) RETURNING id",
        [org, spider, Jsonb(arguments), *columns.values()],
    ).fetchone()
    assert row is not None
    return int(row["id"])


def _runs(conn: Conn, job: int) -> list[dict[str, Any]]:
    return conn.execute("SELECT * FROM crawl_runs WHERE job_id = %s ORDER BY id", (job,)).fetchall()


def _scheduler(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([RSTAT, "scheduler"], env=env, stdout=out, stderr=subprocess.STDOUT)


def _alive(proc: subprocess.Popen[bytes], log: Path) -> None:
    if proc.poll() is not None:
        raise StopWaiting(f"rstat scheduler exited with {proc.returncode}:\n{log.read_text()[-3000:]}")


def test_jobs_run_one_at_a_time_per_site_with_retries_and_timeouts(
    stack: Settings, database: str, site: CrawlSite, tmp_path: Path
) -> None:
    football_data_site(site)
    name = psycopg.conninfo.conninfo_to_dict(database)["dbname"]
    with (
        serve(CrawlSite()) as slow,
        psycopg.connect(database, autocommit=True, row_factory=dict_row) as conn,
    ):
        slow.hang("/mmz4281/1920/E0.csv", 60)
        org = _org(conn)
        season = _job(conn, org, "football-data", {"season": "2324", "url": site.url, "fixtures": False})
        missing = _job(conn, org, "football-data", {"season": "2223", "url": site.url}, every_s=3600)
        hung = _job(conn, org, "football-data", {"season": "1920", "url": slow.url}, timeout_s=3)
        env = {**os.environ, "RSTAT__POSTGRES__DATABASE": str(name), **FAST}
        proc = _scheduler(env, tmp_path / "scheduler.log")
        try:

            def settled() -> bool:
                _alive(proc, tmp_path / "scheduler.log")
                done = {j: [r for r in _runs(conn, j) if r["outcome"] != "running"] for j in (season, missing, hung)}
                assert done[season], done
                assert len(done[missing]) >= 2, done
                assert done[hung], done
                return True

            eventually(settled, message="the three jobs to have run (the failing one twice)")
            second = _scheduler(env, tmp_path / "second.log")
            assert second.wait(60) == 2  # one scheduler per database
        finally:
            proc.terminate()
            assert proc.wait(60) == 0
        ok = _runs(conn, season)[0]
        assert ok["outcome"] == "succeeded", ok
        assert (ok["summary"]["written"], ok["summary"]["items"], ok["error"]) == (380, 380, None)
        assert conn.execute("SELECT count(*) AS n FROM matches").fetchone() == {"n": 380}
        failed = [r for r in _runs(conn, missing) if r["outcome"] != "running"]
        assert {r["outcome"] for r in failed} == {"failed"}
        assert failed[0]["summary"]["pages_failed"] == {"http_404": 1}
        assert "exit status 1" in failed[0]["error"]
        job = conn.execute("SELECT failures, next_run_at FROM crawl_jobs WHERE id = %s", (missing,)).fetchone()
        assert job is not None
        # the pause after n failures in a row: 1 s, 2 s, 4 s... (RETRY_BASE_S=1), from the end of the last run
        pause = (job["next_run_at"] - failed[job["failures"] - 1]["ended_at"]).total_seconds()
        assert job["failures"] >= 2
        assert abs(pause - 2 ** (job["failures"] - 1)) < 0.5, (job, pause)
        stopped = _runs(conn, hung)[0]
        assert stopped["outcome"] == "timed_out"
        assert "timeout of 3 s" in stopped["error"]
        # one run at a time on a site; another site's run goes on meanwhile
        spans = sorted((r["started_at"], r["ended_at"]) for j in (season, missing) for r in _runs(conn, j)
                       if r["ended_at"] is not None)  # fmt: skip
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), spans
        assert stopped["started_at"] < ok["ended_at"]
        assert ok["started_at"] < stopped["ended_at"]


def _goals_in_stats(conn: Conn, match_id: int, expected: int) -> bool:
    """Whether the statistics of the match's season count ``expected`` goals."""
    row = conn.execute(
        "SELECT coalesce(sum(p.goals), 0) AS n FROM stats.player_stats p "
        "JOIN stages st ON st.season_id = p.season_id JOIN matches m ON m.stage_id = st.id WHERE m.id = %s",
        (match_id,),
    ).fetchone()
    return row is not None and int(row["n"]) == expected


def _read_notices(chain: CdcEnv, match_id: int, until: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """The notices of the match on the worker's notices topic, once ``until`` holds of them."""
    reader = TopicReader(chain.settings, [chain.env["RSTAT__STREAMS__NOTICES_TOPIC"]])
    found: list[dict[str, Any]] = []

    def enough() -> bool:
        found.extend(n for m in reader.poll() if (n := json.loads(m.value() or b"null")) and n["match_id"] == match_id)
        assert until(found), f"{len(found)} notices of the match so far"
        return True

    try:
        eventually(enough, interval=0, message=f"the notices of match {match_id}")
    finally:
        reader.close()
    return found


def test_a_live_game_is_followed_from_its_first_play_to_the_final_whistle(
    chain: CdcEnv, site: CrawlSite, tmp_path: Path
) -> None:
    final = pbp(NHL_REG)
    final["startTimeUTC"] = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = f"/v1/gamecenter/{final['id']}/play-by-play"
    nhl_site(site, [future_game(final)])  # the schedule lists it before the puck drops
    game = site.live_game(path, final)  # and its play-by-play grows as the test plays it
    chain.start()
    chain.wait_streaming()
    start_streams(chain, tmp_path / "streams.log")
    log = tmp_path / "scheduler.log"
    with psycopg.connect(chain.dsn, autocommit=True, row_factory=dict_row) as conn:
        job = _job(conn, _org(conn), "nhl", {"season": "20242025", "date": "2024-10-08", "url": site.url}, live=True)
        proc = _scheduler({**chain.env, **FAST}, log)
        chain.procs.append(proc)

        def match(status: str) -> dict[str, Any] | None:
            _alive(proc, log)
            return conn.execute(
                "SELECT m.* FROM matches m JOIN external_ids e ON e.internal_id = m.id AND e.kind = 'match' "
                "WHERE e.external_id = %s AND m.status = %s",
                (str(final["id"]), status),
            ).fetchone()

        imported = eventually(lambda: match("scheduled"), message="the crawl job to import the game to come")
        eventually(lambda: site.requested(path), message="its live window to open (its play-by-play polled)")
        game.start()
        eventually(lambda: match("live"), message="the game to be in play")
        goals = 0
        while game.reveal_through_next_goal() is not None:
            goals += 1
            counted = functools.partial(_goals_in_stats, conn, imported["id"], goals)
            eventually(counted, message=f"goal {goals} in stats.player_stats")
        assert goals == 5
        done = eventually(lambda: match("finished"), message="the final whistle")
        assert (done["home_score"], done["away_score"], done["decided_in"]) == (2, 3, "REG")
        notices = _read_notices(
            chain,
            imported["id"],
            lambda n: sum(x["kind"] == "goal_scored" for x in n) == 5 and any(x["kind"] == "match_finished" for x in n),
        )
        running = sorted((x["home_score"], x["away_score"]) for x in notices if x["kind"] == "goal_scored")
        assert running == [(1, 0), (2, 0), (2, 1), (2, 2), (2, 3)]
        changes = chain.changes(["match_events"], lambda seen: len(seen) >= 69)
        contexts = {(c.record["context"]["source"], c.record["context"]["actor"]) for c in changes if c.record}
        assert contexts == {("crawler:nhl", f"crawl-job:{job}")}
