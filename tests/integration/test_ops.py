"""The operations page on the real stack: a CDC reader, a stream worker and the three apps; the admin app
scrapes the processes' metrics endpoints and answers each process's health and the shared panels
(deploy/metrics/queries.json); writes through the management API move slot lag, changes per second and the
commit -> statistics histogram. Only owners read it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rstat.ops.stack.process import free_port
from rstat.settings import Settings
from tests.integration.api_support import Apis
from tests.integration.cdc_support import CdcEnv
from tests.integration.live_support import League, build_league, start_product
from tests.waiting import eventually

Ops = tuple[CdcEnv, Apis, League]


@pytest.fixture(scope="module")
def ops(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ops]:
    tmp = tmp_path_factory.mktemp("ops")
    ports = {"RSTAT__CDC__METRICS_PORT": str(free_port()), "RSTAT__STREAMS__METRICS_PORT": str(free_port())}
    for chain, apis in start_product(stack, tmp, **ports):
        league = build_league(apis, "opsleague")
        try:
            yield chain, apis, league
        finally:
            league.admin.close()


def read(client: httpx.Client) -> dict[str, Any]:
    r = client.get("/v1/ops/metrics")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def panel(body: dict[str, Any], panel_id: str) -> dict[str, float | None]:
    found = next(p for p in body["panels"] if p["id"] == panel_id)
    return {s["name"]: s["value"] for s in found["series"]}


def test_only_owners_read_the_operations_metrics(ops: Ops) -> None:
    _chain, apis, _league = ops
    with apis.client("admin") as anonymous:
        assert anonymous.get("/v1/ops/metrics").status_code == 401
    apis.user("nobody@ops.example")  # a user of no organization
    with apis.client("admin", apis.login("nobody@ops.example")["access_token"]) as nobody:
        r = nobody.get("/v1/ops/metrics")
    assert r.status_code == 403, r.text
    assert "owner" in r.text


def test_the_page_and_its_bundle_are_served_to_anyone(ops: Ops) -> None:
    _chain, apis, _league = ops
    with apis.client("admin") as anonymous:
        page = anonymous.get("/ops")
        loader = anonymous.get("/ops/rstat-ops.js")
    assert page.status_code == 200
    assert '<script type="module" src="/ops/rstat-ops.js">' in page.text
    assert f'identity="{apis.urls["identity"]}"' in page.text
    assert loader.status_code == 200, loader.text
    assert loader.text.startswith('import "./rstat-ops.')


def test_writes_move_the_panels_and_every_process_is_up(ops: Ops) -> None:
    _chain, _apis, league = ops
    owner = league.admin  # the owner of the league's organization

    def all_up() -> dict[str, Any]:
        body = read(owner)
        states = {p["job"]: (p["up"], p["healthy"], p["error"]) for p in body["processes"]}
        assert states == dict.fromkeys(("rstat-cdc", "rstat-streams", "rstat-public"), (True, True, "")), states
        return body

    eventually(all_up, message="the three processes to be up and healthy")
    slot_lags: set[float] = set()
    match = league.matches[0]
    goals = [0]

    def moved() -> bool:
        league.goal(match, minute=1 + goals[0] % 90)
        goals[0] += 1
        body = read(owner)
        lag = panel(body, "slot_lag_bytes").get("lag")
        if lag is not None:
            slot_lags.add(lag)
        changes = panel(body, "changes_per_second").get("changes/s")
        latency = panel(body, "commit_to_stats_seconds")
        applied = panel(body, "events_per_second").get("events/s")
        consumer = panel(body, "consumer_lag")
        assert (changes or 0) > 0, changes
        assert (applied or 0) > 0, applied
        p50, p99 = latency.get("p50"), latency.get("p99")
        assert p50 is not None, latency
        assert p99 is not None, latency
        assert 0 < p50 <= p99 < 60, latency
        assert any(name.endswith("-intake " + league_topic(ops)) for name in consumer), consumer
        assert len(slot_lags) >= 2, slot_lags  # the slot's lag is measured and moves
        return True

    eventually(moved, interval=0.5, message="changes/s, events/s, commit -> statistics and slot lag to move")
    up = panel(read(owner), "processes_up")
    assert up == {"rstat-cdc": 1.0, "rstat-public": 1.0, "rstat-streams": 1.0}


def league_topic(ops: Ops) -> str:
    chain, _apis, _league = ops
    return chain.topic("match_events")


def test_a_stopped_process_is_down_with_its_error(ops: Ops) -> None:
    chain, _apis, league = ops
    streams = chain.procs[-1]
    streams.terminate()
    streams.wait(timeout=60)

    def down() -> dict[str, Any]:
        found: dict[str, Any] = {p["job"]: p for p in read(league.admin)["processes"]}["rstat-streams"]
        assert not found["up"], found
        assert "connection refused" in found["error"], found
        return found

    eventually(down, message="the stopped worker to show as down")
    assert panel(read(league.admin), "processes_up")["rstat-streams"] == 0.0
