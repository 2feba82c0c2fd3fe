-- Team records per stage beside its standings: home and away splits and the form of the last five matches.
CREATE TABLE stats.team_records (
    stage_id            bigint NOT NULL,
    team_id             bigint NOT NULL,
    home_played         smallint NOT NULL,
    home_won            smallint NOT NULL,
    home_drawn          smallint NOT NULL,
    home_lost           smallint NOT NULL,
    home_goals_for      integer NOT NULL,
    home_goals_against  integer NOT NULL,
    away_played         smallint NOT NULL,
    away_won            smallint NOT NULL,
    away_drawn          smallint NOT NULL,
    away_lost           smallint NOT NULL,
    away_goals_for      integer NOT NULL,
    away_goals_against  integer NOT NULL,
    form                text NOT NULL,
    PRIMARY KEY (stage_id, team_id)
);

CREATE TABLE stats.team_records_versions (
    stage_id    bigint PRIMARY KEY,
    version     bigint NOT NULL,
    commit_lsn  bigint NOT NULL,
    ordinal     bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
