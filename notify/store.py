"""The sender's PostgreSQL: notices taken in, their deliveries (the log that makes sending exactly-once),
and who follows what.

Who hears a notice: the chats following its match, one of its teams or its competition, through a bot
allowed to serve the notice's organization: that organization's own bot (``org:<id>``), or the shared bot
when the organization consents to it (``telegram_settings.shared_bot``). The rule is here, once, in SQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from notify.notice import Context, Notice, priority_of, queue_key
from notify.scheduler import DeliveryKey, Entry

__all__ = ["DeliveryStore", "Row"]

Row = dict[str, Any]

_CONTEXT = """
WITH target AS (
    SELECT coalesce(
        (SELECT st.season_id FROM matches m JOIN stages st ON st.id = m.stage_id WHERE m.id = %(match)s),
        (SELECT season_id FROM stages WHERE id = %(stage)s),
        %(season)s::bigint) AS season_id
)
SELECT c.org_id, c.id AS competition_id, c.name AS competition, c.sport,
       coalesce((SELECT name FROM teams WHERE id = coalesce(%(home)s,
           (SELECT home_team_id FROM matches WHERE id = %(match)s))), '') AS home,
       coalesce((SELECT name FROM teams WHERE id = coalesce(%(away)s,
           (SELECT away_team_id FROM matches WHERE id = %(match)s))), '') AS away,
       coalesce((SELECT name FROM teams WHERE id = %(team)s), '') AS team,
       coalesce((SELECT btrim(first_name || ' ' || last_name) FROM players WHERE id = %(player)s), '') AS player
  FROM target JOIN seasons se ON se.id = target.season_id JOIN competitions c ON c.id = se.competition_id
"""

#: every chat that hears a notice, once, with the bot it follows through
_DELIVER = """
WITH heard AS (
    SELECT DISTINCT s.bot, s.chat_id, s.org_id
      FROM telegram_subscriptions s
      JOIN telegram_chats ch ON ch.bot = s.bot AND ch.chat_id = s.chat_id AND ch.blocked_at IS NULL
     WHERE s.org_id = %(org)s
       AND (s.competition_id = %(competition)s OR s.team_id = ANY(%(teams)s) OR s.match_id = %(match)s)
       AND (s.bot = 'org:' || s.org_id
            OR (s.bot = 'shared' AND EXISTS (SELECT 1 FROM telegram_settings t
                                              WHERE t.org_id = s.org_id AND t.shared_bot)))
), ins AS (
    INSERT INTO telegram.deliveries (notice_id, bot, chat_id, org_id, priority)
    SELECT %(id)s, bot, chat_id, org_id, %(priority)s FROM heard
    ON CONFLICT DO NOTHING
    RETURNING seq, bot, chat_id
)
SELECT ins.seq, ins.bot, ins.chat_id, ch.language
  FROM ins JOIN telegram_chats ch ON ch.bot = ins.bot AND ch.chat_id = ins.chat_id
 ORDER BY ins.seq
"""

_QUEUED = """
SELECT d.seq, d.notice_id, d.bot, d.chat_id, d.priority, d.attempts, n.kind, n.body, n.context,
       coalesce(ch.language, 'en') AS language
  FROM telegram.deliveries d
  JOIN telegram.notices n ON n.id = d.notice_id
  LEFT JOIN telegram_chats ch ON ch.bot = d.bot AND ch.chat_id = d.chat_id
 WHERE d.state = 'queued'
 ORDER BY d.priority, d.seq
 LIMIT %s
