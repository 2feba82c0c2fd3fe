// What the admin API answers about crawl jobs (the generated crawl_jobs resource and its runs) and a match's
// history (the audit trail through the admin app), as the organizer-fake's routes: rows shaped as
// api/admin/resources.py, api/admin/crawl_jobs.py and api/admin/history.py answer them.

import type { CrawlJob, CrawlRun } from "../../src/console/organizer/crawl-words.js";
import type { HistoryEntry } from "../../src/console/organizer/history.js";
import { type Answer, page } from "./organizer-fake.js";

export const NHL_JOB: CrawlJob = {
  id: 5,
  org_id: 1,
  spider: "nhl",
  arguments: { season: "20242025", date: "2024-10-08" },
  every_s: 600,
  timeout_s: 1800,
  enabled: true,
  live: true,
  next_run_at: "2026-09-05T14:10:00Z",
  failures: 0,
  created_at: "2026-09-01T08:00:00Z",
};

export const PAUSED_JOB: CrawlJob = {
  id: 6,
  org_id: 1,
  spider: "football-data",
  arguments: { season: "2324", division: "E0" },
  every_s: 86_400,
  timeout_s: 1800,
  enabled: false,
  live: false,
  next_run_at: "2026-09-06T00:00:00Z",
  failures: 2,
  created_at: "2026-09-01T08:00:00Z",
};

/** the NHL job's last run: a summary as crawlers/summary.py writes it, with drops and a conflict */
export const NHL_RUN: CrawlRun = {
  id: 41,
  job_id: 5,
  started_at: "2026-09-05T14:00:00Z",
  ended_at: "2026-09-05T14:00:12Z",
  outcome: "succeeded",
  summary: {
    spider: "nhl",
    pages: 12,
    pages_failed: { http_404: 1 },
    robots_forbidden: 0,
    retried: 0,
    items: 9,
    written: 7,
    unchanged: 1,
    rows: 120,
    dropped: { unknown_team: 1, no_score: 2 },
    conflicts: [{ match: "nhl:2024020003", table: "matches", key: "2024020003", field: "attendance", ours: 5000, theirs: 5100 }],
    finish_reason: "finished",
    seconds: 12.1,
  },
  error: null,
};

export const FAILED_RUN: CrawlRun = {
  id: 40,
  job_id: 6,
  started_at: "2026-09-04T00:00:00Z",
  ended_at: "2026-09-04T00:00:03Z",
  outcome: "failed",
  summary: {},
  error: "football-data: --season: 2399 is not a season",
};

/** runs of a job: its newest for limit=1, else a page of `total` runs (ids counting down) */
export function runsOf(newest: CrawlRun | null, total = newest ? 1 : 0): Answer {
  return (sent) => {
    const limit = Number(sent.url.searchParams.get("limit") ?? 50);
    const offset = Number(sent.url.searchParams.get("offset") ?? 0);
    const all = newest === null ? [] : Array.from({ length: total }, (_, i) => ({ ...newest, id: newest.id - i }));
    return { body: { items: all.slice(offset, offset + limit), total, limit, offset } };
  };
}

export function crawlRoutes(jobs: CrawlJob[] = [NHL_JOB, PAUSED_JOB]): Record<string, Answer> {
  return {
    "GET /v1/orgs/1/crawl_jobs": page(jobs),
    "GET /v1/orgs/1/crawl_jobs/5/runs": runsOf(NHL_RUN, 23),
    "GET /v1/orgs/1/crawl_jobs/6/runs": runsOf(FAILED_RUN),
  };
}

/** a match's history, newest first: a goal deleted through the API, a change by hand in SQL, a crawler's
 * score, the match created */
export const ENTRIES: HistoryEntry[] = [
  {
    table: "match_events",
    id: 77,
    op: "d",
    at: "2026-09-05T15:10:00Z",
    actor: "ann@example.org",
    actor_id: "user:1",
    source: "admin-api",
    request_id: "r-3",
    changes: [
      { field: "kind", from: "goal", to: null },
      { field: "minute", from: 10, to: null },
    ],
  },
  {
    table: "matches",
    id: 30,
    op: "u",
    at: "2026-09-05T15:05:00Z",
    actor: "by hand in SQL",
    actor_id: "",
    source: "",
    request_id: "",
    changes: [{ field: "attendance", from: null, to: 5000 }],
  },
  {
    table: "matches",
    id: 30,
    op: "u",
    at: "2026-09-05T15:00:00Z",
    actor: "crawler: nhl",
    actor_id: "crawler:nhl",
    source: "crawler:nhl",
    request_id: "run-41",
    changes: [
      { field: "home_score", from: null, to: 1 },
      { field: "status", from: "scheduled", to: "live" },
    ],
  },
];

/** the history route of match 30: `total` entries (ENTRIES, then copies), paged as the API pages */
export function historyOf(total = ENTRIES.length): Answer {
  return (sent) => {
    const limit = Number(sent.url.searchParams.get("limit") ?? 50);
    const offset = Number(sent.url.searchParams.get("offset") ?? 0);
    const all = Array.from({ length: total }, (_, i) => ENTRIES[i % ENTRIES.length]);
    return { body: { items: all.slice(offset, offset + limit), total, limit, offset } };
  };
}

export const AUDIT_AWAY: Answer = {
  status: 503,
  body: { status_code: 503, error: "unavailable", detail: "the audit (rstat audit, http://127.0.0.1:8405) does not answer: connection refused" },
};

export const MATCH_30 = { id: 30, stage_id: 7, round: 3, home_team_id: 10, away_team_id: 11, status: "live" };
