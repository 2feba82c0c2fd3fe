"""``rstat bench telegram``: the sender against the fake Bot API, on a private database and notices topic.

Backlog: 2,000 goal notices, four to each of 500 matches, each match followed by one chat (500 chats), all
produced at once. Measured from the fake's records: ``sent``, ``duplicates`` (the same message to the same
chat twice), ``limit_violations`` (any breach of one message per second per chat, 20 per minute per group,
30 per second overall), and ``throughput_share_of_limit`` (messages per second while the backlog lasts,
first to last send, over the overall limit).

Under the limits: then 200 notices to 200 more chats at 10 per second; ``notice_to_send_p99_ms`` is from
the notice handed to Kafka to its request arriving at the fake.
"""

from __future__ import annotations

import collections
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from notify.fake_telegram import FakeTelegram, limit_violations
from rstat.bench.env import ROOT, create_database, drop_private, stop_processes
from rstat.errors import RStatError
from rstat.settings import Settings

__all__ = ["bench_telegram"]

TOKEN = "424242:bench-shared-bot-token-cccccccccccc"  # noqa: S105 - the fake Bot API's, not a secret
BACKLOG_MATCHES, GOALS_PER_MATCH = 500, 4
LIVE_NOTICES, LIVE_RATE = 200, 10.0
TIMEOUT_S = 600.0


def bench_telegram(settings: Settings) -> dict[str, object]:
    tag = uuid.uuid4().hex[:10]
    database, topic = f"bench_tg_{tag}", f"bench-tg-{tag}.notices"
    dsn = create_database(settings, database, migrate=True)
    admin = AdminClient({"bootstrap.servers": settings.kafka.bootstrap()})
    admin.create_topics([NewTopic(topic, 3, 1)])[topic].result()
    sender: subprocess.Popen[bytes] | None = None
    log = settings.stack.home_path / "bench" / f"telegram-{tag}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn, FakeTelegram() as fake:
            stage, matches = _league(conn, BACKLOG_MATCHES + LIVE_NOTICES)
            sender = _start(settings, database, topic, fake, log)
            producer = Producer({"bootstrap.servers": settings.kafka.bootstrap(), "linger.ms": 5})
            backlog = [
                _goal(stage, match, n) for n in range(1, GOALS_PER_MATCH + 1) for match in matches[:BACKLOG_MATCHES]
            ]
            for notice in backlog:
                producer.produce(topic, key=f"match:{notice['match_id']}".encode(), value=json.dumps(notice).encode())
            producer.flush(60)
            _wait(lambda: len(fake.sent) >= len(backlog), sender, "the backlog to be sent")
            drained = list(fake.sent)
            handed: dict[int, float] = {}
            start = time.monotonic()
            for n, match in enumerate(matches[BACKLOG_MATCHES:]):
                time.sleep(max(0.0, start + n / LIVE_RATE - time.monotonic()))
                handed[match] = time.time()
                notice = _goal(stage, match, 1)
                producer.produce(topic, key=f"match:{match}".encode(), value=json.dumps(notice).encode())
                producer.poll(0)
            producer.flush(60)
            _wait(lambda: len(fake.sent) >= len(backlog) + LIVE_NOTICES, sender, "the live notices to be sent")
            return _figures(fake, drained, handed, matches, len(backlog))
    finally:
        if sender is not None:
            stop_processes([sender])
        drop_private(settings, database=database, topic_prefixes=(f"bench-tg-{tag}.",))


def _figures(
    fake: FakeTelegram, drained: list[Any], handed: dict[int, float], matches: list[int], backlog: int
) -> dict[str, object]:
    chat_of = {match: n + 1 for n, match in enumerate(matches)}
    received = collections.Counter((s.chat_id, s.text) for s in fake.sent)
    violations = limit_violations((s.chat_id, s.mono) for s in fake.sent)
    times = sorted(s.mono for s in drained)
    rate = (len(times) - 1) / (times[-1] - times[0])
    arrived = {s.chat_id: s.at for s in fake.sent if s.chat_id > BACKLOG_MATCHES}
    latencies = sorted((arrived[chat_of[m]] - at) * 1000 for m, at in handed.items())
    return {
        "notices": backlog + len(handed),
        "chats": len(matches),
        "sent": len(fake.sent),
        "duplicates": sum(n - 1 for n in received.values()),
        "limit_violations": sum(violations.values()),
        "violations_by_limit": violations,
        "backlog_messages": backlog,
        "backlog_seconds": round(times[-1] - times[0], 2),
        "throughput_per_s": round(rate, 2),
        "throughput_share_of_limit": round(rate / 30, 3),
        "notice_to_send_p50_ms": round(statistics.median(latencies), 1),
        "notice_to_send_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "targets": {
            "duplicates": 0,
            "limit_violations": 0,
            "throughput_share_of_limit": 0.9,
            "notice_to_send_p99_ms": 1000,
        },
    }


