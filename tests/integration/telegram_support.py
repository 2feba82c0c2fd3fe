"""The Telegram process for the tests: ``rstat telegram`` (through its module entry) against the fake Bot API,
on a database and notices topic of the test's own; a league written in SQL; the fake's replies awaited."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from confluent_kafka import Producer

from notify.fake_telegram import FakeTelegram
from tests.conftest import unique
from tests.waiting import DEFAULT_TIMEOUT_S, StopWaiting, eventually

ROOT = Path(__file__).resolve().parents[2]
SHARED_TOKEN = "111111:shared-bot-token-aaaaaaaaaaaaaaaaaaaaa"


@dataclass
class Sender:
    """A running ``rstat telegram`` and its log; ``restart`` starts it again on the same settings."""

    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    log_from: int = 0

    def start(self) -> None:
        self.start_without_waiting()
        self.wait_for("telegram: reading ")

    def start_without_waiting(self) -> None:
        self.log_from = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "rstat.cli.telegram"],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1

    def text(self) -> str:
        with self.log.open("rb") as f:
            f.seek(self.log_from)
            return f.read().decode(errors="replace")

    def wait_for(self, line: str, timeout: float = DEFAULT_TIMEOUT_S) -> str:
        proc = self.proc
        assert proc is not None

        def logged() -> str | None:
            text = self.text()
            if line in text:
                return text
            if proc.poll() is not None:
                raise StopWaiting(f"rstat telegram exited with {proc.returncode}:\n{text[-3000:]}")
            return None

        return eventually(logged, timeout=timeout, message=f"rstat telegram to log {line!r} (see {self.log})")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=DEFAULT_TIMEOUT_S)


def sender_env(database: str, notices_topic: str, fake: FakeTelegram, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "RSTAT__POSTGRES__DATABASE": database,
        "RSTAT__STREAMS__NOTICES_TOPIC": notices_topic,
        "RSTAT__TELEGRAM__TOKEN": SHARED_TOKEN,
        "RSTAT__TELEGRAM__API_URL": fake.url,
        "RSTAT__TELEGRAM__CONSUMER_GROUP": unique("telegram"),
        "RSTAT__TELEGRAM__POLL_TIMEOUT_S": "1",
        "RSTAT__TELEGRAM__BOTS_REFRESH_S": "0.5",
        **settings,
    }


@dataclass
class League:
    """One organization's competition written in SQL: its teams and matches by name."""

    org: int
    competition: int
    season: int
    stage: int
    teams: dict[str, int]
    matches: list[int] = field(default_factory=list)
    player: int = 0


def build_league(
    conn: psycopg.Connection[Any], slug: str, teams: list[str], *, shared_bot: bool, org: int | None = None
) -> League:
    """A league of ``teams`` (and a player of the first) in organization ``org`` (a new one by default), and
    the organization's consent to the shared bot."""
    if org is None:
        org = _id(conn, "INSERT INTO organizations (slug, name) VALUES (%s, %s) RETURNING id", (slug, slug))
    comp = _id(
        conn,
        "INSERT INTO competitions (org_id, sport, slug, name) VALUES (%s, 'football', %s, %s) RETURNING id",
        (org, slug, f"{slug} league"),
    )
    season = _id(conn, "INSERT INTO seasons (competition_id, name) VALUES (%s, '2026') RETURNING id", (comp,))
    stage = _id(
        conn,
        "INSERT INTO stages (season_id, name, kind, regulation) VALUES (%s, 'Season', 'league', 'football') "
        "RETURNING id",
        (season,),
    )
    ids = {
        name: _id(conn, "INSERT INTO teams (org_id, name) VALUES (%s, %s) RETURNING id", (org, name)) for name in teams
    }
    for team in ids.values():
        conn.execute("INSERT INTO stage_participants (stage_id, team_id) VALUES (%s, %s)", (stage, team))
    player = _id(
        conn,
        "INSERT INTO players (org_id, first_name, last_name) VALUES (%s, 'Ada', %s) RETURNING id",
        (org, f"{teams[0]} Striker"),
    )
    conn.execute(
        "INSERT INTO telegram_settings (org_id, shared_bot) VALUES (%s, %s) "
        "ON CONFLICT (org_id) DO UPDATE SET shared_bot = EXCLUDED.shared_bot",
        (org, shared_bot),
    )
    return League(org, comp, season, stage, ids, player=player)


def add_match(conn: psycopg.Connection[Any], league: League, home: str, away: str, round_: int = 1) -> int:
    match = _id(
        conn,
        "INSERT INTO matches (stage_id, round, home_team_id, away_team_id) VALUES (%s, %s, %s, %s) RETURNING id",
        (league.stage, round_, league.teams[home], league.teams[away]),
    )
    league.matches.append(match)
    return match


def goal(conn: psycopg.Connection[Any], match: int, team: int, minute: int, player: int | None = None) -> None:
    conn.execute(
        "INSERT INTO match_events (match_id, team_id, kind, player_id, period, minute) "
        "VALUES (%s, %s, 'goal', %s, %s, %s)",
        (match, team, player, 1 if minute <= 45 else 2, minute),
    )


def _id(conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...]) -> int:
    row = conn.execute(query.encode(), params).fetchone()
    assert row is not None
    return int(row[0])


def org_bot_token(org: int) -> str:
    return f"{900000 + org}:org-bot-token-{org:08d}-bbbbbbbbbbbb"


def produce_notices(bootstrap: str, topic: str, notices: list[dict[str, Any]]) -> None:
    """Notices written as the stream processor writes them (JSON, keyed by match)."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for notice in notices:
        key = f"match:{notice.get('match_id')}".encode()
        producer.produce(topic, key=key, value=json.dumps(notice).encode())
    assert producer.flush(60) == 0


def replies(fake: FakeTelegram, chat_id: int, token: str = SHARED_TOKEN) -> list[str]:
    return fake.messages(chat_id, token)


def wait_reply(fake: FakeTelegram, chat_id: int, contains: str, token: str = SHARED_TOKEN, after: int = 0) -> str:
    """The first message to ``chat_id`` (from its ``after``-th on) that contains ``contains``."""

    def found() -> str | None:
        return next((m for m in replies(fake, chat_id, token)[after:] if contains in m), None)

    return eventually(found, message=f"chat {chat_id} to receive a message with {contains!r}")
