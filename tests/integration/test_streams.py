"""The whole chain on real data: PostgreSQL -> rstat cdc -> Kafka -> rstat streams -> stats.standings.

The EPL 2023/24 season goes in through the domain schema in random order, with corrections (a wrong score
fixed, a match deleted and entered again, a match entered before it was played, a deduction changed after
an appeal) and duplicate deliveries injected into the CDC topic; the stream worker is killed with -9 half
way and restarted. The materialized table must equal the batch computation over the final rows exactly,
and the published table.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import psycopg
from confluent_kafka import ConsumerGroupState, Message, Producer
from confluent_kafka.admin import AdminClient

from crawlers.football_txt import parse_football_txt
from sports import Adjustment, DecidedIn, Result, compute_standings, regulation
from sports.discipline import Card, CardKind, fair_play_points
from sports.football_stats import Goal, MatchSheet, SendingOff, football_player_stats
from sports.team_records import team_records
from streams.topology import STATE_VERSION
from tests.conftest import DATA
from tests.integration.cdc_support import RSTAT, CdcEnv, TopicReader, ensure_running, start_streams
from tests.waiting import DEFAULT_TIMEOUT_S, eventually

Conn = psycopg.Connection[tuple[Any, ...]]
KILL_AT = int(os.environ.get("KILL_AT", "190"))


def one(conn: Conn, query: str, params: tuple[Any, ...] = ()) -> int:
    row = conn.execute(query.encode(), params).fetchone()
    assert row is not None
    return int(row[0])


def create_league(conn: Conn, sport: str, preset: str, teams: list[str]) -> tuple[int, dict[str, int]]:
    """An organization, competition, season and league stage under ``preset``; returns (stage id, team ids)."""
    org = one(conn, "INSERT INTO organizations (slug, name) VALUES ('league', 'League') RETURNING id")
    comp = one(
        conn,
        "INSERT INTO competitions (org_id, sport, slug, name) VALUES (%s, %s, 'c', 'C') RETURNING id",
        (org, sport),
    )
    season = one(conn, "INSERT INTO seasons (competition_id, name) VALUES (%s, 'season') RETURNING id", (comp,))
    stage = one(
        conn,
        "INSERT INTO stages (season_id, name, kind, regulation) VALUES (%s, 'League', 'league', %s) RETURNING id",
        (season, preset),
    )
    ids = {n: one(conn, "INSERT INTO teams (org_id, name) VALUES (%s, %s) RETURNING id", (org, n)) for n in teams}
    return stage, ids


def wait_for_table(
    conn: Conn,
    stage: int,
    expected: list[tuple[Any, ...]],
    worker: subprocess.Popen[bytes],
    log: Path,
    timeout: float = 180,
) -> list[tuple[Any, ...]]:
    """The materialized table once it equals ``expected``."""
    assert expected, "an empty table is no sign of progress"

    def settled() -> list[tuple[Any, ...]]:
        ensure_running(worker, "rstat streams", log)
        got = materialized(conn, stage)
        assert got == expected
        return got

    return eventually(
        settled, timeout=timeout, interval=0.5, message=f"stats.standings to settle on the batch result (see {log})"
    )


def assert_team_records(conn: Conn, stage: int, timeout: float = 60) -> None:
    """stats.team_records equals sports.team_records over the final rows (splits and form)."""
    results = [
        Result(
            id=str(r[0]),
            home=str(r[1]),
            away=str(r[2]),
            home_score=int(r[3]),
            away_score=int(r[4]),
            decided_in=DecidedIn(r[5] or "REG"),
            round=int(r[6]),
        )
        for r in conn.execute(
            "SELECT id, home_team_id, away_team_id, home_score, away_score, decided_in::text, round FROM matches "
            "WHERE stage_id = %s AND status IN ('finished', 'awarded')",
            (stage,),
        ).fetchall()
    ]
    expected = sorted(
        (int(r.team), r.home_won, r.home_drawn, r.home_lost, r.away_won, r.away_drawn, r.away_lost, r.form)
        for r in team_records(results).values()
    )

    def settled() -> bool:
        got = [
            tuple(r)
            for r in conn.execute(
                "SELECT team_id, home_won, home_drawn, home_lost, away_won, away_drawn, away_lost, form "
                "FROM stats.team_records WHERE stage_id = %s ORDER BY team_id",
                (stage,),
            ).fetchall()
        ]
        assert got == expected
        return True

    eventually(settled, timeout=timeout, interval=0.5, message="stats.team_records to equal sports.team_records")


def read_notices(env: CdcEnv, until: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """The notices from the start of the topic once ``until`` holds of them, and to the end of the topic."""
    reader = TopicReader(env.settings, [env.env["RSTAT__STREAMS__NOTICES_TOPIC"]])
    found: list[dict[str, Any]] = []

    def add(messages: list[Message]) -> None:
        found.extend(json.loads(value) for m in messages if (value := m.value()))

    def enough() -> bool:
        add(reader.poll())
        assert until(found), f"{len(found)} notices so far"
        return True

    try:
        eventually(enough, interval=0, message="the notices the test expects")
        add(reader.to_end())
    finally:
        reader.close()
    return found


def wait_for_groups(chain: CdcEnv, workers: dict[str, subprocess.Popen[bytes]], logs: Path) -> None:
    """Until every consumer group of the workers (Faust's, for the agents and tables, the intake's and the
    materializer's) is stable with one member per worker, each owning partitions."""
    app = f"{chain.env['RSTAT__STREAMS__APP_ID']}-v{STATE_VERSION}"
    admin = AdminClient({"bootstrap.servers": chain.settings.kafka.bootstrap()})

    def split() -> bool:
        for name, worker in workers.items():
            ensure_running(worker, f"worker {name}", logs / f"{name}.log")
        listed = admin.list_consumer_groups(request_timeout=30).result().valid
        groups = {app, f"{app}-intake", f"{app}-materializer"} | {
            g.group_id for g in listed if g.group_id.startswith(app)
        }
        described = {
            g: f.result() for g, f in admin.describe_consumer_groups(sorted(groups), request_timeout=30).items()
        }
        owned = {
            g: (d.state.name, [len(m.assignment.topic_partitions) for m in d.members]) for g, d in described.items()
        }
        assert all(
            state == ConsumerGroupState.STABLE.name and len(counts) == len(workers) and all(counts)
            for state, counts in owned.values()
        ), f"(state, partitions of each member) by group: {owned}"
        return True

    eventually(split, interval=0.5, message="the workers to join every group and split its partitions")


def batch_table(conn: Conn, stage: int) -> list[tuple[Any, ...]]:
    """The sports/ computation over the final database rows: what the stream must have materialized."""
    results = [
        Result(
            id=str(r[0]),
            home=str(r[1]),
            away=str(r[2]),
            home_score=int(r[3]),
            away_score=int(r[4]),
            decided_in=DecidedIn(r[5] or "REG"),
        )
        for r in conn.execute(
            "SELECT id, home_team_id, away_team_id, home_score, away_score, decided_in::text FROM matches "
            "WHERE stage_id = %s AND status IN ('finished', 'awarded')",
            (stage,),
        ).fetchall()
    ]
    teams = {
        str(r[0])
        for r in conn.execute(
            "SELECT home_team_id FROM matches WHERE stage_id = %s UNION SELECT away_team_id FROM matches "
            "WHERE stage_id = %s",
            (stage, stage),
        ).fetchall()
    }
    adjustments = [
        Adjustment(team=str(r[0]), points=int(r[1]))
        for r in conn.execute("SELECT team_id, points FROM point_adjustments WHERE stage_id = %s", (stage,)).fetchall()
    ]
    rows = compute_standings(results, regulation("premier-league"), adjustments, teams)
    return [
        (n, r.rank, int(r.team), r.played, r.won, r.drawn, r.lost, r.goals_for, r.goals_against, r.points, r.decided_by)
        for n, r in enumerate(rows, start=1)
    ]


def materialized(conn: Conn, stage: int) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT position, rank, team_id, played, won, drawn, lost, goals_for, goals_against, points, decided_by "
            "FROM stats.standings WHERE stage_id = %s AND group_key = 0 ORDER BY position",
            (stage,),
        ).fetchall()
    ]


