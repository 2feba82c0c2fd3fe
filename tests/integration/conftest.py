"""Fixtures of the integration tests: ``chain`` is a private CDC reader + stream worker environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rstat.settings import Settings
from tests.conftest import unique
from tests.integration.cdc_support import CdcEnv, drop_env, make_env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/integration/" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def chain(stack: Settings, tmp_path: Path) -> Iterator[CdcEnv]:
    env = make_env(stack, tmp_path)
    env.env.update(
        {
            "RSTAT__STREAMS__APP_ID": unique("streams"),
            "RSTAT__STREAMS__STANDINGS_TOPIC": f"{env.prefix}stats.standings",
            "RSTAT__STREAMS__NOTICES_TOPIC": f"{env.prefix}notices",
            "RSTAT__STREAMS__TEAMS_TOPIC": f"{env.prefix}stats.teams",
            "RSTAT__STREAMS__LIVE_STANDINGS_TOPIC": f"{env.prefix}stats.live-standings",
            "RSTAT__STREAMS__PLAYERS_TOPIC": f"{env.prefix}stats.players",
            "RSTAT__STREAMS__PREDICTIONS_TOPIC": f"{env.prefix}stats.predictions",
            # forecasts (a spawned process fitting and simulating each changed stage) are tested on their own
            # (test_predictions.py); off here, so the statistics tests do not share their two cores with them
            "RSTAT__STREAMS__PREDICTION_SIMS": "0",
            "RSTAT__STREAMS__DATA_DIR": str(tmp_path / "streams"),
        }
    )
    yield env
    drop_env(env)
