"""Player statistics from protocols under at-least-once delivery: match rows, events and line-ups changed
at random (inserted, corrected, deleted, the match's status flipping), delivered in any interleaving that
keeps each Kafka partition's order, with duplicates and stale replays injected, folded per match, per
stage and per player as the worker does: the season figures equal the batch functions of ``sports/``
over the final rows."""

from __future__ import annotations

import random
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sports.football import match_sheet
from sports.football_stats import football_player_stats
from sports.hockey import hockey_game
from sports.hockey_stats import hockey_stats
from sports.registry import REGULAR_PERIODS
from streams.lines import MatchLines, PlayerLineMessage, PlayerState, line_messages, season_stats
from streams.notices import protocol_notices
from streams.protocol import LINE_STATUSES, MatchState, Protocol, row_fact

HOME, AWAY = 10, 20
SQUADS = {HOME: [101, 102, 103], AWAY: [201, 202, 203]}
Change = tuple[str, dict[str, Any]]


def envelope(op: str, before: dict[str, Any] | None, after: dict[str, Any] | None, lsn: int) -> dict[str, Any]:
    return {"op": op, "before": before, "after": after, "source": {"commit_lsn": lsn, "ordinal": 0}}


def match_row(match_id: int, status: str, stage_id: int = 1) -> dict[str, Any]:
    return {
        "id": match_id,
        "stage_id": stage_id,
        "home_team_id": HOME,
        "away_team_id": AWAY,
        "status": status,
        "decided_in": "REG" if status == "finished" else None,
    }


def event_row(event_id: int, match_id: int, kind: str, team: int, player: int, minute: int) -> dict[str, Any]:
    scorer_team = team if kind != "own_goal" else (AWAY if team == HOME else HOME)
    mates = [p for p in SQUADS[scorer_team] if p != player]
    return {
        "id": event_id,
        "match_id": match_id,
        "kind": kind,
        "team_id": team,
        "player_id": player,
        "assist1_id": mates[0] if kind == "goal" and minute % 2 else None,
        "assist2_id": None,
        "player_out_id": None,
        "goalie_id": None,
        "period": 1 if minute <= 45 else 2,
        "minute": minute,
        "clock_seconds": None,
        "strength": None,
        "penalty_minutes": None,
        "scored": None,
    }


@st.composite
def histories(draw: st.DrawFn) -> list[Change]:
    """Changes in commit order: matches (status flips), events and line-ups inserted, edited, deleted."""
    changes: list[Change] = []
    matches: dict[int, dict[str, Any]] = {}
    events: dict[int, dict[str, Any]] = {}
    lineups: dict[int, dict[str, Any]] = {}
    lsn = 10
    for _ in range(draw(st.integers(1, 40))):
        lsn += 1
        target = draw(st.sampled_from(["match", "event", "event", "event", "lineup"]))
        if target == "match" or not matches:
            match_id = draw(st.integers(1, 3))
            before = matches.get(match_id)
            if before is not None and draw(st.integers(0, 5)) == 0:
                changes.append(("matches", envelope("d", before, None, lsn)))
                del matches[match_id]
                continue
            row = match_row(match_id, draw(st.sampled_from(["scheduled", "live", "finished"])))
            changes.append(("matches", envelope("c" if before is None else "u", before, row, lsn)))
            matches[match_id] = row
        elif target == "event":
            action = draw(st.sampled_from(["insert", "insert", "update", "delete"]))
            if action == "insert" or not events:
                team = draw(st.sampled_from([HOME, AWAY]))
                kind = draw(st.sampled_from(["goal", "goal", "penalty_goal", "own_goal", "yellow", "red"]))
                squad = SQUADS[team if kind != "own_goal" else (AWAY if team == HOME else HOME)]
                row = event_row(
                    max(events, default=0) + 1,
                    draw(st.sampled_from(sorted(matches))),
                    kind,
                    team,
                    draw(st.sampled_from(squad)),
                    draw(st.integers(1, 90)),
                )
                changes.append(("match_events", envelope("c", None, row, lsn)))
                events[row["id"]] = row
            else:
                event_id = draw(st.sampled_from(sorted(events)))
                before = events[event_id]
                if action == "delete":
                    changes.append(("match_events", envelope("d", before, None, lsn)))
                    del events[event_id]
                else:  # a correction: another scorer, another minute, or the event moved to another match
                    row = {
                        **before,
                        "minute": draw(st.integers(1, 90)),
                        "match_id": draw(st.sampled_from(sorted(matches))),
                    }
                    changes.append(("match_events", envelope("u", before, row, lsn)))
                    events[event_id] = row
        else:
            match_id = draw(st.sampled_from(sorted(matches)))
            team = draw(st.sampled_from([HOME, AWAY]))
            player = draw(st.sampled_from(SQUADS[team]))
            key = match_id * 1000 + player
            if key in lineups:
                changes.append(("lineups", envelope("d", lineups.pop(key), None, lsn)))
            else:
                row = {"id": key, "match_id": match_id, "team_id": team, "player_id": player, "starter": True}
                row["goalie_toi_seconds"] = None
                changes.append(("lineups", envelope("c", None, row, lsn)))
                lineups[key] = row
    return changes


