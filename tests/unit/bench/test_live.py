"""``rstat bench live``'s arithmetic on what the generator reports (no services, no generator)."""

from __future__ import annotations

from typing import Any

from rstat.bench.league import TEAMS, League
from rstat.bench.live import _figures, _pct


def _done(notices: dict[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "clients": 3,
        "ready": 3,
        "failed": 0,
        "complete": True,
        "messages": 40,
        "by_kind": {},
        "gaps": 0,
        "duplicates": 0,
        "duplicate_ids": 0,
        "epoch_changes": 0,
        "closes": {},
        "errors": {},
        "error_sample": {},
        "notices": notices,
    }
    return base | extra


def _notice(count: int, ts_ms: int, first_ms: int, last_ms: int) -> dict[str, Any]:
    return {"count": count, "ts_ms": ts_ms, "first_us": first_ms * 1000, "last_us": last_ms * 1000}


def test_latencies_run_to_the_last_client_from_the_notice_and_from_the_commit() -> None:
    commits = {"goal_scored:1": 1000.0, "goal_scored:2": 1001.0}
    done = _done(
        {
            "goal_scored:1": _notice(3, 1_000_050, 1_000_060, 1_000_090),
            "goal_scored:2": _notice(3, 1_001_100, 1_001_110, 1_001_300),
            "goal_scored:0": _notice(3, 999_000, 999_010, 999_020),  # the warm-up's: not measured
        }
    )
    found = _figures(done, commits, {"connect_s": 1.25})
    assert found["goals"] == 2
    assert found["notice_to_client_p50_ms"] == 40.0
    assert found["notice_to_client_p99_ms"] == 200.0
    assert found["commit_to_client_p50_ms"] == 90.0
    assert found["commit_to_client_p99_ms"] == 300.0
    assert found["commit_to_notice_p99_ms"] == 100.0
    assert found["messages_lost"] == 0
    assert found["messages_received"] == 6


def test_a_notice_missed_by_a_client_a_notice_never_sent_and_seq_gaps_are_all_lost() -> None:
    commits = {"goal_scored:1": 1000.0, "goal_scored:2": 1001.0}
    done = _done(
        {"goal_scored:1": _notice(2, 1_000_050, 1_000_060, 1_000_090)}, gaps=4, closes={"4008": 1}, complete=False
    )
    found = _figures(done, commits, {"connect_s": 1.0})
    assert found["messages_lost"] == (2 * 3 - 2) + 4
    assert found["closed_slow"] == 1
    assert found["commit_to_client_p99_ms"] == 90.0


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert _pct(values, 0.5) == 50.0
    assert _pct(values, 0.99) == 99.0
    assert _pct([7.0], 0.99) == 7.0
    assert _pct([], 0.5) is None


def test_goals_rotate_over_the_matches_home_then_away_with_the_minutes_going_on() -> None:
    teams = list(range(100, 100 + TEAMS))
    league = League(
        stage=1,
        matches=[(500 + n, teams[2 * n], teams[2 * n + 1]) for n in range(10)],
        players={t: [t * 10, t * 10 + 1, t * 10 + 2] for t in teams},
        client_id="c",
        secret="s",
    )
    assert league.channels() == ["stage:1"] + [f"match:{500 + n}" for n in range(10)]
    first, second_round = league.goal(0), league.goal(10)
    assert first[:2] == (500, 100)
    assert second_round[:2] == (500, 101)
    assert first[4] < second_round[4]
    assert all(league.goal(n)[2] in league.players[league.goal(n)[1]] for n in range(200))
    assert league.goal(1000)[3:] == (2, 90)
