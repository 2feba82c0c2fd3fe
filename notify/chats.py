"""The bot's PostgreSQL: chats, what they follow, and what they may follow.

Isolation lives here: a bot sees the data of the organizations it serves and nothing else. The shared bot
serves the organizations that consent (``telegram_settings.shared_bot``); an organization's own bot
(``org:<id>``) serves that organization only. Every search and every follow is checked against that scope
in SQL, so a forged button (``callback_data`` naming another organization's team) follows nothing.

Writes start with the ``rstat.context`` message, so the audit shows which chat changed what.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

__all__ = ["ChatInfo", "ChatStore", "Followed", "Target"]

Row = dict[str, Any]


class ChatInfo(msgspec.Struct, frozen=True, kw_only=True):
    chat_id: int
    kind: str = "private"
    title: str = ""
    username: str = ""
    language: str = "en"


class Target(msgspec.Struct, frozen=True):
    """Something to follow: a competition, a team or a match."""

    kind: str
    id: int
    org_id: int
    label: str


class Followed(msgspec.Struct, frozen=True):
    id: int
    kind: str
    label: str


#: the organizations a bot serves: the consenting ones for the shared bot, its own for an organization's bot
_SERVED = sql.SQL(
    "(SELECT org_id FROM telegram_settings WHERE shared_bot AND %(bot)s = 'shared' UNION ALL SELECT %(own)s::bigint)"
)

_TARGET_TABLES = {"competition": "competitions", "team": "teams"}

_SEARCH = sql.SQL("""
    WITH found AS (
        SELECT 'competition' AS kind, id, org_id, name AS label, lower(name) = lower(%(q)s) AS exact
          FROM competitions WHERE org_id IN {served} AND name ILIKE %(like)s
        UNION ALL
        SELECT 'team', id, org_id, name, lower(name) = lower(%(q)s)
          FROM teams WHERE org_id IN {served}
           AND (name ILIKE %(like)s OR short_name ILIKE %(like)s OR upper(code) = upper(%(q)s))
    ), next AS (
        SELECT DISTINCT ON (f.id) 'match' AS kind, m.id, f.org_id,
               ht.name || U&' \\2013 ' || at.name || coalesce(to_char(m.kickoff, ' DD.MM'), '') AS label,
               false AS exact
          FROM found f
          JOIN matches m ON f.id IN (m.home_team_id, m.away_team_id) AND m.status IN ('live', 'scheduled')
          JOIN teams ht ON ht.id = m.home_team_id
          JOIN teams at ON at.id = m.away_team_id
         WHERE f.kind = 'team'
         ORDER BY f.id, m.status = 'live' DESC, m.kickoff NULLS LAST, m.id
    )
    SELECT kind, id, org_id, label FROM (SELECT * FROM found UNION ALL SELECT * FROM next) t
     ORDER BY exact DESC, kind = 'match', label, id
     LIMIT %(limit)s
""").format(served=_SERVED)

_MATCH = sql.SQL("""
    SELECT 'match' AS kind, m.id, c.org_id, ht.name || U&' \\2013 ' || at.name AS label
      FROM matches m JOIN stages st ON st.id = m.stage_id JOIN seasons se ON se.id = st.season_id
      JOIN competitions c ON c.id = se.competition_id
      JOIN teams ht ON ht.id = m.home_team_id JOIN teams at ON at.id = m.away_team_id
     WHERE m.id = %(id)s AND c.org_id IN {served}
