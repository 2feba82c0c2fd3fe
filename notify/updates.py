"""How commands arrive: long polling (``getUpdates``, one poller per token) or a webhook (Telegram posts each
update to ``<webhook_url>/telegram/<bot>`` with the secret-token header it was given by ``setWebhook``).

Polling: Telegram answers a second poller of the same token, or a poller while a webhook is set, with 409;
the poller that hears it says so and stops (two pollers would each get half of the updates).
Webhook: an update whose ``X-Telegram-Bot-Api-Secret-Token`` is not the bot's is refused with 403 before
anything reads it; each bot's secret is derived from ``webhook_secret`` and the bot's key.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import uvicorn
from litestar import Litestar, Request, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from notify.botapi import TelegramApi
from notify.commands import Conversation
from notify.errors import BotConflictError, TelegramError

__all__ = ["Answers", "WebhookServer", "poll", "set_webhook", "webhook_secret"]

log = logging.getLogger(__name__)


class Answers:
    """Updates answered concurrently across chats (a reply may wait for its chat's limit) and in order
    within one chat (two quick commands are answered as they were sent)."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self._chats: dict[tuple[str, int], tuple[asyncio.Lock, int]] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    def submit(self, bot: str, token: str, update: dict[str, Any]) -> None:
        task = asyncio.create_task(self._run(bot, token, update))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, bot: str, token: str, update: dict[str, Any]) -> None:
        message = update.get("message") or (update.get("callback_query") or {}).get("message") or {}
        key = (bot, int((message.get("chat") or {}).get("id") or 0))
        lock, waiting = self._chats.get(key, (asyncio.Lock(), 0))
        self._chats[key] = (lock, waiting + 1)
        try:
            async with lock:
                await _answer(self.conversation, bot, token, update)
        finally:
            lock, waiting = self._chats[key]
            if waiting == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, waiting - 1)


async def poll(bot: str, token: str, api: TelegramApi, answers: Answers, timeout: int) -> None:
    """Answer the updates of one bot until cancelled; raises :class:`BotConflictError` on 409."""
    offset, failures = 0, 0
    log.info("telegram: bot %s reads its updates by long polling", bot)
    while True:
        try:
            updates = await api.get_updates(token, offset, timeout)
        except BotConflictError:
            raise
        except (httpx.TransportError, TelegramError) as exc:
            failures += 1
            delay = min(60.0, 2.0**failures)
            log.warning("telegram: getUpdates of bot %s failed (%s); again in %.0f s", bot, exc, delay)
            await asyncio.sleep(delay)
            continue
        failures = 0
        for update in updates:
            offset = max(offset, int(update["update_id"]) + 1)
            answers.submit(bot, token, update)


async def _answer(conversation: Conversation, bot: str, token: str, update: dict[str, Any]) -> None:
    try:
        await conversation.handle(bot, token, update)
    except Exception:  # one bad update must not stop the bot; it is not retried (Telegram moved on too)
        log.exception("telegram: update %s of bot %s could not be answered", update.get("update_id"), bot)


def webhook_secret(secret: str, bot: str) -> str:
    """The secret token of one bot's webhook (Telegram allows ``A-Za-z0-9_-``, up to 256 characters)."""
    return hmac.new(secret.encode(), bot.encode(), hashlib.sha256).hexdigest()


class _Server(uvicorn.Server):
    """uvicorn inside the process's own loop: the process handles SIGTERM itself and stops it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebhookServer:
    """The webhook route of every bot, served by uvicorn in the process's event loop."""

    def __init__(
        self, *, host: str, port: int, secret: str, tokens: Callable[[str], str | None], answers: Answers
    ) -> None:
        self.secret, self.tokens, self.answers = secret, tokens, answers

        @post("/telegram/{bot:str}", status_code=200)
        async def update(bot: str, request: Request[Any, Any, Any]) -> dict[str, bool]:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given, webhook_secret(self.secret, bot)):
                raise PermissionDeniedException("wrong secret token")
            token = self.tokens(bot)
            if token is None:
                raise NotFoundException("no such bot")
            self.answers.submit(bot, token, await request.json())
            return {"ok": True}

        app = Litestar(route_handlers=[update], openapi_config=None)
        self.server = _Server(uvicorn.Config(app, host=host, port=port, log_config=None, lifespan="off"))

    async def serve(self) -> None:
        log.info("telegram: webhook server on %s:%s", self.server.config.host, self.server.config.port)
        await self.server.serve()

    def stop(self) -> None:
        self.server.should_exit = True


async def set_webhook(api: TelegramApi, token: str, bot: str, base_url: str, secret: str) -> None:
    """Point Telegram at this bot's route (idempotent)."""
    await api.call(
        token,
        "setWebhook",
        {
            "url": f"{base_url.rstrip('/')}/telegram/{bot}",
            "secret_token": webhook_secret(secret, bot),
            "allowed_updates": ["message", "callback_query"],
        },
    )
