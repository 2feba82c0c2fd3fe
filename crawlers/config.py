"""The crawlers' and the scheduler's configuration section (``RSTAT__CRAWLERS__*``), composed by ``rstat.settings``."""

from __future__ import annotations

import msgspec

__all__ = ["CrawlersConfig"]


class CrawlersConfig(msgspec.Struct, frozen=True, kw_only=True):
    """How the spiders behave towards the sites, and how ``rstat scheduler`` runs them."""

    #: User-Agent of every request: names the bot and where to read about it, as the sites ask.
    user_agent: str = "R-Stat-crawler/0.1 (+https://github.com/rstat/rstat; sports statistics importer)"
    #: Obey each site's robots.txt (never turn this off against a real site).
    obey_robots: bool = True
    #: Seconds between two requests to FBref, which answers about 10 a minute and blocks for a day beyond.
    fbref_delay_s: float = 6.0
    #: Seconds between two requests to the other sites (their own limits are far higher).
    delay_s: float = 0.25
    #: Times a request answered 429 or 5xx is tried again (each after a longer pause) before it counts as failed.
    retries: int = 4
    #: Seconds of the first pause after a 429 or 5xx that says no Retry-After; it doubles with each retry.
    backoff_s: float = 2.0
    #: Longest pause a 429's Retry-After header may impose on one site, in seconds; longer ones fail the request.
    max_retry_after_s: float = 300.0
    #: Folder of Scrapy's HTTP cache (``--cache``); empty: ``<stack home>/crawl-cache``.
    cache_dir: str = ""
    #: Seconds between two polls of the scheduler for due jobs and live windows.
    tick_s: float = 1.0
    #: Seconds between two polls of a live game's play-by-play (the NHL updates it every 10-20 s).
    live_interval_s: float = 15.0
    #: Minutes before its kick-off a game's live window opens (line-ups are often known by then).
    live_lead_min: int = 30
    #: Longest pause between polls of a live game after 429s and 5xx (doubling from the interval).
    live_max_backoff_s: float = 300.0
    #: First retry of a failed crawl job after this many seconds, doubling on each further failure.
    retry_base_s: float = 60.0
    #: Longest pause before retrying a failed job (its schedule takes over when it is shorter).
    retry_max_s: float = 3600.0
