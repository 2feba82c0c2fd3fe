"""A crawl's summary, from its Scrapy stats: pages, items, written, unchanged, dropped by reason, conflicts."""

from __future__ import annotations

from typing import Any

import msgspec

from crawlers.store.merge import Conflict

__all__ = ["CrawlSummary", "summarize"]


class CrawlSummary(msgspec.Struct, kw_only=True):
    spider: str
    #: pages received (any status)
    pages: int = 0
    #: pages that could not be had after the retries, by reason (``http_404``, ``http_429``, ``DNSLookupError``)
    pages_failed: dict[str, int] = msgspec.field(default_factory=dict)
    #: requests robots.txt forbade (never sent)
    robots_forbidden: int = 0
    #: requests sent again after a 429 or 5xx
    retried: int = 0
    #: items the spiders yielded
    items: int = 0
    #: matches written (something in them changed), and matches found unchanged (nothing written)
    written: int = 0
    unchanged: int = 0
    #: domain rows inserted, updated or deleted
    rows: int = 0
    dropped: dict[str, int] = msgspec.field(default_factory=dict)
    conflicts: list[Conflict] = msgspec.field(default_factory=list)
    finish_reason: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the crawl did all it was asked: every page read (bad items aside, which are reported)."""
        return self.finish_reason == "finished" and not self.pages_failed and not self.robots_forbidden

    def lines(self) -> list[str]:
        """The summary for people."""
        out = [
            f"crawl {self.spider}: {self.finish_reason or 'not finished'} in {self.seconds:.1f} s",
            f"  pages: {self.pages}"
            + (f" (failed: {_counts(self.pages_failed)})" if self.pages_failed else "")
            + (f", forbidden by robots.txt: {self.robots_forbidden}" if self.robots_forbidden else "")
            + (f", retried: {self.retried}" if self.retried else ""),
            f"  items: {self.items}; written: {self.written} ({self.rows} rows), unchanged: {self.unchanged}, "
            f"dropped: {sum(self.dropped.values())}" + (f" ({_counts(self.dropped)})" if self.dropped else ""),
            f"  conflicts with hand edits: {len(self.conflicts)}",
        ]
        out += [
            f"    {c.match} {c.table} {c.key}: {c.field}: ours {c.ours!r}, theirs {c.theirs!r}" for c in self.conflicts
        ]
        return out


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def _prefixed(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}


def summarize(spider: str, stats: dict[str, Any]) -> CrawlSummary:
    return CrawlSummary(
        spider=spider,
        pages=int(stats.get("response_received_count", 0)),
        pages_failed=_prefixed(stats, "rstat/pages_failed/"),
        robots_forbidden=int(stats.get("robotstxt/forbidden", 0)),
        retried=int(stats.get("rstat/retried", 0)),
        items=int(stats.get("rstat/items", 0)),
        written=int(stats.get("rstat/written", 0)),
        unchanged=int(stats.get("rstat/unchanged", 0)),
        rows=int(stats.get("rstat/rows", 0)),
        dropped=_prefixed(stats, "rstat/dropped/"),
        conflicts=list(stats.get("rstat/conflicts", [])),
        finish_reason=str(stats.get("finish_reason", "")),
        seconds=round(float(stats.get("elapsed_time_seconds", 0.0)), 3),
    )