def deliveries(changes: list[Change], rng: random.Random) -> list[Change]:
    """Per-partition order kept (a table's changes of one match stay in order: CDC keys them by match id),
    partitions interleaved at random, a tenth of the messages delivered twice, some much later."""
    lanes: dict[tuple[str, int], list[Change]] = {}
    for table, rec in changes:
        row = rec["after"] or rec["before"]
        lanes.setdefault((table, row["id"] if table == "matches" else row["match_id"]), []).append((table, rec))
    out: list[Change] = []
    queues = [list(lane) for lane in lanes.values()]
    while queues:
        lane = rng.choice(queues)
        item = lane.pop(0)
        out.append(item)
        if rng.random() < 0.1:
            out.append(item)  # redelivered right away
        if rng.random() < 0.05 and out:
            lane.insert(0, rng.choice(out))  # an old message replayed later in the lane (a restart)
        if not lane:
            queues.remove(lane)
    return out


def stream(
    changes: list[Change], sport: str = "football", rng: random.Random | None = None
) -> dict[int, dict[str, Any]]:
    """The worker's three folds in memory: per match, per stage (lines), per player. With ``rng``, the
    player-lines topic also redelivers old messages (a worker restarting after sending, before committing)."""
    sent: list[PlayerLineMessage] = []
    matches: dict[int, MatchState] = {}
    seen: dict[tuple[int, int], MatchLines] = {}
    players: dict[int, PlayerState] = {}
    for table, rec in changes:
        for row in row_fact(table, rec):
            state = matches.setdefault(row.match_id, MatchState(match_id=row.match_id))
            if not state.apply(row):
                continue
            for protocol in state.protocols():
                before = seen.get((protocol.stage_id, protocol.match_id), MatchLines(version=0))
                if before.version >= protocol.version:
                    continue
                messages, seen[(protocol.stage_id, protocol.match_id)] = line_messages(before, protocol, sport, 7)
                for message in messages:
                    # through the wire, as the worker sends them
                    sent.append(msgspec.msgpack.decode(msgspec.msgpack.encode(message), type=PlayerLineMessage))
                    if rng is not None and rng.random() < 0.2:
                        deliver(players, rng.choice(sent))
                    deliver(players, sent[-1])
    return {p: season_stats(s.current(), str(p)) for p, s in players.items() if s.current()}


def deliver(players: dict[int, PlayerState], m: PlayerLineMessage) -> None:
    players.setdefault(m.player_id, PlayerState(season_id=7, player_id=m.player_id)).apply(m.line_id, m.entry)


