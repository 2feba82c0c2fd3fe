-- Crawlers: what the last crawl wrote to each row it maps, crawl jobs and their runs.
--
-- external_ids.crawled holds, per mapped row, the values the last crawl wrote to it (JSON form). A field
-- whose value differs from it now was edited by hand since: a later crawl keeps that edit and reports the
-- conflict (field, ours, theirs) instead of overwriting it.
ALTER TABLE external_ids
    ADD COLUMN crawled jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(crawled) = 'object');
-- a match's events and line-ups are mapped as '<match key>/<event key>': found by prefix
CREATE INDEX external_ids_prefix_idx ON external_ids (org_id, source, kind, external_id text_pattern_ops);

-- A crawl job: a spider run with its arguments every `every_s` seconds (rstat scheduler runs it as its own
-- process, at most one at a time per site). `live`: the NHL games it imported are also followed from their
-- kick-off until final (their play-by-play polled). `next_run_at` is when it runs next (set it to now() to
-- run it at once); `failures` counts the failed runs in a row, which push the next try further out.
CREATE TABLE crawl_jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    spider       text NOT NULL CHECK (spider IN ('nhl', 'football-data', 'openfootball', 'fbref')),
    arguments    jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(arguments) = 'object'),
    every_s      integer NOT NULL DEFAULT 86400 CHECK (every_s > 0),
    timeout_s    integer NOT NULL DEFAULT 1800 CHECK (timeout_s > 0),
    enabled      boolean NOT NULL DEFAULT true,
    live         boolean NOT NULL DEFAULT false CONSTRAINT crawl_jobs_live_nhl_only CHECK (NOT live OR spider = 'nhl'),
    next_run_at  timestamptz NOT NULL DEFAULT now(),
    failures     integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crawl_jobs_due_idx ON crawl_jobs (next_run_at) WHERE enabled;

-- One run of a job: its outcome and the crawl's summary (pages, items, written, unchanged, dropped by
-- reason, conflicts), or what went wrong.
CREATE TABLE crawl_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id      bigint NOT NULL REFERENCES crawl_jobs ON DELETE CASCADE,
    started_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    outcome     text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed', 'timed_out')),
    summary     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(summary) = 'object'),
    error       text,
    CHECK ((outcome = 'running') = (ended_at IS NULL))
);
CREATE INDEX crawl_runs_job_idx ON crawl_runs (job_id, started_at DESC);
