"""The liveness answer every app gives on ``/healthz``."""

from __future__ import annotations

import msgspec

__all__ = ["Health"]


class Health(msgspec.Struct, frozen=True):
    status: str
