"""The protocols agent's step: a match's protocol rows folded into its ``match-state``, and the match's
protocol sent to its stage (one per match per batch: a burst of events on one match is computed once)."""

from __future__ import annotations

from typing import Any

import msgspec

from streams.batching import Outbox, Staged, StateTable
from streams.protocol import MatchState, RowFact

__all__ = ["MatchProtocols"]


class MatchProtocols:
    def __init__(self, match_states: StateTable, to_stages: Outbox) -> None:
        self.match_states = match_states
        self.to_stages = to_stages
        self.encoder = msgspec.msgpack.Encoder()
        self.decoder = msgspec.msgpack.Decoder(MatchState)

    def __call__(self, staged: Staged, events: list[Any], match_id: int, rows: list[RowFact]) -> None:
        key = str(match_id).encode()
        raw = staged.get(self.match_states, key)
        state = self.decoder.decode(raw) if raw else MatchState(match_id=match_id)
        if not sum(state.apply(row) for row in rows):
            return  # replays or older changes only
        for protocol in state.protocols():
            self.to_stages.add(str(protocol.stage_id).encode(), protocol)
        staged.set(self.match_states, events, key, self.encoder.encode(state))
