"""The players agent's step: a player's lines per match of a season folded into his ``player-state``, and
his season's statistics sent to the players topic whenever a line changed."""

from __future__ import annotations

from typing import Any

import msgspec

from schemas.codec import SchemaRegistry
from streams.batching import Staged, StateTable
from streams.lines import PlayerLineMessage, PlayerState, season_stats
from streams.wire import PLAYERS_SCHEMA, player_row, players_record

__all__ = ["PlayerSeasons"]


class PlayerSeasons:
    def __init__(self, player_states: StateTable, registry: SchemaRegistry, topic: str) -> None:
        self.player_states = player_states
        self.registry = registry
        self.topic = topic
        self.fingerprint = registry.register(PLAYERS_SCHEMA)
        self.encoder = msgspec.msgpack.Encoder()
        self.decoder = msgspec.msgpack.Decoder(PlayerState)

    def __call__(self, staged: Staged, events: list[Any], key: bytes, messages: list[PlayerLineMessage]) -> None:
        raw = staged.get(self.player_states, key)
        first = messages[0]
        state = (
            self.decoder.decode(raw)
            if raw
            else PlayerState(season_id=first.season_id, player_id=first.player_id, sport=first.sport)
        )
        if not sum(state.apply(m.line_id, m.entry) for m in messages):
            return
        staged.set(self.player_states, events, key, self.encoder.encode(state))
        lines = state.current()
        rows = [player_row(lines[-1].team_id, state.sport, season_stats(lines, str(state.player_id)))] if lines else []
        record = players_record(state.season_id, state.player_id, state.position, state.version, rows)
        staged.send(self.topic, key, self.registry.encode(self.fingerprint, record))
