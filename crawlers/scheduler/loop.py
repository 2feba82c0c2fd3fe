"""``rstat scheduler``: runs the crawl jobs when they are due, one at a time per site, each as a process of
its own with a timeout, records each run (start, end, outcome, the crawl's counts), retries failures with
backoff, and follows the live windows of the games the ``live`` jobs imported.

One scheduler per database: it holds an advisory lock while it runs, and a second one says so and stops.
Runs a stopped scheduler left ``running`` are recorded as failed when it starts again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from urllib.parse import urlsplit

from crawlers.arguments import ARGUMENTS, default_url
from crawlers.config import CrawlersConfig
from crawlers.errors import CrawlError
from crawlers.scheduler.jobs import Job, JobStore
from crawlers.scheduler.live import HttpGet, LiveFollower
from crawlers.scheduler.runs import CrawlProcess
from crawlers.store.session import Conn

__all__ = ["Scheduler", "SchedulerBusyError", "site_of"]

log = logging.getLogger(__name__)

LOCK_ID = 0x7273746174 + 9  # "rstat" + the crawl jobs' migration: one scheduler per database


class SchedulerBusyError(CrawlError):
    """Another scheduler already runs the crawl jobs of this database."""


def site_of(job: Job) -> str:
    """The site a job reads (its ``url`` argument's host, or the spider's own): one run at a time per site."""
    if job.arguments.get("pages"):
        return "saved pages"
    url = str(job.arguments.get("url") or default_url(job.spider))
    return urlsplit(url).netloc or url


class Scheduler:
    def __init__(
        self,
        config: CrawlersConfig,
        conn: Conn,
        *,
        crawl_argv: list[str],
        get: HttpGet,
        env: dict[str, str] | None = None,
    ) -> None:
        self.config = config
        self.conn = conn
        self.store = JobStore(conn)
        self.crawl_argv = crawl_argv
        self.env = env
        self.follower = LiveFollower(conn, get, config)
        self.running: dict[int, CrawlProcess] = {}

    def run(self, stop: threading.Event) -> None:
        """Until ``stop`` is set; then the running crawls are stopped and recorded as failed."""
        if not self.conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (LOCK_ID,)).fetchone()["ok"]:  # type: ignore[index]
            raise SchedulerBusyError("another rstat scheduler runs the crawl jobs of this database: stop it first")
        abandoned = self.store.abandon_runs()
        if abandoned:
            log.warning("recorded %d runs left running by a scheduler that stopped as failed", abandoned)
        log.info("scheduler: running crawl jobs (tick %.1f s, live polls every %.0f s)", self.config.tick_s,
                 self.config.live_interval_s)  # fmt: skip
        try:
            while not stop.is_set():
                self.tick()
                stop.wait(self.config.tick_s)
        finally:
            for process in self.running.values():
                process.stop()
            self._collect(everything=True)

    def tick(self) -> None:
        self._collect()
        busy = {site_of(p.job) for p in self.running.values()}
        for job in self.store.due():
            site = site_of(job)
            if job.id in self.running or site in busy or job.spider not in ARGUMENTS:
                continue
            busy.add(site)
            run_id = self.store.start_run(job)
            self.running[job.id] = CrawlProcess(job, run_id, self.crawl_argv, self.env)
        lead = dt.timedelta(minutes=self.config.live_lead_min)
        for job in self.store.live_jobs():
            self.follower.follow(job, self.store.live_games(job, lead))
        self.follower.poll_due()

    def _collect(self, *, everything: bool = False) -> None:
        for job_id, process in list(self.running.items()):
            if not (process.poll() or everything):
                continue
            process.wait()
            outcome, summary, error = process.result()
            if everything and outcome == "failed":
                error = "the scheduler stopped during the run"
            self.store.finish_run(
                process.job,
                process.run_id,
                outcome=outcome,
                summary=summary,
                error=error,
                retry=(self.config.retry_base_s, self.config.retry_max_s),
            )
            del self.running[job_id]
            log.info("crawl job %d (%s): run %d %s: %s", job_id, process.job.spider, process.run_id, outcome,
                     _counts(summary) if summary else (error or "").splitlines()[0:1])  # fmt: skip


def _counts(summary: dict[str, object]) -> str:
    keys = ("pages", "items", "written", "unchanged", "dropped")
    return ", ".join(f"{k} {summary.get(k)}" for k in keys if k in summary)
