"""The item pipelines, in order: check (drop a bad item with its reason), then the outputs the crawl was
given (:class:`crawlers.outputs.Outputs`): the JSON-lines file, the results CSV, the database.

Side effects live here only (the spiders and parsers write nothing). A dropped item is counted per reason
(``rstat/dropped/<reason>`` in the crawl's stats, the summary's ``dropped``) and never half-written: the
database pipeline writes a match and its protocol in one transaction (:mod:`crawlers.store.writer`).
"""

from __future__ import annotations

import csv
import logging
from typing import IO, Any, NoReturn, Self

import msgspec
import psycopg
from psycopg.rows import dict_row
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from crawlers.errors import InvalidItemError
from crawlers.items import MatchItem, Rejected
from crawlers.outputs import Outputs
from crawlers.results_io import RSTAT_CSV_HEADER
from crawlers.store.writer import MatchWriter
from crawlers.validate import validate

__all__ = ["CheckPipeline", "DatabasePipeline", "JsonLinesPipeline", "ResultsCsvPipeline"]

log = logging.getLogger(__name__)


def _outputs(crawler: Crawler) -> Outputs:
    outputs = crawler.settings.get("RSTAT_OUTPUTS")
    if not isinstance(outputs, Outputs):
        raise NotConfigured  # not a crawl of ours (no outputs given)
    return outputs


def _stats(crawler: Crawler) -> StatsCollector:
    assert crawler.stats is not None
    return crawler.stats


def drop(stats: StatsCollector, reason: str, detail: str) -> NoReturn:
    stats.inc_value(f"rstat/dropped/{reason}")
    raise DropItem(f"{reason}: {detail}")


class CheckPipeline:
    """Every item the spiders yield is counted here; records the parsers rejected and items that break a
    rule (:func:`crawlers.validate.validate`) go no further."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = _stats(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> MatchItem:
        self.stats.inc_value("rstat/items")
        if isinstance(item, Rejected):
            drop(self.stats, item.reason, f"{item.url} {item.where}: {item.detail}")
        if not isinstance(item, MatchItem):
            drop(self.stats, "unknown_item", repr(type(item)))
        try:
            return validate(item)
        except InvalidItemError as exc:
            drop(self.stats, exc.reason, exc.detail)


class JsonLinesPipeline:
    """``--output FILE.jsonl``: one JSON object per item (the fields of :class:`crawlers.items.MatchItem`)."""

    def __init__(self, crawler: Crawler) -> None:
        path = _outputs(crawler).jsonl
        if path is None:
            raise NotConfigured  # no --output (said without a message: not worth a warning)
        self.path = path
        self.file: IO[bytes] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.file = self.path.open("wb")

    def process_item(self, item: MatchItem) -> MatchItem:
        assert self.file is not None
        self.file.write(msgspec.json.encode(item) + b"\n")
        return item

    def close_spider(self) -> None:
        if self.file is not None:
            self.file.close()


class ResultsCsvPipeline:
    """``--results-csv FILE``: the finished and awarded matches as the R-Stat results CSV (``rstat table``)."""

    def __init__(self, crawler: Crawler) -> None:
        path = _outputs(crawler).results_csv
        if path is None:
            raise NotConfigured  # no --results-csv
        self.path = path
        self.rows: list[tuple[str, str, list[Any]]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: MatchItem) -> MatchItem:
        if item.status in ("finished", "awarded") and item.home_score is not None:
            date = item.kickoff.date().isoformat() if item.kickoff else ""
            row = [date, item.round, item.group or "", item.home.name, item.away.name, item.home_score,
                   item.away_score, item.decided_in or "REG"]  # fmt: skip
            self.rows.append((date, item.key, row))
        return item

    def close_spider(self) -> None:
        with self.path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(RSTAT_CSV_HEADER)
            writer.writerows(row for _date, _key, row in sorted(self.rows, key=lambda r: (r[0], r[1])))


class DatabasePipeline:
    """``--org``: each match written in its own transaction; unchanged ones write nothing, hand edits are
    kept and reported as conflicts, a match a rule refuses is dropped whole."""

    def __init__(self, crawler: Crawler) -> None:
        self.outputs = _outputs(crawler)
        if self.outputs.org_id is None:
            raise NotConfigured  # no --org
        self.stats = _stats(crawler)
        self.source = crawler.spidercls.name
        self.conn: psycopg.Connection[Any] | None = None
        self.writer: MatchWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        assert self.outputs.org_id is not None
        self.conn = psycopg.connect(self.outputs.dsn() or "", autocommit=True, row_factory=dict_row)
        self.writer = MatchWriter(
            self.conn, self.outputs.org_id, self.source, actor=self.outputs.actor, request_id=self.outputs.request_id
        )
        self.stats.set_value("rstat/conflicts", [])

    def process_item(self, item: MatchItem) -> MatchItem:
        assert self.writer is not None
        try:
            outcome = self.writer.write(item)
        except InvalidItemError as exc:
            drop(self.stats, exc.reason, exc.detail)
        self.stats.inc_value("rstat/written" if outcome.rows else "rstat/unchanged")
        self.stats.inc_value("rstat/rows", outcome.rows)
        if outcome.conflicts:
            self.stats.get_value("rstat/conflicts").extend(outcome.conflicts)
            for c in outcome.conflicts:
                log.warning("conflict in %s %s %s: %s is %r here, %r on the site (kept)", c.match, c.table, c.key,
                            c.field, c.ours, c.theirs)  # fmt: skip
        return item

    def close_spider(self) -> None:
        if self.conn is not None:
            self.conn.close()
