"""Crawl jobs run as processes of their own (``rstat crawl ...``, given as ``crawl_argv``): a crash or a hang
stays in that process; the scheduler stops it after the job's timeout (SIGTERM to its whole process group,
SIGKILL if it has not ended ``GRACE_S`` later, never blocking the other jobs meanwhile), and reads the
summary it wrote (``--summary-json``) or the end of its log to record the run."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from crawlers.scheduler.jobs import Job

__all__ = ["CrawlProcess", "job_argv"]

log = logging.getLogger(__name__)

#: seconds a stopped crawl gets to end cleanly before it is killed
GRACE_S = 5.0


def job_argv(crawl_argv: list[str], job: Job, run_id: int, summary: Path) -> list[str]:
    """The command of one run: the spider, the organization, attribution, then the job's arguments as options
    (``true``/``false`` become ``--name``/``--no-name``)."""
    argv = [
        *crawl_argv,
        job.spider,
        "--org",
        str(job.org_id),
        "--actor",
        f"crawl-job:{job.id}",
        "--request-id",
        f"crawl-run:{run_id}",
        "--summary-json",
        str(summary),
    ]
    for name, value in sorted(job.arguments.items()):
        option = "--" + name.replace("_", "-")
        if value is True or value == "true":
            argv.append(option)
        elif value is False or value == "false":
            argv.append("--no-" + option[2:])
        elif value is not None:
            argv += [option, str(value)]
    return argv


class CrawlProcess:
    """One run of a job, in a process group of its own."""

    def __init__(self, job: Job, run_id: int, crawl_argv: list[str], env: dict[str, str] | None = None) -> None:
        self.job = job
        self.run_id = run_id
        self.folder = Path(tempfile.mkdtemp(prefix=f"rstat-crawl-{run_id}-"))
        self.summary_path = self.folder / "summary.json"
        self.log_path = self.folder / "crawl.log"
        self.started = time.monotonic()
        self.timed_out = False
        #: when it was asked to stop (time.monotonic())
        self.stopping: float | None = None
        argv = job_argv(crawl_argv, job, run_id, self.summary_path)
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        log.info("crawl job %d (%s): run %d started (pid %d)", job.id, job.spider, run_id, self.proc.pid)

    def poll(self) -> bool:
        """Whether the run is over (asking it to stop when its time is up, killing it when it does not)."""
        if self.proc.poll() is not None:
            return True
        now = time.monotonic()
        if self.stopping is None and now - self.started > self.job.timeout_s:
            self.timed_out = True
            log.warning("crawl job %d: run %d timed out after %d s: stopping it", self.job.id, self.run_id,
                        self.job.timeout_s)  # fmt: skip
            self.stop()
        elif self.stopping is not None and now - self.stopping > GRACE_S:
            self._signal(signal.SIGKILL)
        return self.proc.poll() is not None

    def stop(self) -> None:
        """Ask the crawl to end (Scrapy closes its spider cleanly on SIGTERM)."""
        if self.stopping is None:
            self.stopping = time.monotonic()
            self._signal(signal.SIGTERM)

    def wait(self) -> None:
        """Until it has ended (killed after the grace period)."""
        try:
            self.proc.wait(max(0.0, GRACE_S - (time.monotonic() - (self.stopping or time.monotonic()))))
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.proc.wait()

    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def result(self) -> tuple[str, dict[str, Any], str | None]:
        """(outcome, summary, error) of the finished run; its files are removed."""
        summary: dict[str, Any] = {}
        if self.summary_path.exists():
            summary = json.loads(self.summary_path.read_text())
        tail = self.log_path.read_text(errors="replace").strip().splitlines()[-15:]
        code = self.proc.returncode
        for path in (self.summary_path, self.log_path):
            path.unlink(missing_ok=True)
        self.folder.rmdir()
        if self.timed_out:
            return "timed_out", summary, f"stopped after its timeout of {self.job.timeout_s} s\n" + "\n".join(tail)
        if code == 0:
            return "succeeded", summary, None
        return "failed", summary, f"exit status {code}\n" + "\n".join(tail)