def _league(conn: psycopg.Connection[Any], matches: int) -> tuple[int, list[int]]:
    """One organization consenting to the shared bot, a league of 2 x ``matches`` teams playing ``matches``
    matches in one round, and chat n following match n."""
    org = conn.execute("INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench') RETURNING id").fetchone()
    assert org is not None
    conn.execute("INSERT INTO telegram_settings (org_id, shared_bot) VALUES (%s, true)", (org[0],))
    row = conn.execute(
        """
        WITH c AS (INSERT INTO competitions (org_id, sport, slug, name) VALUES (%(org)s, 'football', 'bench', 'Bench')
                   RETURNING id),
             se AS (INSERT INTO seasons (competition_id, name) SELECT id, '2026' FROM c RETURNING id)
        INSERT INTO stages (season_id, name, kind, regulation) SELECT id, 'Season', 'league', 'football' FROM se
        RETURNING id
        """,
        {"org": org[0]},
    ).fetchone()
    assert row is not None
    stage = int(row[0])
    conn.execute(
        "INSERT INTO teams (org_id, name) SELECT %s, 'Team ' || n FROM generate_series(1, %s) n", (org[0], 2 * matches)
    )
    ids = [int(r[0]) for r in conn.execute("SELECT id FROM teams WHERE org_id = %s ORDER BY id", (org[0],))]
    conn.execute(
        "INSERT INTO matches (stage_id, round, home_team_id, away_team_id, status) "
        "SELECT %s, 1, h, a, 'live' FROM unnest(%s::bigint[], %s::bigint[]) AS t(h, a)",
        (stage, ids[0::2], ids[1::2]),
    )
    match_ids = [int(r[0]) for r in conn.execute("SELECT id FROM matches WHERE stage_id = %s ORDER BY id", (stage,))]
    chats = list(range(1, matches + 1))
    conn.execute("INSERT INTO telegram_chats (bot, chat_id) SELECT 'shared', c FROM unnest(%s::bigint[]) c", (chats,))
    conn.execute(
        "INSERT INTO telegram_subscriptions (org_id, bot, chat_id, match_id) "
        "SELECT %s, 'shared', c, m FROM unnest(%s::bigint[], %s::bigint[]) AS t(c, m)",
        (org[0], chats, match_ids),
    )
    return stage, match_ids


def _goal(stage: int, match: int, n: int) -> dict[str, Any]:
    return {
        "id": f"goal_scored:bench-{match}-{n}",
        "kind": "goal_scored",
        "stage_id": stage,
        "match_id": match,
        "home_score": n,
        "away_score": 0,
        "minute": 10 * n,
        "period": 1,
    }


def _start(settings: Settings, database: str, topic: str, fake: FakeTelegram, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "RSTAT__POSTGRES__DATABASE": database,
        "RSTAT__STREAMS__NOTICES_TOPIC": topic,
        "RSTAT__TELEGRAM__TOKEN": TOKEN,
        "RSTAT__TELEGRAM__API_URL": fake.url,
        "RSTAT__TELEGRAM__CONSUMER_GROUP": f"bench-tg-{uuid.uuid4().hex[:8]}",
        "RSTAT__TELEGRAM__ORG_BOTS": "false",
    }
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rstat.cli.telegram"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    _wait(lambda: "telegram: reading " in log.read_text(errors="replace"), proc, "the sender to start")
    return proc


def _wait(done: Any, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not done():
        if proc.poll() is not None:
            raise RStatError(f"bench telegram: the sender exited with {proc.returncode} while waiting for {what}")
        if time.monotonic() > deadline:
            raise RStatError(f"bench telegram: timed out waiting for {what}")
        time.sleep(0.05)


if __name__ == "__main__":  # ``python -m rstat.bench.telegram``: the same JSON as ``rstat bench telegram --json``
    from rstat.settings import load_settings

    print(json.dumps({"part": "telegram", **bench_telegram(load_settings())}))
