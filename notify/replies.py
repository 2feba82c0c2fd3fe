"""What the bot says, in English and Russian (Telegram HTML; values are escaped by the caller)."""

# Russian text and typographic dashes are meant here, not look-alikes of ASCII:
# ruff: noqa: RUF001

from __future__ import annotations

__all__ = ["KIND_WORDS", "say"]

_REPLIES: dict[str, dict[str, str]] = {
    "en": {
        "welcome": (
            "Hello! I send the goals and results of the competitions you follow.\n\n"
            "/follow <i>name</i> — follow a team, a competition or a match\n"
            "/list — what you follow\n/unfollow — stop following something\n"
            "/lang — language\n/stop — forget this chat"
        ),
        "ask": "Which team or competition? Send its name, e.g. <code>/follow Arsenal</code>.",
        "none": "Nothing called “{query}” here. Try another name.",
        "choose": "Several match “{query}”. Pick one (or send its number):",
        "followed": "Following {label}. Goals and results will come here.",
        "already": "You already follow {label}.",
        "gone": "That is not available any more.",
        "list": "You follow:",
        "empty": "You follow nothing yet. /follow <i>name</i> to start.",
        "unfollow": "Stop following which? (or /unfollow all)",
        "unfollowed": "Stopped following {label}.",
        "unfollowed_all": "You follow nothing now.",
        "lang": "Choose a language:",
        "lang_set": "Language: English.",
        "stopped": "Forgotten. /start to come back.",
        "start_first": "Say /start first.",
        "help": "/follow, /list, /unfollow, /lang, /stop",
        "competition": "competition",
        "team": "team",
        "match": "match",
    },
    "ru": {
        "welcome": (
            "Привет! Я присылаю голы и результаты турниров, за которыми вы следите.\n\n"
            "/follow <i>название</i> — следить за командой, турниром или матчем\n"
            "/list — за чем вы следите\n/unfollow — перестать следить\n"
            "/lang — язык\n/stop — забыть этот чат"
        ),
        "ask": "За какой командой или турниром? Пришлите название, например <code>/follow Спартак</code>.",
        "none": "Ничего не нашлось по запросу «{query}». Попробуйте другое название.",
        "choose": "По запросу «{query}» нашлось несколько. Выберите (или пришлите номер):",
        "followed": "Вы следите: {label}. Голы и результаты придут сюда.",
        "already": "Вы уже следите: {label}.",
        "gone": "Это больше недоступно.",
        "list": "Вы следите:",
        "empty": "Вы пока ни за чем не следите. /follow <i>название</i>, чтобы начать.",
        "unfollow": "Перестать следить за чем? (или /unfollow all)",
        "unfollowed": "Вы больше не следите: {label}.",
        "unfollowed_all": "Вы больше ни за чем не следите.",
        "lang": "Выберите язык:",
        "lang_set": "Язык: русский.",
        "stopped": "Чат забыт. /start, чтобы вернуться.",
        "start_first": "Сначала отправьте /start.",
        "help": "/follow, /list, /unfollow, /lang, /stop",
        "competition": "турнир",
        "team": "команда",
        "match": "матч",
    },
}

KIND_WORDS = ("competition", "team", "match")


def say(language: str, key: str, **values: str) -> str:
    """The reply ``key`` in ``language`` (English when unknown), with ``values`` (already escaped)."""
    return _REPLIES.get(language, _REPLIES["en"])[key].format(**values)
