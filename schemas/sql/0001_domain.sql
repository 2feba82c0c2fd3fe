-- R-Stat domain schema, version 1.
--
-- Replica identity (what CDC sees as the "before" image of an update or delete):
--   * FULL on the tables whose rows feed statistics and whose topic key is not their primary key:
--     matches (routed by stage and group), match_events and lineups (keyed by match id so one match stays
--     ordered on one partition), point_adjustments and stage_participants (keyed by stage), suspensions,
--     stages (regulation changes re-rank a stage). A delete of such a row must still say which match or
--     stage it belonged to, and an update must say what it was before, so a correction can be undone.
--   * DEFAULT (primary key) everywhere else: the stream never needs more than the id to drop those rows.
-- The `stats` schema holds materialized statistics; it is never part of a publication.

CREATE TYPE org_role AS ENUM ('owner', 'editor', 'scorer', 'viewer');
CREATE TYPE stage_kind AS ENUM ('league', 'groups', 'knockout', 'playoff');
CREATE TYPE match_status AS ENUM ('scheduled', 'live', 'finished', 'postponed', 'cancelled', 'awarded');
CREATE TYPE decided_in AS ENUM ('REG', 'OT', 'SO', 'AWD');
CREATE TYPE tie_kind AS ENUM ('two_legged', 'series');
CREATE TYPE event_kind AS ENUM (
    'goal', 'own_goal', 'penalty_goal', 'penalty_miss',
    'yellow', 'second_yellow', 'red',
    'penalty',             -- hockey penalty minutes, with infraction
    'substitution',        -- player_id comes on, player_out_id goes off
    'shot', 'save', 'goalie_change', 'shootout_attempt',
    'period_end'
);
CREATE TYPE strength AS ENUM ('EV', 'PP', 'SH', 'EN');
CREATE TYPE content_kind AS ENUM ('news', 'video', 'photo');

CREATE TABLE organizations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email          text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    password_hash  text NOT NULL,
    display_name   text NOT NULL DEFAULT '',
    is_active      boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
    org_id      bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    role        org_role NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE api_clients (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    client_id    text NOT NULL UNIQUE,
    secret_hash  text NOT NULL,
    name         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

-- A sport fixes the limits that protocols are checked against.
CREATE TABLE sports (
    code               text PRIMARY KEY,
    name               text NOT NULL,
    regular_periods    smallint NOT NULL CHECK (regular_periods > 0),
    period_seconds     integer NOT NULL CHECK (period_seconds > 0),
    max_periods        smallint NOT NULL CHECK (max_periods >= regular_periods),
    max_event_minute   smallint NOT NULL CHECK (max_event_minute > 0),
    max_stoppage       smallint NOT NULL CHECK (max_stoppage >= 0)
);
-- Football: two halves, extra time as periods 3 and 4, shoot-out as period 5; minutes up to 120 + stoppage.
-- Ice hockey: three 20-minute periods; play-off overtime periods have no fixed number, 12 is far beyond any
-- game ever played (the longest NHL game ended in the 6th overtime, period 9). Shoot-out is its own period.
INSERT INTO sports VALUES
    ('football', 'Football', 2, 2700, 5, 120, 30),
    ('ice-hockey', 'Ice hockey', 3, 1200, 13, 240, 0);

CREATE TABLE competitions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    sport       text NOT NULL REFERENCES sports,
    slug        text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, slug),
    UNIQUE (id, org_id)
);

CREATE TABLE seasons (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    competition_id  bigint NOT NULL REFERENCES competitions ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    starts_on       date,
    ends_on         date,
    UNIQUE (competition_id, name),
    CHECK (starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on)
);

CREATE TABLE stages (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    season_id          bigint NOT NULL REFERENCES seasons ON DELETE CASCADE,
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind               stage_kind NOT NULL,
    ordinal            smallint NOT NULL DEFAULT 1 CHECK (ordinal > 0),
    regulation         text NOT NULL,                        -- preset name in sports.regulations
    regulation_params  jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(regulation_params) = 'object'),
    UNIQUE (season_id, name)
);

