"""Telegram's limits for one bot, as a pure clock-driven state: when may the next message go to a chat, and
when may any message go at all.

Why our own: python-telegram-bot's ``AIORateLimiter`` enforces the overall and group limits but not one
message per second per private chat, and on a 429 it pauses every request of the bot for ``retry_after``;
aiogram has no limiter (the team's checked facts, DESIGN.md). Neither knows the delivery log, so neither
could resume the limits of a restarted sender. Here a 429 pauses the one chat it concerns, and each chat
keeps its own pace while the others go on.

Limits, each over a sliding window (``margin_s`` added to every window, so latency jitter on the way to
Telegram never makes two sends look closer there than they were here):
- all chats: at most ``global_per_s`` messages in any second, spread evenly (one every 1/``global_per_s``
  seconds at most: a burst of 30 requests at once arrives with more jitter than 30 spread over the second);
- one chat: ``chat_interval_s`` between two messages;
- one group, supergroup or channel (negative chat id): at most ``group_per_min`` in any minute.
"""

from __future__ import annotations

import contextlib
from bisect import insort
from collections import deque

import msgspec

__all__ = ["BotLimiter", "Limits"]


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    global_per_s: int = 30
    chat_interval_s: float = 1.0
    group_per_min: int = 20
    margin_s: float = 0.05


class BotLimiter:
    """The limits of one bot (Telegram counts them per bot token)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._sent: deque[float] = deque()
        self._last: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}
        self._paused: dict[int, float] = {}
        self._taken = float("-inf")

    def global_ready_at(self, now: float) -> float:
        """The earliest time any message of this bot may go."""
        window = 1.0 + self.limits.margin_s
        while self._sent and self._sent[0] + window <= now:
            self._sent.popleft()
        # evenly spread (from when sends were taken: the window below counts when they left)
        at = max(now, self._taken + 1.0 / self.limits.global_per_s)
        if len(self._sent) < self.limits.global_per_s:
            return at
        return max(at, self._sent[len(self._sent) - self.limits.global_per_s] + window)

    def chat_ready_at(self, chat_id: int, now: float) -> float:
        """The earliest time a message may go to ``chat_id`` (its pace, its group window, a 429's pause)."""
        at = now
        last = self._last.get(chat_id)
        if last is not None:
            at = max(at, last + self.limits.chat_interval_s + self.limits.margin_s)
        at = max(at, self._paused.get(chat_id, at))
        group = self._groups.get(chat_id)
        if group is not None:
            window = 60.0 + self.limits.margin_s
            while group and group[0] + window <= now:
                group.popleft()
            if len(group) >= self.limits.group_per_min:
                at = max(at, group[len(group) - self.limits.group_per_min] + window)
        return at

    def record(self, chat_id: int, now: float) -> None:
        """A message to ``chat_id`` leaves now."""
        self._taken = max(self._taken, now)
        self._sent.append(now)
        self._last[chat_id] = now
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)

    def retime(self, chat_id: int, was: float, now: float) -> None:
        """The message to ``chat_id`` recorded at ``was`` really leaves at ``now`` (its delivery row was
        written, its text rendered): its windows count from then, so the time between its taking and its
        request never lets two requests come closer than the limits."""
        _move(self._sent, was, now)
        if self._last.get(chat_id) == was:
            self._last[chat_id] = now
        if chat_id in self._groups:
            _move(self._groups[chat_id], was, now)

    def pause(self, chat_id: int, until: float) -> None:
        """Telegram said 429 for this chat: nothing goes to it before ``until``; the other chats go on."""
        self._paused[chat_id] = max(until, self._paused.get(chat_id, until))

    def forget_idle(self, now: float) -> None:
        """Drop what no longer limits anything (chats quiet for over a minute), so memory follows activity."""
        horizon = now - 60.0 - self.limits.margin_s
        self._last = {c: t for c, t in self._last.items() if t > horizon}
        self._groups = {c: q for c, q in self._groups.items() if q and q[-1] > horizon}
        self._paused = {c: t for c, t in self._paused.items() if t > now}


def _move(times: deque[float], was: float, now: float) -> None:
    """Replace ``was`` by ``now`` in the sorted ``times`` (``was`` may have left the window already: the
    send still counts from ``now``)."""
    with contextlib.suppress(ValueError):
        times.remove(was)
    insort(times, now)
