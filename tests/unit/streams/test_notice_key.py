"""Notices are keyed by their match, so one match's notices share a partition of the notices topic and are
read in the order the worker sent them (DESIGN leftover: keyed by notice id they could arrive reordered)."""

from __future__ import annotations

from streams.notices import Notice, notice_key


def test_one_matchs_notices_share_a_key() -> None:
    goal = Notice(id="goal_scored:7", kind="goal_scored", stage_id=3, match_id=11)
    finished = Notice(id="match_finished:11", kind="match_finished", stage_id=3, match_id=11)
    assert notice_key(goal) == notice_key(finished) == b"match:11"


def test_notices_of_no_match_are_keyed_by_stage_or_season() -> None:
    leader = Notice(id="leader_changed:3:0:5:9", kind="leader_changed", stage_id=3, team_id=5)
    suspended = Notice(id="player_suspended:4", kind="player_suspended", season_id=2, player_id=8)
    assert notice_key(leader) == b"stage:3"
    assert notice_key(suspended) == b"season:2"
