"""``rstat bench streams``: the stream processor measured through the whole chain on the local stack.

A private database (migrated), its own CDC reader and its own worker (own topics, consumer group and state
folder), both real ``rstat`` processes. A league of 20 teams with 500 players and all 380 matches in play,
each with its starting line-ups (22 players), is loaded and settled first. Then:

- throughput: the worker is paused (SIGSTOP, shorter than its session timeout) while 20,000 match events
  (goals with assists, cards) are committed and published by the reader, then resumed: ``events_per_s`` is
  events / (resume -> the last of them visible in ``stats.player_stats``), i.e. from Kafka to updated
  tables, the materialized ones included;
- latency: single-event transactions at a steady 200 per second for 15 s; each event's latency is its
  commit (the client's clock when COMMIT returned) -> the first poll of ``stats.player_stats`` (every 5 ms)
  that shows it. The poll interval bounds the resolution.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from rstat.bench.env import RSTAT, chain_env, create_database, drop_private, stop_processes
from rstat.errors import RStatError
from rstat.ops.stack.process import wait_until
from rstat.settings import Settings
from sports.schedule import double_round_robin

__all__ = ["bench_streams"]

TARGETS = {"events_per_s": 5_000, "latency_p99_ms": 1_000}
TEAMS, SQUAD, BULK_EVENTS, RATE, STEADY_S = 20, 25, 20_000, 200, 15
Conn = psycopg.Connection[tuple[Any, ...]]


def _progress(text: str) -> None:
    print(f"bench streams: {text}", file=sys.stderr, flush=True)


class _League:
    """The bench's league: ids of its season, teams' players and matches."""

    def __init__(self, conn: Conn) -> None:
        org = _one(conn, "INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench') RETURNING id")
        comp = _one(
            conn,
            "INSERT INTO competitions (org_id, sport, slug, name) VALUES (%s, 'football', 'b', 'Bench') RETURNING id",
            (org,),
        )
        self.season = _one(conn, "INSERT INTO seasons (competition_id, name) VALUES (%s, 'b') RETURNING id", (comp,))
        stage = _one(
            conn,
            "INSERT INTO stages (season_id, name, kind, regulation) VALUES (%s, 'L', 'league', 'premier-league') "
            "RETURNING id",
            (self.season,),
        )
        self.teams = [
            _one(conn, "INSERT INTO teams (org_id, name) VALUES (%s, %s) RETURNING id", (org, f"T{n}"))
            for n in range(TEAMS)
        ]
        self.players = {
            team: [
                _one(
                    conn, "INSERT INTO players (org_id, last_name) VALUES (%s, %s) RETURNING id", (org, f"P{team}-{n}")
                )
                for n in range(SQUAD)
            ]
            for team in self.teams
        }
        self.matches: list[tuple[int, int, int]] = []
        for fixture in double_round_robin([str(t) for t in self.teams], seed=1):
            home, away = int(fixture.home), int(fixture.away)
            match = _one(
                conn,
                "INSERT INTO matches (stage_id, round, home_team_id, away_team_id, status, home_score, "
                "away_score) VALUES (%s, %s, %s, %s, 'live', 0, 0) RETURNING id",
                (stage, fixture.round, home, away),
            )
            self.matches.append((match, home, away))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO lineups (match_id, team_id, player_id, starter) VALUES (%s, %s, %s, true)",
                [(m, t, p) for m, home, away in self.matches for t in (home, away) for p in self.players[t][:11]],
            )

    def events(self, rng: random.Random, count: int) -> list[tuple[Any, ...]]:
        """Goals (with an assist) and yellow cards by players on the pitch, at random minutes."""
        out = []
        for _ in range(count):
            match, home, away = rng.choice(self.matches)
            team = rng.choice((home, away))
            scorer, assist = rng.sample(self.players[team][:11], 2)
            kind = rng.choice(("goal", "goal", "yellow"))
            minute = rng.randint(1, 90)
            out.append(
                (match, team, kind, scorer, assist if kind == "goal" else None, 1 if minute <= 45 else 2, minute)
            )
        return out


def _one(conn: Conn, query: str, params: tuple[Any, ...] = ()) -> int:
    row = conn.execute(query.encode(), params).fetchone()
    if row is None:
        raise RStatError(f"no row from {query}")
    return int(row[0])


INSERT_EVENT = (
    "INSERT INTO match_events (match_id, team_id, kind, player_id, assist1_id, period, minute) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def _settled(conn: Conn, season: int) -> int:
    """Goals and cards counted in the season's materialized player statistics."""
    row = conn.execute(
        "SELECT coalesce(sum(goals + yellow_cards), 0) FROM stats.player_stats WHERE season_id = %s", (season,)
    ).fetchone()
    return int(row[0]) if row else 0


