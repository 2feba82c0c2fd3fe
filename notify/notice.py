"""A notice as the notices topic carries it (JSON), and the names its messages need.

The stream processor writes the JSON (``streams/notices.py``); this is the sender's own reading of that wire
contract, so ``notify`` does not import the processor's code. Unknown fields are ignored: a newer processor
may add some.
"""

from __future__ import annotations

import msgspec

__all__ = ["PRIORITY", "Context", "Notice", "decode_notice", "priority_of"]


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """One notice (see the processor's ``Notice``); ``id`` is stable across redeliveries."""

    id: str
    kind: str
    stage_id: int = 0
    season_id: int | None = None
    match_id: int | None = None
    group: str = ""
    team_id: int | None = None
    home_team_id: int | None = None
    away_team_id: int | None = None
    home_score: int | None = None
    away_score: int | None = None
    player_id: int | None = None
    period: int | None = None
    minute: int | None = None
    matches: int | None = None
    reason: str = ""
    status: str = ""
    card: str = ""
    penalty_minutes: int | None = None

    @property
    def queue_key(self) -> str:
        """What this notice must stay in order with in one chat: its match (else its kind and stage)."""
        return f"match:{self.match_id}" if self.match_id is not None else f"{self.kind}:{self.stage_id}"


class Context(msgspec.Struct, frozen=True, kw_only=True):
    """The names a notice's message shows, read once when the notice arrives (a team renamed later does not
    change a message about the past), and who may hear it."""

    org_id: int
    competition_id: int
    competition: str
    sport: str
    home: str = ""
    away: str = ""
    team: str = ""
    player: str = ""


_decoder = msgspec.json.Decoder(Notice)


def decode_notice(raw: bytes) -> Notice:
    """A notice from the topic's JSON (raises ``msgspec.DecodeError`` on anything else)."""
    return _decoder.decode(raw)


#: Lower is sent first: the score before the course of a match before the table and the disciplinary news.
PRIORITY = {
    "goal_scored": 0,
    "match_finished": 0,
    "score_corrected": 0,
    "regular_time_ended": 1,
    "match_started": 1,
    "period_ended": 1,
    "overtime_started": 1,
    "shootout_started": 1,
    "match_status_changed": 1,
    "card_shown": 2,
    "penalty_called": 2,
    "leader_changed": 3,
    "player_suspended": 3,
}


def priority_of(kind: str) -> int:
    return PRIORITY.get(kind, 3)