CREATE TABLE groups (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stage_id  bigint NOT NULL REFERENCES stages ON DELETE CASCADE,
    name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    UNIQUE (stage_id, name),
    UNIQUE (id, stage_id)
);

CREATE TABLE teams (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    short_name  text,
    code        text CHECK (code ~ '^[A-Z0-9]{2,5}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, name)
);

CREATE TABLE stage_participants (
    stage_id  bigint NOT NULL REFERENCES stages ON DELETE CASCADE,
    team_id   bigint NOT NULL REFERENCES teams ON DELETE RESTRICT,
    group_id  bigint,
    seed      smallint CHECK (seed > 0),
    PRIMARY KEY (stage_id, team_id),
    FOREIGN KEY (group_id, stage_id) REFERENCES groups (id, stage_id) ON DELETE CASCADE
);

CREATE TABLE players (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    first_name   text NOT NULL DEFAULT '',
    last_name    text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    birth_date   date CHECK (birth_date > DATE '1900-01-01'),
    nationality  text CHECK (nationality ~ '^[A-Z]{3}$'),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX players_org_idx ON players (org_id, last_name);

CREATE TABLE roster_entries (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    season_id  bigint NOT NULL REFERENCES seasons ON DELETE CASCADE,
    team_id    bigint NOT NULL REFERENCES teams ON DELETE CASCADE,
    player_id  bigint NOT NULL REFERENCES players ON DELETE CASCADE,
    number     smallint CHECK (number BETWEEN 0 AND 99),
    position   text,
    UNIQUE (season_id, team_id, number),
    UNIQUE (season_id, team_id, player_id)
);

CREATE TABLE venues (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id    bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    city      text,
    capacity  integer CHECK (capacity >= 0),
    UNIQUE (org_id, name)
);

CREATE TABLE officials (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id  bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    name    text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role    text NOT NULL DEFAULT 'referee'
);

-- A two-legged tie or a best-of-N series: the matches of a tie point to it.
CREATE TABLE ties (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stage_id   bigint NOT NULL REFERENCES stages ON DELETE CASCADE,
    round      smallint NOT NULL CHECK (round > 0),
    kind       tie_kind NOT NULL,
    team_a_id  bigint REFERENCES teams,       -- NULL while a placeholder ("winner of match 37")
    team_b_id  bigint REFERENCES teams,
    best_of    smallint CHECK (best_of IS NULL OR (best_of > 0 AND best_of % 2 = 1)),
    CHECK (team_a_id IS DISTINCT FROM team_b_id OR team_a_id IS NULL),
    CHECK ((kind = 'series') = (best_of IS NOT NULL))
);

CREATE TABLE matches (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stage_id       bigint NOT NULL REFERENCES stages ON DELETE CASCADE,
    group_id       bigint,
    round          smallint NOT NULL CHECK (round > 0),
    home_team_id   bigint NOT NULL REFERENCES teams,
    away_team_id   bigint NOT NULL REFERENCES teams,
    venue_id       bigint REFERENCES venues ON DELETE SET NULL,
    referee_id     bigint REFERENCES officials ON DELETE SET NULL,
    kickoff        timestamptz,
    status         match_status NOT NULL DEFAULT 'scheduled',
    home_score     smallint CHECK (home_score >= 0),
    away_score     smallint CHECK (away_score >= 0),
    -- [[home, away], ...] per period, in order; overtime and shoot-out periods follow regulation ones.
    period_scores  jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(period_scores) = 'array'),
    decided_in     decided_in,
    tie_id         bigint REFERENCES ties ON DELETE SET NULL,
    leg            smallint CHECK (leg IN (1, 2)),
    game_no        smallint CHECK (game_no > 0),
    attendance     integer CHECK (attendance >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (group_id, stage_id) REFERENCES groups (id, stage_id) ON DELETE CASCADE,
    CHECK (home_team_id <> away_team_id),
    CHECK ((home_score IS NULL) = (away_score IS NULL)),
    CHECK (status NOT IN ('finished', 'awarded') OR home_score IS NOT NULL),
    CHECK (status <> 'awarded' OR decided_in = 'AWD'),
    CHECK (decided_in IS NULL OR status IN ('finished', 'awarded')),
    CHECK (leg IS NULL OR tie_id IS NOT NULL),
    CHECK (game_no IS NULL OR tie_id IS NOT NULL)
);
CREATE INDEX matches_stage_idx ON matches (stage_id, round);
CREATE INDEX matches_home_idx ON matches (home_team_id);
CREATE INDEX matches_away_idx ON matches (away_team_id);
CREATE INDEX matches_kickoff_idx ON matches (kickoff);

-- A team plays at most once per round of a stage (the games of a series share a round and are exempt;
-- cancelled matches do not count). The advisory lock serializes concurrent writers to one stage and round.
CREATE FUNCTION matches_one_per_round() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    clash bigint;
BEGIN
    IF NEW.game_no IS NOT NULL OR NEW.status = 'cancelled' THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('matches_one_per_round:' || NEW.stage_id || ':' || NEW.round, 0));
    SELECT m.id INTO clash FROM matches m
     WHERE m.stage_id = NEW.stage_id AND m.round = NEW.round AND m.id <> NEW.id
       AND m.game_no IS NULL AND m.status <> 'cancelled'
       AND (m.home_team_id IN (NEW.home_team_id, NEW.away_team_id)
            OR m.away_team_id IN (NEW.home_team_id, NEW.away_team_id))
     LIMIT 1;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'a team already plays in round % of stage % (match %)', NEW.round, NEW.stage_id, clash
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'matches_one_per_round';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER matches_one_per_round BEFORE INSERT OR UPDATE OF stage_id, round, home_team_id, away_team_id, status, game_no
    ON matches FOR EACH ROW EXECUTE FUNCTION matches_one_per_round();

CREATE TABLE lineups (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    match_id            bigint NOT NULL REFERENCES matches ON DELETE CASCADE,
    team_id             bigint NOT NULL REFERENCES teams,
    player_id           bigint NOT NULL REFERENCES players,
    number              smallint CHECK (number BETWEEN 0 AND 99),
    starter             boolean NOT NULL,
    position            text,
    goalie_toi_seconds  integer CHECK (goalie_toi_seconds >= 0),
    UNIQUE (match_id, player_id)
);

CREATE TABLE match_events (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    match_id           bigint NOT NULL REFERENCES matches ON DELETE CASCADE,
    team_id            bigint NOT NULL REFERENCES teams,   -- the team credited (an own goal: the team that benefits)
    kind               event_kind NOT NULL,
    player_id          bigint REFERENCES players,
    assist1_id         bigint REFERENCES players,
    assist2_id         bigint REFERENCES players,
    player_out_id      bigint REFERENCES players,          -- substitution: the player going off
    goalie_id          bigint REFERENCES players,          -- shots, saves, goalie changes
    period             smallint NOT NULL CHECK (period > 0),
    minute             smallint CHECK (minute >= 0),       -- football: match minute (45+2 is minute 45, stoppage 2)
    stoppage           smallint CHECK (stoppage >= 0),
    clock_seconds      integer CHECK (clock_seconds >= 0), -- hockey: elapsed seconds in the period
    strength           strength,
    penalty_minutes    smallint CHECK (penalty_minutes IN (2, 4, 5, 10, 20, 25)),
    infraction         text,
    scored             boolean,                            -- shoot-out attempt and penalty outcome
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'penalty' OR penalty_minutes IS NOT NULL),
    CHECK (kind <> 'substitution' OR (player_id IS NOT NULL AND player_out_id IS NOT NULL)),
    CHECK (kind <> 'shootout_attempt' OR scored IS NOT NULL),
    CHECK (assist1_id IS NULL OR kind IN ('goal', 'penalty_goal')),
    CHECK (assist2_id IS NULL OR assist1_id IS NOT NULL),
    CHECK (player_id IS DISTINCT FROM assist1_id OR player_id IS NULL),
    CHECK (player_id IS DISTINCT FROM assist2_id OR player_id IS NULL),
    CHECK (assist1_id IS DISTINCT FROM assist2_id OR assist1_id IS NULL)
);
CREATE INDEX match_events_match_idx ON match_events (match_id);
CREATE INDEX match_events_player_idx ON match_events (player_id);

