"""Errors of the crawlers and the scheduler; each message says what happened and what to do next."""

from __future__ import annotations

__all__ = ["CrawlError", "CrawlSetupError", "InvalidItemError", "RejectedItemError"]


class CrawlError(Exception):
    """Root of the crawlers' errors."""


class CrawlSetupError(CrawlError):
    """A crawl that cannot start: an unknown spider or organization, bad arguments, no output."""


class InvalidItemError(CrawlError):
    """An item that breaks a rule; ``reason`` is the short name the crawl summary counts it under."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class RejectedItemError(InvalidItemError):
    """An item the database refused (a protocol rule, a constraint): its transaction was rolled back whole."""
