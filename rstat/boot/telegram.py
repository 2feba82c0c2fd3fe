"""Bootstrap of ``rstat telegram``: the bots and the sender, built from the settings and run until a signal.

The component gets its own section and plain values (the Kafka bootstrap, the notices topic of the stream
processor's section, the application role's DSN) and the adapters built here; it never sees the settings.
"""

from __future__ import annotations

import asyncio
import logging
import signal

import psycopg

from notify.botapi import BotApi
from notify.chats import ChatStore
from notify.service import Adapters, run_telegram
from notify.store import DeliveryStore
from rstat.settings import Settings

__all__ = ["build_adapters", "delivery_status", "run_telegram_process"]


def build_adapters(settings: Settings) -> Adapters:
    config = settings.telegram
    dsn = settings.postgres.app_dsn()
    return Adapters(
        api=BotApi(config.api_url, timeout_s=config.request_timeout_s, connections=config.max_in_flight + 20),
        deliveries=DeliveryStore(dsn, config.pool_size),
        chats=ChatStore(dsn, 2),
        bootstrap=settings.kafka.bootstrap(),
        notices_topic=settings.streams.notices_topic,
    )


def run_telegram_process(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM; returns the exit status (3: the shared bot is polled elsewhere)."""
    # httpx logs every request's URL at INFO, and a Bot API URL holds the bot's token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not settings.telegram.token:
        logging.getLogger(__name__).info("telegram: no shared bot (RSTAT__TELEGRAM__TOKEN); organizations' bots only")

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return await run_telegram(settings.telegram, build_adapters(settings), stop)

    return asyncio.run(main())


def delivery_status(settings: Settings, *, limit: int) -> str:
    """The delivery log in a few lines: rows per state, then the unconfirmed ones (newest first)."""
    with psycopg.connect(settings.postgres.app_dsn()) as conn:
        states = conn.execute(
            "SELECT state, count(*) FROM telegram.deliveries GROUP BY state ORDER BY state"
        ).fetchall()
        doubts = conn.execute(
            "SELECT notice_id, bot, chat_id, updated_at, reason FROM telegram.deliveries WHERE state = 'unconfirmed' "
            "ORDER BY updated_at DESC LIMIT %s",
            (limit,),
        ).fetchall()
    lines = [f"{state}: {count}" for state, count in states] or ["no deliveries yet"]
    lines += [f"unconfirmed {n} -> {b}:{c} at {at:%Y-%m-%d %H:%M:%S} ({why})" for n, b, c, at, why in doubts]
    return "\n".join(lines)
