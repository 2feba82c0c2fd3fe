"""An organization's Telegram in the management API: its consent to the shared bot, its own bot, and the
chats that follow its competitions, teams and matches.

Isolation: an organization sees a chat only through its own subscriptions, and only those (a chat that also
follows another organization's team shows nothing of it); removing a chat removes this organization's
subscriptions of it, never the chat's others. A chat's name and username are private data: editors and
owners see them, viewers see the counts. An organization's bot token is written here and never answered
(nor logged): the answer says whether one is set, the bot's name once the sender has checked it, and what
stops it. Withdrawing the consent ends the shared bot's subscriptions to the organization at once.
"""

import datetime as dt
import json
from typing import Annotated

import msgspec
from litestar import delete, get, put
from litestar.handlers import HTTPRouteHandler

from api.admin.deps import Caller, Db
from api.admin.resources import EDIT, OWNER
from api.auth import ROLES
from api.errors import NotFoundError

__all__ = ["telegram_handlers"]

Token = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$", description="from @BotFather")]


class TelegramConsent(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: Let the installation's shared bot serve this organization's competitions.
    shared_bot: bool


class BotTokenWrite(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    token: Token


class BotStatus(msgspec.Struct, frozen=True):
    """The organization's own bot: never its token."""

    configured: bool
    username: str = ""
    error: str = ""
    updated_at: dt.datetime | None = None


class TelegramOverview(msgspec.Struct, frozen=True):
    shared_bot: bool
    bot: BotStatus
    #: chats following something of the organization
    chats: int
    #: the organization's deliveries by state (sent, failed, unconfirmed, ...)
    deliveries: dict[str, int]


class Followed(msgspec.Struct, frozen=True):
    id: int
    kind: str
    target_id: int
    label: str
    created_at: dt.datetime


class FollowerChat(msgspec.Struct, frozen=True):
    bot: str
    chat_id: int
    kind: str
    title: str
    username: str
    language: str
    blocked_at: dt.datetime | None
    subscriptions: list[Followed]


_CHATS = """
SELECT ch.bot, ch.chat_id, ch.kind, ch.title, ch.username, ch.language, ch.blocked_at,
       json_agg(json_build_object(
           'id', s.id,
           'kind', CASE WHEN s.competition_id IS NOT NULL THEN 'competition'
                        WHEN s.team_id IS NOT NULL THEN 'team' ELSE 'match' END,
           'target_id', coalesce(s.competition_id, s.team_id, s.match_id),
           'label', coalesce(c.name, t.name, ht.name || ' - ' || at.name, ''),
           'created_at', s.created_at) ORDER BY s.id) AS subscriptions
  FROM telegram_subscriptions s
  JOIN telegram_chats ch ON ch.bot = s.bot AND ch.chat_id = s.chat_id
  LEFT JOIN competitions c ON c.id = s.competition_id
  LEFT JOIN teams t ON t.id = s.team_id
  LEFT JOIN matches m ON m.id = s.match_id
  LEFT JOIN teams ht ON ht.id = m.home_team_id
  LEFT JOIN teams at ON at.id = m.away_team_id
 WHERE s.org_id = %s
 GROUP BY ch.bot, ch.chat_id
 ORDER BY ch.bot, ch.chat_id
"""


def telegram_handlers() -> list[HTTPRouteHandler]:
    base = "/v1/orgs/{org_id:int}/telegram"
    tag = ["telegram"]

    async def overview(org_id: int, db: Db) -> TelegramOverview:
        async with db.read() as conn:
            consent = await (
                await conn.execute("SELECT shared_bot FROM telegram_settings WHERE org_id = %s", (org_id,))
            ).fetchone()
            bot = await (
                await conn.execute("SELECT username, error, updated_at FROM telegram.bots WHERE org_id = %s", (org_id,))
            ).fetchone()
            chats = await (
                await conn.execute(
                    "SELECT count(DISTINCT (bot, chat_id)) AS n FROM telegram_subscriptions WHERE org_id = %s",
                    (org_id,),
                )
            ).fetchone()
            states = await (
                await conn.execute(
                    "SELECT state, count(*) AS n FROM telegram.deliveries WHERE org_id = %s GROUP BY state", (org_id,)
                )
            ).fetchall()
        return TelegramOverview(
            shared_bot=bool(consent and consent["shared_bot"]),
            bot=BotStatus(configured=True, **bot) if bot else BotStatus(configured=False),
            chats=int(chats["n"]) if chats else 0,
            deliveries={str(r["state"]): int(r["n"]) for r in states},
        )

    @get(base, tags=tag, summary="The organization's Telegram: consent, own bot, followers, deliveries")
    async def get_telegram(org_id: int, principal: Caller, db: Db) -> TelegramOverview:
        principal.require(org_id, ROLES)
        return await overview(org_id, db)

    @put(base, tags=tag, summary="Allow or refuse the shared bot (refusing ends its subscriptions here)")
    async def put_telegram(org_id: int, data: TelegramConsent, principal: Caller, db: Db) -> TelegramOverview:
        principal.require(org_id, OWNER)
        async with db.write(actor=principal.subject, request_id=principal.request_id, source="admin-api") as conn:
            await conn.execute(
                "INSERT INTO telegram_settings (org_id, shared_bot) VALUES (%s, %s) ON CONFLICT (org_id) "
                "DO UPDATE SET shared_bot = EXCLUDED.shared_bot, updated_at = now()",
                (org_id, data.shared_bot),
            )
            if not data.shared_bot:
                await conn.execute("DELETE FROM telegram_subscriptions WHERE org_id = %s AND bot = 'shared'", (org_id,))
        return await overview(org_id, db)

    @put(f"{base}/bot", tags=tag, summary="Set the organization's own bot token (never shown again)")
    async def put_bot(org_id: int, data: BotTokenWrite, principal: Caller, db: Db) -> BotStatus:
        principal.require(org_id, OWNER)
        async with db.write(actor=principal.subject, request_id=principal.request_id, source="admin-api") as conn:
            await conn.execute(
                "INSERT INTO telegram.bots (org_id, token) VALUES (%s, %s) ON CONFLICT (org_id) "
                "DO UPDATE SET token = EXCLUDED.token, username = '', error = '', updated_at = now()",
                (org_id, data.token),
            )
        return BotStatus(configured=True)

    @delete(f"{base}/bot", tags=tag, status_code=204, summary="Remove the organization's bot and its chats")
    async def delete_bot(org_id: int, principal: Caller, db: Db) -> None:
        principal.require(org_id, OWNER)
        async with db.write(actor=principal.subject, request_id=principal.request_id, source="admin-api") as conn:
            gone = await conn.execute("DELETE FROM telegram.bots WHERE org_id = %s", (org_id,))
            if gone.rowcount == 0:
                raise NotFoundError("the organization has no bot of its own")
            await conn.execute("DELETE FROM telegram_chats WHERE bot = %s", (f"org:{org_id}",))

    @get(f"{base}/chats", tags=tag, summary="The chats that follow the organization, with what they follow of it")
    async def list_chats(org_id: int, principal: Caller, db: Db) -> list[FollowerChat]:
        principal.require(org_id, EDIT)
        async with db.read() as conn:
            rows = await (await conn.execute(_CHATS, (org_id,))).fetchall()
        for row in rows:
            if isinstance(row["subscriptions"], str):
                row["subscriptions"] = json.loads(row["subscriptions"])
        return msgspec.convert(rows, list[FollowerChat], strict=False)

    @delete(
        f"{base}/chats/{{bot:str}}/{{chat_id:int}}",
        tags=tag,
        status_code=204,
        summary="Remove a chat's subscriptions to the organization (its others stay)",
    )
    async def delete_chat(org_id: int, bot: str, chat_id: int, principal: Caller, db: Db) -> None:
        principal.require(org_id, EDIT)
        async with db.write(actor=principal.subject, request_id=principal.request_id, source="admin-api") as conn:
            gone = await conn.execute(
                "DELETE FROM telegram_subscriptions WHERE org_id = %s AND bot = %s AND chat_id = %s",
                (org_id, bot, chat_id),
            )
        if gone.rowcount == 0:
            raise NotFoundError(f"chat {bot}/{chat_id} follows nothing of this organization")

    return [get_telegram, put_telegram, put_bot, delete_bot, list_chats, delete_chat]
