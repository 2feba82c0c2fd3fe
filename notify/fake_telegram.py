"""A local Bot API server that speaks Telegram's HTTP protocol, for the tests and ``rstat bench telegram``.

``POST /bot<token>/<method>`` with a JSON or form body, answered ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": ..., "description": ..., "parameters": {"retry_after": ...}}`` as Telegram
does. Methods: ``getMe``, ``getUpdates`` (long polling; a new poll ends the pending one of the same token
with 409, and a poll while a webhook is set gets 409), ``setWebhook``/``deleteWebhook`` (updates are then
POSTed to the webhook with its secret-token header), ``sendMessage`` (Telegram HTML checked as Telegram
checks it: known tags only, entities well formed, at most 4,096 characters once parsed),
``answerCallbackQuery``, ``setMyCommands``.

Tests script what a chat's next sends answer (429 with retry_after, 403, 5xx) and read :attr:`FakeTelegram.sent`:
every accepted message with the time it arrived, from which :func:`limit_violations` counts any breach of
Telegram's limits. Users are simulated by :meth:`FakeTelegram.say` and :meth:`FakeTelegram.press`.
"""

from __future__ import annotations

import contextlib
import html.parser
import itertools
import json
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeTelegram", "Reply", "Sent", "html_refusal", "limit_violations"]

_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "span"}
_TAGS |= {"blockquote", "tg-emoji"}


@dataclass(frozen=True)
class Sent:
    """A message the fake accepted: to whom, what, when its request arrived (``time.time()``, monotonic)."""

    token: str
    chat_id: int
    text: str
    at: float
    mono: float
    message_id: int
    reply_markup: Any = None


@dataclass(frozen=True)
class Reply:
    """A scripted answer to a chat's next ``sendMessage``: an error code (429, 403, 400, 5xx) with its
    description and retry_after; ``code=0`` accepts it after ``delay_s`` seconds (a slow Telegram)."""

    code: int
    description: str = ""
    retry_after: int | None = None
    delay_s: float = 0.0


class _HtmlCheck(html.parser.HTMLParser):
    """Telegram's HTML: known tags only, balanced; the visible text is what counts against 4,096."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.stack: list[str] = []
        self.error = ""

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.error = f'Can\'t find end tag corresponding to start tag "{tag}"'

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html_refusal(text: str) -> str:
    """Telegram's refusal of ``text`` as HTML, or '' when it would take it."""
    for match in _unknown_entities(text):
        return f"Bad Request: can't parse entities: Unsupported entity {match}"
    parser = _HtmlCheck()
    parser.feed(text)
    parser.close()
    if parser.error or parser.stack:
        return f"Bad Request: can't parse entities: {parser.error or 'unclosed tag'}"
    visible = "".join(parser.text)
    if not visible.strip():
        return "Bad Request: message text is empty"
    if len(visible.encode("utf-16-le")) // 2 > 4096:
        return "Bad Request: message is too long"
    return ""


def _unknown_entities(text: str) -> Iterator[str]:
    """Named entities Telegram does not know (it takes &lt; &gt; &amp; &quot; and numeric ones) and bare
    ``&`` that start something else (``&Co`` would be read as an entity)."""
    for chunk in text.split("&")[1:]:
        name, semi, _rest = chunk.partition(";")
        if semi and (name in ("lt", "gt", "amp", "quot") or name.startswith("#")):
            continue
        yield "&" + chunk[:10]


