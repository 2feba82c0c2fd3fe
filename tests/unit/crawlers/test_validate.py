"""An item that breaks a rule is refused whole, with the reason the crawl summary counts it under."""

from __future__ import annotations

import msgspec
import pytest

from crawlers.errors import InvalidItemError
from crawlers.items import Event, LineupEntry, MatchItem, Player, Season, Team
from crawlers.validate import validate

SEASON = Season(competition_key="x", competition="X", sport="football", slug="x", season="2026")
GOOD = MatchItem(
    source="t",
    key="m1",
    url="u",
    season=SEASON,
    round=1,
    home=Team(key="a", name="A"),
    away=Team(key="b", name="B"),
    status="finished",
    home_score=1,
    away_score=0,
    decided_in="REG",
    players=(Player(key="p", side="home", last_name="Scorer"),),
    lineups=(LineupEntry(player="p", starter=True),),
    events=(Event(key="g", side="home", kind="goal", period=1, minute=10, player="p"),),
)


def _reason(**changes: object) -> str:
    with pytest.raises(InvalidItemError) as caught:
        validate(msgspec.structs.replace(GOOD, **changes))
    return caught.value.reason


def test_a_good_item_passes_and_loose_values_are_converted() -> None:
    assert validate(GOOD) == GOOD


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"home_score": -1}, "invalid:home_score"),
        ({"round": 0}, "invalid:round"),
        ({"status": "abandoned"}, "invalid:status"),
        ({"away": Team(key="a", name="A")}, "same_team"),
        ({"away_score": None}, "score_incomplete"),
        ({"home_score": None, "away_score": None}, "missing_score"),
        ({"status": "awarded"}, "awarded_not_awd"),
        ({"status": "live"}, "decided_before_end"),
        ({"season": msgspec.structs.replace(SEASON, sport="curling")}, "unknown_sport"),
        ({"season": msgspec.structs.replace(SEASON, regulation="nope")}, "unknown_regulation"),
        ({"events": (Event(key="g", side="home", kind="goal", period=1, player="nobody"),)}, "unknown_player"),
        ({"events": (Event(key="g", side="home", kind="goal", period=1),) * 2}, "duplicate_key"),
        ({"events": (Event(key="s", side="home", kind="substitution", period=1, player="p"),)}, "substitution_players"),
        ({"events": (Event(key="y", side="home", kind="penalty", period=1),)}, "penalty_without_minutes"),
        ({"events": (Event(key="k", side="home", kind="shootout_attempt", period=5),)}, "shootout_without_outcome"),
        ({"events": (Event(key="y", side="home", kind="yellow", period=1, assist1="p"),)}, "assist_without_goal"),
        ({"events": (Event(key="g", side="home", kind="goal", period=1, player="p", assist1="p"),)}, "bad_assists"),
        ({"events": (Event(key="g", side="home", kind="goal", period=1, minute=-1),)}, "invalid:events.minute"),
    ],
)
def test_each_rule_has_its_reason(changes: dict[str, object], reason: str) -> None:
    assert _reason(**changes) == reason
