"""Notices: what subscribers (Telegram, the live feed) hear of a change, each with an id that is the same
however often the change is delivered, so redeliveries collapse downstream.

A stage's notices (a match finished, a final score corrected, a new leader) come from the fold as its
facts apply; a protocol's (goals with the score they made, period ends, overtime, shoot-out) from the
events the stage had not seen; a suspension's from the intake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.notice import Notice
from sports import StandingRow
from sports.registry import sport_rules
from streams.facts import COUNTED_STATUSES, Fact, StageState
from streams.protocol import Protocol, ProtoEvent

__all__ = [
    "Notice",
    "leader_notices",
    "leaders",
    "match_notices",
    "notice_key",
    "protocol_notices",
    "suspension_notice",
]


def notice_key(notice: Notice) -> bytes:
    """The Kafka key of a notice: its match, so one match's notices share a partition and arrive in the order
    they were sent (a goal before the final whistle). Keyed by the notice's own id they were spread over the
    partitions and a reader could hear 2-1 after the full time. Notices of no match (a new leader, a
    suspension without the match that caused it) are keyed by their stage or season, in order there."""
    if notice.match_id is not None:
        return f"match:{notice.match_id}".encode()
    if notice.kind == "player_suspended":
        return f"season:{notice.season_id}".encode()
    return f"stage:{notice.stage_id}".encode()


def leaders(tables: Mapping[str, list[StandingRow]]) -> dict[str, str]:
    """The team ranked first in each group, when it is alone there (a shared first place has no leader)."""
    out = {}
    for group, rows in tables.items():
        if rows and not (rows[0].unresolved and len(rows) > 1 and rows[1].rank == rows[0].rank) and rows[0].played:
            out[group] = rows[0].team
    return out


def match_notices(fact: Fact, previous: Fact | None) -> list[Notice]:
    """The notices one applied match fact causes: a match started or its status changed (postponed,
    cancelled), a match finished, its final score corrected, or its running score taken back in play (a goal
    removed by the scorer's undo or a disallowed goal: no goal notice says so, and the pages and followers
    showing the higher score must hear it). A running score going up needs none: its goal notice carries it."""
    if fact.kind != "match" or fact.data is None:
        return []
    data = fact.data
    counted = data.get("status") in COUNTED_STATUSES and data.get("home_score") is not None
    old = previous.data if previous is not None else None
    was = old is not None and old.get("status") in COUNTED_STATUSES

    def match_notice(kind: str, notice_id: str) -> Notice:
        return Notice(
            id=notice_id,
            kind=kind,
            stage_id=fact.stage_id,
            match_id=fact.id,
            home_team_id=int(data["home_team_id"]),
            away_team_id=int(data["away_team_id"]),
            home_score=data.get("home_score"),
            away_score=data.get("away_score"),
            status=str(data.get("status") or ""),
        )

    pos = f"{fact.position[0]}.{fact.position[1]}"
    status = data.get("status")
    if not counted and old is not None and old.get("status") != status and status in _ANNOUNCED:
        # kicked off, postponed, cancelled, or back to scheduled (a start entered by mistake)
        kind = "match_started" if status == "live" else "match_status_changed"
        return [match_notice(kind, f"{kind}:{fact.id}:{pos}")]
    if counted and not was:
        return [match_notice("match_finished", f"match_finished:{fact.id}")]
    if (
        counted
        and old is not None
        and (old.get("home_score"), old.get("away_score")) != (data.get("home_score"), data.get("away_score"))
    ):
        return [match_notice("score_corrected", f"score_corrected:{fact.id}:{pos}")]
    if status == "live" and old is not None and old.get("status") == "live" and _taken_back(old, data):
        return [match_notice("score_corrected", f"score_corrected:{fact.id}:{pos}")]
    return []


def _taken_back(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Either side's running score lower than before (a side with no score yet counts as 0)."""
    return any((new.get(side) or 0) < (old.get(side) or 0) for side in ("home_score", "away_score"))


