"""The bot's conversation: one update in, replies out. The same for long polling and the webhook.

``/start``, ``/follow name`` (one thing found, or one team or competition of exactly that name: followed at
once; several: a short numbered list with buttons, the team's next match among them, and the number as a
plain reply works too), ``/unfollow`` (buttons, a number, or ``all``), ``/list``, ``/lang``
(English, Russian), ``/stop`` (forget the chat: its subscriptions and waiting messages go). Every id a
button carries is checked again against what the bot serves (``chats.ChatStore.target``).
"""

from __future__ import annotations

import html
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from notify.botapi import TelegramApi
from notify.chats import ChatInfo, Followed, Target
from notify.replies import say
from notify.templates import LANGUAGES

__all__ = ["Chats", "Conversation"]

log = logging.getLogger(__name__)

#: chats whose pending choice (a numbered list) is remembered
_PENDING = 10_000


class Chats(Protocol):
    """What the conversation needs of PostgreSQL (``chats.ChatStore``)."""

    async def greet(self, bot: str, chat: ChatInfo) -> str: ...
    async def language(self, bot: str, chat_id: int) -> str | None: ...
    async def set_language(self, bot: str, chat_id: int, language: str) -> None: ...
    async def search(self, bot: str, query: str, limit: int = 8) -> list[Target]: ...
    async def target(self, bot: str, kind: str, item_id: int) -> Target | None: ...
    async def follow(self, bot: str, chat_id: int, target: Target) -> bool: ...
    async def followed(self, bot: str, chat_id: int) -> list[Followed]: ...
    async def unfollow(self, bot: str, chat_id: int, subscription_ids: list[int]) -> int: ...
    async def forget(self, bot: str, chat_id: int) -> None: ...


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _chat_info(message: dict[str, Any]) -> ChatInfo:
    chat, user = message.get("chat") or {}, message.get("from") or {}
    name = chat.get("title") or " ".join(p for p in (chat.get("first_name"), chat.get("last_name")) if p)
    language = "ru" if str(user.get("language_code") or "").startswith("ru") else "en"
    return ChatInfo(
        chat_id=int(chat["id"]),
        kind=str(chat.get("type") or "private"),
        title=str(name or ""),
        username=str(chat.get("username") or ""),
        language=language,
    )


def _only_exact(found: list[Target], query: str) -> bool:
    """One team or competition found, by its exact name: that one is meant, not its next match."""
    named = [t for t in found if t.kind != "match"]
    return len(named) == 1 and named[0] is found[0] and named[0].label.lower() == query.strip().lower()