def bench_streams(settings: Settings) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    db, prefix, app_id = f"bench_streams_{tag}", f"bench.{tag}.", f"bench-streams-{tag}"
    dsn = create_database(settings, db, migrate=True)
    home = settings.stack.home_path / f"bench-streams-{tag}"
    env = chain_env(database=db, tag=tag, prefix=prefix, app_id=app_id, home=home)
    home.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for part in ("cdc", "streams"):
            with (home / f"{part}.log").open("wb") as out:
                procs.append(subprocess.Popen([RSTAT, part], env=env, stdout=out, stderr=subprocess.STDOUT))
        if not wait_until(lambda: "streaming slot" in (home / "cdc.log").read_text(errors="replace"), 60):
            raise RStatError(f"the reader did not start; see {home / 'cdc.log'}")
        return _measure(dsn, procs, home)
    finally:
        stop_processes(procs)
        drop_private(settings, database=db, slots=(f"bench_{tag}",), topic_prefixes=(prefix, app_id))


def _measure(dsn: str, procs: list[subprocess.Popen[bytes]], home: Path) -> dict[str, Any]:
    worker = procs[1]
    rng = random.Random(5000)  # noqa: S311 - reproducible match events, not secrets
    result: dict[str, Any] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        _progress("loading a league: 20 teams, 500 players, 380 matches in play with their line-ups")
        league = _League(conn)
        warm = league.events(rng, 2_000)
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(INSERT_EVENT, warm)
        _progress("warm-up: 2,000 events through the chain")
        done = 2_000
        if not wait_until(lambda: _settled(conn, league.season) >= done, 300, 0.2):
            raise RStatError(f"the warm-up did not settle within 300 s; see {home}")

        _progress(f"throughput: {BULK_EVENTS:,} events committed while the worker is paused, then processed")
        os.kill(worker.pid, signal.SIGSTOP)
        try:
            batch = league.events(rng, BULK_EVENTS)
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(INSERT_EVENT, batch)
            time.sleep(2)  # the reader publishes them (~50k changes/s) while the worker cannot read
        finally:
            os.kill(worker.pid, signal.SIGCONT)
        start = time.perf_counter()
        done += BULK_EVENTS
        if not wait_until(lambda: _settled(conn, league.season) >= done, 600, 0.02):
            raise RStatError(f"the events were not processed within 600 s; see {home}")
        result["events_per_s"] = round(BULK_EVENTS / (time.perf_counter() - start))
        _progress(f"throughput: {result['events_per_s']:,} events/s")

        _progress(f"latency: {RATE} events per second for {STEADY_S} s, commit -> visible in stats.player_stats")
        result.update(_latency(dsn, league, rng))
    for proc, name in zip(procs, ("cdc", "streams"), strict=True):
        if proc.poll() is not None:
            raise RStatError(f"rstat {name} exited during the bench; see {home / (name + '.log')}")
    return {**result, "targets": TARGETS}


def _latency(dsn: str, league: _League, rng: random.Random) -> dict[str, Any]:
    """Commit -> visible per event; every event is a goal of one player, so his count tells when it shows."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        goals: dict[int, int] = dict(
            conn.execute(
                "SELECT player_id, goals FROM stats.player_stats WHERE season_id = %s", (league.season,)
            ).fetchall()
        )
    initial = dict(goals)  # the poller's baseline; ``goals`` counts on as events are committed
    expected: list[tuple[int, int, float]] = []  # (player, his goal count once it shows, commit time)
    seen: dict[tuple[int, int], float] = {}
    stop = threading.Event()

    def poll() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not stop.is_set():
                now = time.perf_counter()
                for player, count in conn.execute(
                    "SELECT player_id, goals FROM stats.player_stats WHERE season_id = %s", (league.season,)
                ).fetchall():
                    for n in range(initial.get(player, 0) + 1, int(count) + 1):
                        seen.setdefault((int(player), n), now)
                time.sleep(0.005)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    with psycopg.connect(dsn, autocommit=True) as conn:
        start = time.perf_counter()
        for n in range(RATE * STEADY_S):
            due = start + n / RATE
            time.sleep(max(0.0, due - time.perf_counter()))
            match, home, _ = rng.choice(league.matches)
            player = rng.choice(league.players[home][:11])
            conn.execute(INSERT_EVENT, (match, home, "goal", player, None, 2, 60))
            committed = time.perf_counter()
            goals[player] = goals.get(player, 0) + 1
            expected.append((player, goals[player], committed))
        # a processor slower than the offered rate falls behind: wait for its backlog, and say so below
        wait_until(lambda: all((p, k) in seen for p, k, _ in expected), 900, 0.1)
    stop.set()
    poller.join()
    latencies = sorted((seen[(p, k)] - t) * 1000 for p, k, t in expected if (p, k) in seen)
    if len(latencies) < len(expected):
        raise RStatError(f"{len(expected) - len(latencies)} events never showed in stats.player_stats")
    _progress(
        f"latency: p50 {statistics.median(latencies):.0f} ms, p99 {latencies[int(len(latencies) * 0.99) - 1]:.0f} ms"
    )
    return {
        "latency_offered_per_s": RATE,
        "latency_last_event_after_s": round(max(seen[(p, k)] for p, k, _ in expected) - expected[0][2], 1),
        "latency_events": len(latencies),
        "latency_p50_ms": round(statistics.median(latencies), 1),
        "latency_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "latency_max_ms": round(latencies[-1], 1),
    }
