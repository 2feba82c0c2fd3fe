"""Live windows: from a game's kick-off (a little before: ``live_lead_min``) until it is final, its
play-by-play is polled every ``live_interval_s``; each poll is parsed and written like a crawled page (one
transaction, unchanged plays write nothing), so a new play is a match event in PostgreSQL within one poll
and its goal reaches the statistics, the live feed and Telegram as a scorer's entry would.

A 429 or 5xx (or no answer) pushes the next poll of that game out (the answer's ``Retry-After``, else
doubling up to ``live_max_backoff_s``); the site's robots.txt is obeyed as the spiders obey it.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.robotparser
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit

import httpx
import msgspec

from crawlers.arguments import default_url
from crawlers.config import CrawlersConfig
from crawlers.errors import InvalidItemError
from crawlers.parsers.common import RecordError
from crawlers.parsers.nhl import SOURCE, parse_play_by_play, play_by_play_url
from crawlers.scheduler.jobs import Job, LiveGame
from crawlers.store.session import Conn
from crawlers.store.writer import MatchWriter
from crawlers.validate import validate

__all__ = ["HttpGet", "HttpxGet", "LiveFollower"]

log = logging.getLogger(__name__)

FINAL = ("finished", "awarded", "cancelled", "postponed")


class HttpGet(Protocol):
    """GET a URL: (status, headers, body); raises OSError-like errors (httpx.TransportError) when no answer."""

    def __call__(self, url: str) -> tuple[int, dict[str, str], bytes]: ...


class HttpxGet:
    """:class:`HttpGet` over httpx, naming the bot in its User-Agent."""

    def __init__(self, user_agent: str, timeout_s: float = 10.0) -> None:
        self.client = httpx.Client(headers={"User-Agent": user_agent}, timeout=timeout_s, follow_redirects=True)

    def __call__(self, url: str) -> tuple[int, dict[str, str], bytes]:
        response = self.client.get(url)
        return response.status_code, dict(response.headers), response.content

    def close(self) -> None:
        self.client.close()


class _Followed(msgspec.Struct, kw_only=True):
    job: Job
    game: LiveGame
    url: str
    next_poll: float = 0.0
    failures: int = 0


class LiveFollower:
    def __init__(self, conn: Conn, get: HttpGet, config: CrawlersConfig, clock: Callable[[], float] = time.monotonic):
        self.conn = conn
        self.get = get
        self.config = config
        self.clock = clock
        self.games: dict[tuple[int, str], _Followed] = {}
        self.writers: dict[int, MatchWriter] = {}
        self.robots: dict[str, urllib.robotparser.RobotFileParser] = {}

    def follow(self, job: Job, games: list[LiveGame]) -> None:
        """The games of ``job`` now in their live window (a game already followed keeps its pace)."""
        base = str(job.arguments.get("url") or default_url(SOURCE))
        for game in games:
            key = (job.id, game.game_id)
            if key not in self.games:
                url = play_by_play_url(base, game.game_id)
                self.games[key] = _Followed(job=job, game=game, url=url, next_poll=self.clock())
                log.info("live: following game %s (match %d) at %s", game.game_id, game.match_id, url)

    def poll_due(self) -> None:
        for key, followed in list(self.games.items()):
            if followed.next_poll <= self.clock() and self._poll(followed):
                del self.games[key]

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self.robots:
            parser = urllib.robotparser.RobotFileParser()
            try:
                status, _headers, body = self.get(f"{site}/robots.txt")
            except httpx.HTTPError:
                return True  # asked again at the next poll
            parser.parse(body.decode(errors="replace").splitlines() if status == 200 else [])
            self.robots[site] = parser
        return self.robots[site].can_fetch(self.config.user_agent, url)

    def _later(self, followed: _Followed, wait: float | None, why: str) -> None:
        followed.failures += 1
        backoff = min(self.config.live_max_backoff_s, self.config.live_interval_s * 2**followed.failures)
        delay = backoff if wait is None else min(self.config.live_max_backoff_s, wait)
        followed.next_poll = self.clock() + delay
        log.warning("live: game %s: %s; next poll in %.0f s", followed.game.game_id, why, delay)

    def _poll(self, followed: _Followed) -> bool:
        """Poll one game; whether its window has closed (it is final)."""
        if not self._allowed(followed.url):
            log.error("live: robots.txt forbids %s: not following game %s", followed.url, followed.game.game_id)
            return True
        try:
            status, headers, body = self.get(followed.url)
        except httpx.HTTPError as exc:
            self._later(followed, None, f"no answer ({exc})")
            return False
        if status == 429 or status >= 500:
            retry = headers.get("retry-after") or headers.get("Retry-After")
            self._later(followed, float(retry) if retry and retry.isdigit() else None, f"answered {status}")
            return False
        followed.next_poll = self.clock() + self.config.live_interval_s
        if status != 200:
            log.warning("live: game %s: answered %d", followed.game.game_id, status)
            return False
        followed.failures = 0
        try:
            item = validate(parse_play_by_play(json.loads(body), followed.url))
            outcome = self._writer(followed.job).write(item)
        except (ValueError, RecordError, InvalidItemError) as exc:
            log.warning("live: game %s: not written: %s", followed.game.game_id, exc)
            return False
        if outcome.rows:
            log.info("live: game %s: %s %s-%s, %d rows written", followed.game.game_id, item.status,
                     item.home_score, item.away_score, outcome.rows)  # fmt: skip
        if item.status in FINAL:
            log.info("live: game %s is %s: window closed", followed.game.game_id, item.status)
            return True
        return False

    def _writer(self, job: Job) -> MatchWriter:
        if job.id not in self.writers:
            self.writers[job.id] = MatchWriter(
                self.conn, job.org_id, SOURCE, actor=f"crawl-job:{job.id}", request_id=f"live:{job.id}"
            )
        return self.writers[job.id]
