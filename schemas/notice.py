"""The notices topic's message (JSON): what the stream processor announces and the live feed and the Telegram
sender read. One struct for the wire contract, so the writer and its readers cannot drift apart."""

from __future__ import annotations

import msgspec

__all__ = ["Notice"]


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """Something subscribers hear about. ``id`` is the same however often the change is delivered; readers
    ignore fields they do not know (a newer processor may add some)."""

    id: str
    #: match_started, match_status_changed, match_finished, score_corrected, leader_changed, goal_scored,
    #: card_shown, penalty_called, period_ended, regular_time_ended, overtime_started, shootout_started,
    #: player_suspended
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
    #: a suspension: how many matches, and why
    matches: int | None = None
    reason: str = ""
    #: a match's status after the change (match_started, match_status_changed)
    status: str = ""
    #: yellow, second_yellow or red (card_shown)
    card: str = ""
    #: minutes of a hockey penalty (penalty_called)
    penalty_minutes: int | None = None
