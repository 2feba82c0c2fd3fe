"""The processing logic under at-least-once delivery: random histories with duplicates and replays, folded
in any interleaving that keeps each row's own changes in order (Kafka's per-key guarantee), end where the
batch computation over the final rows ends."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sports import DecidedIn, Result, compute_standings, regulation
from streams.facts import Fact, StageState, facts_from_change

TEAMS = [1, 2, 3, 4, 5]


def envelope(op: str, before: dict[str, Any] | None, after: dict[str, Any] | None, lsn: int) -> dict[str, Any]:
    return {"op": op, "before": before, "after": after, "source": {"commit_lsn": lsn, "ordinal": 0}}


def match_row(match_id: int, home: int, away: int, hs: int | None, as_: int | None, status: str) -> dict[str, Any]:
    return {
        "id": match_id,
        "stage_id": 1,
        "group_id": None,
        "round": 1,
        "home_team_id": home,
        "away_team_id": away,
        "home_score": hs,
        "away_score": as_,
        "status": status,
        "decided_in": "REG" if hs is not None else None,
    }


STAGE = envelope("r", None, {"id": 1, "regulation": "premier-league", "regulation_params": "{}"}, 1)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple[str, dict[str, Any]]], dict[int, dict[str, Any]]]:
    """A history of changes to matches (with their final rows), as (table, envelope) pairs in commit order."""
    changes: list[tuple[str, dict[str, Any]]] = []
    rows: dict[int, dict[str, Any]] = {}
    lsn = 10
    for _ in range(draw(st.integers(1, 25))):
        lsn += draw(st.integers(1, 5))
        action = draw(st.sampled_from(["insert", "update", "delete"]))
        if action == "insert" or not rows:
            match_id = max(rows, default=0) + 1
            home, away = draw(st.sampled_from([(h, a) for h in TEAMS for a in TEAMS if h != a]))
            finished = draw(st.booleans())
            row = match_row(
                match_id,
                home,
                away,
                draw(st.integers(0, 4)) if finished else None,
                draw(st.integers(0, 4)) if finished else None,
                "finished" if finished else "scheduled",
            )
            if finished and row["away_score"] is None:
                row["away_score"] = 0
            rows[match_id] = row
            changes.append(("matches", envelope("c", None, row, lsn)))
        elif action == "update":
            match_id = draw(st.sampled_from(sorted(rows)))
            before = rows[match_id]
            after = {
                **before,
                "home_score": draw(st.integers(0, 4)),
                "away_score": draw(st.integers(0, 4)),
                "status": draw(st.sampled_from(["finished", "awarded", "postponed"])),
            }
            if after["status"] == "awarded":
                after["decided_in"] = "AWD"
            elif after["status"] == "finished":
                after["decided_in"] = "REG"
            rows[match_id] = after
            changes.append(("matches", envelope("u", before, after, lsn)))
        else:
            match_id = draw(st.sampled_from(sorted(rows)))
            changes.append(("matches", envelope("d", rows.pop(match_id), None, lsn)))
    return changes, rows


def batch(rows: dict[int, dict[str, Any]]) -> list[Any]:
    results = [
        Result(
            id=str(r["id"]),
            home=str(r["home_team_id"]),
            away=str(r["away_team_id"]),
            home_score=r["home_score"],
            away_score=r["away_score"],
            decided_in=DecidedIn(r["decided_in"]),
        )
        for r in rows.values()
        if r["status"] in ("finished", "awarded")
    ]
    teams = {str(t) for r in rows.values() for t in (r["home_team_id"], r["away_team_id"])}
    return compute_standings(results, regulation("premier-league"), [], teams)


def deliver(changes: list[tuple[str, dict[str, Any]]], rnd: random.Random) -> list[Fact]:
    """At-least-once delivery: duplicates and replays injected, rows' own changes kept in their order."""
    per_key: dict[int, list[Fact]] = {}
    for table, record in changes:
        for fact in facts_from_change(table, record):
            per_key.setdefault(fact.id, []).append(fact)
    queues = [list(q) for q in per_key.values()]
    out: list[Fact] = []
    while any(queues):
        queue = rnd.choice([q for q in queues if q])
        fact = queue.pop(0)
        out.append(fact)
        if rnd.random() < 0.3:
            out.append(fact)  # a duplicate delivery
        if rnd.random() < 0.1 and out:
            out.append(rnd.choice(out))  # a replay of anything already seen (a restart from an old offset)
    return out


@settings(max_examples=300, deadline=None)
@given(histories(), st.randoms())
def test_streamed_standings_equal_the_batch_result(
    history: tuple[list[tuple[str, dict[str, Any]]], dict[int, dict[str, Any]]], rnd: random.Random
) -> None:
    changes, final_rows = history
    state = StageState(stage_id=1)
    for fact in deliver([("stages", STAGE), *changes], rnd):
        state.apply(fact)
    tables = state.standings()
    streamed = tables.get("", [])
    assert streamed == batch(final_rows) if final_rows else streamed == []


