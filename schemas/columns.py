"""The domain tables' column rules (``schemas/sql``) as msgspec types, for every writer that must refuse what
the database would, naming the field: the admin API's DTOs (``api/admin/resources.py``) and the crawlers'
items. Rules across fields (a team against itself) and the sport's limits stay in the database and in
:mod:`schemas.protocol_rules`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

__all__ = [
    "SMALLINT",
    "Code",
    "ContentKind",
    "Count",
    "DecidedIn",
    "EventKind",
    "MatchStatus",
    "Nationality",
    "Number",
    "PenaltyMinutes",
    "Positive",
    "Slug",
    "SmallCount",
    "StageKind",
    "Strength",
    "Text50",
    "Text100",
    "Text200",
    "Url",
    "text",
]

SMALLINT = 32767


def text(longest: int) -> Any:
    """A text column with a CHECK on its length (1 to ``longest`` characters)."""
    return Annotated[str, msgspec.Meta(min_length=1, max_length=longest)]


# (named types are written out as Annotated, so that they are types to mypy as well as to msgspec)
Slug = Annotated[str, msgspec.Meta(pattern="^[a-z0-9][a-z0-9-]{0,62}$")]
Code = Annotated[str, msgspec.Meta(pattern="^[A-Z0-9]{2,5}$")]
Nationality = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
Url = Annotated[str, msgspec.Meta(pattern="^https?://")]
Text50 = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
Text100 = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Text200 = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
StageKind = Literal["league", "groups", "knockout", "playoff"]
MatchStatus = Literal["scheduled", "live", "finished", "postponed", "cancelled", "awarded"]
DecidedIn = Literal["REG", "OT", "SO", "AWD"]
EventKind = Literal[
    "goal",
    "own_goal",
    "penalty_goal",
    "penalty_miss",
    "yellow",
    "second_yellow",
    "red",
    "penalty",
    "substitution",
    "shot",
    "save",
    "goalie_change",
    "shootout_attempt",
    "period_end",
]
Strength = Literal["EV", "PP", "SH", "EN"]
PenaltyMinutes = Literal[2, 4, 5, 10, 20, 25]
ContentKind = Literal["news", "video", "photo"]
#: an integer column with a CHECK (>= 0)
Count = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
Positive = Annotated[int, msgspec.Meta(ge=1, le=SMALLINT)]
SmallCount = Annotated[int, msgspec.Meta(ge=0, le=SMALLINT)]
Number = Annotated[int, msgspec.Meta(ge=0, le=99)]
