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
from streams.positions import Position, by_position, newest_position, put_newer, supersedes
from streams.protocol import Protocol, fair_play_of

__all__ = ["COUNTED_STATUSES", "Fact", "StageState", "facts_from_change", "take_protocol"]

log = logging.getLogger(__name__)

COUNTED_STATUSES = ("finished", "awarded")


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
    #: the digest of the inputs last sent for a forecast (streams/predictions.py): unchanged inputs (a goal
    #: in play, a kick-off moved by a minute of the same date) ask for no new forecast
    forecast_digest: str = ""

    def apply(self, fact: Fact) -> bool:
        """Fold one fact in; False when it is a replay or older than what is stored (nothing changes)."""
        if fact.kind == "stage":
            if not supersedes(fact, self.stage, by_position):
                return False
            self.stage = fact
        elif not put_newer(self.matches if fact.kind == "match" else self.adjustments, fact.id, fact, by_position):
            return False
        self.version += 1
        return True

    @property
    def position(self) -> Position:
        """The newest change that touched this stage."""
        return newest_position([*self.matches.values(), *self.adjustments.values(), self.stage])

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
