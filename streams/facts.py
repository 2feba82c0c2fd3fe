"""The stream processor's logic without Kafka: CDC changes become facts, facts fold into a stage's state.

Exact under at-least-once delivery: every fact is kept under its own id with the ``(commit_lsn, ordinal)``
of the change that produced it. A change applies only when its position is newer than the stored one, so a
replay or a duplicate changes nothing, an update replaces the fact's contribution, and a delete leaves a
positioned tombstone (so an older replay cannot resurrect it). Standings are recomputed from the facts with
``sports`` and therefore always equal the batch computation over the same final rows.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

import msgspec

from sports import Adjustment, DecidedIn, Result, RulesError, StandingRow, regulation
from sports.regulations import Regulation
from sports.standings import compute_standings
from streams.protocol import Protocol, fair_play_of

__all__ = [
    "COUNTED_STATUSES",
    "Fact",
    "Notice",
    "StageState",
    "facts_from_change",
    "leader_notices",
    "leaders",
    "match_notices",
    "protocol_notices",
    "suspension_notice",
    "take_protocol",
]

log = logging.getLogger(__name__)

COUNTED_STATUSES = ("finished", "awarded")
Position = tuple[int, int]


class Fact(msgspec.Struct, frozen=True, kw_only=True, tag="fact"):
    """One row's contribution to a stage, as the last change left it. ``data`` is None once deleted."""

    kind: str  # match, stage, adjustment
    id: int
    stage_id: int
    position: Position
    data: dict[str, Any] | None


def _position(record: Mapping[str, Any]) -> Position:
    source = record["source"]
    return int(source["commit_lsn"]), int(source["ordinal"])


def facts_from_change(table: str, record: Mapping[str, Any]) -> list[Fact]:
    """The facts a CDC envelope touches; a row that moved to another stage removes itself from the old one."""
    op = record["op"]
    position = _position(record)
    before, after = record.get("before"), record.get("after")
    kind = {"matches": "match", "stages": "stage", "point_adjustments": "adjustment"}.get(table)
    if kind is None or op == "t":
        return []
    row = after if after is not None else before
    if row is None:
        return []
    stage_field = "id" if kind == "stage" else "stage_id"
    facts = []
    if op in ("c", "r", "u") and after is not None:
        facts.append(
            Fact(kind=kind, id=int(after["id"]), stage_id=int(after[stage_field]), position=position, data=dict(after))
        )
        if before is not None and before.get(stage_field) is not None and before[stage_field] != after[stage_field]:
            facts.append(
                Fact(kind=kind, id=int(before["id"]), stage_id=int(before[stage_field]), position=position, data=None)
            )
    elif op == "d" and before is not None:
        facts.append(
            Fact(kind=kind, id=int(before["id"]), stage_id=int(before[stage_field]), position=position, data=None)
        )
    return facts


def _result(match: Mapping[str, Any], live: bool = False, fair_play: tuple[int, int] = (0, 0)) -> Result | None:
    """The match as a result that counts; with ``live``, a match in play counts as if it ended now."""
    counted = COUNTED_STATUSES + (("live",) if live else ())
    if match.get("status") not in counted or match.get("home_score") is None:
        return None
    decided = (match.get("decided_in") or "REG") if match.get("status") != "live" else "REG"
    try:
        return Result(
            id=str(match["id"]),
            home=str(match["home_team_id"]),
            away=str(match["away_team_id"]),
            home_score=int(match["home_score"]),
            away_score=int(match["away_score"]),
            decided_in=DecidedIn(decided),
            group=str(match.get("group_id") or ""),
            round=int(match.get("round") or 0),
            date=match["kickoff"].isoformat() if match.get("kickoff") is not None else "",
            home_fair_play=fair_play[0],
            away_fair_play=fair_play[1],
        )
    except (RulesError, ValueError) as exc:
        log.error("match %s cannot count in a table: %s", match.get("id"), exc)
        return None


