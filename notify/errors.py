"""The one exception root of ``notify`` and its few subclasses."""

from __future__ import annotations

__all__ = ["BotConflictError", "NotifyError", "TelegramError"]


class NotifyError(Exception):
    """Anything the Telegram bot or sender cannot get past."""


class BotConflictError(NotifyError):
    """Telegram answered ``getUpdates`` with 409: another process polls this bot's token, or a webhook is set.
    Two pollers would steal each other's updates, so the one that hears 409 stops."""


class TelegramError(NotifyError):
    """Telegram answered ``ok: false``: its ``error_code``, ``description`` and ``parameters.retry_after``."""

    def __init__(self, code: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(f"{code}: {description}")
        self.code, self.description, self.retry_after = code, description, retry_after
