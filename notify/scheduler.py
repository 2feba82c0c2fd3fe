"""Which delivery goes next: the most urgent one whose chat and bot the limits let through now.

A burst (a matchday's goals to 10,000 chats) is held here in bounded memory (``capacity`` deliveries; the
rest wait in PostgreSQL and come back by priority as room frees, see ``delivery.py``) and drained at the
limits:
- across chats, most urgent first (a goal before a leader change), then oldest first;
- within one chat, one match's notices in the order they came (1-0 before 2-0), one at a time (a chat's
  next message waits for Telegram's answer to its last: a retried message keeps its place);
- when a chat's queue of a match holds that match's final whistle, what waited before it is not sent late,
  one by one: it is coalesced into the final message, as lines of it.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections import deque
from dataclasses import dataclass, field

from notify.limiter import BotLimiter, Limits

__all__ = ["ChatKey", "DeliveryKey", "Entry", "Scheduler"]

ChatKey = tuple[str, int]
DeliveryKey = tuple[str, str, int]


@dataclass(slots=True)
class Entry:
    """One delivery of one notice to one chat of one bot."""

    seq: int
    notice_id: str
    bot: str
    chat_id: int
    priority: int
    #: what the notice keeps its order with in a chat (its match)
    queue_key: str
    kind: str
    #: the chat's language when the delivery was queued
    language: str = "en"
    attempts: int = 0
    #: when the limits counted it (taken, then when its request really left)
    taken_at: float = 0.0
    #: notices of the match coalesced into this final message, oldest first
    merged: list[Entry] = field(default_factory=list)

    @property
    def key(self) -> DeliveryKey:
        return (self.notice_id, self.bot, self.chat_id)

    @property
    def chat(self) -> ChatKey:
        return (self.bot, self.chat_id)

    def __lt__(self, other: Entry) -> bool:
        return self.seq < other.seq


@dataclass(slots=True)
class _Chat:
    queues: dict[str, deque[Entry]] = field(default_factory=dict)
    busy: bool = False
    version: int = 0

    def head(self) -> Entry | None:
        heads = [q[0] for q in self.queues.values() if q]
        return min(heads, key=lambda e: (e.priority, e.seq)) if heads else None

    def pop_head(self) -> Entry:
        head = self.head()
        assert head is not None
        queue = self.queues[head.queue_key]
        final = next((e for e in queue if e.kind == "match_finished"), None)
        if final is not None and final is not head:
            merged = []
            while queue[0] is not final:
                merged.append(queue.popleft())
            final.merged.extend(merged)
        taken = queue.popleft()
        if not queue:
            del self.queues[taken.queue_key]
        return taken

    def size(self) -> int:
        return sum(len(q) for q in self.queues.values())


class Scheduler:
    """Deliveries waiting in memory, and the limits of each bot (see the module's docstring)."""

    def __init__(self, limits: Limits, capacity: int) -> None:
        self.limits = limits
        self.capacity = capacity
        self._limiters: dict[str, BotLimiter] = {}
        self._chats: dict[ChatKey, _Chat] = {}
        self._ready: list[tuple[int, int, int, ChatKey]] = []
        self._waiting: list[tuple[float, int, ChatKey]] = []
        #: every delivery held here, in a chat's queue or in flight
        self.keys: set[DeliveryKey] = set()

    def __len__(self) -> int:
        return len(self.keys)

    def room(self) -> int:
        return max(0, self.capacity - len(self.keys))

    def limiter(self, bot: str) -> BotLimiter:
        if bot not in self._limiters:
            self._limiters[bot] = BotLimiter(self.limits)
        return self._limiters[bot]

    def add(self, entry: Entry, now: float) -> bool:
        """Queue ``entry`` (False when it is here already)."""
        if entry.key in self.keys:
            return False
        self.keys.add(entry.key)
        chat = self._chats.setdefault(entry.chat, _Chat())
        queue = chat.queues.setdefault(entry.queue_key, deque())
        if queue and queue[-1].seq > entry.seq:
            insort(queue, entry)  # read back from PostgreSQL after a later one arrived
        else:
            queue.append(entry)
        self._schedule(entry.chat, chat, now)
        return True

    def take(self, now: float) -> Entry | float | None:
        """The delivery to send now, or the time to ask again, or None when nothing waits."""
        while self._waiting and self._waiting[0][0] <= now:
            _at, version, key = heapq.heappop(self._waiting)
            chat = self._chats.get(key)
            if chat is not None and chat.version == version:
                self._schedule(key, chat, now)
        held: list[tuple[int, int, int, ChatKey]] = []
        wait: float | None = None
        try:
            while self._ready:
                item = heapq.heappop(self._ready)
                key = item[3]
                chat = self._chats.get(key)
                if chat is None or chat.version != item[2]:
                    continue
                limiter = self.limiter(key[0])
                if limiter.chat_ready_at(key[1], now) > now:  # a reply to a command went to it meanwhile
                    self._schedule(key, chat, now)
                    continue
                at = limiter.global_ready_at(now)
                if at > now:  # this bot is at its overall limit; another bot may not be
                    held.append(item)
                    wait = at if wait is None else min(wait, at)
                    continue
                entry = chat.pop_head()
                chat.busy = True
                chat.version += 1
                limiter.record(key[1], now)
                entry.taken_at = now
                return entry
        finally:
            for item in held:
                heapq.heappush(self._ready, item)
        if self._waiting:
            wait = self._waiting[0][0] if wait is None else min(wait, self._waiting[0][0])
        return wait

    def done(self, entry: Entry, now: float, *, again: bool = False, pause_until: float | None = None) -> None:
        """Telegram answered for ``entry`` (or could not be asked). ``again``: it goes back to the head of its
        chat's queue; ``pause_until``: nothing goes to that chat before then (a 429's retry_after, a backoff)."""
        if not again:
            self.keys.discard(entry.key)
            for merged in entry.merged:
                self.keys.discard(merged.key)
        chat = self._chats.get(entry.chat)
        if chat is None:
            return
        chat.busy = False
        if pause_until is not None:
            self.limiter(entry.bot).pause(entry.chat_id, pause_until)
        if again:
            chat.queues.setdefault(entry.queue_key, deque()).appendleft(entry)
        self._schedule(entry.chat, chat, now)

    def drop_chat(self, bot: str, chat_id: int) -> list[Entry]:
        """Take every delivery still queued for a chat (it blocked the bot, or said /stop); one in flight
        stays until its answer."""
        chat = self._chats.get((bot, chat_id))
        if chat is None:
            return []
        dropped = [e for q in chat.queues.values() for e in q]
        chat.queues.clear()
        chat.version += 1
        for entry in dropped:
            self.keys.discard(entry.key)
        if not chat.busy:
            del self._chats[(bot, chat_id)]
        return dropped

    def reserve(self, bot: str, chat_id: int, now: float) -> float:
        """A reply to a command (outside the queue, ahead of it): 0.0 when it may go now (and is counted),
        else the time to ask again. Replies count against the same limits as notices."""
        limiter = self.limiter(bot)
        at = max(limiter.chat_ready_at(chat_id, now), limiter.global_ready_at(now))
        if at > now:
            return at
        limiter.record(chat_id, now)
        return 0.0

    def retime(self, entry: Entry, now: float) -> None:
        """``entry``'s request leaves now, a little after it was taken: its limits count from then."""
        self.limiter(entry.bot).retime(entry.chat_id, entry.taken_at, now)
        entry.taken_at = now

    def forget_idle(self, now: float) -> None:
        for limiter in self._limiters.values():
            limiter.forget_idle(now)

    def _schedule(self, key: ChatKey, chat: _Chat, now: float) -> None:
        chat.version += 1
        head = chat.head()
        if head is None:
            if not chat.busy:
                del self._chats[key]
            return
        if chat.busy:
            return
        at = self.limiter(key[0]).chat_ready_at(key[1], now)
        if at <= now:
            heapq.heappush(self._ready, (head.priority, head.seq, chat.version, key))
        else:
            heapq.heappush(self._waiting, (at, chat.version, key))