class StageState(msgspec.Struct, kw_only=True):
    """Everything a stage's standings depend on, each fact with the position that set it."""

    stage_id: int
    #: how many changes this state has taken in; orders its outputs (positions of facts arrive interleaved)
    version: int = 0
    matches: dict[int, Fact] = msgspec.field(default_factory=dict)
    adjustments: dict[int, Fact] = msgspec.field(default_factory=dict)
    stage: Fact | None = None
    #: the leader of each group after the last change, so a change of leader is noticed without recomputing
    leaders: dict[str, str] = msgspec.field(default_factory=dict)
    #: disciplinary points (home, away) per match, from its protocol (the fair-play criterion)
    fair_play: dict[int, tuple[int, int]] = msgspec.field(default_factory=dict)
    #: protocols that arrived before the stage's own row: their lines need its season and sport
    pending: dict[int, Protocol] = msgspec.field(default_factory=dict)

    def apply(self, fact: Fact) -> bool:
        """Fold one fact in; False when it is a replay or older than what is stored (nothing changes)."""
        if fact.kind == "stage":
            if self.stage is not None and self.stage.position >= fact.position:
                return False
            self.stage = fact
            self.version += 1
            return True
        facts = self.matches if fact.kind == "match" else self.adjustments
        known = facts.get(fact.id)
        if known is not None and known.position >= fact.position:
            return False
        facts[fact.id] = fact
        self.version += 1
        return True

    @property
    def position(self) -> Position:
        """The newest change that touched this stage."""
        positions = [f.position for f in (*self.matches.values(), *self.adjustments.values())]
        if self.stage is not None:
            positions.append(self.stage.position)
        return max(positions, default=(0, 0))

    def regulation(self) -> Regulation | None:
        if self.stage is None or self.stage.data is None:
            return None
        raw = self.stage.data.get("regulation_params")
        params = raw if isinstance(raw, str) or raw is None else msgspec.json.encode(raw).decode()
        try:
            return _regulation(str(self.stage.data["regulation"]), params)
        except RulesError as exc:
            log.error("stage %s: %s", self.stage_id, exc)
            return None

    def results(self, live: bool = False) -> list[Result]:
        found = [
            _result(f.data, live, self.fair_play.get(f.id, (0, 0))) for f in self.matches.values() if f.data is not None
        ]
        return [r for r in found if r is not None]

    @property
    def has_live(self) -> bool:
        return any(f.data is not None and f.data.get("status") == "live" for f in self.matches.values())

    def groups(self) -> list[str]:
        """Every group that has a match in this stage ("" for the stage's single table)."""
        return sorted({str(f.data.get("group_id") or "") for f in self.matches.values() if f.data is not None})

    def standings(self, live: bool = False) -> dict[str, list[StandingRow]]:
        """Standings per group (``live``: with matches in play as if they ended now); empty while the stage
        itself (its regulation) is not known yet."""
        reg = self.regulation()
        if reg is None:
            return {}
        results = self.results(live)
        adjustments = [
            Adjustment(team=str(f.data["team_id"]), points=int(f.data["points"]))
            for f in self.adjustments.values()
            if f.data is not None
        ]
        tables: dict[str, list[StandingRow]] = {}
        for group in self.groups():
            in_group = [r for r in results if r.group == group]
            teams = {t for r in in_group for t in (r.home, r.away)}
            teams |= {
                str(f.data["home_team_id"])
                for f in self.matches.values()
                if f.data is not None and str(f.data.get("group_id") or "") == group
            } | {
                str(f.data["away_team_id"])
                for f in self.matches.values()
                if f.data is not None and str(f.data.get("group_id") or "") == group
            }
            tables[group] = compute_standings(
                in_group, reg, [a for a in adjustments if a.team in teams], teams, group=group
            )
        return tables


@functools.lru_cache(maxsize=256)
def _regulation(name: str, params: str | None) -> Regulation:
    """Presets are parsed once per (name, overrides): every protocol of a stage asks for its regulation."""
    return regulation(name, _params(params))


def _params(raw: object) -> dict[str, Any] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        decoded = msgspec.json.decode(raw)
        return decoded if isinstance(decoded, dict) else None
    return dict(raw) if isinstance(raw, Mapping) else None


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """Something subscribers hear about. ``id`` is the same however often the change is delivered."""

    id: str
    #: match_finished, score_corrected, leader_changed, goal_scored, period_ended, regular_time_ended,
    #: overtime_started, shootout_started, player_suspended
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


def leaders(tables: Mapping[str, list[StandingRow]]) -> dict[str, str]:
    """The team ranked first in each group, when it is alone there (a shared first place has no leader)."""
    out = {}
    for group, rows in tables.items():
        if rows and not (rows[0].unresolved and len(rows) > 1 and rows[1].rank == rows[0].rank) and rows[0].played:
            out[group] = rows[0].team
    return out


def match_notices(fact: Fact, previous: Fact | None) -> list[Notice]:
    """The notices one applied match fact causes: a match finished, or its final score corrected."""
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
        )

    if counted and not was:
        return [match_notice("match_finished", f"match_finished:{fact.id}")]
    if (
        counted
        and old is not None
        and (old.get("home_score"), old.get("away_score")) != (data.get("home_score"), data.get("away_score"))
    ):
        pos = f"{fact.position[0]}.{fact.position[1]}"
        return [match_notice("score_corrected", f"score_corrected:{fact.id}:{pos}")]
    return []


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


def take_protocol(state: StageState, protocol: Protocol, reg: Regulation) -> tuple[bool, bool]:
    """Record a match protocol's fair-play points in its stage: (whether the stored points changed, whether
    the standings may change: they did and the regulation ranks by them)."""
    fair = fair_play_of(protocol, reg.fair_play)
    old = state.fair_play.get(protocol.match_id)
    if fair is None:
        state.fair_play.pop(protocol.match_id, None)
    else:
        state.fair_play[protocol.match_id] = fair
    return old != fair, old != fair and "fair_play" in reg.criteria


#: regular periods per sport (the ``sports`` table says the same): football two halves, hockey three periods
REGULAR_PERIODS = {"football": 2, "ice-hockey": 3}
_GOALS = ("goal", "penalty_goal", "own_goal")


def protocol_notices(protocol: Protocol, seen: set[int], sport: str, *, was_live: bool) -> list[Notice]:
    """Notices for the events of a protocol not seen before: goals with the score they made, period ends,
    the end of regular time, the start of overtime and of a shoot-out. Ids are the events', so stable.

    Only for a match that is or was live here: the protocol of a match entered after the fact (an import)
    is not news event by event. A match that was live stays news after its final whistle, as the last
    events are often typed in a moment after the status (and may arrive first: they are another topic)."""
    if protocol.deleted or not (protocol.status == "live" or (was_live and protocol.counts)):
        return []
    regular = REGULAR_PERIODS.get(sport, 2)
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
                Notice(
                    id=f"goal_scored:{e.id}",
                    kind="goal_scored",
                    team_id=e.team_id,
                    player_id=e.player_id,
                    period=e.period,
                    minute=e.minute,
                    home_score=score[p.home_team_id],
                    away_score=score[p.away_team_id],
                    **base,
                )
            )
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
