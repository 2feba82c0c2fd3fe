-- Materialized standings, written by the stream processor's materializer and read by the public API.
-- One indexed query per table: WHERE stage_id = $1 AND group_key = $2 ORDER BY position.
-- group_key is the group's id, or 0 for a stage played as a single table.

CREATE TABLE stats.standings (
    stage_id       bigint NOT NULL,
    group_key      bigint NOT NULL DEFAULT 0,
    position       smallint NOT NULL,
    rank           smallint NOT NULL,
    team_id        bigint NOT NULL,
    played         smallint NOT NULL,
    won            smallint NOT NULL,
    drawn          smallint NOT NULL,
    lost           smallint NOT NULL,
    ot_won         smallint NOT NULL,
    ot_lost        smallint NOT NULL,
    goals_for      integer NOT NULL,
    goals_against  integer NOT NULL,
    goal_diff      integer NOT NULL,
    points         integer NOT NULL,
    points_pct     double precision NOT NULL,
    decided_by     text NOT NULL,
    unresolved     boolean NOT NULL,
    PRIMARY KEY (stage_id, group_key, position)
);

-- What each materialized table reflects: the stage state's version (how many changes it has taken in; an
-- older or replayed table is not written) and the (commit_lsn, ordinal) of the newest change in it.
CREATE TABLE stats.standings_versions (
    stage_id    bigint NOT NULL,
    group_key   bigint NOT NULL DEFAULT 0,
    version     bigint NOT NULL,
    commit_lsn  bigint NOT NULL,
    ordinal     bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stage_id, group_key)
);
