"""The bots one process runs: the shared bot (its token from the settings) and the organizations' own bots
(tokens set through the admin API, read from ``telegram.bots`` every ``bots_refresh_s``).

Each token is checked with ``getMe`` before its bot runs; what goes wrong with an organization's bot (a
revoked token, another poller: 409) is written to its row for the admin API to show; that bot stops
(its commands; a token that Telegram refuses sends nothing either) while the others go on. A token never
leaves this module except to the Bot API client.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from notify.botapi import TelegramApi
from notify.errors import TelegramError

__all__ = ["SHARED", "BotDirectory"]

log = logging.getLogger(__name__)

SHARED = "shared"


class BotDirectory:
    def __init__(self, shared_token: str, pool: AsyncConnectionPool[AsyncConnection[Any]], *, org_bots: bool) -> None:
        self._tokens: dict[str, str] = {SHARED: shared_token} if shared_token else {}
        self.pool = pool
        self.org_bots = org_bots
        #: organization bots whose current token failed (not tried again until the token changes)
        self.failed: dict[str, str] = {}

    def token(self, bot: str) -> str | None:
        return self._tokens.get(bot)

    def keys(self) -> list[str]:
        return sorted(self._tokens)

    async def refresh(self, api: TelegramApi) -> tuple[list[str], list[str]]:
        """Read the organizations' bots again; returns (bots started, bots stopped). A new or changed token
        is checked with getMe first."""
        if not self.org_bots:
            return [], []
        async with self.pool.connection() as conn:
            rows = await (await conn.execute("SELECT org_id, token FROM telegram.bots")).fetchall()
        wanted = {f"org:{row['org_id']}": str(row["token"]) for row in rows}
        stopped = [b for b in self._tokens if b != SHARED and wanted.get(b) != self._tokens[b]]
        for bot in stopped:
            del self._tokens[bot]
        started = []
        for bot, token in wanted.items():
            if bot in self._tokens or self.failed.get(bot) == token:
                continue
            error = await self._check(api, token)
            if error:
                self.failed[bot] = token
                await self.record(bot, "", error)
                log.warning("telegram: bot %s does not run: %s", bot, error)
                continue
            self.failed.pop(bot, None)
            self._tokens[bot] = token
            started.append(bot)
        return started, stopped

    async def _check(self, api: TelegramApi, token: str) -> str:
        """'' when Telegram knows the token (and records the bot's name), else why not."""
        try:
            await api.call(token, "getMe", {})
        except TelegramError as exc:
            return f"Telegram refused the token ({exc.code}: {exc.description})"
        except httpx.TransportError as exc:
            return f"Telegram could not be reached ({type(exc).__name__})"
        return ""

    async def username(self, api: TelegramApi, bot: str) -> str:
        token = self._tokens[bot]
        me = await api.call(token, "getMe", {})
        return str(me.get("username") or "")

    async def record(self, bot: str, username: str, error: str) -> None:
        """What the admin API shows of an organization's bot: its name once checked, or what stops it."""
        if bot == SHARED:
            return
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE telegram.bots SET username = coalesce(nullif(%s, ''), username), error = %s, "
                "updated_at = now() WHERE org_id = %s",
                (username, error, int(bot.removeprefix("org:"))),
            )
