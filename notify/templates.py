"""The messages chats receive: one template per notice kind and sport, in English and Russian.

Telegram HTML (``parse_mode=HTML``): every value from the database is escaped, so a team called
``<b>Reds</b> & Co`` shows as written and cannot break or inject markup. A message is at most 4,096
characters (Telegram counts UTF-16 code units; the raw HTML is counted here, which is never less than what
Telegram counts after parsing it); a final message that absorbed many coalesced notices drops its oldest
lines to fit and says how many.
"""

# Russian text and typographic dashes are meant here, not look-alikes of ASCII:
# ruff: noqa: RUF001

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from notify.notice import Context, Notice

__all__ = ["LANGUAGES", "MAX_CHARS", "render", "summary", "utf16_len"]

LANGUAGES = ("en", "ru")
MAX_CHARS = 4096

_T: dict[str, dict[str, str]] = {
    "en": {
        "kickoff.football": "Kick-off",
        "kickoff.ice-hockey": "Puck drop",
        "goal": "Goal",
        "goal_for": "goal for {team}",
        "halftime": "Half-time",
        "period_end": "End of period {n}",
        "extra_period_end": "End of extra time period {n}",
        "regular_end": "End of regular time",
        "overtime.football": "Extra time begins",
        "overtime.ice-hockey": "Overtime begins",
        "shootout.football": "Penalty shoot-out",
        "shootout.ice-hockey": "Shootout",
        "finished": "Full time",
        "corrected": "Score corrected",
        "status.postponed": "Postponed",
        "status.cancelled": "Cancelled",
        "status.scheduled": "Back to scheduled",
        "leader": "{team} now lead the table",
        "leader_group": "{team} now lead {group}",
        "suspended": "{player} ({team}) is suspended for {n} {matches}: {reason}",
        "suspended_noteam": "{player} is suspended for {n} {matches}: {reason}",
        "also": "Earlier in this match:",
        "more": "… and {n} more",
        "period": "P{n}",
    },
    "ru": {
        "kickoff.football": "Матч начался",
        "kickoff.ice-hockey": "Матч начался",
        "goal": "Гол",
        "goal_for": "гол в пользу команды {team}",
        "halftime": "Перерыв",
        "period_end": "Конец {n}-го периода",
        "extra_period_end": "Конец {n}-го дополнительного периода",
        "regular_end": "Основное время закончилось",
        "overtime.football": "Начинается дополнительное время",
        "overtime.ice-hockey": "Начинается овертайм",
        "shootout.football": "Серия пенальти",
        "shootout.ice-hockey": "Серия буллитов",
        "finished": "Матч окончен",
        "corrected": "Счёт исправлен",
        "status.postponed": "Матч перенесён",
        "status.cancelled": "Матч отменён",
        "status.scheduled": "Матч снова в расписании",
        "leader": "{team} — новый лидер турнира",
        "leader_group": "{team} — новый лидер: {group}",
        "suspended": "{player} ({team}) дисквалифицирован на {n} {matches}: {reason}",
        "suspended_noteam": "{player} дисквалифицирован на {n} {matches}: {reason}",
        "also": "Ранее в этом матче:",
        "more": "… и ещё {n}",
        "period": "{n}-й период",
    },
}


def _matches_word(language: str, n: int) -> str:
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "матч"
        if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
            return "матча"
        return "матчей"
    return "match" if n == 1 else "matches"


