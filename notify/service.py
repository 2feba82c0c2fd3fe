"""``rstat telegram``: the bots' commands and the sender, in one asyncio process.

Tasks: the notices intake (topic -> delivery log), the dispatcher (delivery log -> Telegram at the limits),
one long poller per bot or the webhook server, and the refresh of the organizations' bots. A stop (SIGTERM,
SIGINT) ends the intake and the pollers, lets the requests in flight get their answers (so their rows are
settled, not left ``sending``), and closes the pools. A task that fails stops the process (exit 1): a
supervisor restarts it, and the delivery log takes up where it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from notify.botapi import BotApi
from notify.bots import SHARED, BotDirectory
from notify.chats import ChatStore
from notify.commands import Conversation
from notify.config import TelegramConfig
from notify.delivery import Dispatcher
from notify.errors import BotConflictError, TelegramError
from notify.intake import NoticeIntake
from notify.limiter import Limits
from notify.scheduler import Scheduler
from notify.store import DeliveryStore
from notify.updates import Answers, WebhookServer, poll, set_webhook

__all__ = ["EXIT_CONFLICT", "Adapters", "run_telegram"]

log = logging.getLogger(__name__)

#: exit status when the shared bot's token is polled elsewhere (Telegram's 409)
EXIT_CONFLICT = 3


@dataclass
class Adapters:
    """What the bootstrap builds: the Bot API client, the two PostgreSQL stores, where the notices are."""

    api: BotApi
    deliveries: DeliveryStore
    chats: ChatStore
    bootstrap: str
    notices_topic: str


class _Bots:
    """The pollers (or webhooks) of the running bots, started and stopped as the directory changes."""

    def __init__(self, config: TelegramConfig, adapters: Adapters, directory: BotDirectory, answers: Answers) -> None:
        self.config, self.adapters, self.directory, self.answers = config, adapters, directory, answers
        self.pollers: dict[str, asyncio.Task[None]] = {}
        self.conflict = asyncio.Event()

    async def start(self, bots: list[str]) -> None:
        for bot in bots:
            token = self.directory.token(bot)
            if token is None:
                continue
            if self.config.updates == "webhook":
                await set_webhook(self.adapters.api, token, bot, self.config.webhook_url, self.config.webhook_secret)
                log.info("telegram: bot %s takes its updates by webhook", bot)
            else:
                self.pollers[bot] = asyncio.create_task(self._poll(bot, token), name=f"poll {bot}")

    def stop(self, bots: list[str]) -> None:
        for bot in bots:
            task = self.pollers.pop(bot, None)
            if task is not None:
                task.cancel()

    async def _poll(self, bot: str, token: str) -> None:
        try:
            await poll(bot, token, self.adapters.api, self.answers, self.config.poll_timeout_s)
        except BotConflictError as exc:
            if bot == SHARED:
                log.error(
                    "telegram: Telegram answered 409 (%s): another process reads this bot's updates (or a webhook "
                    "is set). One poller per token: stop the other one, or use RSTAT__TELEGRAM__UPDATES=webhook. "
                    "Stopping.",
                    exc,
                )
                self.conflict.set()
            else:
                log.error("telegram: bot %s stops reading commands: Telegram answered 409 (%s)", bot, exc)
                await self.directory.record(bot, "", f"409: another process reads this bot's updates ({exc})")

    async def refresh(self) -> None:
        while True:
            await asyncio.sleep(self.config.bots_refresh_s)
            started, stopped = await self.directory.refresh(self.adapters.api)
            self.stop(stopped)
            await self.start(started)


async def run_telegram(config: TelegramConfig, adapters: Adapters, stop: asyncio.Event) -> int:
    """Run until ``stop`` is set or something fails; returns the exit status."""
    await adapters.deliveries.open()
    await adapters.chats.open()
    directory = BotDirectory(config.token, adapters.chats.pool, org_bots=config.org_bots)
    try:
        if config.token:
            try:
                await directory.username(adapters.api, SHARED)
            except TelegramError as exc:
                log.error("telegram: Telegram refuses the shared bot's token (%s); check RSTAT__TELEGRAM__TOKEN", exc)
                return 2
        await directory.refresh(adapters.api)
        return await _run(config, adapters, directory, stop)
    finally:
        await adapters.chats.close()
        await adapters.deliveries.close()
        await adapters.api.close()


async def _run(config: TelegramConfig, adapters: Adapters, directory: BotDirectory, stop: asyncio.Event) -> int:
    unconfirmed = await adapters.deliveries.recover()
    if unconfirmed:
        shown = ", ".join(f"{r['notice_id']} -> {r['bot']}:{r['chat_id']}" for r in unconfirmed[:20])
        log.warning(
            "telegram: %d deliveries were in flight when the sender stopped; Telegram may or may not have "
            "delivered them, so they are marked unconfirmed and not sent again: %s",
            len(unconfirmed),
            shown,
        )
    limits = Limits(
        global_per_s=config.global_per_s,
        chat_interval_s=config.chat_interval_s,
        group_per_min=config.group_per_min,
        margin_s=config.margin_s,
    )
    scheduler = Scheduler(limits, config.queue_size)
    now = time.monotonic()
    for bot, chat_id, ago in await adapters.deliveries.recent(61.0):
        scheduler.limiter(bot).record(chat_id, now - ago)
    dispatcher = Dispatcher(
        scheduler,
        adapters.deliveries,
        adapters.api,
        directory.token,
        max_in_flight=config.max_in_flight,
        retry_base_s=config.retry_base_s,
        retry_max_s=config.retry_max_s,
    )
    talk = Conversation(adapters.chats, adapters.api, on_stop=dispatcher.drop_chat, pace=dispatcher.pace)
    intake = NoticeIntake(
        bootstrap=adapters.bootstrap,
        topic=adapters.notices_topic,
        group=config.consumer_group,
        kinds=config.kinds,
        max_age_s=config.max_notice_age_s,
        recorder=adapters.deliveries,
        accept=dispatcher.accept,
    )
    answers = Answers(talk)
    bots = _Bots(config, adapters, directory, answers)
    await bots.start(directory.keys())
    tasks = {
        asyncio.create_task(intake.run(), name="intake"),
        asyncio.create_task(dispatcher.run(), name="dispatcher"),
        asyncio.create_task(bots.refresh(), name="bots"),
        asyncio.create_task(stop.wait(), name="stop"),
        asyncio.create_task(bots.conflict.wait(), name="conflict"),
    }
    webhook = None
    if config.updates == "webhook":
        webhook = WebhookServer(
            host=config.webhook_host,
            port=config.webhook_port,
            secret=config.webhook_secret,
            tokens=directory.token,
            answers=answers,
        )
        tasks.add(asyncio.create_task(webhook.serve(), name="webhook"))
    log.info("telegram: running bots %s (%s)", ", ".join(directory.keys()) or "none yet", config.updates)
    done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    status = 0
    for task in done:
        if task.get_name() == "conflict":
            status = EXIT_CONFLICT
        elif task.get_name() != "stop" and not task.cancelled() and task.exception() is not None:
            log.error("telegram: %s failed; stopping", task.get_name(), exc_info=task.exception())
            status = 1
    if webhook is not None:
        webhook.stop()
    bots.stop(list(bots.pollers))
    for task in tasks:
        if task.get_name() not in ("webhook",):
            task.cancel()
    await dispatcher.drain(timeout=10.0)
    await asyncio.gather(*tasks, return_exceptions=True)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(dispatcher.counts.items()))
    log.info("telegram: stopped (%s)", counts or "nothing sent")
    return status