def leader_notices(state: StageState, before: Mapping[str, str], after: Mapping[str, str]) -> list[Notice]:
    """A new leader of a group; the id carries the state's version, so it is the same on every replay."""
    return [
        Notice(
            id=f"leader_changed:{state.stage_id}:{group or 0}:{team}:{state.version}",
            kind="leader_changed",
            stage_id=state.stage_id,
            group=group,
            team_id=int(team),
        )
        for group, team in sorted(after.items())
        if before.get(group) != team
    ]


_GOALS = ("goal", "penalty_goal", "own_goal")
_CARDS = ("yellow", "second_yellow", "red")
#: statuses whose change is news of its own (finished and awarded are match_finished)
_ANNOUNCED = ("live", "postponed", "cancelled", "scheduled")


def _event_notice(kind: str, event: ProtoEvent, base: dict[str, Any], **extra: Any) -> Notice:
    """A notice of one protocol event (goal, card, penalty): its id is the event's."""
    return Notice(
        id=f"{kind}:{event.id}",
        kind=kind,
        team_id=event.team_id,
        player_id=event.player_id,
        period=event.period,
        minute=event.minute,
        **base,
        **extra,
    )


def protocol_notices(protocol: Protocol, seen: set[int], sport: str, *, was_live: bool) -> list[Notice]:
    """Notices for the events of a protocol not seen before: goals with the score they made, cards and
    penalties, period ends, the end of regular time, the start of overtime and of a shoot-out. Ids are the
    events', so stable.

    Only for a match that is or was live here: the protocol of a match entered after the fact (an import)
    is not news event by event. A match that was live stays news after its final whistle, as the last
    events are often typed in a moment after the status (and may arrive first: they are another topic)."""
    if protocol.deleted or not (protocol.status == "live" or (was_live and protocol.counts)):
        return []
    regular = sport_rules(sport).regular_periods
    p = protocol
    base: dict[str, Any] = {
        "stage_id": p.stage_id,
        "match_id": p.match_id,
        "home_team_id": p.home_team_id,
        "away_team_id": p.away_team_id,
    }
    found = []
    score = {p.home_team_id: 0, p.away_team_id: 0}
    ordered = sorted(p.events, key=lambda e: (e.period, e.minute or 0, e.clock_seconds or 0, e.id))
    first_overtime = next((e.id for e in ordered if e.period > regular and e.kind != "shootout_attempt"), None)
    first_shootout = next((e.id for e in ordered if e.kind == "shootout_attempt"), None)
    for e in ordered:
        if e.kind in _GOALS:
            score[e.team_id] = score.get(e.team_id, 0) + 1
        if e.id in seen:
            continue
        if e.kind in _GOALS:
            found.append(
                _event_notice(
                    "goal_scored", e, base, home_score=score[p.home_team_id], away_score=score[p.away_team_id]
                )
            )
        elif e.kind in _CARDS:
            found.append(_event_notice("card_shown", e, base, card=e.kind))
        elif e.kind == "penalty":
            found.append(_event_notice("penalty_called", e, base, penalty_minutes=e.penalty_minutes))
        elif e.kind == "period_end":
            found.append(
                Notice(id=f"period_ended:{p.match_id}:{e.period}", kind="period_ended", period=e.period, **base)
            )
            if e.period == regular:
                found.append(
                    Notice(
                        id=f"regular_time_ended:{p.match_id}",
                        kind="regular_time_ended",
                        home_score=score[p.home_team_id],
                        away_score=score[p.away_team_id],
                        **base,
                    )
                )
        if e.id == first_overtime:
            found.append(Notice(id=f"overtime_started:{p.match_id}", kind="overtime_started", period=e.period, **base))
        if e.id == first_shootout:
            found.append(Notice(id=f"shootout_started:{p.match_id}", kind="shootout_started", **base))
    return found


def suspension_notice(record: Mapping[str, Any]) -> Notice | None:
    """A new suspension (not one read by a snapshot): the player misses his next match(es)."""
    after = record.get("after")
    if record["op"] != "c" or after is None:
        return None
    return Notice(
        id=f"player_suspended:{after['id']}",
        kind="player_suspended",
        season_id=int(after["season_id"]),
        player_id=int(after["player_id"]),
        team_id=after.get("team_id"),
        match_id=after.get("from_match_id"),
        matches=int(after["matches"]),
        reason=str(after["reason"]),
    )
