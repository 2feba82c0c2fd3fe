"""The Bot API over HTTP (httpx), and what a ``sendMessage`` answer means for a delivery.

The token is part of every URL (``/bot<token>/<method>``): no URL, and no exception text that may hold one,
ever reaches a log line from here (httpx's own request log is silenced by the process's bootstrap).
"""

from __future__ import annotations

import enum
import json
from typing import Any, Protocol

import httpx
import msgspec

from notify.errors import BotConflictError, TelegramError

__all__ = ["BotApi", "Outcome", "Result", "TelegramApi"]


class Result(enum.Enum):
    SENT = "sent"
    #: Telegram did not take it and said so (429, 5xx) or never heard it (no connection): send it again later
    RETRY = "retry"
    #: the chat is gone for this bot (403 blocked / kicked, 400 chat not found): end its subscriptions
    ENDED = "ended"
    #: Telegram refused this message for good (another 400, 401): record why, go on
    REFUSED = "refused"
    #: the request left and no answer came (the connection broke, a read timed out): Telegram may have
    #: delivered it. Never sent again (see delivery.py)
    UNKNOWN = "unknown"


class Outcome(msgspec.Struct, frozen=True):
    result: Result
    message_id: int | None = None
    retry_after: float | None = None
    reason: str = ""


class TelegramApi(Protocol):
    """What the bot and the sender need of Telegram (the fake Bot API implements the same HTTP protocol)."""

    async def call(self, token: str, method: str, params: dict[str, Any], *, timeout: float | None = None) -> Any: ...

    async def send_message(
        self, token: str, chat_id: int, text: str, reply_markup: dict[str, Any] | None = None
    ) -> Outcome: ...

    async def get_updates(self, token: str, offset: int, timeout: int) -> list[dict[str, Any]]: ...


#: connection failures before any byte of the request reached Telegram: safe to send again
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class BotApi:
    """One HTTP client for every bot of the process (connections are reused across tokens)."""

    def __init__(self, base_url: str, *, timeout_s: float, connections: int) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s, connect=10.0),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def call(self, token: str, method: str, params: dict[str, Any], *, timeout: float | None = None) -> Any:
        """``result`` of a successful call; raises :class:`TelegramError` on ``ok: false`` (code 0: no
        readable answer) and lets httpx's transport errors through, without the URL in their text."""
        url = f"{self.base_url}/bot{token}/{method}"
        try:
            answer = await self.http.post(
                url, json=params, timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout
            )
        except httpx.TransportError as exc:
            raise type(exc)(_scrub(str(exc), token)) from None
        try:
            body = answer.json()
        except json.JSONDecodeError:
            raise TelegramError(answer.status_code, f"HTTP {answer.status_code} without a JSON body") from None
        if not body.get("ok"):
            retry = (body.get("parameters") or {}).get("retry_after")
            description = _scrub(str(body.get("description", "")), token)
            raise TelegramError(int(body.get("error_code") or answer.status_code), description, retry)
        return body.get("result")

    async def send_message(
        self, token: str, chat_id: int, text: str, reply_markup: dict[str, Any] | None = None
    ) -> Outcome:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if reply_markup is not None:
            params["reply_markup"] = reply_markup
        try:
            result = await self.call(token, "sendMessage", params)
        except TelegramError as exc:
            return classify(exc)
        except _NOT_SENT as exc:
            return Outcome(Result.RETRY, reason=f"no connection to Telegram ({type(exc).__name__})")
        except (httpx.WriteError, httpx.WriteTimeout) as exc:
            # a request cut while being written is incomplete: Telegram cannot have acted on it
            return Outcome(Result.RETRY, reason=f"the request could not be written ({type(exc).__name__})")
        except httpx.TransportError as exc:
            return Outcome(Result.UNKNOWN, reason=f"no answer after the request left ({type(exc).__name__})")
        return Outcome(Result.SENT, message_id=int(result["message_id"]))

    async def get_updates(self, token: str, offset: int, timeout: int) -> list[dict[str, Any]]:
        """The next updates (long polling); :class:`BotConflictError` on 409."""
        try:
            updates = await self.call(
                token,
                "getUpdates",
                {"offset": offset, "timeout": timeout, "allowed_updates": ["message", "callback_query"]},
                timeout=timeout + self.timeout_s,
            )
        except TelegramError as exc:
            if exc.code == 409:
                raise BotConflictError(exc.description) from None
            raise
        return list(updates)


def classify(exc: TelegramError) -> Outcome:
    """What an ``ok: false`` answer to ``sendMessage`` means for the delivery."""
    reason = f"{exc.code}: {exc.description}"
    if exc.code == 429:
        return Outcome(Result.RETRY, retry_after=float(exc.retry_after or 1), reason=reason)
    if exc.code >= 500 or exc.code == 0:
        return Outcome(Result.RETRY, reason=reason)
    if exc.code == 403 or (exc.code == 400 and "chat not found" in exc.description.lower()):
        return Outcome(Result.ENDED, reason=reason)
    return Outcome(Result.REFUSED, reason=reason)


def _scrub(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text
