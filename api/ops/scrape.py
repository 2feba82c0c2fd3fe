"""The operations page's scrapes: each process's /metrics and /healthz, read concurrently with a short
timeout, kept in memory long enough to compute rates, like a tiny Prometheus with one reader.

Scrapes start when the page first asks and go on every ``interval_s`` in the background while someone
watches, stopping ``idle_s`` after the last request: nobody watching costs nothing, and a page opened again
within that time finds its rate windows full. Requests closer than ``min_interval_s`` share a scrape. Like a
Prometheus that has just started, the first minutes hold less than a panel's window: its rates are
extrapolated from what there is (``history_s`` tells the page how much). Each sample gets the ``job`` and
``instance`` labels Prometheus would give it, and each target an ``up`` series (1 when its /metrics
answered), so the panels' expressions read the same here as in Grafana.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from prometheus_client.parser import text_string_to_metric_families

from api.ops.promql import Labels

__all__ = ["Health", "Scraper", "parse_metrics"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    """What the last scrape of one process found."""

    job: str
    url: str
    #: its /metrics answered 200
    up: bool
    #: its /healthz answered 200 (None: it has no /healthz, or /metrics is down anyway)
    healthy: bool | None
    #: why it is down or unhealthy, in words; empty when all is well
    error: str
    scraped_at: float
    duration_s: float


def parse_metrics(text: str, extra: Mapping[str, str]) -> dict[Labels, float]:
    """The samples of an exposition text, each labelled with ``extra``; ``_created`` samples (timestamps
    of the counters' creation, which no panel reads) are left out."""
    found: dict[Labels, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            labels = {**sample.labels, **extra, "__name__": sample.name}
            found[tuple(sorted(labels.items()))] = float(sample.value)
    return found


def _why(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused"
    return str(exc) or type(exc).__name__


class Scraper:
    def __init__(
        self,
        targets: Mapping[str, str],
        *,
        timeout_s: float,
        min_interval_s: float,
        keep_s: float,
        interval_s: float = 2.0,
        idle_s: float = 600.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.targets = dict(targets)
        self.transport = transport  # a fake in unit tests
        self.timeout_s, self.min_interval_s, self.keep_s = timeout_s, min_interval_s, keep_s
        self.series: dict[Labels, deque[tuple[float, float]]] = {}
        self.health: dict[str, Health] = {}
        self.interval_s, self.idle_s = interval_s, idle_s
        self.last = 0.0
        self.times: deque[float] = deque()  # the scrapes kept
        self.asked = 0.0  # monotonic time of the last request
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def watched(self) -> float:
        """A request of the page: scrape unless the last scrape is recent, keep scraping in the background
        while requests come; returns the time of the scrape in use."""
        self.asked = time.monotonic()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._background())
        return await self.scrape()

    async def _background(self) -> None:
        while time.monotonic() - self.asked < self.idle_s:
            await asyncio.sleep(self.interval_s)
            try:
                await self.scrape()
            except Exception:  # a scrape's own failures are in its health; anything else must not end the loop
                log.exception("background scrape failed")

    @property
    def history_s(self) -> float:
        """Seconds between the oldest scrape kept and the newest."""
        return self.times[-1] - self.times[0] if self.times else 0.0

    async def scrape(self, now: float | None = None) -> float:
        """Scrape every target unless the last scrape is recent; returns the time of the scrape in use."""
        async with self._lock:
            started = time.time() if now is None else now
            if started - self.last < self.min_interval_s:
                return self.last
            async with httpx.AsyncClient(timeout=self.timeout_s, transport=self.transport) as client:
                found = await asyncio.gather(*(self._one(client, job, url) for job, url in self.targets.items()))
            for health, samples in found:
                self.health[health.job] = health
                for labels, value in samples.items():
                    self.series.setdefault(labels, deque()).append((started, value))
            self.times.append(started)
            self._forget(started)
            self.last = started
            return started

    async def _one(self, client: httpx.AsyncClient, job: str, url: str) -> tuple[Health, dict[Labels, float]]:
        began = time.monotonic()
        extra = {"job": job, "instance": urlsplit(url).netloc}
        samples: dict[Labels, float] = {}
        up, healthy, error = False, None, ""
        try:
            answer = await client.get(url)
            if answer.status_code != 200:
                error = f"/metrics answered {answer.status_code}"
            else:
                samples = parse_metrics(answer.text, extra)
                up = True
        except (httpx.HTTPError, ValueError) as exc:  # ValueError: not an exposition text
            error = f"{url}: {_why(exc)}"
        if up:
            health_url = url.rsplit("/", 1)[0] + "/healthz"
            try:
                answer = await client.get(health_url)
                healthy = answer.status_code == 200
                if not healthy:
                    error = f"/healthz answered {answer.status_code}: {answer.text.strip()[:200]}"
            except httpx.HTTPError as exc:
                healthy, error = False, f"{health_url}: {_why(exc)}"
        samples[tuple(sorted({**extra, "__name__": "up"}.items()))] = 1.0 if up else 0.0
        duration = time.monotonic() - began
        return Health(job, url, up, healthy, error, time.time(), duration), samples

    def _forget(self, now: float) -> None:
        """Drop samples older than ``keep_s``; a series none of whose samples is left goes too."""
        horizon = now - self.keep_s
        while self.times and self.times[0] < horizon:
            self.times.popleft()
        for labels in list(self.series):
            points = self.series[labels]
            while points and points[0][0] < horizon:
                points.popleft()
            if not points:
                del self.series[labels]

    def current(self) -> dict[Labels, list[tuple[float, float]]]:
        """The samples the panels read: a series not in the last scrape of its target ends there (a
        restarted process's old series, a partition no longer lagging), as Prometheus marks it stale."""
        return {labels: list(points) for labels, points in self.series.items() if points and points[-1][0] >= self.last}
