"""A notice as the notices topic carries it (JSON), and the names its messages need.

The stream processor writes the JSON (``streams/notices.py``) with the wire contract's struct
(``schemas.notice.Notice``), read here with the same struct. Unknown fields are ignored: a newer processor
may add some.
"""

from __future__ import annotations

import msgspec

from schemas.notice import Notice

__all__ = ["PRIORITY", "Context", "Notice", "decode_notice", "priority_of", "queue_key"]


def queue_key(notice: Notice) -> str:
    """What a notice must stay in order with in one chat: its match (else its kind and stage)."""
    return f"match:{notice.match_id}" if notice.match_id is not None else f"{notice.kind}:{notice.stage_id}"


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