def inject_duplicates(env: CdcEnv, table: str, count: int) -> int:
    """Produce again the first ``count`` messages of a CDC topic: an at-least-once redelivery."""
    topic = env.topic(table)
    reader = TopicReader(env.settings, [topic])
    messages: list[Message] = []

    def enough() -> bool:
        messages.extend(m for m in reader.poll(0.5) if m.value())
        return len(messages) >= count

    try:
        eventually(enough, interval=0, message=f"{count} messages in {topic}")
    finally:
        reader.close()
    producer = Producer({"bootstrap.servers": env.settings.kafka.bootstrap()})
    for m in messages[:count]:
        partition = m.partition()
        assert partition is not None
        producer.produce(topic, key=m.key(), value=m.value(), partition=partition)
    assert producer.flush(30) == 0
    return len(messages[:count])


def test_epl_season_through_the_whole_chain_with_corrections_duplicates_and_a_killed_worker(
    chain: CdcEnv, tmp_path: Path
) -> None:
    cdc = chain.start()
    chain.wait_streaming()
    log = tmp_path / "streams.log"
    worker = start_streams(chain, log)
    season = json.loads((DATA / "football" / "2023-24_en.1.json").read_text())["matches"]
    rnd = random.Random(20232024)
    order = list(range(len(season)))
    rnd.shuffle(order)
    with chain.connect() as conn:
        stage, team = create_league(conn, "football", "premier-league", sorted({m["team1"] for m in season}))
        everton = one(
            conn,
            "INSERT INTO point_adjustments (stage_id, team_id, points, reason) VALUES "
            "(%s, %s, -10, 'profit and sustainability') RETURNING id",
            (stage, team["Everton FC"]),
        )

        def insert(m: dict[str, Any], home_score: int | None = None, status: str = "finished") -> int:
            hs, as_ = m["score"]["ft"]
            return one(
                conn,
                "INSERT INTO matches (stage_id, round, home_team_id, away_team_id, status, home_score, "
                "away_score, decided_in) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (
                    stage,
                    int(m["round"].split()[-1]),
                    team[m["team1"]],
                    team[m["team2"]],
                    status,
                    None if status == "scheduled" else (hs if home_score is None else home_score),
                    None if status == "scheduled" else as_,
                    None if status == "scheduled" else "REG",
                ),
            )

        for n, index in enumerate(order):
            m = season[index]
            if n == 10:  # a wrong score, corrected
                match = insert(m, home_score=m["score"]["ft"][0] + 3)
                conn.execute("UPDATE matches SET home_score = %s WHERE id = %s", (m["score"]["ft"][0], match))
            elif n == 20:  # entered by mistake, deleted, entered again
                match = insert(m)
                conn.execute("DELETE FROM matches WHERE id = %s", (match,))
                insert(m)
            elif n == 30:  # scheduled first, finished later
                match = insert(m, status="scheduled")
                conn.execute(
                    "UPDATE matches SET status = 'finished', home_score = %s, away_score = %s, "
                    "decided_in = 'REG' WHERE id = %s",
                    (*m["score"]["ft"], match),
                )
            else:
                insert(m)
            if n == KILL_AT:
                # mid-season: the worker dies, its state must survive (so it must have some by then)
                eventually(lambda: materialized(conn, stage), message=f"the worker to materialize a table (see {log})")
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                worker = start_streams(chain, log)
        conn.execute("UPDATE point_adjustments SET points = -6, reason = 'reduced on appeal' WHERE id = %s", (everton,))
        conn.execute(
            "INSERT INTO point_adjustments (stage_id, team_id, points, reason) VALUES (%s, %s, -2, 'second breach')",
            (stage, team["Everton FC"]),
        )
        conn.execute(
            "INSERT INTO point_adjustments (stage_id, team_id, points, reason) VALUES (%s, %s, -4, "
            "'profit and sustainability')",
            (stage, team["Nottingham Forest FC"]),
        )
        assert inject_duplicates(chain, "matches", 50) == 50
        # a 39th round in play: it must show in the live table only
        conn.execute(
            "INSERT INTO matches (stage_id, round, home_team_id, away_team_id, status, home_score, "
            "away_score) VALUES (%s, 39, %s, %s, 'live', 1, 0)",
            (stage, team["Luton Town FC"], team["Manchester City FC"]),
        )
        expected = batch_table(conn, stage)
        got = wait_for_table(conn, stage, expected, worker, log)
        assert got == expected, f"stats.standings did not settle on the batch result; see {log}"
        assert_team_records(conn, stage)
        final = {r[2]: (r[9], r[3]) for r in got}
        playing = (team["Luton Town FC"], team["Manchester City FC"])
        expected_live = {
            t: (p + (3 if t == playing[0] else 0), n + (1 if t in playing else 0)) for t, (p, n) in final.items()
        }

        def live_settled() -> bool:  # written by the same agent as the table above, possibly a moment later
            live = {
                int(t): (int(p), int(n))
                for t, p, n in conn.execute(
                    "SELECT team_id, points, played FROM stats.live_standings WHERE stage_id = %s", (stage,)
                ).fetchall()
            }
            assert live == expected_live
            return True

        eventually(live_settled, interval=0.5, message="stats.live_standings to count the match in play")
        version = conn.execute(
            "SELECT commit_lsn FROM stats.standings_versions WHERE stage_id = %s", (stage,)
        ).fetchone()
        last_change = conn.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").fetchone()
        assert version is not None
        assert last_change is not None
        assert 0 < int(version[0]) <= int(last_change[0])
    published = [
        line.split(",") for line in (DATA / "football" / "epl_2023-24_final_table.csv").read_text().splitlines()[1:]
    ]
    notices = read_notices(
        chain,
        lambda ns: (
            len({n["id"] for n in ns if n["kind"] == "match_finished"}) >= 381
            and {"score_corrected", "leader_changed"} <= {n["kind"] for n in ns}
        ),
    )
    finished = {n["id"] for n in notices if n["kind"] == "match_finished"}
    assert len(finished) == 381  # every match once, and the one deleted and entered again under a new id
    assert any(n["kind"] == "score_corrected" for n in notices)
    assert any(n["kind"] == "leader_changed" for n in notices)
    by_id = {v: k for k, v in team.items()}
    assert [(by_id[r[2]].removesuffix(" FC"), r[9]) for r in got] == [(p[1], int(p[9])) for p in published]
    assert worker.poll() is None
    assert cdc.poll() is None
    os.kill(worker.pid, signal.SIGTERM)
    worker.wait(timeout=DEFAULT_TIMEOUT_S)


