"""The sender's dispatch loop: deliveries from memory to Telegram at the limits, each exactly once per chat.

Exactly once, and what a crash can and cannot do. Every (notice, bot, chat) is one row of
``telegram.deliveries``, created ``queued`` in the transaction that records the notice (the topic's offsets
are committed only after it: a notice read twice finds its row and is skipped). Before a request leaves,
its row is set ``sending`` and committed; after Telegram's answer it becomes ``sent`` (with the message id),
``failed`` (with the reason) or ``queued`` again (429, 5xx, no connection: Telegram did not take it).

A process killed with -9 leaves at most ``max_in_flight`` rows ``sending``: requests that left and whose
answers nobody read. Telegram's ``sendMessage`` has no idempotency key, and a bot cannot read back what it
sent, so whether those messages arrived cannot be known. Sending them again would duplicate the ones that
did; dropping them silently would lose the ones that did not. Chosen: they become ``unconfirmed``, are
named in the log at start, counted in the admin API, and never sent again: a fan may miss one message of a
crash, but never hears a goal twice, and an operator sees exactly which ones are in doubt. A connection that
breaks after the request was written (a read timeout) is the same doubt and ends the same way; one that
never connected, or broke while writing, is safe to retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from notify.botapi import Outcome, Result, TelegramApi
from notify.notice import Context, Notice
from notify.scheduler import DeliveryKey, Entry, Scheduler
from notify.templates import render

__all__ = ["Dispatcher", "Store"]

log = logging.getLogger(__name__)

#: notices kept decoded for rendering (the rest are read back from PostgreSQL when needed)
_KEPT_NOTICES = 50_000


class Store(Protocol):
    """What the dispatcher needs of PostgreSQL (``store.DeliveryStore``)."""

    async def queued(self, limit: int) -> list[tuple[Entry, Notice, Context]]: ...
    async def notice(self, notice_id: str) -> tuple[Notice, Context] | None: ...
    async def sending(self, entry: Entry) -> None: ...
    async def settle(self, key: DeliveryKey, state: str, reason: str = "", message_id: int | None = None) -> None: ...
    async def end_chat(self, bot: str, chat_id: int, reason: str) -> int: ...
    async def fail_queued(self, bot: str, chat_id: int, reason: str) -> None: ...


class Dispatcher:
    """Takes deliveries from the :class:`Scheduler` as the limits allow and sends them, at most
    ``max_in_flight`` at once; reads the backlog back from PostgreSQL as memory frees."""

    def __init__(
        self,
        scheduler: Scheduler,
        store: Store,
        api: TelegramApi,
        token_of: Callable[[str], str | None],
        *,
        max_in_flight: int,
        retry_base_s: float,
        retry_max_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scheduler, self.store, self.api, self.token_of = scheduler, store, api, token_of
        self.retry_base_s, self.retry_max_s = retry_base_s, retry_max_s
        self.clock = clock
        self.slots = asyncio.Semaphore(max_in_flight)
        self.wake = asyncio.Event()
        #: deliveries may wait in PostgreSQL that memory does not hold (a start, a burst over capacity)
        self.spilled = True
        self.notices: OrderedDict[str, tuple[Notice, Context]] = OrderedDict()
        self.tasks: set[asyncio.Task[None]] = set()
        self.counts: dict[str, int] = {}

    def accept(self, taken: list[tuple[Entry, Notice, Context]]) -> None:
        """Deliveries just recorded (see ``store.take_in``): into memory while there is room and nothing
        older waits in PostgreSQL; otherwise they wait there and come back by priority."""
        now = self.clock()
        for entry, notice, context in taken:
            if self.spilled or self.scheduler.room() == 0:
                self.spilled = True
                continue
            self._keep(notice, context)
            self.scheduler.add(entry, now)
        self.wake.set()

    async def pace(self, bot: str, chat_id: int) -> None:
        """Wait until a reply to ``chat_id`` may go within the limits, and count it."""
        while (at := self.scheduler.reserve(bot, chat_id, self.clock())) > 0.0:
            await asyncio.sleep(at - self.clock())

    def drop_chat(self, bot: str, chat_id: int) -> None:
        """The chat said /stop: what it still had queued in memory goes (its rows are failed by the caller)."""
        self.scheduler.drop_chat(bot, chat_id)

    async def run(self) -> None:
        while True:
            if self.spilled and self.scheduler.room() * 2 >= self.scheduler.capacity:
                await self._refill()
            await self.slots.acquire()  # before taking: a taken send must leave at once, not wait for a slot
            got = self.scheduler.take(self.clock())
            if isinstance(got, Entry):
                await self._start(got)
                continue
            self.slots.release()
            self.wake.clear()
            timeout = None if got is None else max(0.0, got - self.clock())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout)
            self.scheduler.forget_idle(self.clock())

    async def drain(self, timeout: float) -> None:
        """Wait (up to ``timeout``) for the requests in flight, so a stopping process settles their rows."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)

    async def _refill(self) -> None:
        room = self.scheduler.room()
        rows = await self.store.queued(self.scheduler.capacity)
        now = self.clock()
        added = 0
        for entry, notice, context in rows:
            if entry.key in self.scheduler.keys:
                continue
            if added >= room:
                return
            self._keep(notice, context)
            self.scheduler.add(entry, now)
            added += 1
        self.spilled = len(rows) >= self.scheduler.capacity

    def _keep(self, notice: Notice, context: Context) -> None:
        self.notices[notice.id] = (notice, context)
        self.notices.move_to_end(notice.id)
        if len(self.notices) > _KEPT_NOTICES:
            self.notices.popitem(last=False)

    async def _start(self, entry: Entry) -> None:
        """Record the send, then let it leave (the limits count from the moment it leaves)."""
        try:
            await self.store.sending(entry)
        except Exception:
            self.slots.release()
            self.scheduler.done(entry, self.clock(), again=True, pause_until=self.clock() + self.retry_base_s)
            raise
        task = asyncio.create_task(self._send(entry))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _send(self, entry: Entry) -> None:
        try:
            outcome = await self._deliver(entry)
            await self._settle(entry, outcome)
        except Exception:
            log.exception("telegram: delivery %s to %s:%s failed unexpectedly", entry.notice_id, *entry.chat)
            self.scheduler.done(entry, self.clock())
        finally:
            self.slots.release()
            self.wake.set()

    async def _deliver(self, entry: Entry) -> Outcome:
        token = self.token_of(entry.bot)
        if token is None:
            return Outcome(Result.REFUSED, reason=f"bot {entry.bot} is not configured any more")
        text = await self._text(entry)
        if text is None:
            return Outcome(Result.REFUSED, reason="the notice is not recorded")
        self.scheduler.retime(entry, self.clock())
        return await self.api.send_message(token, entry.chat_id, text)

    async def _text(self, entry: Entry) -> str | None:
        found = [await self._notice(e.notice_id) for e in (*entry.merged, entry)]
        kept = [f for f in found if f is not None]
        if len(kept) < len(found):
            return None
        notice, context = kept[-1]
        return render(notice, context, entry.language, kept[:-1])

    async def _notice(self, notice_id: str) -> tuple[Notice, Context] | None:
        kept = self.notices.get(notice_id)
        if kept is None:
            kept = await self.store.notice(notice_id)
            if kept is not None:
                self._keep(*kept)
        return kept

    async def _settle(self, entry: Entry, outcome: Outcome) -> None:
        now = self.clock()
        self.counts[outcome.result.value] = self.counts.get(outcome.result.value, 0) + 1
        if outcome.result is Result.SENT:
            await self.store.settle(entry.key, "sent", message_id=outcome.message_id)
            self.scheduler.done(entry, now)
        elif outcome.result is Result.RETRY:
            entry.attempts += 1
            delay = outcome.retry_after
            if delay is None:
                delay = min(self.retry_max_s, self.retry_base_s * 2 ** (entry.attempts - 1))
            log.warning(
                "telegram: %s to %s:%s not taken (%s); again in %.1f s",
                entry.notice_id,
                entry.bot,
                entry.chat_id,
                outcome.reason,
                delay,
            )
            await self.store.settle(entry.key, "queued", outcome.reason)
            self.scheduler.done(entry, now, again=True, pause_until=now + delay)
        elif outcome.result is Result.ENDED:
            ended = await self.store.end_chat(entry.bot, entry.chat_id, outcome.reason)
            await self.store.settle(entry.key, "failed", outcome.reason)
            self.scheduler.drop_chat(entry.bot, entry.chat_id)
            self.scheduler.done(entry, now)
            log.info(
                "telegram: chat %s:%s is gone (%s): %d subscriptions ended",
                entry.bot,
                entry.chat_id,
                outcome.reason,
                ended,
            )
        elif outcome.result is Result.UNKNOWN:
            await self.store.settle(entry.key, "unconfirmed", outcome.reason)
            self.scheduler.done(entry, now)
            log.warning(
                "telegram: %s to %s:%s is unconfirmed (%s): not sent again",
                entry.notice_id,
                entry.bot,
                entry.chat_id,
                outcome.reason,
            )
        else:
            await self.store.settle(entry.key, "failed", outcome.reason)
            self.scheduler.done(entry, now)
            log.warning("telegram: %s to %s:%s refused: %s", entry.notice_id, entry.bot, entry.chat_id, outcome.reason)