def final_protocols(changes: list[Change]) -> list[Protocol]:
    """The protocols of the final rows, folded in commit order once (what a batch over the tables reads)."""
    states: dict[int, MatchState] = {}
    for table, rec in changes:
        for row in row_fact(table, rec):
            states.setdefault(row.match_id, MatchState(match_id=row.match_id)).apply(row)
    return [p for s in states.values() for p in s.protocols() if p.counts]


# the health check counts the per-change draws of one example as "large"; 40 changes is the point of the test
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.large_base_example])
@given(histories(), st.randoms(use_true_random=False))
def test_streamed_player_stats_equal_the_batch(changes: list[Change], rng: random.Random) -> None:
    streamed = stream(deliveries(changes, rng), rng=rng)
    batch = football_player_stats(match_sheet(p) for p in final_protocols(changes))
    expected = {int(p): msgspec.structs.asdict(s) for p, s in batch.items()}
    assert {p: s["football"] for p, s in streamed.items()} == expected


def test_a_corrected_scorer_moves_the_goal_and_a_deleted_match_takes_its_lines_away() -> None:
    goal = event_row(1, 1, "goal", HOME, 101, 10)
    changes: list[Change] = [
        ("matches", envelope("c", None, match_row(1, "live"), 1)),
        ("match_events", envelope("c", None, goal, 2)),
    ]
    assert stream(changes)[101]["football"]["goals"] == 1
    changes.append(("match_events", envelope("u", goal, {**goal, "player_id": 102, "assist1_id": None}, 3)))
    after = stream(changes)
    assert 101 not in after
    assert after[102]["football"]["goals"] == 1
    changes.append(("matches", envelope("d", match_row(1, "live"), None, 4)))
    assert stream(changes) == {}


def test_a_match_moved_to_another_stage_keeps_one_line_per_player() -> None:
    goal = event_row(1, 1, "goal", HOME, 101, 10)
    moved = match_row(1, "finished", stage_id=2)
    changes: list[Change] = [
        ("matches", envelope("c", None, match_row(1, "finished"), 1)),
        ("match_events", envelope("c", None, goal, 2)),
        ("matches", envelope("u", match_row(1, "finished"), moved, 3)),
    ]
    assert stream(changes)[101]["football"]["goals"] == 1


def test_hockey_lines_sum_to_the_batch_figures() -> None:
    def hockey_event(event_id: int, kind: str, **fields: Any) -> dict[str, Any]:
        row = event_row(event_id, 1, kind, fields.pop("team", HOME), fields.pop("player", 101), 0)
        return row | {"minute": None, "period": fields.pop("period", 1), "clock_seconds": 60 * event_id} | fields

    rows = [
        hockey_event(1, "goal", assist1_id=102, goalie_id=203, strength="EV"),
        hockey_event(2, "goal", team=AWAY, player=201, goalie_id=103, strength="PP"),
        hockey_event(3, "shot", player=102, goalie_id=203),
        hockey_event(4, "penalty", team=AWAY, player=202, penalty_minutes=2),
        hockey_event(5, "goal", period=4, player=102, assist1_id=101, goalie_id=203, strength="EV"),
    ]
    changes: list[Change] = [("matches", envelope("c", None, match_row(1, "finished") | {"decided_in": "OT"}, 1))]
    changes += [("match_events", envelope("c", None, row, 2 + n)) for n, row in enumerate(rows)]
    changes += [
        (
            "lineups",
            envelope(
                "c",
                None,
                {
                    "id": 9 + n,
                    "match_id": 1,
                    "team_id": team,
                    "player_id": goalie,
                    "starter": True,
                    "goalie_toi_seconds": 3900,
                },
                20 + n,
            ),
        )
        for n, (team, goalie) in enumerate([(HOME, 103), (AWAY, 203)])
    ]
    streamed = stream(changes, "ice-hockey")
    (protocol,) = final_protocols(changes)
    skaters, goalies = hockey_stats([hockey_game(protocol)])
    assert {p: streamed[int(p)]["skater"] for p in skaters} == {
        p: msgspec.structs.asdict(s) for p, s in skaters.items()
    }
    assert {p: streamed[int(p)]["goalie"] for p in goalies} == {
        p: msgspec.structs.asdict(s) for p, s in goalies.items()
    }
    assert streamed[102]["skater"]["game_winning_goals"] == 1
    assert streamed[203]["goalie"]["goals_against"] == 2