def test_nhl_season_with_overtime_and_shootouts_through_the_whole_chain(chain: CdcEnv, tmp_path: Path) -> None:
    """NHL 2013/14 (1,230 games, OT and SO) under the 2010 rules: the stream equals the batch computation."""
    chain.start()
    chain.wait_streaming()
    worker = start_streams(chain, tmp_path / "streams.log")
    from tests.unit.sports.loaders import nhl_results_from_games

    games = nhl_results_from_games("20132014")
    with chain.connect() as conn:
        stage, team = create_league(conn, "ice-hockey", "nhl-2010", sorted({g.home for g in games}))
        with conn.cursor() as cur:
            rows = []
            for n, g in enumerate(sorted(games, key=lambda g: g.id), start=1):
                home, away = g.home_score, g.away_score
                if home == away:  # one source row leaves out the shoot-out goal the NHL counts: add it back
                    home, away = (home + 1, away) if g.winner == "home" else (home, away + 1)
                rows.append((stage, n, team[g.home], team[g.away], home, away, g.decided_in.value))
            cur.executemany(
                "INSERT INTO matches (stage_id, round, home_team_id, away_team_id, status, home_score, away_score, "
                "decided_in) VALUES (%s, %s, %s, %s, 'finished', %s, %s, %s)",
                rows,
            )
        results = [
            Result(
                id=str(r[0]),
                home=str(r[1]),
                away=str(r[2]),
                home_score=int(r[3]),
                away_score=int(r[4]),
                decided_in=DecidedIn(r[5]),
            )
            for r in conn.execute(
                "SELECT id, home_team_id, away_team_id, home_score, away_score, decided_in::text "
                "FROM matches WHERE stage_id = %s",
                (stage,),
            ).fetchall()
        ]
        table = compute_standings(results, regulation("nhl-2010"))
        expected = [
            (
                n,
                r.rank,
                int(r.team),
                r.played,
                r.won,
                r.drawn,
                r.lost,
                r.goals_for,
                r.goals_against,
                r.points,
                r.decided_by,
            )
            for n, r in enumerate(table, start=1)
        ]
        assert sum(r.ot_lost for r in table) > 0
        got = wait_for_table(conn, stage, expected, worker, tmp_path / "streams.log")
        assert got == expected
        ot = conn.execute(
            "SELECT sum(ot_lost), sum(ot_won) FROM stats.standings WHERE stage_id = %s", (stage,)
        ).fetchone()
    assert ot is not None
    assert ot[0] == sum(1 for g in games if g.decided_in in ("OT", "SO"))
    assert ot[0] == ot[1]


