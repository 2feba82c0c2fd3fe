"""The fold agent's work on one stage: facts and protocols in, standings, player lines and notices out.

A stage's state (its matches, adjustments, fair play, pending protocols) lives in the ``stage-state``
table; what the stage last did with each match's protocol (the lines it sent, the events it announced)
in ``match-lines``, beside it on the same partition. Every write and send goes through the batch's
:class:`~streams.batching.Staged`, so nothing is written before what it sent is acknowledged.
"""

from __future__ import annotations

from typing import Any

import msgspec

from schemas.codec import SchemaRegistry
from sports import StandingRow
from sports.team_records import team_records
from streams.batching import Outbox, Staged, StateTable
from streams.facts import Fact, StageState, take_protocol
from streams.lines import MatchLines, line_messages
from streams.notices import Notice, leader_notices, leaders, match_notices, notice_key, protocol_notices
from streams.predictions import ForecastRequests
from streams.protocol import Protocol
from streams.topology import OutputTopics
from streams.wire import STANDINGS_SCHEMA, TEAMS_SCHEMA, player_key, standings_key, standings_record, teams_record

__all__ = ["StageBatch", "StageFold"]


class StageBatch:
    """One stage's messages of one fold batch: where its writes and player lines go."""

    def __init__(self, staged: Staged, events: list[Any], to_players: Outbox) -> None:
        self.staged, self.events, self.to_players = staged, events, to_players
        self.notices: list[Notice] = []


class StageFold:
    """The fold agent's step (see the module's docstring); player lines go to ``to_players``."""

    def __init__(
        self,
        *,
        stage_states: StateTable,
        match_lines: StateTable,
        registry: SchemaRegistry,
        topics: OutputTopics,
        to_players: Outbox,
        forecasts: ForecastRequests | None = None,
    ) -> None:
        self.stage_states, self.match_lines = stage_states, match_lines
        #: where a stage's forecast inputs go when they changed (None: no forecasts)
        self.forecasts = forecasts
        self.to_players = to_players
        self.registry = registry
        self.topics = topics
        self.standings_fp = registry.register(STANDINGS_SCHEMA)
        self.teams_fp = registry.register(TEAMS_SCHEMA)
        self.encoder = msgspec.msgpack.Encoder()
        self.notice_encoder = msgspec.json.Encoder()
        self.stage_decoder = msgspec.msgpack.Decoder(StageState)
        self.lines_decoder = msgspec.msgpack.Decoder(MatchLines)
        # The decoded state of each stage beside the bytes it was decoded from: a stage of a full season
        # is ~100 kB, and most batches only read it. Valid while the table holds those same bytes.
        self.cache: dict[bytes, tuple[bytes, StageState]] = {}

    def __call__(self, staged: Staged, events: list[Any], stage_id: int, messages: list[Fact | Protocol]) -> None:
        self.fold(StageBatch(staged, events, self.to_players), stage_id, messages)

    def fold(self, batch: StageBatch, stage_id: int, messages: list[Fact | Protocol]) -> None:
        """Fold one stage's messages of a batch in, in their order."""
        key = str(stage_id).encode()
        state = self._load(batch.staged, key, stage_id)
        # of several protocols of one match in a batch only the newest matters: it holds all their events
        newest = {m.match_id: m.version for m in messages if isinstance(m, Protocol)}
        dirty = False  # the stage's state changed: store it
        changed = False  # ... in a way that changes the standings: recompute and publish them
        for message in messages:
            if isinstance(message, Protocol):
                if message.version == newest[message.match_id]:
                    stored, ranked = self._take_lines(batch, state, message)
                    dirty, changed = dirty or stored, changed or ranked
                continue
            previous = state.matches.get(message.id) if message.kind == "match" else None
            if not state.apply(message):
                continue  # a replay or an older change: nothing to do
            changed = True
            batch.notices += match_notices(message, previous)
            if state.pending and state.regulation() is not None:
                for protocol in sorted(state.pending.values(), key=lambda p: p.match_id):
                    self._take_lines(batch, state, protocol)
                state.pending.clear()
        if changed:
            state.version += 1  # a fair-play change has no fact of its own to count it
            self._publish(batch.staged, state, batch.notices)
        else:
            self._notify(batch.staged, batch.notices)
        if changed or dirty:
            raw = self.encoder.encode(state)
            batch.staged.set(self.stage_states, batch.events, key, raw)
            self.cache[key] = (raw, state)  # valid while the batch or the table holds these bytes

    def _load(self, staged: Staged, key: bytes, stage_id: int) -> StageState:
        raw = staged.get(self.stage_states, key)
        if not raw:
            return StageState(stage_id=stage_id)
        cached = self.cache.get(key)
        if cached is not None and cached[0] == raw:
            return cached[1]
        state = self.stage_decoder.decode(raw)
        self.cache[key] = (raw, state)
        return state

    def _take_lines(self, batch: StageBatch, state: StageState, protocol: Protocol) -> tuple[bool, bool]:
        """Turn a protocol into player lines for the season and notices. Returns (whether the stage's own
        state changed and must be stored, whether its standings must be recomputed)."""
        reg = state.regulation()
        stage = state.stage.data if state.stage is not None else None
        if reg is None or stage is None:
            known = state.pending.get(protocol.match_id)
            if known is not None and known.version >= protocol.version:
                return False, False
            state.pending[protocol.match_id] = protocol
            return True, False
        key = f"{state.stage_id}:{protocol.match_id}".encode()
        raw = batch.staged.get(self.match_lines, key)
        before = self.lines_decoder.decode(raw) if raw else MatchLines(version=0)
        if before.version >= protocol.version:
            return False, False  # a replay
        messages, after = line_messages(before, protocol, reg.sport, int(stage["season_id"]))
        for message in messages:
            batch.to_players.add(player_key(message.season_id, message.player_id), message)
        batch.notices += protocol_notices(
            protocol, set(before.events), reg.sport, was_live=before.live or protocol.was_live
        )
        batch.staged.set(self.match_lines, batch.events, key, self.encoder.encode(after))
        return take_protocol(state, protocol, reg)

    def _publish(self, staged: Staged, state: StageState, notices: list[Notice]) -> None:
        """Standings, live standings and team records of a stage after a change, and the notices it caused."""
        tables = state.standings()
        leaders_now = leaders(tables)
        notices += leader_notices(state, state.leaders, leaders_now)
        self._notify(staged, notices)
        state.leaders = leaders_now
        position = state.position
        self._send_tables(staged, self.topics.standings, state, position, tables)
        # the table "if it ended now": the same while nothing is in play, so a finished match clears it
        live = state.standings(live=True) if state.has_live else tables
        self._send_tables(staged, self.topics.live_standings, state, position, live)
        if tables:
            teams = teams_record(state.stage_id, position, state.version, list(team_records(state.results()).values()))
            staged.send(self.topics.teams, str(state.stage_id).encode(), self.registry.encode(self.teams_fp, teams))
        if self.forecasts is not None:
            self.forecasts.offer(staged, state)

    def _send_tables(
        self,
        staged: Staged,
        topic: str,
        state: StageState,
        position: tuple[int, int],
        tables: dict[str, list[StandingRow]],
    ) -> None:
        for group, rows in tables.items():
            record = standings_record(state.stage_id, group, position, state.version, rows)
            key = standings_key(state.stage_id, record["group_key"])
            staged.send(topic, key, self.registry.encode(self.standings_fp, record))

    def _notify(self, staged: Staged, notices: list[Notice]) -> None:
        for notice in notices:
            staged.send(self.topics.notices, notice_key(notice), self.notice_encoder.encode(notice))