"""


def entry_of(seq: int, notice: Notice, bot: str, chat_id: int, *, language: str, attempts: int = 0) -> Entry:
    return Entry(
        seq=seq,
        notice_id=notice.id,
        bot=bot,
        chat_id=chat_id,
        priority=priority_of(notice.kind),
        queue_key=queue_key(notice),
        kind=notice.kind,
        language=language,
        attempts=attempts,
    )


class DeliveryStore:
    """The sender's tables over one small async pool (autocommit; a transaction where several writes
    must land together)."""

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
    async def _tx(self) -> AsyncIterator[AsyncConnection[Row]]:
        async with self.pool.connection() as conn, conn.transaction():
            yield conn

    async def take_in(self, notices: list[Notice]) -> list[tuple[Entry, Notice, Context]]:
        """Record ``notices`` and a queued delivery per chat that hears each, in one transaction (the
        caller commits the topic's offsets after it). A notice recorded before (a redelivery, a replay
        after a crash before the offsets were committed) is skipped whole."""
        taken: list[tuple[Entry, Notice, Context]] = []
        async with self._tx() as conn:
            for notice in notices:
                context = await self._context(conn, notice)
                if context is None:
                    continue  # its match or stage is gone: nobody to tell
                fresh = await (
                    await conn.execute(
                        "INSERT INTO telegram.notices (id, kind, org_id, body, context) VALUES (%s, %s, %s, %s, %s) "
                        "ON CONFLICT DO NOTHING RETURNING id",
                        (
                            notice.id,
                            notice.kind,
                            context.org_id,
                            msgspec.json.encode(notice).decode(),
                            msgspec.json.encode(context).decode(),
                        ),
                    )
                ).fetchone()
                if fresh is None:
                    continue
                teams = [t for t in (notice.home_team_id, notice.away_team_id, notice.team_id) if t is not None]
                rows = await (
                    await conn.execute(
                        _DELIVER,
                        {
                            "id": notice.id,
                            "org": context.org_id,
                            "competition": context.competition_id,
                            "teams": teams,
                            "match": notice.match_id,
                            "priority": priority_of(notice.kind),
                        },
                    )
                ).fetchall()
                taken += [
                    (entry_of(r["seq"], notice, r["bot"], r["chat_id"], language=r["language"]), notice, context)
                    for r in rows
                ]
        return taken

    async def _context(self, conn: AsyncConnection[Row], n: Notice) -> Context | None:
        params = {
            "match": n.match_id,
            "stage": n.stage_id or None,
            "season": n.season_id,
            "home": n.home_team_id,
            "away": n.away_team_id,
            "team": n.team_id,
            "player": n.player_id,
        }
        row = await (await conn.execute(_CONTEXT, params)).fetchone()
        return None if row is None else msgspec.convert(row, Context)

    async def queued(self, limit: int) -> list[tuple[Entry, Notice, Context]]:
        """The most urgent queued deliveries, oldest first within a priority (what memory reads back)."""
        async with self.pool.connection() as conn:
            rows = await (await conn.execute(_QUEUED, (limit,))).fetchall()
        found = []
        for r in rows:
            notice = msgspec.convert(r["body"], Notice)
            entry = entry_of(r["seq"], notice, r["bot"], r["chat_id"], language=r["language"], attempts=r["attempts"])
            found.append((entry, notice, msgspec.convert(r["context"], Context)))
        return found

    async def notice(self, notice_id: str) -> tuple[Notice, Context] | None:
        async with self.pool.connection() as conn:
            row = await (
                await conn.execute("SELECT body, context FROM telegram.notices WHERE id = %s", (notice_id,))
            ).fetchone()
        if row is None:
            return None
        return msgspec.convert(row["body"], Notice), msgspec.convert(row["context"], Context)

    async def sending(self, entry: Entry) -> None:
        """Written, and committed, before the request leaves: a crash after this line leaves the row
        ``sending``, which the next start reports as unconfirmed instead of sending it again. Notices
        coalesced into this message are recorded as such in the same transaction."""
        async with self._tx() as conn:
            await conn.execute(
                "UPDATE telegram.deliveries SET state = 'sending', attempts = attempts + 1, updated_at = now() "
                "WHERE notice_id = %s AND bot = %s AND chat_id = %s",
                entry.key,
            )
            if entry.merged:
                await conn.execute(
                    "UPDATE telegram.deliveries SET state = 'coalesced', reason = %s, updated_at = now() "
                    "WHERE notice_id = ANY(%s) AND bot = %s AND chat_id = %s AND state = 'queued'",
                    (f"into {entry.notice_id}", [m.notice_id for m in entry.merged], entry.bot, entry.chat_id),
                )

    async def settle(self, key: DeliveryKey, state: str, reason: str = "", message_id: int | None = None) -> None:
        """The outcome of a send: sent (with Telegram's message id), failed, unconfirmed, or queued again."""
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE telegram.deliveries SET state = %s, reason = %s, message_id = %s, updated_at = now() "
                "WHERE notice_id = %s AND bot = %s AND chat_id = %s",
                (state, reason, message_id, *key),
            )

    async def fail_queued(self, bot: str, chat_id: int, reason: str) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE telegram.deliveries SET state = 'failed', reason = %s, updated_at = now() "
                "WHERE bot = %s AND chat_id = %s AND state = 'queued'",
                (reason, bot, chat_id),
            )

    async def end_chat(self, bot: str, chat_id: int, reason: str) -> int:
        """Telegram said the chat is gone for this bot (403: blocked, kicked; chat deleted): its subscriptions
        end, its waiting deliveries fail with the reason. Returns how many subscriptions ended."""
        async with self._tx() as conn:
            await conn.execute(
                "SELECT pg_logical_emit_message(true, 'rstat.context', %s)",
                (msgspec.json.encode({"actor": "telegram-sender", "request_id": "", "source": "telegram"}).decode(),),
            )
            ended = await conn.execute(
                "DELETE FROM telegram_subscriptions WHERE bot = %s AND chat_id = %s", (bot, chat_id)
            )
            await conn.execute(
                "UPDATE telegram_chats SET blocked_at = now() WHERE bot = %s AND chat_id = %s", (bot, chat_id)
            )
            await conn.execute(
                "UPDATE telegram.deliveries SET state = 'failed', reason = %s, updated_at = now() "
                "WHERE bot = %s AND chat_id = %s AND state = 'queued'",
                (reason, bot, chat_id),
            )
        return ended.rowcount

    async def recent(self, seconds: float) -> list[tuple[str, int, float]]:
        """(bot, chat, seconds ago) of the requests of the last ``seconds``, oldest first: a restarted
        sender counts them against the limits it starts with, as Telegram still does."""
        async with self.pool.connection() as conn:
            rows = await (
                await conn.execute(
                    "SELECT bot, chat_id, extract(epoch FROM now() - updated_at)::float8 AS ago "
                    "FROM telegram.deliveries WHERE state IN ('sending', 'sent', 'unconfirmed') "
                    "AND updated_at > now() - make_interval(secs => %s) ORDER BY updated_at",
                    (seconds,),
                )
            ).fetchall()
        return [(str(r["bot"]), int(r["chat_id"]), float(r["ago"])) for r in rows]

    async def recover(self) -> list[Row]:
        """At start: deliveries left ``sending`` by a process that died mid-request become ``unconfirmed``
        (Telegram may have delivered them; nothing can ask it). Returns them, for the log."""
        async with self.pool.connection() as conn:
            return await (
                await conn.execute(
                    "UPDATE telegram.deliveries SET state = 'unconfirmed', updated_at = now(), "
                    "reason = 'the sender stopped after the request left and before Telegram answered' "
                    "WHERE state = 'sending' RETURNING notice_id, bot, chat_id"
                )
            ).fetchall()
