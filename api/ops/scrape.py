"""The operations page's scrapes: each process's /metrics and /healthz, read concurrently with a short
timeout, kept in memory long enough to compute rates, like a tiny Prometheus with one reader.

Scrapes happen when the page asks (at most one per ``min_interval_s``, shared by concurrent requests), not
on a timer: nobody watching costs nothing. So the first request after a quiet spell has one sample per
series, and the panels made of rates show no value until the next. Each sample gets the ``job`` and
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
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.targets = dict(targets)
        self.transport = transport  # a fake in unit tests
        self.timeout_s, self.min_interval_s, self.keep_s = timeout_s, min_interval_s, keep_s
        self.series: dict[Labels, deque[tuple[float, float]]] = {}
        self.health: dict[str, Health] = {}
        self.last = 0.0
        self._lock = asyncio.Lock()

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
