"""The forecast step without Kafka: a stage's inputs as the fold sends them (once per change that matters,
the same bytes whatever order the facts came in), and the forecast record they give (deterministic,
valid under the topic's Avro schema, flags derived from the exact bounds)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec

from predict.forecast import Fixture, forecast_stage
from schemas.codec import SchemaRegistry
from sports import Adjustment, regulation
from streams.facts import Fact, StageState, facts_from_change
from streams.predictions import ForecastInputs, ForecastRequests, forecast_inputs, parse_zones
from streams.predictions_compute import compute_forecast, zone_flags, zones_for
from streams.predictions_worker import Forecasts, ForecastsConsumer, ForecastSettings, newest_inputs
from streams.wire import PREDICTIONS_SCHEMA
from tests.unit.streams.fakes import FakeSender

ZONES = '[{"name": "title", "first": 1, "last": 1}, {"name": "relegation", "first": 4, "last": 4}]'
STAGE = {"id": 1, "season_id": 9, "kind": "league", "regulation": "premier-league", "regulation_params": "{}"}
#: (match id, home, away, status, home goals, away goals)
MATCHES = [
    (11, 1, 2, "finished", 2, 0),
    (12, 3, 4, "finished", 1, 1),
    (13, 1, 3, "finished", 3, 1),
    (14, 2, 4, "finished", 0, 2),
    (15, 1, 4, "scheduled", None, None),
    (16, 2, 3, "live", 1, 0),
]


def envelope(op: str, after: dict[str, Any], lsn: int) -> dict[str, Any]:
    return {"op": op, "before": None, "after": after, "source": {"commit_lsn": lsn, "ordinal": 0}}


def match(match_id: int, home: int, away: int, status: str, hs: int | None, as_: int | None) -> dict[str, Any]:
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
        "decided_in": "REG" if status == "finished" else None,
        "kickoff": dt.datetime(2026, 3, match_id, 15, tzinfo=dt.UTC),
    }


def state_of(order: list[int], zones: str = ZONES) -> StageState:
    state = StageState(stage_id=1)
    facts: list[Fact] = facts_from_change("stages", envelope("r", {**STAGE, "zones": zones}, 1))
    for n, m in enumerate(MATCHES):
        facts += facts_from_change("matches", envelope("c", match(*m), 10 + n))
    facts += facts_from_change(
        "point_adjustments", envelope("c", {"id": 5, "stage_id": 1, "team_id": 4, "points": -3}, 30)
    )
    for i in order:
        state.apply(facts[i])
    return state


def test_inputs_hold_the_results_the_matches_to_play_the_zones_and_deductions() -> None:
    inputs = forecast_inputs(state_of(list(range(8))))
    assert inputs is not None
    [group] = inputs.groups
    assert group.teams == ["1", "2", "3", "4"]
    assert [r.id for r in group.played] == ["11", "12", "13", "14"]
    # a match in play is still to play: its result is not known
    assert [(u.id, u.date) for u in group.remaining] == [("15", "2026-03-15"), ("16", "2026-03-16")]
    assert group.adjustments == [Adjustment(team="4", points=-3)]
    assert [(z.name, z.first, z.last) for z in inputs.zones] == [("title", 1, 1), ("relegation", 4, 4)]


def test_the_same_facts_in_another_order_give_the_same_inputs_digest_and_seed() -> None:
    one = forecast_inputs(state_of(list(range(8))))
    other = forecast_inputs(state_of([7, 3, 0, 6, 1, 5, 2, 4]))
    assert one is not None
    assert other is not None
    assert one.digest == other.digest
    assert one.seed == other.seed
    changed = forecast_inputs(state_of(list(range(8)), zones="[]"))
    assert changed is not None
    assert changed.digest != one.digest


def test_a_knockout_stage_or_one_without_its_row_has_no_forecast() -> None:
    state = state_of(list(range(1, 8)))  # no stage row
    assert forecast_inputs(state) is None
    knockout = StageState(stage_id=1)
    knockout.apply(facts_from_change("stages", envelope("r", {**STAGE, "kind": "knockout"}, 1))[0])
    assert forecast_inputs(knockout) is None


def test_the_fold_sends_inputs_only_when_they_changed() -> None:
    sender = FakeSender()
    requests = ForecastRequests("inputs")
    state = state_of(list(range(8)))
    assert requests.offer(sender, state)
    assert not requests.offer(sender, state)  # nothing a forecast reads changed
    # a goal in play changes the live match, not the inputs
    goal = facts_from_change("matches", envelope("u", match(16, 2, 3, "live", 2, 0), 40))[0]
    assert state.apply(goal)
    assert not requests.offer(sender, state)
    final = facts_from_change("matches", envelope("u", match(16, 2, 3, "finished", 2, 0), 41))[0]
    assert state.apply(final)
    assert requests.offer(sender, state)
    sender.flush()
    sent = [msgspec.msgpack.decode(s.value, type=ForecastInputs) for s in sender.on("inputs")]
    assert [len(i.groups[0].remaining) for i in sent] == [2, 1]
    assert all(s.key == b"1" for s in sender.on("inputs"))


def test_zones_are_cut_to_the_table_and_flags_follow_the_exact_bounds() -> None:
    zones = zones_for(parse_zones(ZONES)[:1] + parse_zones('[{"name": "down", "first": 3, "last": 9}]'), 4)
    assert zones == {"title": (1, 1), "down": (3, 4)}
    assert zone_flags(zones, 1, 1) == (["title"], ["down"])
    assert zone_flags(zones, 3, 4) == (["down"], ["title"])
    assert zone_flags(zones, 1, 3) == ([], [])
    assert zone_flags(zones, None, 2) == ([], [])  # undecided: no flag either way


def test_the_record_is_the_models_forecast_on_the_same_data_and_fits_the_schema() -> None:
    inputs = forecast_inputs(state_of(list(range(8))))
    assert inputs is not None
    raw = msgspec.msgpack.encode(inputs)
    record = compute_forecast(raw, 500, 1.0)
    assert compute_forecast(raw, 500, 1.0) == record  # a replay is the same forecast
    registry = SchemaRegistry()
    fp = registry.register(PREDICTIONS_SCHEMA)
    assert registry.decode(registry.encode(fp, record))[1] == record
    group = inputs.groups[0]
    model = forecast_stage(
        group.played,
        [Fixture(id=u.id, home=u.home, away=u.away, date=u.date) for u in group.remaining],
        regulation("premier-league"),
        group.teams,
        adjustments=group.adjustments,
        zones={"title": (1, 1), "relegation": (4, 4)},
        sims=500,
        seed=inputs.seed,
    )
    assert [(m["match_id"], m["p_home"], m["p_draw"], m["p_away"]) for m in record["matches"]] == [
        (int(m.id), m.p_home, m.p_draw, m.p_away) for m in model.matches
    ]
    by_team = {int(t.team): t for t in model.teams}
    for row in record["teams"]:
        team = by_team[row["team_id"]]
        assert row["position_probabilities"] == list(team.position_probabilities)
        assert row["seed"] == inputs.seed
        assert row["sims"] == 500
    assert {t["team_id"] for t in record["teams"]} == {1, 2, 3, 4}
    for row in record["teams"]:
        assert abs(sum(row["position_probabilities"]) - 1) < 1e-3


def test_a_burst_is_forecast_once_per_stage_from_its_newest_inputs() -> None:
    state = state_of(list(range(8)))
    older = forecast_inputs(state)
    final = facts_from_change("matches", envelope("u", match(16, 2, 3, "finished", 2, 0), 41))[0]
    state.apply(final)
    newer = forecast_inputs(state)
    assert older is not None
    assert newer is not None
    values = [msgspec.msgpack.encode(newer), msgspec.msgpack.encode(older)]
    assert newest_inputs(values) == {1: values[0]}
    sender = FakeSender()
    registry = SchemaRegistry()
    settings = ForecastSettings(topic="predictions", sims=200, clinch_budget_s=0.5, processes=0)
    step = Forecasts(settings, registry, sender)
    step(values)
    [sent] = sender.on("predictions")
    record = registry.decode(sent.value)[1]
    assert record["version"] == newer.version
    assert [m["match_id"] for m in record["matches"]] == [15]


class _Message:
    def __init__(self, value: bytes) -> None:
        self._value = value

    def error(self) -> None:
        return None

    def value(self) -> bytes:
        return self._value


class _Consumer:
    """Hands out the scripted batches one ``consume`` at a time, then nothing (a quiet topic)."""

    def __init__(self, batches: list[list[_Message]]) -> None:
        self.batches = batches
        self.commits = 0

    def consume(self, _n: int, _timeout: float) -> list[_Message]:
        return self.batches.pop(0) if self.batches else []

    def commit(self, asynchronous: bool = True) -> None:
        self.commits += 1


def test_the_consumer_reads_on_until_the_topic_is_quiet_and_forecasts_a_burst_once() -> None:
    state = state_of(list(range(8)))
    burst = []
    for lsn, score in enumerate([(0, 0), (1, 0), (2, 0)], start=50):
        state.apply(facts_from_change("matches", envelope("u", match(16, 2, 3, "finished", *score), lsn))[0])
        inputs = forecast_inputs(state)
        assert inputs is not None
        burst.append(_Message(msgspec.msgpack.encode(inputs)))
    seen: list[list[bytes]] = []

    class Recording(Forecasts):
        def __call__(self, values: list[bytes]) -> None:
            seen.append(values)

    settings = ForecastSettings(topic="predictions", sims=100, clinch_budget_s=0.1, processes=0)
    consumer = ForecastsConsumer(
        bootstrap="unused:9092",
        group="g",
        topic="inputs",
        forecasts=Recording(settings, SchemaRegistry(), FakeSender()),
        quiet_s=0.01,
        max_wait_s=60,
    )
    fake = _Consumer([burst[:1], burst[1:2], burst[2:]])
    consumer.consumer = fake  # type: ignore[assignment]
    assert consumer.step() == 3
    assert seen == [[m.value() for m in burst]]  # one batch: the three changes together
    assert fake.commits == 1
    assert newest_inputs(seen[0]) == {1: burst[2].value()}  # and of them only the newest is forecast
    assert consumer.step() == 0
    assert fake.commits == 1


def test_each_group_is_forecast_apart_and_hockey_has_its_overtime_split() -> None:
    state = StageState(stage_id=1)
    stage = {
        **STAGE,
        "kind": "groups",
        "regulation": "nhl-2010",
        "zones": '[{"name": "through", "first": 1, "last": 2}]',
    }
    facts = facts_from_change("stages", envelope("r", stage, 1))
    groups = {21: (1, 2, 3), 22: (4, 5, 6)}
    n = 0
    for group, (a, b, c) in groups.items():
        for home, away, status in ((a, b, "finished"), (b, c, "finished"), (c, a, "scheduled")):
            n += 1
            played = status == "finished"
            row = match(n, home, away, status, 3 if played else None, 2 if played else None)
            row["group_id"] = group
            if played and n % 2:
                row["decided_in"] = "OT"
            facts += facts_from_change("matches", envelope("c", row, 10 + n))
    for fact in facts:
        state.apply(fact)
    inputs = forecast_inputs(state)
    assert inputs is not None
    assert [(g.group, g.teams) for g in inputs.groups] == [("21", ["1", "2", "3"]), ("22", ["4", "5", "6"])]
    record = compute_forecast(msgspec.msgpack.encode(inputs), 300, 1.0)
    assert record["sport"] == "ice-hockey"
    assert {(t["team_id"], t["group_key"]) for t in record["teams"]} == {
        (team, group) for group, teams in groups.items() for team in teams
    }
    for t in record["teams"]:
        assert len(t["position_probabilities"]) == 3  # positions within its group
        assert set(json.loads(t["zone_probabilities"])) == {"through"}
    assert [(m["match_id"], m["group_key"]) for m in record["matches"]] == [(3, 21), (6, 22)]
    for m in record["matches"]:
        split = [m[f"p_{s}_{h}"] for s in ("home", "away") for h in ("reg", "ot", "so")]
        assert None not in split
        assert abs(sum(split) - 1) < 1e-3  # a hockey match always has a winner
