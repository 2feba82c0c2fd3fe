"""The Telegram process's configuration section (``RSTAT__TELEGRAM__*``), composed by ``rstat.settings``."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

__all__ = ["ANNOUNCED_KINDS", "TelegramConfig", "parse_kinds"]

#: The notices a chat hears: scores and the match's course, not every card and penalty (a busy hockey game
#: has dozens; the issue's list, plus kick-off and a postponement).
ANNOUNCED_KINDS = (
    "match_started",
    "goal_scored",
    "period_ended",
    "regular_time_ended",
    "overtime_started",
    "shootout_started",
    "match_finished",
    "score_corrected",
    "match_status_changed",
    "leader_changed",
    "player_suspended",
)


def parse_kinds(value: str) -> tuple[str, ...]:
    """``goal_scored, match_finished`` -> a tuple of known notice kinds."""
    kinds = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [k for k in kinds if k not in ANNOUNCED_KINDS and k not in ("card_shown", "penalty_called")]
    if unknown:
        raise ValueError(f"unknown notice kinds {unknown}")
    return kinds


class TelegramConfig(msgspec.Struct, frozen=True, kw_only=True):
    """``rstat telegram``: the bot (commands) and the sender (notices) of every bot this installation runs.

    Bots: the shared bot (``token``), serving the organizations that allow it in the admin API, and each
    organization's own bot (its token set through the admin API), serving that organization only.
    """

    env_parsers: ClassVar[dict[str, Any]] = {"kinds": parse_kinds}
    #: Names of the fields whose values are secrets: never shown by ``repr``.
    secret_fields: ClassVar[tuple[str, ...]] = ("token", "webhook_secret")

    #: The shared bot's token from @BotFather. Empty: no shared bot.
    token: str = ""
    #: Run the organizations' own bots too (tokens set with ``PUT /v1/orgs/{org}/telegram/bot``).
    org_bots: bool = True
    #: Run ``rstat telegram`` under ``rstat up`` even without a shared token (for organizations' bots only).
    enabled: bool = False
    #: The Bot API's base URL (a local fake in tests and benchmarks).
    api_url: str = "https://api.telegram.org"
    #: How commands arrive: ``polling`` (getUpdates; one poller per token) or ``webhook`` (Telegram posts them).
    updates: str = "polling"
    #: Public HTTPS base URL Telegram posts updates to (webhook mode): ``<webhook_url>/telegram/<bot>``.
    webhook_url: str = ""
    #: Address and port the webhook server listens on (behind the ingress that terminates TLS).
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8405
    #: Secret from which each bot's ``X-Telegram-Bot-Api-Secret-Token`` is derived (webhook mode).
    webhook_secret: str = ""
    #: Seconds a getUpdates long poll waits for an update.
    poll_timeout_s: int = 30
    #: Consumer group of the sender on the notices topic.
    consumer_group: str = "rstat-telegram"
    #: Messages per second per bot (Telegram: about 30).
    global_per_s: int = 30
    #: Least seconds between two messages to one chat (Telegram: about one per second).
    chat_interval_s: float = 1.0
    #: Messages per minute to one group or channel (Telegram: 20).
    group_per_min: int = 20
    #: Seconds added to every window of the limits, so that latency jitter between here and Telegram never
    #: makes two sends look closer there than they were here.
    margin_s: float = 0.05
    #: Requests to Telegram in flight at once (per process).
    max_in_flight: int = 30
    #: Deliveries held in memory; the rest wait in PostgreSQL and are read back by priority as room frees.
    queue_size: int = 10_000
    #: First and largest delay before a message is tried again after a 5xx or a network error.
    retry_base_s: float = 1.0
    retry_max_s: float = 60.0
    #: Seconds to wait for Telegram's answer to a request.
    request_timeout_s: float = 30.0
    #: Seconds between two reads of the organizations' bots (new tokens start, removed ones stop).
    bots_refresh_s: float = 30.0
    #: A notice older than this when the sender reads it (a new sender on a topic with days of retention,
    #: one back from a long outage) is not sent: news that late is not news.
    max_notice_age_s: float = 3600.0
    #: Notice kinds sent to chats.
    kinds: tuple[str, ...] = ANNOUNCED_KINDS
    #: Connections to PostgreSQL.
    pool_size: int = 4

    def __repr__(self) -> str:
        shown = (
            f"{f}={'********' if f in self.secret_fields and getattr(self, f) else repr(getattr(self, f))}"
            for f in self.__struct_fields__
        )
        return f"TelegramConfig({', '.join(shown)})"

    @property
    def runs(self) -> bool:
        """Whether ``rstat up`` runs the process: a shared token is set, or organizations' bots are asked for."""
        return bool(self.token) or self.enabled

    def off_reason(self) -> str:
        """Why ``rstat up`` does not run it, in words for its log."""
        return (
            "telegram: off (no bot token: set RSTAT__TELEGRAM__TOKEN for the shared bot, or "
            "RSTAT__TELEGRAM__ENABLED=true to run the organizations' own bots)"
        )
