-- Player statistics per season, written by the stream processor's materializer: the columns leaders are
-- ranked by (one indexed query per leaderboard), and every figure of the sport in `stats` (JSON).
CREATE TABLE stats.player_stats (
    season_id              bigint NOT NULL,
    player_id              bigint NOT NULL,
    team_id                bigint NOT NULL,
    sport                  text NOT NULL,
    games                  smallint NOT NULL,
    goals                  smallint NOT NULL,
    assists                smallint NOT NULL,
    points                 smallint NOT NULL,
    minutes                integer NOT NULL,
    yellow_cards           smallint NOT NULL,
    red_cards              smallint NOT NULL,
    penalty_minutes        smallint NOT NULL,
    shutouts               smallint NOT NULL,
    save_pct               double precision NOT NULL,
    goals_against_average  double precision NOT NULL,
    stats                  jsonb NOT NULL,
    PRIMARY KEY (season_id, player_id)
);
CREATE INDEX player_stats_goals_idx ON stats.player_stats (season_id, goals DESC, player_id);
CREATE INDEX player_stats_points_idx ON stats.player_stats (season_id, points DESC, player_id);
CREATE INDEX player_stats_team_idx ON stats.player_stats (team_id, season_id);

CREATE TABLE stats.player_stats_versions (
    season_id   bigint NOT NULL,
    player_id   bigint NOT NULL,
    version     bigint NOT NULL,
    commit_lsn  bigint NOT NULL,
    ordinal     bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (season_id, player_id)
);