-- Event times must lie within the limits of the match's sport.
CREATE FUNCTION match_events_within_limits() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s sports%ROWTYPE;
BEGIN
    SELECT sp.* INTO s FROM matches m
      JOIN stages st ON st.id = m.stage_id
      JOIN seasons se ON se.id = st.season_id
      JOIN competitions c ON c.id = se.competition_id
      JOIN sports sp ON sp.code = c.sport
     WHERE m.id = NEW.match_id;
    IF NEW.period > s.max_periods THEN
        RAISE EXCEPTION 'period % is beyond the % periods a % match can have', NEW.period, s.max_periods, s.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'match_events_period_limit';
    END IF;
    IF NEW.minute IS NOT NULL AND NEW.minute > s.max_event_minute THEN
        RAISE EXCEPTION 'minute % is beyond % for %', NEW.minute, s.max_event_minute, s.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'match_events_minute_limit';
    END IF;
    IF NEW.stoppage IS NOT NULL AND NEW.stoppage > s.max_stoppage THEN
        RAISE EXCEPTION 'stoppage time % is beyond % for %', NEW.stoppage, s.max_stoppage, s.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'match_events_stoppage_limit';
    END IF;
    IF NEW.clock_seconds IS NOT NULL AND NEW.clock_seconds > s.period_seconds THEN
        RAISE EXCEPTION 'clock % s is beyond the % s of a % period', NEW.clock_seconds, s.period_seconds, s.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'match_events_clock_limit';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER match_events_within_limits BEFORE INSERT OR UPDATE ON match_events
    FOR EACH ROW EXECUTE FUNCTION match_events_within_limits();