class Conversation:
    def __init__(
        self,
        chats: Chats,
        api: TelegramApi,
        *,
        on_stop: Callable[[str, int], None],
        pace: Callable[[str, int], Awaitable[None]],
    ) -> None:
        """``on_stop``: a chat said /stop (the sender drops what it still had queued for it); ``pace``: waits
        until a reply to a chat may go within Telegram's limits (the sender's limiter counts replies too)."""
        self.chats, self.api, self.on_stop, self.pace = chats, api, on_stop, pace
        self.pending: OrderedDict[tuple[str, int], tuple[str, list[Any]]] = OrderedDict()

    async def handle(self, bot: str, token: str, update: dict[str, Any]) -> None:
        """Answer one update of ``bot``; an update that is neither a message nor a button press is ignored."""
        if "callback_query" in update:
            query = update["callback_query"]
            await self.api.call(token, "answerCallbackQuery", {"callback_query_id": query["id"]})
            message = query.get("message")
            if message is not None:
                await self._button(bot, token, int(message["chat"]["id"]), str(query.get("data") or ""))
            return
        message = update.get("message")
        if message is None or not isinstance(message.get("text"), str):
            return
        await self._text(bot, token, message)

    async def _reply(
        self, bot: str, token: str, chat_id: int, text: str, buttons: list[list[dict[str, str]]] | None = None
    ) -> None:
        await self.pace(bot, chat_id)
        params: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
        if buttons:
            params["reply_markup"] = {"inline_keyboard": buttons}
        await self.api.call(token, "sendMessage", params)

    def _remember(self, bot: str, chat_id: int, what: str, items: list[Any]) -> None:
        self.pending[(bot, chat_id)] = (what, items)
        self.pending.move_to_end((bot, chat_id))
        if len(self.pending) > _PENDING:
            self.pending.popitem(last=False)

    async def _text(self, bot: str, token: str, message: dict[str, Any]) -> None:
        info = _chat_info(message)
        chat_id = info.chat_id
        text = message["text"].strip()
        command, _, rest = text.partition(" ")
        command = command.split("@", 1)[0].lower() if command.startswith("/") else ""
        if command == "/start":
            await self._reply(bot, token, chat_id, say(await self.chats.greet(bot, info), "welcome"))
            return
        known = await self.chats.language(bot, chat_id)
        if known is None:
            await self._reply(bot, token, chat_id, say(info.language, "start_first"))
            return
        language = known
        rest = rest.strip()
        if command == "/follow":
            await self._follow(bot, token, chat_id, language, rest)
        elif command == "/unfollow":
            await self._unfollow(bot, token, chat_id, language, rest)
        elif command == "/list":
            await self._list(bot, token, chat_id, language)
        elif command == "/lang":
            await self._lang(bot, token, chat_id, rest.lower())
        elif command == "/stop":
            await self.chats.forget(bot, chat_id)
            self.pending.pop((bot, chat_id), None)
            self.on_stop(bot, chat_id)
            await self._reply(bot, token, chat_id, say(language, "stopped"))
        elif not command and (bot, chat_id) in self.pending:
            await self._answer(bot, token, chat_id, language, text)
        else:
            await self._reply(bot, token, chat_id, say(language, "help"))

    async def _answer(self, bot: str, token: str, chat_id: int, language: str, text: str) -> None:
        """A plain message after a question: a number from the last list, or the name /follow asked for."""
        what, items = self.pending[(bot, chat_id)]
        if what == "query":
            await self._follow(bot, token, chat_id, language, text)
        elif text.isdigit() and 1 <= int(text) <= len(items):
            item = items[int(text) - 1]
            if what == "follow":
                await self._chosen(bot, token, chat_id, language, kind=item.kind, item_id=item.id)
            else:
                await self._unfollow(bot, token, chat_id, language, text)
        else:
            await self._reply(bot, token, chat_id, say(language, "help"))

    async def _follow(self, bot: str, token: str, chat_id: int, language: str, query: str) -> None:
        if not query:
            self._remember(bot, chat_id, "query", [])
            await self._reply(bot, token, chat_id, say(language, "ask"))
            return
        found = await self.chats.search(bot, query)
        if not found:
            self.pending.pop((bot, chat_id), None)
            await self._reply(bot, token, chat_id, say(language, "none", query=_e(query)))
        elif len(found) == 1 or _only_exact(found, query):
            await self._chosen(bot, token, chat_id, language, kind=found[0].kind, item_id=found[0].id)
        else:
            self._remember(bot, chat_id, "follow", found)
            lines = [f"{n}. {_e(t.label)} ({say(language, t.kind)})" for n, t in enumerate(found, 1)]
            buttons = [
                [{"text": f"{n}. {t.label}"[:60], "callback_data": f"f:{t.kind}:{t.id}"}]
                for n, t in enumerate(found, 1)
            ]
            await self._reply(
                bot, token, chat_id, "\n".join([say(language, "choose", query=_e(query)), *lines]), buttons
            )

    async def _chosen(self, bot: str, token: str, chat_id: int, language: str, *, kind: str, item_id: int) -> None:
        self.pending.pop((bot, chat_id), None)
        target = await self.chats.target(bot, kind, item_id)
        if target is None:
            await self._reply(bot, token, chat_id, say(language, "gone"))
            return
        new = await self.chats.follow(bot, chat_id, target)
        label = f"<b>{_e(target.label)}</b>"
        await self._reply(bot, token, chat_id, say(language, "followed" if new else "already", label=label))

    async def _list(self, bot: str, token: str, chat_id: int, language: str) -> None:
        followed = await self.chats.followed(bot, chat_id)
        if not followed:
            await self._reply(bot, token, chat_id, say(language, "empty"))
            return
        lines = [f"{n}. {_e(f.label)} ({say(language, f.kind)})" for n, f in enumerate(followed, 1)]
        await self._reply(bot, token, chat_id, "\n".join([say(language, "list"), *lines]))

    async def _unfollow(self, bot: str, token: str, chat_id: int, language: str, rest: str) -> None:
        followed = await self.chats.followed(bot, chat_id)
        if not followed:
            await self._reply(bot, token, chat_id, say(language, "empty"))
            return
        if rest.lower() in ("all", "все", "всё"):
            await self.chats.unfollow(bot, chat_id, [f.id for f in followed])
            await self._reply(bot, token, chat_id, say(language, "unfollowed_all"))
            return
        chosen = [f for n, f in enumerate(followed, 1) if rest == str(n) or (rest and rest.lower() == f.label.lower())]
        if not chosen:
            self._remember(bot, chat_id, "unfollow", followed)
            lines = [f"{n}. {_e(f.label)}" for n, f in enumerate(followed, 1)]
            buttons = [
                [{"text": f"{n}. {f.label}"[:60], "callback_data": f"u:{f.id}"}] for n, f in enumerate(followed, 1)
            ]
            await self._reply(bot, token, chat_id, "\n".join([say(language, "unfollow"), *lines]), buttons)
            return
        await self._drop(bot, token, chat_id, language, chosen[0])

    async def _drop(self, bot: str, token: str, chat_id: int, language: str, followed: Followed) -> None:
        self.pending.pop((bot, chat_id), None)
        await self.chats.unfollow(bot, chat_id, [followed.id])
        await self._reply(bot, token, chat_id, say(language, "unfollowed", label=f"<b>{_e(followed.label)}</b>"))

    async def _lang(self, bot: str, token: str, chat_id: int, choice: str) -> None:
        if choice in LANGUAGES:
            await self.chats.set_language(bot, chat_id, choice)
            await self._reply(bot, token, chat_id, say(choice, "lang_set"))
            return
        language = await self.chats.language(bot, chat_id) or "en"
        buttons = [[{"text": "English", "callback_data": "l:en"}, {"text": "Русский", "callback_data": "l:ru"}]]
        await self._reply(bot, token, chat_id, say(language, "lang"), buttons)

    async def _button(self, bot: str, token: str, chat_id: int, data: str) -> None:
        language = await self.chats.language(bot, chat_id)
        if language is None:
            await self._reply(bot, token, chat_id, say("en", "start_first"))
            return
        kind, _, rest = data.partition(":")
        if kind == "f":
            target_kind, _, item = rest.partition(":")
            if item.isdigit():
                await self._chosen(bot, token, chat_id, language, kind=target_kind, item_id=int(item))
        elif kind == "u" and rest.isdigit():
            followed = [f for f in await self.chats.followed(bot, chat_id) if f.id == int(rest)]
            if followed:
                await self._drop(bot, token, chat_id, language, followed[0])
        elif kind == "l":
            await self._lang(bot, token, chat_id, rest)