def test_a_second_worker_takes_over_the_partitions_of_a_killed_one(chain: CdcEnv, tmp_path: Path) -> None:
    """Two workers share the partitions; one is killed with -9 mid-load and never comes back."""
    chain.start()
    chain.wait_streaming()
    workers = {}
    for name in ("a", "b"):
        env = {**chain.env, "RSTAT__STREAMS__DATA_DIR": str(tmp_path / f"streams-{name}")}
        with (tmp_path / f"{name}.log").open("ab") as out:
            proc = subprocess.Popen([RSTAT, "streams"], env=env, stdout=out, stderr=subprocess.STDOUT)
        chain.procs.append(proc)
        workers[name] = proc
    season = json.loads((DATA / "football" / "2023-24_en.1.json").read_text())["matches"]
    with chain.connect() as conn:
        stage, team = create_league(conn, "football", "premier-league", sorted({m["team1"] for m in season}))
        wait_for_groups(chain, workers, tmp_path)
        for n, m in enumerate(season):
            conn.execute(
                "INSERT INTO matches (stage_id, round, home_team_id, away_team_id, status, home_score, away_score, "
                "decided_in) VALUES (%s, %s, %s, %s, 'finished', %s, %s, 'REG')",
                (stage, int(m["round"].split()[-1]), team[m["team1"]], team[m["team2"]], *m["score"]["ft"]),
            )
            if n == 150:
                workers["a"].send_signal(signal.SIGKILL)
                workers["a"].wait()
        got = wait_for_table(conn, stage, batch_table(conn, stage), workers["b"], tmp_path / "b.log")
        assert got == batch_table(conn, stage)
    # b was assigned partitions when both joined, and again when a's were handed to it
    assert (tmp_path / "b.log").read_text().count("Setting newly assigned partitions") >= 2


