"""Forecast records routed to ``stage:{id}:predictions``: the body the REST routes answer (both at once),
a newer version only, and nothing told when a new version forecasts the same."""

from __future__ import annotations

import json
from typing import Any

import pytest
from confluent_kafka import OFFSET_BEGINNING, TopicPartition

from api.live.channels import ChannelError, parse_channel
from api.live.config import LiveConfig
from api.live.feed import Record, TopicFeed, Topics
from api.live.hub import Hub
from api.live.metrics import LiveMetrics
from api.live.router import Leaders, Router
from tests.unit.api.live.fakes import FakeClock, NoDatabase, messages

ZONES = [{"name": "title", "first": 1, "last": 1}]


def _team(team_id: int, positions: list[float], clinched: list[str]) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "group_key": 0,
        "elo": 1500.0,
        "attack": 0.1,
        "defence": -0.1,
        "position_probabilities": positions,
        "zone_probabilities": json.dumps({"title": positions[0]}),
        "best_possible": 1,
        "worst_possible": 1 if clinched else 2,
        "clinched": clinched,
        "eliminated": [],
        "sims": 1000,
        "seed": 42,
    }


def _record(version: int, leader_first: float) -> Record:
    value = {
        "stage_id": 3,
        "version": version,
        "sims": 1000,
        "seed": 42,
        "zones": ZONES,
        "matches": [
            {
                "match_id": 9,
                "group_key": 0,
                "home_team_id": 1,
                "away_team_id": 2,
                "kickoff": "2026-09-19",
                "p_home": 0.5,
                "p_draw": 0.3,
                "p_away": 0.2,
                **{f"p_{s}_{h}": None for s in ("home", "away") for h in ("reg", "ot", "so")},
                "likely_scores": "[[1, 0, 0.12], [1, 1, 0.11]]",
            }
        ],
        # the team less likely to be first comes first in the record (ordered by id), last in the answer
        "teams": [
            _team(1, [1 - leader_first, leader_first], []),
            _team(2, [leader_first, 1 - leader_first], ["title"] if leader_first == 1 else []),
        ],
    }
    return Record("predictions", 1_700_000_000_000 + version, value)


def _router() -> Router:
    hub = Hub(LiveConfig(), LiveMetrics(), clock=FakeClock())
    db = NoDatabase()
    return Router(hub, db, Leaders(hub, db, LiveConfig()))


@pytest.mark.asyncio
async def test_a_forecast_is_told_as_the_routes_answer_it_newer_versions_only() -> None:
    router = _router()
    for record in [_record(2, 0.9), _record(2, 0.9), _record(1, 0.5), _record(3, 0.9), _record(4, 1.0)]:
        await router.route(record)
    told = messages(router.hub.channels["stage:3:predictions"])
    # a redelivery and an older version are not told; nor is version 3, the same forecast as version 2
    assert [(m["seq"], m["kind"]) for m in told] == [(1, "predictions"), (2, "predictions")]
    first = told[0]["body"]
    assert first["predictions"] == [
        {
            "match_id": 9,
            "group_id": None,
            "home_team_id": 1,
            "away_team_id": 2,
            "kickoff": "2026-09-19",
            "p_home": 0.5,
            "p_draw": 0.3,
            "p_away": 0.2,
            "hockey": None,
            "likely_scores": [
                {"home": 1, "away": 0, "probability": 0.12},
                {"home": 1, "away": 1, "probability": 0.11},
            ],
        }
    ]
    assert first["odds"]["zones"] == ZONES
    assert [t["team_id"] for t in first["odds"]["teams"]] == [2, 1]  # by expected final position
    assert first["odds"]["teams"][0]["zone_probabilities"] == {"title": 0.9}
    assert told[1]["body"]["odds"]["teams"][0]["clinched"] == ["title"]
    assert isinstance(router.db, NoDatabase)
    assert router.db.reads == 0


def test_the_predictions_channel_is_a_stage_channel_and_nothing_else() -> None:
    ref = parse_channel("stage:12:predictions", 1)
    assert (ref.kind, ref.item_id, ref.key) == ("predictions", 12, "stage:12:predictions")
    for name in ("predictions:12", "stage:12:odds", "stage:012:predictions"):
        with pytest.raises(ChannelError):
            parse_channel(name, 1)


class _Listing:
    def __init__(self, topics: dict[str, list[int]]) -> None:
        self.topics = {name: type("T", (), {"partitions": dict.fromkeys(parts)})() for name, parts in topics.items()}


class _Consumer:
    def __init__(self, topics: dict[str, list[int]]) -> None:
        self.listing = topics
        self.assigned: list[tuple[str, int, int]] = []

    def list_topics(self, timeout: float) -> _Listing:
        return _Listing(self.listing)

    def incremental_assign(self, partitions: list[TopicPartition]) -> None:
        self.assigned += [(tp.topic, tp.partition, tp.offset) for tp in partitions]


def test_the_feed_starts_reading_the_predictions_topic_once_it_exists() -> None:
    topics = Topics(notices="n", standings="s", live_standings="l", players="p", predictions="f")
    feed = TopicFeed("127.0.0.1:9", topics, 60, LiveMetrics())
    assert "f" not in feed.roles  # not waited for at the start
    bounds: dict[tuple[str, int], tuple[int, int]] = {}
    consumer = _Consumer({"n": [0], "s": [0]})
    feed._take_optional(consumer, bounds)  # type: ignore[arg-type]
    assert consumer.assigned == []
    consumer.listing["f"] = [0, 1]
    feed._take_optional(consumer, bounds)  # type: ignore[arg-type]
    assert consumer.assigned == [("f", 0, OFFSET_BEGINNING), ("f", 1, OFFSET_BEGINNING)]
    assert feed.roles["f"] == "predictions"
    assert bounds == {("f", 0): (0, 0), ("f", 1): (0, 0)}
    feed._take_optional(consumer, bounds)  # type: ignore[arg-type]
    assert len(consumer.assigned) == 2  # once
