-- Predictions: the zones a stage defines, and the forecasts the stream processor materializes.
--
-- A zone is a named range of final positions (title 1-1, promotion 1-2, playoff 3-6, relegation 18-20):
-- stages.zones is a JSON array of {"name", "first", "last"}. Zones may nest (the title inside the
-- Champions League places) but not cross (1-4 beside 3-6 means nothing a table can show), and names are
-- unique within a stage. The column travels with the stage's CDC row to the stream processor, which
-- gives each team the probability of finishing in each zone and whether it has clinched or lost it.

CREATE FUNCTION stage_zones_in_range(zones jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(bool_and(
               jsonb_typeof(z) = 'object'
               AND jsonb_typeof(z -> 'name') = 'string'
               AND (z ->> 'name') ~ '^[a-z0-9][a-z0-9_-]{0,39}$'
               AND jsonb_typeof(z -> 'first') = 'number'
               AND jsonb_typeof(z -> 'last') = 'number'
               AND (z ->> 'first')::numeric = floor((z ->> 'first')::numeric)
               AND (z ->> 'last')::numeric = floor((z ->> 'last')::numeric)
               AND (z ->> 'first')::numeric >= 1
               AND (z ->> 'last')::numeric >= (z ->> 'first')::numeric
               AND (z ->> 'last')::numeric <= 999), true)
      FROM jsonb_array_elements(zones) AS z
$$;

CREATE FUNCTION stage_zones_disjoint(zones jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT NOT EXISTS (
        SELECT 1
          FROM jsonb_array_elements(zones) WITH ORDINALITY AS a (z, i),
               jsonb_array_elements(zones) WITH ORDINALITY AS b (z, j)
         WHERE i < j
           AND (a.z ->> 'name' = b.z ->> 'name'
                OR ((a.z ->> 'first')::numeric < (b.z ->> 'first')::numeric
                    AND (b.z ->> 'first')::numeric <= (a.z ->> 'last')::numeric
                    AND (a.z ->> 'last')::numeric < (b.z ->> 'last')::numeric)
                OR ((b.z ->> 'first')::numeric < (a.z ->> 'first')::numeric
                    AND (a.z ->> 'first')::numeric <= (b.z ->> 'last')::numeric
                    AND (b.z ->> 'last')::numeric < (a.z ->> 'last')::numeric)))
$$;

ALTER TABLE stages
    ADD COLUMN zones jsonb NOT NULL DEFAULT '[]'::jsonb
        CONSTRAINT stages_zones_array CHECK (jsonb_typeof(zones) = 'array'),
    ADD CONSTRAINT stages_zones_name_first_last_in_1_to_999
        CHECK (jsonb_typeof(zones) <> 'array' OR stage_zones_in_range(zones)),
    ADD CONSTRAINT stages_zones_unique_names_nested_or_apart
        CHECK (jsonb_typeof(zones) <> 'array' OR stage_zones_disjoint(zones));

-- Match probabilities of a stage's matches still to play, from its latest forecast (one per stage,
-- replaced whole). Hockey's split (regulation, overtime, shoot-out) is null in football.
CREATE TABLE stats.match_predictions (
    stage_id       bigint NOT NULL,
    match_id       bigint NOT NULL,
    group_key      bigint NOT NULL DEFAULT 0,
    home_team_id   bigint NOT NULL,
    away_team_id   bigint NOT NULL,
    kickoff        text,
    p_home         double precision NOT NULL,
    p_draw         double precision NOT NULL,
    p_away         double precision NOT NULL,
    p_home_reg     double precision,
    p_home_ot      double precision,
    p_home_so      double precision,
    p_away_reg     double precision,
    p_away_ot      double precision,
    p_away_so      double precision,
    likely_scores  jsonb NOT NULL,
    PRIMARY KEY (stage_id, match_id)
);

CREATE TABLE stats.match_predictions_versions (
    stage_id    bigint PRIMARY KEY,
    version     bigint NOT NULL,
    commit_lsn  bigint NOT NULL,
    ordinal     bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Each team's odds in the stage's latest forecast: the probability of every final position (index 0 is
-- first place) and of each zone, the exact best and worst final positions any remaining results can give
-- (null: not decided within the time budget), the zones clinched and those it can no longer reach.
CREATE TABLE stats.position_odds (
    stage_id                bigint NOT NULL,
    team_id                 bigint NOT NULL,
    group_key               bigint NOT NULL DEFAULT 0,
    elo                     double precision NOT NULL,
    attack                  double precision NOT NULL,
    defence                 double precision NOT NULL,
    position_probabilities  double precision[] NOT NULL,
    zone_probabilities      jsonb NOT NULL,
    best_possible           smallint,
    worst_possible          smallint,
    clinched                text[] NOT NULL,
    eliminated              text[] NOT NULL,
    sims                    integer NOT NULL,
    seed                    bigint NOT NULL,
    PRIMARY KEY (stage_id, team_id)
);

CREATE TABLE stats.position_odds_versions (LIKE stats.match_predictions_versions INCLUDING ALL);
