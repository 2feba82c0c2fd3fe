"""Predictions live on the real stack: a four-team league with zones, two rounds played and one to go,
entered through the management API, travels through PostgreSQL, the CDC reader, Kafka and the stream
processor's forecast step to ``stats`` and the public API and live feed. A corrected result changes the
forecast and takes a clinched title back; the stream's forecast is ``predict.forecast_stage`` on the
same data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from predict.forecast import Fixture, forecast_stage
from rstat.settings import Settings
from sports import DecidedIn, Result, regulation
from tests.integration.cdc_support import ensure_running
from tests.integration.live_support import LiveClient, Message
from tests.integration.predictions_support import SIMS, TO_PLAY, ZONES, League, Product, start_product
from tests.waiting import eventually


@pytest.fixture
def product(stack: Settings, tmp_path: Path) -> Iterator[Product]:
    yield from start_product(stack, tmp_path)


@pytest.fixture
def league(product: Product) -> Iterator[League]:
    made = League(product.apis)
    try:
        yield made
    finally:
        made.admin.close()


def odds(conn: Any, stage: int) -> dict[int, tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT team_id, position_probabilities, zone_probabilities, best_possible, worst_possible, clinched, "
        "eliminated, seed, sims FROM stats.position_odds WHERE stage_id = %s",
        (stage,),
    ).fetchall()
    return {int(r[0]): tuple(r[1:]) for r in rows}


def model_forecast(conn: Any, stage: int, seed: int) -> Any:
    """``forecast_stage`` on the stage's rows as they are in PostgreSQL now."""
    rows = conn.execute(
        "SELECT id, home_team_id, away_team_id, status::text, home_score, away_score, decided_in::text, round, "
        "kickoff FROM matches WHERE stage_id = %s ORDER BY id",
        (stage,),
    ).fetchall()
    played = [
        Result(
            id=str(r[0]),
            home=str(r[1]),
            away=str(r[2]),
            home_score=r[4],
            away_score=r[5],
            decided_in=DecidedIn(r[6]),
            round=r[7],
            date=r[8].astimezone(dt.UTC).isoformat(),
        )
        for r in rows
        if r[3] == "finished"
    ]
    fixtures = [
        Fixture(id=str(r[0]), home=str(r[1]), away=str(r[2]), date=r[8].astimezone(dt.UTC).date().isoformat())
        for r in rows
        if r[3] == "scheduled"
    ]
    teams = sorted({t for r in rows for t in (str(r[1]), str(r[2]))}, key=int)
    zones = {str(z["name"]): (int(z["first"]), int(z["last"])) for z in ZONES}
    return forecast_stage(played, fixtures, regulation("premier-league"), teams, zones=zones, sims=SIMS, seed=seed)


def test_zones_are_checked_by_the_admin_api(league: League) -> None:
    url = f"/v1/orgs/{league.org}/stages/{league.stage}"
    crossing = [{"name": "a", "first": 1, "last": 4}, {"name": "b", "first": 3, "last": 6}]
    r = league.admin.patch(url, json={"zones": crossing})
    assert r.status_code == 422, r.text
    assert r.json()["rule"] == "stages_zones_unique_names_nested_or_apart"
    r = league.admin.patch(url, json={"zones": [{"name": "a", "first": 3, "last": 2}]})
    assert r.status_code == 422, r.text
    assert r.json()["rule"] == "stages_zones_name_first_last_in_1_to_999"
    r = league.admin.patch(url, json={"zones": [{"name": "a", "first": 0, "last": 2}]})
    assert r.status_code == 422, r.text
    nested = [{"name": "title", "first": 1, "last": 1}, {"name": "europe", "first": 1, "last": 2}]
    r = league.admin.patch(url, json={"zones": nested})
    assert r.status_code == 200, r.text
    assert r.json()["zones"] == nested


def test_a_correction_changes_the_forecast_everywhere_and_takes_a_clinched_title_back(
    product: Product, league: League
) -> None:
    apis = product.apis
    leader, *others = league.teams
    ws = LiveClient.open(apis.urls["public"].replace("http://", "ws://") + f"/v1/live?token={league.token}")
    channel = f"stage:{league.stage}:predictions"
    ws.send({"op": "subscribe", "channels": [channel]})
    ws.wait_for(lambda m: m.get("channel") == channel and m["kind"] == "state", "the predictions channel's state")

    with apis.connect() as conn:

        def forecast_with(condition: Any) -> dict[int, tuple[Any, ...]]:
            def found() -> dict[int, tuple[Any, ...]]:
                ensure_running(product.chain.procs[-1], "rstat streams", product.log)
                got = odds(conn, league.stage)
                assert condition(got), got
                return got

            return eventually(found, message=f"stats.position_odds of the stage (see {product.log})")

        # the leader has the title whatever happens in the last round: flagged, probability 1
        first = forecast_with(lambda got: len(got) == 4 and "title" in got[leader][4])
        assert first[leader][0][0] == 1.0
        assert first[leader][2:4] == (1, 1)
        assert all("title" in first[t][5] for t in others)  # nobody else can win it
        seed = first[leader][6]
        model = model_forecast(conn, league.stage, seed)
        stream = {t: first[t][0] for t in league.teams}
        assert stream == {int(t.team): list(t.position_probabilities) for t in model.teams}
        predictions = conn.execute(
            "SELECT match_id, p_home, p_draw, p_away FROM stats.match_predictions WHERE stage_id = %s "
            "ORDER BY match_id",
            (league.stage,),
        ).fetchall()
        assert [tuple(p) for p in predictions] == [(int(m.id), m.p_home, m.p_draw, m.p_away) for m in model.matches]

        with httpx.Client(base_url=apis.urls["public"], headers={"X-API-Key": league.api_key}) as site:
            answer = site.get(f"/v1/stages/{league.stage}/odds").json()
            assert answer["sims"] == SIMS
            assert answer["zones"] == ZONES
            assert answer["teams"][0]["team_id"] == leader
            assert answer["teams"][0]["clinched"] == ["title"]
            matches = site.get(f"/v1/stages/{league.stage}/predictions").json()
            assert [m["match_id"] for m in matches] == [league.matches[p] for p in TO_PLAY]
            for m in matches:
                assert abs(m["p_home"] + m["p_draw"] + m["p_away"] - 1) < 1e-3

            # the leader's 2-0 win over team 2 was 0-2: 3 points, one ahead of team 2, and the title is open again
            league.result(0, 2, 0, 2)
            after = forecast_with(lambda got: "title" not in got[leader][4])
            assert after[leader][0][0] < 1.0
            assert after[leader][2] == 1  # it can still finish first...
            assert after[leader][3] > 1  # ...but no longer only first
            model = model_forecast(conn, league.stage, after[leader][6])
            assert {t: after[t][0] for t in league.teams} == {
                int(t.team): list(t.position_probabilities) for t in model.teams
            }
            told = ws.wait_for(
                lambda m: (
                    m.get("channel") == channel and m["kind"] == "predictions" and not _clinched(m, leader, "title")
                ),
                "the corrected forecast on the live feed",
            )
            assert told["body"]["odds"]["sims"] == SIMS
            answer = site.get(f"/v1/stages/{league.stage}/odds").json()
            assert {t["team_id"]: t["position_probabilities"] for t in answer["teams"]} == {
                t: list(after[t][0]) for t in league.teams
            }
    ws.close()


def _clinched(message: Message, team: int, zone: str) -> bool:
    return any(t["team_id"] == team and zone in t["clinched"] for t in message["body"]["odds"]["teams"])