def period_of(minute: int) -> int:
    return 1 if minute <= 45 else 2 if minute <= 90 else 3 if minute <= 105 else 4


def load_world_cup(conn: Conn, *, live_final: bool) -> tuple[dict[str, int], dict[str, int], int]:
    """The 2018 World Cup: the group stage (eight groups, FIFA rules) and the knockout stage of one season,
    goals from openfootball's JSON and cards from the full protocols, each as match events of players.
    With ``live_final``, the final is played live: kicked off, goals entered one by one, then finished.
    Returns (stage ids by name, group ids by name, season id)."""
    doc = json.loads((DATA / "football" / "2018_worldcup.json").read_text())["matches"]
    protocols = {(p.home, p.away): p for p in parse_football_txt((DATA / "football" / "2018_full.txt").read_text())}
    org = one(conn, "INSERT INTO organizations (slug, name) VALUES ('fifa', 'FIFA') RETURNING id")
    comp = one(
        conn,
        "INSERT INTO competitions (org_id, sport, slug, name) VALUES (%s, 'football', 'wc', 'World Cup') RETURNING id",
        (org,),
    )
    season = one(conn, "INSERT INTO seasons (competition_id, name) VALUES (%s, '2018') RETURNING id", (comp,))
    stages = {
        name: one(
            conn,
            "INSERT INTO stages (season_id, name, kind, ordinal, regulation) VALUES (%s, %s, %s, %s, 'fifa-2022') "
            "RETURNING id",
            (season, name, kind, n),
        )
        for n, (name, kind) in enumerate([("Groups", "groups"), ("Knockout", "knockout")], start=1)
    }
    groups = {
        name: one(conn, "INSERT INTO groups (stage_id, name) VALUES (%s, %s) RETURNING id", (stages["Groups"], name))
        for name in sorted({m["group"] for m in doc if "group" in m})
    }
    teams: dict[str, int] = {}
    players: dict[tuple[int, str], int] = {}

    def team(name: str) -> int:
        if name not in teams:
            teams[name] = one(conn, "INSERT INTO teams (org_id, name) VALUES (%s, %s) RETURNING id", (org, name))
        return teams[name]

    def player(team_id: int, name: str) -> int:
        name = "Kane" if name == "Harry Kane" else name  # the source spells one of his goals in full
        if (team_id, name) not in players:
            players[(team_id, name)] = one(
                conn, "INSERT INTO players (org_id, last_name) VALUES (%s, %s) RETURNING id", (org, name)
            )
        return players[(team_id, name)]

    def event(match: int, kind: str, team_id: int, player_id: int, minute: int, stoppage: int | None) -> None:
        conn.execute(
            "INSERT INTO match_events (match_id, team_id, kind, player_id, period, minute, stoppage) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (match, team_id, kind, player_id, period_of(minute), minute, stoppage),
        )

    for n, m in enumerate(doc, start=1):
        home, away = team(m["team1"]), team(m["team2"])
        score = m["score"].get("et") or m["score"]["ft"]
        decided = "SO" if "p" in m["score"] else "OT" if "et" in m["score"] else "REG"
        live = live_final and n == len(doc)
        match = one(
            conn,
            "INSERT INTO matches (stage_id, group_id, round, home_team_id, away_team_id, status, home_score, "
            "away_score, decided_in) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                stages["Groups" if "group" in m else "Knockout"],
                groups.get(m.get("group", "")),
                n,
                home,
                away,
                "live" if live else "finished",
                0 if live else score[0],
                0 if live else score[1],
                None if live else decided,
            ),
        )
        goals = [
            (g, side_team, other)
            for key, side_team, other in (("goals1", home, away), ("goals2", away, home))
            for g in m.get(key, [])
        ]
        for g, credited, other in sorted(goals, key=lambda x: (x[0]["minute"], x[0].get("offset", 0))):
            kind = "own_goal" if g.get("owngoal") else "penalty_goal" if g.get("penalty") else "goal"
            scorer = player(other if kind == "own_goal" else credited, g["name"])
            event(match, kind, credited, scorer, g["minute"], g.get("offset"))
            if live:
                conn.execute(
                    "UPDATE matches SET home_score = home_score + %s, away_score = away_score + %s WHERE id = %s",
                    (int(credited == home), int(credited == away), match),
                )
        protocol = protocols.get((m["team1"], m["team2"]))
        for card in protocol.cards if protocol is not None else ():
            team_id = team(card.team)
            event(match, str(card.kind), team_id, player(team_id, card.player), card.minute, None)
        if live:
            conn.execute("UPDATE matches SET status = 'finished', decided_in = %s WHERE id = %s", (decided, match))
    return stages, groups, season


