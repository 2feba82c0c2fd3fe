"""What every spider shares: typed arguments (``--url`` and the competition and season to crawl), the
accounting of failed pages, and Scrapy's conventions (parsers are pure functions of a page's text in
:mod:`crawlers.parsers`; the spiders only fetch and yield, the pipelines write)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

import msgspec
import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.arguments import ARGUMENTS
from crawlers.items import Rejected
from crawlers.parsers.common import RecordError

#: the download slot of pages read from disk (no pace to keep: crawlers.run gives it none)
SAVED_PAGES = "saved-pages"

__all__ = ["SiteSpider", "decode"]

A = TypeVar("A", bound=msgspec.Struct)


def decode(response: Response) -> str:
    """A text file's content: UTF-8 (a byte-order mark dropped), or Latin-1 for older files that are not."""
    try:
        return response.body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return response.body.decode("latin-1")


class SiteSpider(scrapy.Spider, Generic[A]):
    """A spider of one site. Its arguments (:mod:`crawlers.arguments`, by the spider's name) are given as
    ``args=`` (typed, by ``rstat crawl``) or as Scrapy's ``-a name=value`` strings."""

    def __init__(self, args: msgspec.Struct | None = None, **kwargs: Any) -> None:
        spec = ARGUMENTS[self.name]
        raw = {k: v for k, v in kwargs.items() if k in spec.args.__struct_fields__}
        super().__init__(**{k: v for k, v in kwargs.items() if k not in raw})
        if args is None:
            args = spec.parse(raw)
        else:
            spec.check(args)
        self.args = cast(A, args)

    @property
    def base_url(self) -> str:
        return str(getattr(self.args, "url")).rstrip("/")  # noqa: B009 - every Args has a url field

    def request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request:
        meta = {"download_slot": SAVED_PAGES} if url.startswith("file:") else {}
        return scrapy.Request(
            url, callback=callback, errback=self.failed, cb_kwargs=cb_kwargs, dont_filter=True, meta=meta
        )

    def failed(self, failure: Failure) -> None:
        """A page that could not be had (after the retries): counted by reason, the crawl goes on."""
        if isinstance(failure.value, HttpError):
            response = failure.value.response
            reason = f"http_{response.status}"
            url = response.url
        else:
            reason = type(failure.value).__name__
            url = getattr(getattr(failure, "request", None), "url", "?")
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("rstat/pages_failed")
        self.crawler.stats.inc_value(f"rstat/pages_failed/{reason}")
        self.logger.warning("%s: page failed (%s): %s", self.name, reason, url)

    def rejected(self, url: str, where: str, exc: RecordError) -> Rejected:
        return Rejected(source=self.name, url=url, where=where, reason=exc.reason, detail=exc.detail)