def test_live_protocol_notices_carry_the_score_and_fire_once() -> None:
    state = MatchState(match_id=1)
    state.apply(row_fact("matches", envelope("c", None, match_row(1, "live"), 1))[0])
    seen: set[int] = set()
    ids: list[str] = []
    events = [
        event_row(1, 1, "goal", HOME, 101, 10),
        event_row(2, 1, "goal", AWAY, 201, 30),
        {**event_row(3, 1, "yellow", HOME, 102, 45), "kind": "period_end", "player_id": None},
        {**event_row(4, 1, "yellow", HOME, 102, 90), "kind": "period_end", "period": 2, "player_id": None},
    ]
    scores = []
    for n, row in enumerate(events):
        state.apply(row_fact("match_events", envelope("c", None, row, 10 + n))[0])
        (protocol,) = state.protocols()
        notices = protocol_notices(protocol, seen, "football", was_live=True)
        ids += [x.id for x in notices]
        scores += [(x.home_score, x.away_score) for x in notices if x.kind == "goal_scored"]
        seen |= {e.id for e in protocol.events}
        assert protocol_notices(protocol, seen, "football", was_live=True) == []  # the same protocol again: nothing new
    assert ids == ["goal_scored:1", "goal_scored:2", "period_ended:1:1", "period_ended:1:2", "regular_time_ended:1"]
    assert scores == [(1, 0), (1, 1)]
    assert REGULAR_PERIODS["ice-hockey"] == 3
    assert "live" in LINE_STATUSES


def test_cards_and_penalties_of_a_live_match_are_news_with_their_kind_and_minutes() -> None:
    state = MatchState(match_id=1)
    state.apply(row_fact("matches", envelope("c", None, match_row(1, "live"), 1))[0])
    rows = [
        event_row(1, 1, "yellow", HOME, 101, 10),
        event_row(2, 2, "red", AWAY, 201, 70),
        {**event_row(3, 2, "yellow", HOME, 102, 75), "kind": "penalty", "penalty_minutes": 2},
        event_row(4, 2, "substitution", HOME, 103, 80) | {"player_out_id": 101},
    ]
    for n, row in enumerate(rows):
        state.apply(row_fact("match_events", envelope("c", None, row, 10 + n))[0])
    (protocol,) = state.protocols()
    notices = protocol_notices(protocol, set(), "football", was_live=True)
    assert [(n.id, n.kind, n.card, n.penalty_minutes, n.player_id, n.minute) for n in notices] == [
        ("card_shown:1", "card_shown", "yellow", None, 101, 10),
        ("card_shown:2", "card_shown", "red", None, 201, 70),
        ("penalty_called:3", "penalty_called", "", 2, 102, 75),
    ]
    assert protocol_notices(protocol, {1, 2, 3, 4}, "football", was_live=True) == []


def test_a_protocol_entered_after_the_fact_is_not_news_but_a_late_goal_of_a_live_match_is() -> None:
    state = MatchState(match_id=1)
    state.apply(row_fact("matches", envelope("c", None, match_row(1, "finished"), 1))[0])
    state.apply(row_fact("match_events", envelope("c", None, event_row(1, 1, "goal", HOME, 101, 10), 2))[0])
    (protocol,) = state.protocols()
    assert protocol_notices(protocol, set(), "football", was_live=False) == []
    assert [n.id for n in protocol_notices(protocol, set(), "football", was_live=True)] == ["goal_scored:1"]
