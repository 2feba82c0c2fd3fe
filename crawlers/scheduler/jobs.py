"""The scheduler's rows: crawl jobs (due ones, their next run), their runs, and the games in a live window.

Every write here is attributed like any other (``rstat.context``, source ``scheduler``), so the audit shows
who started and ended each run.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec
import psycopg
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

__all__ = ["Job", "JobStore", "LiveGame", "backoff_s"]

Conn = psycopg.Connection[DictRow]
CONTEXT = json.dumps({"actor": "scheduler", "request_id": "", "source": "scheduler"})


class Job(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    org_id: int
    spider: str
    arguments: dict[str, Any]
    every_s: int
    timeout_s: int
    live: bool
    failures: int


class LiveGame(msgspec.Struct, frozen=True):
    match_id: int
    game_id: str


def backoff_s(failures: int, base_s: float, longest_s: float) -> float:
    """Seconds before retrying after ``failures`` failed runs in a row: doubling from ``base_s``."""
    return float(min(longest_s, base_s * 2 ** max(0, failures - 1)))


class JobStore:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def _write(self, query: str, params: Any) -> psycopg.Cursor[DictRow]:
        with self.conn.transaction():
            self.conn.execute("SELECT pg_logical_emit_message(true, 'rstat.context', %s)", (CONTEXT,))
            return self.conn.execute(query, params)

    def due(self) -> list[Job]:
        rows = self.conn.execute(
            "SELECT id, org_id, spider, arguments, every_s, timeout_s, live, failures FROM crawl_jobs "
            "WHERE enabled AND next_run_at <= now() ORDER BY next_run_at, id"
        ).fetchall()
        return [msgspec.convert(r, Job) for r in rows]

    def live_jobs(self) -> list[Job]:
        rows = self.conn.execute(
            "SELECT id, org_id, spider, arguments, every_s, timeout_s, live, failures FROM crawl_jobs "
            "WHERE enabled AND live ORDER BY id"
        ).fetchall()
        return [msgspec.convert(r, Job) for r in rows]

    def start_run(self, job: Job) -> int:
        row = self._write("INSERT INTO crawl_runs (job_id) VALUES (%s) RETURNING id", (job.id,)).fetchone()
        assert row is not None
        return int(row["id"])

    def finish_run(
        self,
        job: Job,
        run_id: int,
        *,
        outcome: str,
        summary: dict[str, Any],
        error: str | None,
        retry: tuple[float, float],
    ) -> None:
        """Record the run's end; the job runs again after its interval, or sooner after a failure (backoff)."""
        failed = outcome != "succeeded"
        failures = job.failures + 1 if failed else 0
        wait = min(float(job.every_s), backoff_s(failures, *retry)) if failed else float(job.every_s)
        with self.conn.transaction():
            self.conn.execute("SELECT pg_logical_emit_message(true, 'rstat.context', %s)", (CONTEXT,))
            self.conn.execute(
                "UPDATE crawl_runs SET ended_at = now(), outcome = %s, summary = %s, error = %s WHERE id = %s",
                (outcome, Jsonb(summary), error, run_id),
            )
            self.conn.execute(
                "UPDATE crawl_jobs SET failures = %s, next_run_at = now() + make_interval(secs => %s) WHERE id = %s",
                (failures, wait, job.id),
            )

    def abandon_runs(self) -> int:
        """Runs left ``running`` by a scheduler that stopped without ending them: failed."""
        cursor = self._write(
            "UPDATE crawl_runs SET ended_at = now(), outcome = 'failed', "
            "error = 'the scheduler stopped during the run' WHERE outcome = 'running'",
            None,
        )
        return cursor.rowcount

    def live_games(self, job: Job, lead: dt.timedelta) -> list[LiveGame]:
        """The job's organization's NHL games from ``lead`` before their kick-off until they are final."""
        rows = self.conn.execute(
            "SELECT m.id, e.external_id FROM external_ids e JOIN matches m ON m.id = e.internal_id "
            "JOIN stages st ON st.id = m.stage_id JOIN seasons s ON s.id = st.season_id "
            "JOIN competitions c ON c.id = s.competition_id AND c.org_id = e.org_id "
            "WHERE e.org_id = %s AND e.source = %s AND e.kind = 'match' AND m.status IN ('scheduled', 'live') "
            "AND m.kickoff <= now() + %s ORDER BY m.kickoff, m.id",
            (job.org_id, job.spider, lead),
        ).fetchall()
        return [LiveGame(int(r["id"]), str(r["external_id"])) for r in rows]
