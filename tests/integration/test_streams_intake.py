"""The worker's intake and sender on the real broker: bad messages in a CDC topic, and key placement."""

from __future__ import annotations

import subprocess
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from rstat.settings import Settings
from streams.batching import partition_of
from streams.sender import Sender
from tests.conftest import unique
from tests.integration.cdc_support import CdcEnv, start_streams
from tests.integration.test_streams import Conn, batch_table, create_league, materialized, wait_for_table
from tests.waiting import eventually

TEAMS = ["Arsenal", "Chelsea", "Everton", "Fulham"]


def play(conn: Conn, stage: int, team: dict[str, int], round_: int, scores: list[tuple[str, str, int, int]]) -> None:
    for home, away, hs, as_ in scores:
        conn.execute(
            "INSERT INTO matches (stage_id, round, home_team_id, away_team_id, status, home_score, away_score, "
            "decided_in) VALUES (%s, %s, %s, %s, 'finished', %s, %s, 'REG')",
            (stage, round_, team[home], team[away], hs, as_),
        )


def produce_raw(chain: CdcEnv, table: str, value: bytes) -> None:
    producer = Producer({"bootstrap.servers": chain.settings.kafka.bootstrap()})
    producer.produce(chain.topic(table), key=b"1", value=value, partition=0)
    assert producer.flush(30) == 0


def first_round_through_the_chain(
    chain: CdcEnv, log: Path, conn: Conn, scores: list[tuple[str, str, int, int]]
) -> tuple[subprocess.Popen[bytes], int, dict[str, int]]:
    """The reader and a worker running, a league whose first round (``scores``) is in the materialized table:
    (the worker, the stage id, the team ids)."""
    chain.start()
    chain.wait_streaming()
    worker = start_streams(chain, log)
    stage, team = create_league(conn, "football", "premier-league", TEAMS)
    play(conn, stage, team, 1, scores)
    wait_for_table(conn, stage, batch_table(conn, stage), worker, log)
    return worker, stage, team


def test_a_message_that_is_not_avro_is_skipped_with_its_position_and_the_rest_is_processed(
    chain: CdcEnv, tmp_path: Path
) -> None:
    log = tmp_path / "streams.log"
    with chain.connect() as conn:
        worker, stage, team = first_round_through_the_chain(
            chain, log, conn, [("Arsenal", "Chelsea", 2, 1), ("Everton", "Fulham", 0, 0)]
        )
        produce_raw(chain, "matches", b"written by something else")
        play(conn, stage, team, 2, [("Chelsea", "Everton", 3, 0), ("Fulham", "Arsenal", 1, 1)])
        expected = batch_table(conn, stage)
        assert [r[3] for r in expected] == [2, 2, 2, 2]  # every team played twice
        assert wait_for_table(conn, stage, expected, worker, log) == expected
        assert materialized(conn, stage) == expected
    text = log.read_text(errors="replace")
    assert f"{chain.topic('matches')}[0]@" in text
    assert "not a CDC envelope" in text
    assert worker.poll() is None


def test_a_change_whose_schema_is_nowhere_stops_the_worker_and_says_why(chain: CdcEnv, tmp_path: Path) -> None:
    """The reader publishes every schema before using it: a fingerprint missing even after reading the
    registry topic again means that topic lost it, and guessing past it would lose the change."""
    log = tmp_path / "streams.log"
    with chain.connect() as conn:
        worker, _, _ = first_round_through_the_chain(chain, log, conn, [("Arsenal", "Chelsea", 2, 1)])
    produce_raw(chain, "matches", b"\xc3\x01" + bytes.fromhex("0123456789abcdef") + b"\x00")
    eventually(
        lambda: worker.poll() is not None,
        interval=0.5,
        message=f"the worker to stop at a change of an unknown schema (see {log})",
    )
    assert worker.poll() is not None, f"the worker kept running past an unknown schema; see {log}"
    assert worker.returncode != 0
    text = log.read_text(errors="replace")
    assert "unknown schema fingerprint 0123456789abcdef" in text
    assert "intake stopped" in text
    assert f"{chain.topic('matches')}[0]@" in text  # where the message is


def test_the_sender_places_keys_where_the_batches_expect_them(stack: Settings) -> None:
    """librdkafka's murmur2 placement equals partition_of (and so Faust's and Java's default)."""
    bootstrap = stack.kafka.bootstrap()
    topic = unique("placement")
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=5, replication_factor=1)])[topic].result(30)
    try:
        keys = [f"{season}:{player}".encode() for season in range(3) for player in range(40)]
        sender = Sender(bootstrap)
        for key in keys:
            sender.send(topic, key, b"v")
        sender.flush()
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("g"), "enable.auto.commit": False})
        consumer.assign([TopicPartition(topic, p, 0) for p in range(5)])
        placed: dict[bytes, int] = {}

        def all_placed() -> bool:
            for message in consumer.consume(500, 0.5):
                got, partition = message.key(), message.partition()
                if message.error() is None and got is not None and partition is not None:
                    placed[got] = partition
            return len(placed) >= len(keys)

        try:
            eventually(all_placed, interval=0, message=f"the {len(keys)} keys to be read back from {topic}")
        finally:
            consumer.close()
        assert len(placed) == len(keys)
        assert {key: partition_of(key, 5) for key in keys} == placed
        assert len(set(placed.values())) == 5
    finally:
        admin.delete_topics([topic])[topic].result(30)