def _e(value: object) -> str:
    """A value from the database, safe inside Telegram HTML."""
    return html.escape(str(value), quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji outside the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


def _score(n: Notice, c: Context) -> str:
    if n.home_score is None or n.away_score is None:
        return f"{_e(c.home)} – {_e(c.away)}"
    return f"{_e(c.home)} {n.home_score}–{n.away_score} {_e(c.away)}"


def _when(n: Notice, c: Context, t: dict[str, str]) -> str:
    if c.sport == "football" and n.minute is not None:
        return f"{n.minute}'"
    if n.period is not None:
        return t["period"].format(n=n.period) + (f" {n.minute}'" if n.minute is not None else "")
    return ""


def _goal(n: Notice, c: Context, t: dict[str, str]) -> str:
    who = _e(c.player) if c.player else t["goal_for"].format(team=_e(c.team))
    return f"{t['goal']}! {_when(n, c, t)} {who}".replace("  ", " ")


def _period_end(n: Notice, c: Context, t: dict[str, str]) -> str:
    if c.sport == "football" and n.period == 1:
        return t["halftime"]
    if c.sport == "football" and n.period is not None and n.period > 2:
        return t["extra_period_end"].format(n=n.period - 2)
    return t["period_end"].format(n=n.period)


def _status(n: Notice, _c: Context, t: dict[str, str]) -> str:
    return t.get(f"status.{n.status}", n.status)


def _suspended(n: Notice, c: Context, t: dict[str, str], language: str) -> str:
    count = n.matches or 1
    values = {
        "player": f"<b>{_e(c.player)}</b>",
        "team": _e(c.team),
        "n": count,
        "matches": _matches_word(language, count),
        "reason": _e(n.reason[:300]),  # free text of any length: a message has a limit
    }
    return (t["suspended"] if c.team else t["suspended_noteam"]).format(**values)


def _leader(n: Notice, c: Context, t: dict[str, str]) -> str:
    if n.group:
        return t["leader_group"].format(team=f"<b>{_e(c.team)}</b>", group=_e(n.group))
    return t["leader"].format(team=f"<b>{_e(c.team)}</b>")


#: kind of a match's notice -> (icon, the event's words under the score line)
_MATCH_KINDS: dict[str, tuple[str, Callable[[Notice, Context, dict[str, str]], str]]] = {
    "match_started": ("▶️", lambda _n, c, t: t.get(f"kickoff.{c.sport}", t["kickoff.football"])),
    "goal_scored": ("⚽", _goal),
    "period_ended": ("⏸", _period_end),
    "regular_time_ended": ("⏱", lambda _n, _c, t: t["regular_end"]),
    "overtime_started": ("⏩", lambda _n, c, t: t.get(f"overtime.{c.sport}", t["overtime.football"])),
    "shootout_started": ("🎯", lambda _n, c, t: t.get(f"shootout.{c.sport}", t["shootout.football"])),
    "match_finished": ("🏁", lambda _n, _c, t: t["finished"]),
    "score_corrected": ("✏️", lambda _n, _c, t: t["corrected"]),
    "match_status_changed": ("📅", _status),
    "card_shown": ("🟨", lambda n, c, t: f"{_e(n.card)} {_when(n, c, t)} {_e(c.player or c.team)}"),
    "penalty_called": ("⛔", lambda n, c, t: f"{n.penalty_minutes}' {_when(n, c, t)} {_e(c.player or c.team)}"),
}


def _hockey_icon(icon: str, sport: str) -> str:
    return "🏒" if icon == "⚽" and sport == "ice-hockey" else icon


def summary(n: Notice, c: Context, language: str) -> str:
    """One line for the notice (what a coalesced notice becomes inside the match's final message)."""
    t = _T.get(language, _T["en"])
    if n.kind in _MATCH_KINDS:
        icon, words = _MATCH_KINDS[n.kind]
        return f"{_hockey_icon(icon, c.sport)} {words(n, c, t)} ({_score(n, c)})".strip()
    if n.kind == "leader_changed":
        return f"🥇 {_leader(n, c, t)}"
    if n.kind == "player_suspended":
        return f"🚫 {_suspended(n, c, t, language)}"
    return _e(n.kind)


def render(n: Notice, c: Context, language: str, merged: Sequence[tuple[Notice, Context]] = ()) -> str:
    """The message of ``n`` in ``language`` (English when unknown); ``merged``: notices of the same match
    that were still waiting when it finished, shown as lines of this message instead of sent late."""
    t = _T.get(language, _T["en"])
    head = f"<i>{_e(c.competition)}</i>"
    if n.kind in _MATCH_KINDS:
        icon, words = _MATCH_KINDS[n.kind]
        body = f"{_hockey_icon(icon, c.sport)} <b>{_score(n, c)}</b>\n{words(n, c, t)}"
    elif n.kind == "leader_changed":
        body = f"🥇 {_leader(n, c, t)}"
    elif n.kind == "player_suspended":
        body = f"🚫 {_suspended(n, c, t, language)}"
    else:
        body = _e(n.kind)
    text = f"{head}\n{body}"
    if not merged:
        return _fit(text)
    lines = [summary(m, mc, language) for m, mc in merged]
    kept = len(lines)
    while kept > 0:
        dropped = len(lines) - kept
        more = [t["more"].format(n=dropped)] if dropped else []
        candidate = "\n".join([text, "", t["also"], *more, *lines[dropped:]])
        if utf16_len(candidate) <= MAX_CHARS:
            return candidate
        kept -= 1
    return _fit(text)


def _fit(text: str) -> str:
    """The text cut to the limit at a line end (names are at most 200 characters, so only a template with
    absurd values can get here); a cut inside a tag or entity would make Telegram refuse the message."""
    if utf16_len(text) <= MAX_CHARS:
        return text
    lines = text.split("\n")
    while lines and utf16_len("\n".join(lines)) > MAX_CHARS - 1:
        lines.pop()
    return "\n".join(lines) or "…"
