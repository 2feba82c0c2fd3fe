"""A sender killed with -9 in the middle of a burst, and started again: nothing Telegram confirmed is sent
twice, nothing is lost, and the requests that were in flight at the kill are reported as unconfirmed (they
may or may not have arrived: Telegram cannot be asked), never sent again."""

from __future__ import annotations

import collections
import signal
from pathlib import Path

import psycopg
from confluent_kafka.admin import AdminClient, NewTopic

from notify.fake_telegram import FakeTelegram, Reply, limit_violations
from rstat.settings import Settings
from tests.conftest import unique
from tests.integration.telegram_support import (
    SHARED_TOKEN,
    Sender,
    add_match,
    build_league,
    produce_notices,
    sender_env,
)
from tests.waiting import eventually

CHATS = 80
GOALS = 4
SLOW = 5  # chats whose first message Telegram answers slowly: in flight when the sender is killed


def test_kill_9_mid_burst_then_restart_sends_nothing_twice_and_loses_nothing(
    stack: Settings, database: str, tmp_path: Path
) -> None:
    topic = unique("notices")
    admin = AdminClient({"bootstrap.servers": stack.kafka.bootstrap()})
    admin.create_topics([NewTopic(topic, 3, 1)])[topic].result()
    try:
        with psycopg.connect(database, autocommit=True) as conn, FakeTelegram() as fake:
            league = build_league(conn, "crash", ["Lynx", "Pumas"], shared_bot=True)
            match = add_match(conn, league, "Lynx", "Pumas")
            chats = list(range(8_000_001, 8_000_001 + CHATS))
            for chat in chats:
                conn.execute("INSERT INTO telegram_chats (bot, chat_id) VALUES ('shared', %s)", (chat,))
                conn.execute(
                    "INSERT INTO telegram_subscriptions (org_id, bot, chat_id, team_id) VALUES (%s, 'shared', %s, %s)",
                    (league.org, chat, league.teams["Lynx"]),
                )
            for chat in chats[:SLOW]:
                fake.script(chat, Reply(0, delay_s=5.0))
            name = conn.info.dbname
            sender = Sender(sender_env(name, topic, fake), tmp_path / "telegram.log")
            sender.start()
            produce_notices(
                stack.kafka.bootstrap(),
                topic,
                [
                    {
                        "id": f"goal_scored:crash{n}",
                        "kind": "goal_scored",
                        "stage_id": league.stage,
                        "match_id": match,
                        "home_team_id": league.teams["Lynx"],
                        "away_team_id": league.teams["Pumas"],
                        "team_id": league.teams["Lynx"],
                        "home_score": n,
                        "away_score": 0,
                        "minute": 10 * n,
                        "period": 1,
                    }
                    for n in range(1, GOALS + 1)
                ],
            )
            eventually(lambda: len(fake.sent) >= CHATS, message="the burst to be under way")
            assert sender.stop(signal.SIGKILL) == -signal.SIGKILL
            sender.start()
            text = sender.wait_for("marked unconfirmed")

            def settled() -> dict[str, int]:
                rows = conn.execute("SELECT state, count(*) FROM telegram.deliveries GROUP BY state").fetchall()
                states = {str(s): int(n) for s, n in rows}
                assert sum(states.values()) == CHATS * GOALS
                assert set(states) <= {"sent", "unconfirmed"}, states
                return states

            states = eventually(settled, message="every delivery to be sent or reported")
            # at most the requests in flight (RSTAT__TELEGRAM__MAX_IN_FLIGHT); the slow ones certainly
            assert SLOW <= states["unconfirmed"] <= 30
            received = collections.Counter((s.chat_id, s.text) for s in fake.sent)
            assert max(received.values()) == 1  # nothing twice
            unconfirmed = conn.execute("SELECT chat_id FROM telegram.deliveries WHERE state = 'unconfirmed'").fetchall()
            assert set(chats[:SLOW]) <= {c for (c,) in unconfirmed}
            assert "unconfirmed" in text
            # nothing lost: every (goal, chat) was received, or is reported as unconfirmed
            per_chat = collections.Counter(s.chat_id for s in fake.sent)
            doubts = collections.Counter(c for (c,) in unconfirmed)
            assert all(per_chat[c] + doubts[c] >= GOALS for c in chats)
            assert all(per_chat[c] <= GOALS for c in chats)
            sends = [(s.chat_id, s.mono) for s in fake.sent if s.token == SHARED_TOKEN]
            assert limit_violations(sends) == {"chat": 0, "global": 0, "group": 0}  # across the restart too
            sender.stop()
    finally:
        admin.delete_topics([topic])[topic].result()