@dataclass
class _Bot:
    token: str
    updates: deque[dict[str, Any]] = field(default_factory=deque)
    #: how many polls have begun (the latest one is the only one that may answer)
    polling: int = 0
    webhook: str = ""
    secret: str = ""
    next_update: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class FakeTelegram:
    """The server, run in a thread: ``with FakeTelegram() as fake: ... fake.url``."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        #: every sendMessage answered: (chat id, monotonic time, HTTP status)
        self.answers: list[tuple[int, float, int]] = []
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self._bots: dict[str, _Bot] = {}
        self._scripts: dict[int, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Condition()
        self._message_ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-telegram", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeTelegram:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # what tests do

    def script(self, chat_id: int, *replies: Reply) -> None:
        """Answer the next sends to ``chat_id`` with ``replies``, in order (then accept as usual)."""
        with self._lock:
            self._scripts[chat_id].extend(replies)

    def say(self, token: str, chat_id: int, text: str, *, language: str = "en", kind: str = "private") -> None:
        """A user writes ``text`` in ``chat_id`` to the bot of ``token``."""
        self._update(token, {"message": self._message(chat_id, text, language, kind)})

    def press(self, token: str, chat_id: int, data: str, *, language: str = "en") -> None:
        """A user presses an inline button carrying ``data`` under a message of the bot."""
        query = {
            "id": str(next(self._message_ids)),
            "from": {"id": abs(chat_id), "is_bot": False, "first_name": "Fan", "language_code": language},
            "message": self._message(chat_id, "", language, "private"),
            "chat_instance": "1",
            "data": data,
        }
        self._update(token, {"callback_query": query})

    def messages(self, chat_id: int, token: str | None = None) -> list[str]:
        with self._lock:
            return [s.text for s in self.sent if s.chat_id == chat_id and token in (None, s.token)]

    def webhook(self, token: str) -> tuple[str, str]:
        with self._lock:
            bot = self._bot(token)
            return bot.webhook, bot.secret

    # the protocol

    def _bot(self, token: str) -> _Bot:
        if token not in self._bots:
            self._bots[token] = _Bot(token)
        return self._bots[token]

    def _message(self, chat_id: int, text: str, language: str, kind: str) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            chat |= {"first_name": "Fan", "username": f"fan{abs(chat_id)}"}
        else:
            chat |= {"title": f"Group {abs(chat_id)}"}
        user = {"id": abs(chat_id), "is_bot": False, "first_name": "Fan", "language_code": language}
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            "text": text,
        }

    def _update(self, token: str, body: dict[str, Any]) -> None:
        with self._lock:
            bot = self._bot(token)
            update = {"update_id": next(bot.next_update), **body}
            if bot.webhook:
                target, secret = bot.webhook, bot.secret
            else:
                bot.updates.append(update)
                self._lock.notify_all()
                return
        request = urllib.request.Request(  # noqa: S310 - the webhook URL the bot under test set
            target,
            data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            answer.read()

    def _call(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls.append((token, method, params))
            bot = self._bot(token)
        if not token or ":" not in token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if method == "getMe":
            bot_id = int(token.split(":", 1)[0])
            return 200, {
                "ok": True,
                "result": {"id": bot_id, "is_bot": True, "first_name": "Bot", "username": f"bot{bot_id}_bot"},
            }
        if method == "getUpdates":
            return self._get_updates(bot, params)
        if method == "setWebhook":
            with self._lock:
                bot.webhook, bot.secret = str(params.get("url", "")), str(params.get("secret_token", ""))
            return 200, {"ok": True, "result": True}
        if method == "deleteWebhook":
            with self._lock:
                bot.webhook = bot.secret = ""
            return 200, {"ok": True, "result": True}
        if method == "sendMessage":
            return self._send(token, params)
        if method in ("answerCallbackQuery", "setMyCommands"):
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _get_updates(self, bot: _Bot, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        conflict = {"ok": False, "error_code": 409}
        with self._lock:
            if bot.webhook:
                return 409, conflict | {"description": "Conflict: can't use getUpdates method while webhook is active"}
            # as Telegram: a new poll ends the one pending (that one gets 409), so a poller restarted after a
            # crash takes over at once, and two live pollers keep ending each other's polls
            bot.polling += 1
            mine = bot.polling
            self._lock.notify_all()
            offset = int(params.get("offset", 0) or 0)
            while bot.updates and bot.updates[0]["update_id"] < offset:
                bot.updates.popleft()
            deadline = time.monotonic() + min(float(params.get("timeout", 0) or 0), 50)
            while not bot.updates and time.monotonic() < deadline and bot.polling == mine:
                self._lock.wait(deadline - time.monotonic())
            if bot.polling != mine:
                return 409, conflict | {
                    "description": "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running"
                }
            return 200, {"ok": True, "result": list(bot.updates)}

    def _send(self, token: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id, text = int(params["chat_id"]), str(params.get("text", ""))
        at, mono = time.time(), time.monotonic()  # when it arrived: what Telegram's limits count
        with self._lock:
            reply = self._scripts[chat_id].popleft() if self._scripts[chat_id] else None
        if reply is not None and reply.code:
            with self._lock:
                self.answers.append((chat_id, time.monotonic(), reply.code))
            body: dict[str, Any] = {"ok": False, "error_code": reply.code, "description": reply.description}
            if reply.retry_after is not None:
                body["parameters"] = {"retry_after": reply.retry_after}
            return reply.code, body
        if reply is not None and reply.delay_s:
            time.sleep(reply.delay_s)
        if params.get("parse_mode") == "HTML" and (refusal := html_refusal(text)):
            return 400, {"ok": False, "error_code": 400, "description": refusal}
        markup = params.get("reply_markup")
        with self._lock:
            message_id = next(self._message_ids)
            self.answers.append((chat_id, mono, 200))
            self.sent.append(Sent(token, chat_id, text, at, mono, message_id, markup))
        return 200, {"ok": True, "result": {"message_id": message_id, "chat": {"id": chat_id}, "text": text}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                head, _, method = path.lstrip("/").partition("/")
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                params: dict[str, Any] = {}
                if raw and (self.headers.get("Content-Type") or "").startswith("application/json"):
                    params = json.loads(raw)
                elif raw:
                    params = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                params |= {k: v[-1] for k, v in query.items()}
                status, body = fake._call(head.removeprefix("bot"), method, params)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):  # a client gone (a killed sender) is not our failure
                    self.wfile.write(data)

            do_GET = do_POST = _answer  # noqa: N815 - the names http.server calls

        return Handler


def limit_violations(
    sends: Iterable[tuple[int, float]], *, global_per_s: int = 30, chat_interval_s: float = 1.0, group_per_min: int = 20
) -> dict[str, int]:
    """How often ``sends`` ((chat id, time), one bot's) broke Telegram's limits: two messages to a chat closer
    than ``chat_interval_s``; more than ``global_per_s`` in a second; more than ``group_per_min`` to a group
    in a minute. Windows are half-open: a send exactly one window after another is in the next window."""
    ordered = sorted(sends, key=lambda s: s[1])
    per_chat: dict[int, list[float]] = defaultdict(list)
    for chat_id, at in ordered:
        per_chat[chat_id].append(at)
    chat = sum(1 for times in per_chat.values() for a, b in itertools.pairwise(times) if b - a < chat_interval_s)
    times = [at for _chat, at in ordered]
    overall = sum(1 for i in range(global_per_s, len(times)) if times[i] - times[i - global_per_s] < 1.0)
    group = sum(
        1
        for chat_id, ts in per_chat.items()
        if chat_id < 0
        for i in range(group_per_min, len(ts))
        if ts[i] - ts[i - group_per_min] < 60.0
    )
    return {"chat": chat, "global": overall, "group": group}