CREATE TABLE suspensions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    season_id         bigint NOT NULL REFERENCES seasons ON DELETE CASCADE,
    player_id         bigint NOT NULL REFERENCES players ON DELETE CASCADE,
    team_id           bigint REFERENCES teams,
    reason            text NOT NULL,
    matches           smallint NOT NULL CHECK (matches > 0),
    from_match_id     bigint REFERENCES matches ON DELETE SET NULL,  -- the match that caused it
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX suspensions_player_idx ON suspensions (player_id, season_id);

CREATE TABLE point_adjustments (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stage_id   bigint NOT NULL REFERENCES stages ON DELETE CASCADE,
    team_id    bigint NOT NULL REFERENCES teams,
    points     integer NOT NULL CHECK (points <> 0),
    reason     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE content_items (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    kind            content_kind NOT NULL,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body            text NOT NULL DEFAULT '',
    url             text CHECK (url ~ '^https?://'),
    competition_id  bigint REFERENCES competitions ON DELETE CASCADE,
    match_id        bigint REFERENCES matches ON DELETE CASCADE,
    team_id         bigint REFERENCES teams ON DELETE CASCADE,
    published_at    timestamptz,
    CHECK (kind = 'news' OR url IS NOT NULL)
);

-- Crawlers map the ids of the sites they read to ours, so a re-import updates instead of duplicating.
CREATE TABLE external_ids (
    org_id       bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    source       text NOT NULL,
    kind         text NOT NULL,
    external_id  text NOT NULL,
    internal_id  bigint NOT NULL,
    PRIMARY KEY (org_id, source, kind, external_id)
);

CREATE TABLE telegram_subscriptions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    chat_id         bigint NOT NULL,
    competition_id  bigint REFERENCES competitions ON DELETE CASCADE,
    team_id         bigint REFERENCES teams ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (chat_id, competition_id, team_id)
);

ALTER TABLE matches REPLICA IDENTITY FULL;
ALTER TABLE match_events REPLICA IDENTITY FULL;
ALTER TABLE lineups REPLICA IDENTITY FULL;
ALTER TABLE point_adjustments REPLICA IDENTITY FULL;
ALTER TABLE stage_participants REPLICA IDENTITY FULL;
ALTER TABLE suspensions REPLICA IDENTITY FULL;
ALTER TABLE stages REPLICA IDENTITY FULL;

-- Materialized statistics (written by the stream processor's materializer, read by the public API).
CREATE SCHEMA stats;
COMMENT ON SCHEMA stats IS 'Materialized statistics; never captured by CDC.';