""").format(served=_SERVED)


def _scope(bot: str) -> dict[str, Any]:
    return {"bot": bot, "own": None if bot == "shared" else int(bot.removeprefix("org:"))}


def _like(query: str) -> str:
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class ChatStore:
    def __init__(self, dsn: str, size: int) -> None:
        self.pool: AsyncConnectionPool[AsyncConnection[Row]] = AsyncConnectionPool(
            dsn,
            min_size=1,
            max_size=size,
            open=False,
            kwargs={"row_factory": dict_row, "autocommit": True},
            connection_class=AsyncConnection[Row],
        )

    async def open(self) -> None:
        await self.pool.open(wait=True, timeout=30)

    async def close(self) -> None:
        await self.pool.close()

    @asynccontextmanager
    async def _write(self, bot: str, chat_id: int) -> AsyncIterator[AsyncConnection[Row]]:
        context = {"actor": f"telegram:{bot}:{chat_id}", "request_id": "", "source": "telegram-bot"}
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute(
                "SELECT pg_logical_emit_message(true, 'rstat.context', %s)", (msgspec.json.encode(context).decode(),)
            )
            yield conn

    async def greet(self, bot: str, chat: ChatInfo) -> str:
        """Record the chat (again: a chat that had blocked the bot and says /start is back); its language."""
        async with self._write(bot, chat.chat_id) as conn:
            row = await (
                await conn.execute(
                    "INSERT INTO telegram_chats (bot, chat_id, kind, title, username, language) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (bot, chat_id) DO UPDATE SET kind = EXCLUDED.kind, "
                    "title = EXCLUDED.title, username = EXCLUDED.username, blocked_at = NULL RETURNING language",
                    (bot, chat.chat_id, chat.kind, chat.title, chat.username, chat.language),
                )
            ).fetchone()
        assert row is not None
        return str(row["language"])

    async def language(self, bot: str, chat_id: int) -> str | None:
        """The chat's language, or None for a chat that never said /start (or said /stop)."""
        async with self.pool.connection() as conn:
            row = await (
                await conn.execute(
                    "SELECT language FROM telegram_chats WHERE bot = %s AND chat_id = %s", (bot, chat_id)
                )
            ).fetchone()
        return None if row is None else str(row["language"])

    async def set_language(self, bot: str, chat_id: int, language: str) -> None:
        async with self._write(bot, chat_id) as conn:
            await conn.execute(
                "UPDATE telegram_chats SET language = %s WHERE bot = %s AND chat_id = %s", (language, bot, chat_id)
            )

    async def search(self, bot: str, query: str, limit: int = 8) -> list[Target]:
        """Competitions and teams whose names contain ``query``, and the live or next match of each team
        found, among the organizations ``bot`` serves; exact names first."""
        values = {**_scope(bot), "q": query.strip(), "like": _like(query.strip()), "limit": limit}
        async with self.pool.connection() as conn:
            rows = await (await conn.execute(_SEARCH, values)).fetchall()
        return [Target(r["kind"], int(r["id"]), int(r["org_id"]), str(r["label"])) for r in rows]

    async def target(self, bot: str, kind: str, item_id: int) -> Target | None:
        """The competition, team or match ``item_id`` when ``bot`` serves its organization, else None."""
        if kind == "match":
            query = _MATCH
        elif kind in _TARGET_TABLES:
            query = sql.SQL(
                "SELECT %(kind)s AS kind, id, org_id, name AS label FROM {} WHERE id = %(id)s AND org_id IN {}"
            ).format(sql.Identifier(_TARGET_TABLES[kind]), _SERVED)
        else:
            return None
        values = {**_scope(bot), "kind": kind, "id": item_id}
        async with self.pool.connection() as conn:
            row = await (await conn.execute(query, values)).fetchone()
        return None if row is None else Target(str(row["kind"]), int(row["id"]), int(row["org_id"]), str(row["label"]))

    async def follow(self, bot: str, chat_id: int, target: Target) -> bool:
        """Subscribe; False when the chat follows it already."""
        insert = sql.SQL(
            "INSERT INTO telegram_subscriptions (org_id, bot, chat_id, {}) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING"
        ).format(sql.Identifier(f"{target.kind}_id"))
        async with self._write(bot, chat_id) as conn:
            done = await conn.execute(insert, (target.org_id, bot, chat_id, target.id))
        return done.rowcount == 1

    async def followed(self, bot: str, chat_id: int) -> list[Followed]:
        async with self.pool.connection() as conn:
            rows = await (
                await conn.execute(
                    """
                    SELECT s.id,
                           CASE WHEN s.competition_id IS NOT NULL THEN 'competition'
                                WHEN s.team_id IS NOT NULL THEN 'team' ELSE 'match' END AS kind,
                           coalesce(c.name, t.name, ht.name || U&' \\2013 ' || at.name, '?') AS label
                      FROM telegram_subscriptions s
                      LEFT JOIN competitions c ON c.id = s.competition_id
                      LEFT JOIN teams t ON t.id = s.team_id
                      LEFT JOIN matches m ON m.id = s.match_id
                      LEFT JOIN teams ht ON ht.id = m.home_team_id
                      LEFT JOIN teams at ON at.id = m.away_team_id
                     WHERE s.bot = %s AND s.chat_id = %s
                     ORDER BY s.id
                    """,
                    (bot, chat_id),
                )
            ).fetchall()
        return [Followed(int(r["id"]), str(r["kind"]), str(r["label"])) for r in rows]

    async def unfollow(self, bot: str, chat_id: int, subscription_ids: list[int]) -> int:
        async with self._write(bot, chat_id) as conn:
            done = await conn.execute(
                "DELETE FROM telegram_subscriptions WHERE bot = %s AND chat_id = %s AND id = ANY(%s)",
                (bot, chat_id, subscription_ids),
            )
        return done.rowcount

    async def forget(self, bot: str, chat_id: int) -> None:
        """/stop: the chat, its subscriptions (cascade) and its waiting deliveries go."""
        async with self._write(bot, chat_id) as conn:
            await conn.execute("DELETE FROM telegram_chats WHERE bot = %s AND chat_id = %s", (bot, chat_id))
            await conn.execute(
                "UPDATE telegram.deliveries SET state = 'failed', reason = 'the chat said /stop', updated_at = now() "
                "WHERE bot = %s AND chat_id = %s AND state = 'queued'",
                (bot, chat_id),
            )