def world_cup_batch(conn: Conn, season: int) -> tuple[dict[int, dict[str, Any]], dict[int, list[tuple[Any, ...]]]]:
    """sports/ over the final rows: every player's figures, and each group's table with fair play."""
    events = conn.execute(
        "SELECT e.match_id, e.kind::text, e.team_id, e.player_id, e.minute FROM match_events e "
        "JOIN matches m ON m.id = e.match_id JOIN stages s ON s.id = m.stage_id WHERE s.season_id = %s "
        "ORDER BY e.id",
        (season,),
    ).fetchall()
    matches = conn.execute(
        "SELECT m.id, m.home_team_id, m.away_team_id, m.home_score, m.away_score, m.group_id, s.kind::text "
        "FROM matches m JOIN stages s ON s.id = m.stage_id WHERE s.season_id = %s AND m.status = 'finished'",
        (season,),
    ).fetchall()
    sheets = []
    cards = []
    for match_id, home, away, *_ in matches:
        mine = [e for e in events if e[0] == match_id]
        goals = [
            Goal(team=str(e[2]), scorer=str(e[3]), minute=e[4], kind=e[1])
            for e in mine
            if e[1] in ("goal", "penalty_goal", "own_goal")
        ]
        yellows = tuple(str(e[3]) for e in mine if e[1] == "yellow")
        offs = tuple(SendingOff(player=str(e[3]), minute=e[4]) for e in mine if e[1] in ("second_yellow", "red"))
        sheets.append(
            MatchSheet(
                match_id=str(match_id),
                home=str(home),
                away=str(away),
                goals=tuple(goals),
                yellows=yellows,
                sendings_off=offs,
            )
        )
        cards += [
            Card(match_id=str(match_id), player=str(e[3]), team=str(e[2]), kind=CardKind(e[1]))
            for e in mine
            if e[1] in ("yellow", "second_yellow", "red")
        ]
    reg = regulation("fifa-2022")
    fair = fair_play_points(cards, reg.fair_play)
    by_group: dict[int, list[Result]] = {}
    for match_id, home, away, hs, as_, group, kind in matches:
        if kind == "groups":
            by_group.setdefault(int(group), []).append(
                Result(
                    id=str(match_id),
                    home=str(home),
                    away=str(away),
                    home_score=hs,
                    away_score=as_,
                    group=str(group),
                    home_fair_play=fair.get((str(match_id), str(home)), 0),
                    away_fair_play=fair.get((str(match_id), str(away)), 0),
                )
            )
    tables = {
        group: [(int(r.team), r.rank, r.points, r.goal_diff, r.decided_by) for r in compute_standings(rs, reg)]
        for group, rs in by_group.items()
    }
    players = {int(p): msgspec.structs.asdict(s) for p, s in football_player_stats(sheets).items()}
    return players, tables


