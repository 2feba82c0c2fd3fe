"""The operations page's scrapes over fake endpoints (httpx's MockTransport): labels as Prometheus gives
them, `up` and health, a down process's error in words, stale series, shared scrapes; and who may read."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from api.auth import Principal
from api.errors import ForbiddenError
from api.ops.promql import evaluate, parse
from api.ops.routes import require_owner
from api.ops.scrape import Scraper

CDC = "http://127.0.0.1:9401/metrics"
STREAMS = "http://127.0.0.1:9402/metrics"


class Endpoints:
    def __init__(self) -> None:
        self.changes = 0
        self.cdc_healthy = True
        self.streams_up = True
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if request.url.port == 9402 and not self.streams_up:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path == "/healthz":
            ok = self.cdc_healthy or request.url.port != 9401
            return httpx.Response(200 if ok else 503, text="ok\n" if ok else "not streaming\n")
        text = (
            f'# TYPE rstat_cdc_changes_total counter\nrstat_cdc_changes_total{{table="goals",op="c"}} {self.changes}\n'
        )
        return httpx.Response(200, text=text)


def scraper(endpoints: Endpoints) -> Scraper:
    return Scraper(
        {"rstat-cdc": CDC, "rstat-streams": STREAMS},
        timeout_s=1,
        min_interval_s=1,
        keep_s=600,
        transport=httpx.MockTransport(endpoints),
    )


def test_scrapes_label_samples_and_answer_rates() -> None:
    endpoints = Endpoints()
    s = scraper(endpoints)
    asyncio.run(s.scrape(now=100.0))
    endpoints.changes = 40
    now = asyncio.run(s.scrape(now=102.0))
    rate = evaluate(parse('sum by (job) (rate(rstat_cdc_changes_total{job="rstat-cdc"}[1m]))'), s.current(), now)
    # 40 changes in the 2 s the page has seen of the minute: like a Prometheus just started, the rate is what
    # was seen per minute (the counter started at 0, so nothing is extrapolated before the first scrape)
    assert rate == {(("job", "rstat-cdc"),): pytest.approx(40 / 60)}
    assert s.history_s == 2.0
    up = evaluate(parse("up"), s.current(), now)
    assert sorted(dict(labels)["job"] for labels, value in up.items() if value == 1.0) == ["rstat-cdc", "rstat-streams"]
    assert {dict(labels)["instance"] for labels in s.current()} == {"127.0.0.1:9401", "127.0.0.1:9402"}


def test_a_down_or_unhealthy_process_says_why() -> None:
    endpoints = Endpoints()
    s = scraper(endpoints)
    asyncio.run(s.scrape(now=100.0))
    endpoints.streams_up = False
    endpoints.cdc_healthy = False
    now = asyncio.run(s.scrape(now=105.0))
    streams, cdc = s.health["rstat-streams"], s.health["rstat-cdc"]
    assert (streams.up, streams.healthy) == (False, None)
    assert "connection refused" in streams.error
    assert (cdc.up, cdc.healthy) == (True, False)
    assert "503" in cdc.error
    assert "not streaming" in cdc.error
    # the process that is down has only its `up` left: its other series are stale
    jobs = {dict(labels)["job"] for labels in s.current() if dict(labels)["__name__"] != "up"}
    assert jobs == {"rstat-cdc"}
    assert evaluate(parse('up{job="rstat-streams"}'), s.current(), now) == {
        (("__name__", "up"), ("instance", "127.0.0.1:9402"), ("job", "rstat-streams")): 0.0
    }


def test_requests_close_together_share_a_scrape_and_old_samples_are_forgotten() -> None:
    endpoints = Endpoints()
    s = scraper(endpoints)
    asyncio.run(s.scrape(now=100.0))
    seen = endpoints.requests
    assert asyncio.run(s.scrape(now=100.5)) == 100.0
    assert endpoints.requests == seen
    asyncio.run(s.scrape(now=800.0))
    assert all(len(points) == 1 for points in s.current().values())


def test_only_owners_read_the_operations_metrics() -> None:
    require_owner(Principal(subject="1", orgs={1: "viewer", 2: "owner"}))
    for orgs in ({}, {1: "editor"}, {1: "viewer", 2: "scorer"}):
        with pytest.raises(ForbiddenError):
            require_owner(Principal(subject="1", orgs=orgs))


def test_scrapes_go_on_while_the_page_watches_and_stop_when_it_leaves() -> None:
    endpoints = Endpoints()
    s = Scraper(
        {"rstat-cdc": CDC},
        timeout_s=1,
        min_interval_s=0,
        keep_s=600,
        interval_s=0.01,
        idle_s=0.2,
        transport=httpx.MockTransport(endpoints),
    )

    async def watch() -> tuple[int, bool]:
        await s.watched()
        deadline = time.monotonic() + 30
        while len(s.times) < 3 and time.monotonic() < deadline:  # polls for the background scrapes
            await asyncio.sleep(0.01)
        scraped = len(s.times)
        task = s._task
        assert task is not None
        await asyncio.wait_for(task, 30)  # ends by itself once nobody has asked for idle_s
        return scraped, task.done()

    scraped, ended = asyncio.run(watch())
    assert scraped >= 3
    assert ended
