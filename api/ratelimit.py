"""Sliding-window counters in the process (per identity app replica, per public app replica).

Per process on purpose: limits protect the process and its database from one noisy caller; a deployment
with N replicas allows N times the rate, which the settings account for. Old buckets are dropped as they
expire, so memory is bounded by the callers active within one window.
"""

from __future__ import annotations

import math
import time
from collections import deque

__all__ = ["SlidingWindow"]


class SlidingWindow:
    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(self._hits) > 10_000:  # forget callers whose window has passed
            for k in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window_s]:
                del self._hits[k]
            hits = self._hits.setdefault(key, hits)
        return hits

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may now."""
        now = time.monotonic()
        hits = self._recent(key, now)
        if len(hits) < self.limit:
            return 0
        return max(1, math.ceil(hits[0] + self.window_s - now))

    def hit(self, key: str) -> None:
        now = time.monotonic()
        self._recent(key, now).append(now)

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)