def test_world_cup_scorers_cards_and_fair_play_through_the_whole_chain(chain: CdcEnv, tmp_path: Path) -> None:
    """Goals and cards as match events: the season's player figures equal sports/ over the final rows
    (Kane top scorer with 6, 3 of them penalties), the group tables include fair play (Japan above Senegal
    on it), a correction (a goal given to another player) moves the goal, and the final played live sends
    goal notices with the running score; all of it with the worker killed with -9 half way."""
    chain.start()
    chain.wait_streaming()
    log = tmp_path / "streams.log"
    worker = start_streams(chain, log)
    with chain.connect() as conn:
        stages, groups, season = load_world_cup(conn, live_final=True)
        # killed while it works through the tournament's protocols (once it has some of them in its state),
        # and started again on its own state
        eventually(
            lambda: one(conn, "SELECT count(*) FROM stats.player_stats WHERE season_id = %s", (season,)),
            message=f"the worker to materialize player statistics (see {log})",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        worker = start_streams(chain, log)
        # a correction: the first goal of the tournament given to the wrong player, then fixed
        first = one(conn, "SELECT min(id) FROM match_events WHERE kind = 'goal'")
        right = one(conn, "SELECT player_id FROM match_events WHERE id = %s", (first,))
        wrong = one(conn, "SELECT max(id) FROM players")
        conn.execute("UPDATE match_events SET player_id = %s WHERE id = %s", (wrong, first))
        conn.execute("UPDATE match_events SET player_id = %s WHERE id = %s", (right, first))
        suspension = one(
            conn,
            "INSERT INTO suspensions (season_id, player_id, reason, matches) VALUES (%s, %s, 'red card', 1) "
            "RETURNING id",
            (season, wrong),
        )
        players, tables = world_cup_batch(conn, season)

        def settled() -> tuple[dict[int, dict[str, Any]], dict[int, list[tuple[Any, ...]]]]:
            ensure_running(worker, "rstat streams", log)
            got_players = {
                int(p): s["football"]
                for p, s in conn.execute(
                    "SELECT player_id, stats FROM stats.player_stats WHERE season_id = %s", (season,)
                ).fetchall()
            }
            got_tables = {
                g: [
                    tuple(r)
                    for r in conn.execute(
                        "SELECT team_id, rank, points, goal_diff, decided_by FROM stats.standings "
                        "WHERE stage_id = %s AND group_key = %s ORDER BY position",
                        (stages["Groups"], g),
                    ).fetchall()
                ]
                for g in tables
            }
            assert got_tables == tables, f"group tables did not settle; see {log}"
            wrong_players = {
                p: (got_players.get(p), players.get(p))
                for p in players.keys() | got_players.keys()
                if got_players.get(p) != players.get(p)
            }
            assert got_players == players, (
                f"player statistics did not settle; see {log}: {list(wrong_players.items())[:3]}"
            )
            return got_players, got_tables

        got_players, got_tables = eventually(
            settled, timeout=240, interval=1, message="the player statistics and group tables to settle"
        )
        names = dict(conn.execute("SELECT id, last_name FROM players").fetchall())
        team_names = {v: k for k, v in dict(conn.execute("SELECT name, id FROM teams").fetchall()).items()}
        top = conn.execute(
            "SELECT player_id, goals, (stats->'football'->>'penalty_goals')::int FROM stats.player_stats "
            "WHERE season_id = %s ORDER BY goals DESC, player_id LIMIT 1",
            (season,),
        ).fetchone()
        assert top is not None
        assert (names[top[0]], top[1], top[2]) == ("Kane", 6, 3)
        group_h = [team_names[r[0]] for r in got_tables[groups["Group H"]]]
        assert group_h[1:3] == ["Japan", "Senegal"]
        assert got_tables[groups["Group H"]][2][4] == "fair_play"
        assert sum(s["goals"] + s["own_goals"] for s in got_players.values()) == 169
        assert sum(s["red_cards"] for s in got_players.values()) == sum(s["red_cards"] for s in players.values()) > 0
    final = json.loads((DATA / "football" / "2018_worldcup.json").read_text())["matches"][-1]
    timeline = sorted([(g["minute"], g.get("offset", 0), side) for side in (0, 1) for g in final[f"goals{side + 1}"]])
    running = [
        (sum(1 for t in timeline[: n + 1] if t[2] == 0), sum(1 for t in timeline[: n + 1] if t[2] == 1))
        for n in range(len(timeline))
    ]
    notices = read_notices(
        chain,
        lambda ns: (
            len({n["id"] for n in ns if n["kind"] == "goal_scored"}) >= len(running)
            and any(n["id"] == f"player_suspended:{suspension}" for n in ns)
            and len({n["id"] for n in ns if n["kind"] == "match_finished"}) >= 64
        ),
    )
    goals = [n for n in notices if n["kind"] == "goal_scored"]
    assert running[-1] == (4, 2)  # France 4-2 Croatia
    # one notice per goal of the final (ids are stable, so redeliveries collapse), with the running score
    assert sorted({n["id"]: (n["home_score"], n["away_score"]) for n in goals}.values()) == running
    assert any(n["id"] == f"player_suspended:{suspension}" for n in notices)
    # at least once, under the same ids (the worker was killed once): each match finished exactly once by id
    assert len({n["id"] for n in notices if n["kind"] == "match_finished"}) == 64
