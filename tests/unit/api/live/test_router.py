"""Records read from the topics, routed into channels: standings by version, notices once each, to the
match and to the organization. Owners are known in advance (``router.owners``): no database is read."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from api.live.config import LiveConfig
from api.live.feed import Record
from api.live.hub import Hub
from api.live.metrics import LiveMetrics
from api.live.router import Leaders, Router
from tests.unit.api.live.fakes import FakeClock, NoDatabase, messages

ROWS = [{"team_id": 1, "points": 3}, {"team_id": 2, "points": 0}]


def _router(clock: FakeClock | None = None) -> Router:
    hub = Hub(LiveConfig(), LiveMetrics(), clock=clock or FakeClock())
    db = NoDatabase()
    router = Router(hub, db, Leaders(hub, db, LiveConfig()))
    router.owners[("stages", 10)] = 77
    router.owners[("stages", 11)] = None  # a stage that is gone
    router.owners[("seasons", 4)] = 77
    return router


def _reads(router: Router) -> int:
    assert isinstance(router.db, NoDatabase)
    return router.db.reads


def _standings(stage: int, group: int, version: int, rows: list[dict[str, Any]], role: str = "standings") -> Record:
    value = {"stage_id": stage, "group_key": group, "version": version, "rows": rows}
    return Record(role, 1_700_000_000_000 + version, value)


def _notice(**fields: object) -> Record:
    return Record("notices", 1_700_000_000_555, json.dumps(fields).encode())


# -- standings


@pytest.mark.asyncio
async def test_standings_are_told_on_the_stage_channel_as_the_rest_route_shows_a_group() -> None:
    router = _router()
    await router.route(_standings(3, 0, 1, ROWS))
    await router.route(_standings(3, 5, 1, ROWS[:1]))
    told = messages(router.hub.channels["stage:3"])
    assert [(m["channel"], m["seq"], m["kind"]) for m in told] == [
        ("stage:3", 1, "standings"),
        ("stage:3", 2, "standings"),
    ]
    assert told[0]["body"] == {"group_id": None, "rows": ROWS}  # group 0: the stage without groups
    assert list(told[0]["body"]) == ["group_id", "rows"]
    assert told[1]["body"] == {"group_id": 5, "rows": ROWS[:1]}
    assert told[0]["ts"] == 1_700_000_000_001
    assert _reads(router) == 0


@pytest.mark.asyncio
async def test_only_a_newer_version_of_each_final_or_live_group_is_told() -> None:
    router = _router()
    for record in [
        _standings(3, 0, 2, ROWS),
        _standings(3, 0, 2, ROWS),  # a redelivery
        _standings(3, 0, 1, []),  # an older version
        _standings(3, 0, 1, ROWS, role="live_standings"),  # live standings are numbered apart
        _standings(3, 7, 1, ROWS),  # another group
        _standings(3, 0, 3, ROWS[::-1]),
        _standings(3, 0, 1, ROWS, role="live_standings"),
        _standings(3, 7, 1, []),
        _standings(4, 0, 1, ROWS),  # another stage
    ]:
        await router.route(record)
    told = messages(router.hub.channels["stage:3"])
    assert [(m["seq"], m["kind"], m["body"]["group_id"], m["ts"] - 1_700_000_000_000) for m in told] == [
        (1, "standings", None, 2),
        (2, "live_standings", None, 1),
        (3, "standings", 7, 1),
        (4, "standings", None, 3),
    ]
    assert told[3]["body"]["rows"] == ROWS[::-1]
    assert [m["seq"] for m in messages(router.hub.channels["stage:4"])] == [1]
    snapshots = router.hub.channels["stage:3"].snapshots
    assert set(snapshots) == {"final:0", "live:0", "final:7"}
    assert snapshots["final:0"][0] == 3
    assert json.loads(snapshots["final:0"][1]) == {"group_id": None, "rows": ROWS[::-1]}


# -- notices


@pytest.mark.asyncio
async def test_a_match_notice_goes_to_its_match_and_to_its_organizations_org_channel() -> None:
    router = _router()
    record = _notice(id="goal_scored:901", kind="goal_scored", stage_id=10, match_id=5, minute=12, team_id=1)
    await router.route(record)
    on_match = messages(router.hub.channels["match:5"])
    on_org = messages(router.hub.channels["org:77"])
    assert [(m["channel"], m["seq"], m["kind"]) for m in on_match] == [("match:5", 1, "goal_scored")]
    assert [(m["channel"], m["seq"], m["kind"]) for m in on_org] == [("org", 1, "goal_scored")]
    for told in (on_match[0], on_org[0]):
        assert told["body"] == json.loads(record.value)  # the notice travels as it came
        assert told["ts"] == record.ts_ms
    assert set(router.hub.channels) == {"match:5", "org:77"}


@pytest.mark.asyncio
async def test_a_notice_seen_before_is_not_told_twice() -> None:
    router = _router()
    goal = _notice(id="goal_scored:901", kind="goal_scored", stage_id=10, match_id=5)
    card = _notice(id="card_shown:902", kind="card_shown", stage_id=10, match_id=5)
    for record in (goal, goal, card, goal, card):
        await router.route(record)
    assert [m["body"]["id"] for m in messages(router.hub.channels["match:5"])] == ["goal_scored:901", "card_shown:902"]
    assert [m["seq"] for m in messages(router.hub.channels["org:77"])] == [1, 2]


@pytest.mark.asyncio
async def test_a_suspension_goes_to_the_organization_only() -> None:
    router = _router()
    await router.route(
        _notice(id="player_suspended:3:4", kind="player_suspended", season_id=4, match_id=5, player_id=3, matches=2)
    )
    assert "match:5" not in router.hub.channels
    assert [(m["channel"], m["kind"]) for m in messages(router.hub.channels["org:77"])] == [("org", "player_suspended")]


@pytest.mark.asyncio
async def test_a_stage_notice_without_a_match_goes_to_the_organization_only() -> None:
    router = _router()
    await router.route(_notice(id="leader_changed:10:0:1:4", kind="leader_changed", stage_id=10, team_id=1))
    assert set(router.hub.channels) == {"org:77"}


@pytest.mark.asyncio
async def test_a_notice_of_an_unknown_owner_still_reaches_its_match() -> None:
    router = _router()
    await router.route(_notice(id="goal_scored:1", kind="goal_scored", stage_id=11, match_id=6))
    await router.route(_notice(id="goal_scored:2", kind="goal_scored", match_id=7))  # neither stage nor season
    assert set(router.hub.channels) == {"match:6", "match:7"}
    assert _reads(router) == 0


@pytest.mark.asyncio
async def test_notices_of_two_organizations_stay_apart() -> None:
    router = _router()
    router.owners[("stages", 20)] = 88
    await router.route(_notice(id="goal_scored:1", kind="goal_scored", stage_id=10, match_id=5))
    await router.route(_notice(id="goal_scored:2", kind="goal_scored", stage_id=20, match_id=6))
    assert [m["body"]["id"] for m in messages(router.hub.channels["org:77"])] == ["goal_scored:1"]
    assert [m["body"]["id"] for m in messages(router.hub.channels["org:88"])] == ["goal_scored:2"]


@pytest.mark.asyncio
async def test_run_routes_delivered_batches_in_order_and_survives_a_bad_record() -> None:
    router = _router()
    router.deliver(
        [
            _notice(id="goal_scored:1", kind="goal_scored", match_id=5),
            Record("notices", 0, b"not json"),
            _notice(id="goal_scored:2", kind="goal_scored", match_id=5),
        ]
    )
    router.deliver([_notice(id="goal_scored:3", kind="goal_scored", match_id=5)])
    task = asyncio.create_task(router.run())
    try:
        for _ in range(10):
            await asyncio.sleep(0)
            if "match:5" in router.hub.channels and router.hub.channels["match:5"].seq == 3:
                break
        assert [m["body"]["id"] for m in messages(router.hub.channels["match:5"])] == [
            "goal_scored:1",
            "goal_scored:2",
            "goal_scored:3",
        ]
    finally:
        task.cancel()


# -- players: leaderboards to read again


@pytest.mark.asyncio
async def test_a_player_record_is_noted_for_a_season_channel_the_process_keeps() -> None:
    router = _router()

    def player(player_id: int, version: int, season: int = 4) -> Record:
        return Record("players", 0, {"season_id": season, "player_id": player_id, "version": version})

    await router.route(player(1, 3))
    assert router.leaders.pending == {}  # nobody listens to season 4's leaders
    router.hub.channel("season:4:leaders", "season:4:leaders")
    await router.route(player(1, 3))
    await router.route(player(1, 2))  # an older version does not lower what is awaited
    await router.route(player(2, 1))
    assert router.leaders.pending == {4: (77, {1: 3, 2: 1})}
    assert router.leaders.wake.is_set()
    assert _reads(router) == 0