def test_replay_changes_nothing_and_version_counts_real_changes() -> None:
    state = StageState(stage_id=1)
    (stage,) = facts_from_change("stages", STAGE)
    row = match_row(7, 1, 2, 2, 1, "finished")
    (fact,) = facts_from_change("matches", envelope("c", None, row, 20))
    assert state.apply(stage)
    assert state.apply(fact)
    assert not state.apply(fact)  # the same change again
    assert state.version == 2
    corrected = {**row, "home_score": 0}
    (update,) = facts_from_change("matches", envelope("u", row, corrected, 30))
    assert state.apply(update)
    assert not state.apply(fact)  # an older change arriving late is ignored
    (delete,) = facts_from_change("matches", envelope("d", corrected, None, 40))
    assert state.apply(delete)
    assert not state.apply(update)  # a replay cannot resurrect a deleted match
    assert state.results() == []
    assert state.position == (40, 0)


def test_a_match_moved_to_another_stage_leaves_the_first() -> None:
    before = match_row(3, 1, 2, 1, 0, "finished")
    after = {**before, "stage_id": 2}
    facts = facts_from_change("matches", envelope("u", before, after, 50))
    assert [(f.stage_id, f.data is None) for f in facts] == [(2, False), (1, True)]


def test_notices_have_stable_ids_and_fire_once_per_change() -> None:
    from streams.notices import leader_notices, leaders, match_notices

    state = StageState(stage_id=1)
    (stage,) = facts_from_change("stages", STAGE)
    state.apply(stage)
    scheduled = match_row(5, 1, 2, None, None, "scheduled")
    finished = match_row(5, 1, 2, 2, 0, "finished")
    corrected = match_row(5, 1, 2, 2, 1, "finished")
    seen: list[str] = []
    for n, (before, after) in enumerate([(None, scheduled), (scheduled, finished), (finished, corrected)]):
        op = "c" if before is None else "u"
        (fact,) = facts_from_change("matches", envelope(op, before, after, 100 + n))
        previous = state.matches.get(fact.id)
        lead_before = leaders(state.standings())
        assert state.apply(fact)
        notices = match_notices(fact, previous) + leader_notices(state, lead_before, leaders(state.standings()))
        seen += [x.id for x in notices]
        # the same change delivered again: not applied, so no notice either
        assert not state.apply(fact)
    assert seen == ["match_finished:5", "leader_changed:1:0:1:3", "score_corrected:5:102.0"]


def test_live_matches_count_only_in_the_live_table() -> None:
    state = StageState(stage_id=1)
    (stage,) = facts_from_change("stages", STAGE)
    state.apply(stage)
    (done,) = facts_from_change("matches", envelope("c", None, match_row(1, 1, 2, 1, 0, "finished"), 10))
    (live,) = facts_from_change("matches", envelope("c", None, match_row(2, 3, 2, 2, 0, "live"), 11))
    state.apply(done)
    state.apply(live)
    assert state.has_live
    final = {r.team: r.points for r in state.standings()[""]}
    now = {r.team: r.points for r in state.standings(live=True)[""]}
    assert final == {"1": 3, "2": 0, "3": 0}
    assert now == {"1": 3, "3": 3, "2": 0}


def test_a_match_kicking_off_or_postponed_is_news_once_with_its_status() -> None:
    from streams.notices import match_notices

    state = StageState(stage_id=1)
    (stage,) = facts_from_change("stages", STAGE)
    state.apply(stage)
    scheduled = match_row(6, 1, 2, None, None, "scheduled")
    live = match_row(6, 1, 2, 0, 0, "live")
    scored = match_row(6, 1, 2, 1, 0, "live")
    postponed = match_row(6, 1, 2, None, None, "postponed")
    seen: list[tuple[str, str]] = []
    for n, (before, after) in enumerate([(None, scheduled), (scheduled, live), (live, scored), (scored, postponed)]):
        op = "c" if before is None else "u"
        (fact,) = facts_from_change("matches", envelope(op, before, after, 200 + n))
        previous = state.matches.get(fact.id)
        assert state.apply(fact)
        seen += [(x.id, x.status) for x in match_notices(fact, previous)]
        assert not state.apply(fact)  # a replay is not applied, so it is no news either
    # a new scheduled match and a running score are not news of their own (a goal notice carries the score)
    assert seen == [("match_started:6:201.0", "live"), ("match_status_changed:6:203.0", "postponed")]


def test_a_running_score_taken_back_in_play_is_news_with_the_new_score() -> None:
    from streams.notices import match_notices

    state = StageState(stage_id=1)
    (stage,) = facts_from_change("stages", STAGE)
    state.apply(stage)
    steps = [match_row(7, 1, 2, 0, 0, "live"), match_row(7, 1, 2, 1, 0, "live"), match_row(7, 1, 2, 2, 0, "live")]
    steps += [match_row(7, 1, 2, 1, 0, "live"), match_row(7, 1, 2, 1, 1, "live")]
    seen: list[tuple[str, int | None, int | None]] = []
    for n, after in enumerate(steps):
        before = steps[n - 1] if n else None
        (fact,) = facts_from_change("matches", envelope("c" if before is None else "u", before, after, 300 + n))
        previous = state.matches.get(fact.id)
        assert state.apply(fact)
        seen += [(x.id, x.home_score, x.away_score) for x in match_notices(fact, previous)]
    # goals going up are carried by their goal notices; the undo (2:0 back to 1:0) is said with the new score
    assert seen == [("score_corrected:7:303.0", 1, 0)]
