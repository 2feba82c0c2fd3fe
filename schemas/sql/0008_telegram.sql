-- Telegram: the chats of each bot, what they follow, which organizations the shared bot serves, the
-- organizations' own bots, and the sender's delivery log.
--
-- A bot is named by a key: 'shared' (the token in the settings, serving every organization that allows it)
-- or 'org:<id>' (an organization's own bot, serving that organization only). A chat id belongs to a bot: a
-- user who talks to two bots is two chats.
--
-- Chats, subscriptions and the shared-bot consent are facts of the public schema: captured, audited,
-- managed through the admin API. The delivery log and the bots' tokens live in the schema `telegram`,
-- which the CDC reader never captures (it reads the public schema only): a token is a secret, and a goal
-- to 10,000 chats is 10,000 log rows written three times each, not 30,000 facts for the audit.

CREATE TABLE telegram_chats (
    bot         text NOT NULL CHECK (bot = 'shared' OR bot ~ '^org:[0-9]+$'),
    chat_id     bigint NOT NULL,
    kind        text NOT NULL DEFAULT 'private' CHECK (kind IN ('private', 'group', 'supergroup', 'channel')),
    title       text NOT NULL DEFAULT '',          -- a group's title or a user's name: private data
    username    text NOT NULL DEFAULT '',
    language    text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ru')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- set when Telegram answered 403 (bot blocked, chat deleted): its subscriptions are gone with it
    blocked_at  timestamptz,
    PRIMARY KEY (bot, chat_id)
);

-- The subscriptions of 0001 belonged to no bot and could not follow a match; the rows there (none were
-- ever written by R-Stat) become the shared bot's.
INSERT INTO telegram_chats (bot, chat_id) SELECT DISTINCT 'shared', chat_id FROM telegram_subscriptions;
ALTER TABLE telegram_subscriptions
    ADD COLUMN bot text NOT NULL DEFAULT 'shared',
    ADD COLUMN match_id bigint REFERENCES matches ON DELETE CASCADE,
    DROP CONSTRAINT telegram_subscriptions_chat_id_competition_id_team_id_key,
    ADD CONSTRAINT telegram_subscriptions_one_target
        CHECK (num_nonnulls(competition_id, team_id, match_id) = 1),
    ADD CONSTRAINT telegram_subscriptions_chat_fkey
        FOREIGN KEY (bot, chat_id) REFERENCES telegram_chats ON DELETE CASCADE,
    ADD CONSTRAINT telegram_subscriptions_unique
        UNIQUE NULLS NOT DISTINCT (bot, chat_id, competition_id, team_id, match_id);
CREATE INDEX telegram_subscriptions_org_idx ON telegram_subscriptions (org_id);
CREATE INDEX telegram_subscriptions_competition_idx ON telegram_subscriptions (competition_id);
CREATE INDEX telegram_subscriptions_team_idx ON telegram_subscriptions (team_id);
CREATE INDEX telegram_subscriptions_match_idx ON telegram_subscriptions (match_id);

-- An organization's consent to be served by the shared bot (off unless an owner turns it on).
CREATE TABLE telegram_settings (
    org_id      bigint PRIMARY KEY REFERENCES organizations ON DELETE CASCADE,
    shared_bot  boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE SCHEMA telegram;
COMMENT ON SCHEMA telegram IS 'The Telegram sender''s delivery log and the organizations'' bot tokens; never captured by CDC.';

-- An organization's own bot. The token is a secret: no API answer and no log line shows it.
CREATE TABLE telegram.bots (
    org_id      bigint PRIMARY KEY REFERENCES organizations ON DELETE CASCADE,
    token       text NOT NULL CHECK (token ~ '^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$'),
    username    text NOT NULL DEFAULT '',   -- from getMe, once the sender has checked the token
    error       text NOT NULL DEFAULT '',   -- why the sender does not run it (a bad token, another poller)
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Each notice the sender took in, once, with the names its messages need (resolved when it arrived).
CREATE TABLE telegram.notices (
    id           text PRIMARY KEY,
    kind         text NOT NULL,
    org_id       bigint NOT NULL,
    body         jsonb NOT NULL,
    context      jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per (notice, bot, chat), written before anything is sent:
--   queued -> sending (committed before the request leaves) -> sent (Telegram's message id)
--   queued -> failed (with the reason: 403, a 400, the chat stopped) | coalesced (into the match's final
--   message) | unconfirmed (the sender stopped, or the connection broke, after the request left and before
--   Telegram's answer: reported, never sent again, see notify/delivery.py).
CREATE TABLE telegram.deliveries (
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    notice_id    text NOT NULL REFERENCES telegram.notices ON DELETE CASCADE,
    bot          text NOT NULL,
    chat_id      bigint NOT NULL,
    org_id       bigint NOT NULL,
    priority     smallint NOT NULL,
    state        text NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'coalesced', 'unconfirmed')),
    attempts     smallint NOT NULL DEFAULT 0,
    reason       text NOT NULL DEFAULT '',
    message_id   bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notice_id, bot, chat_id)
);
CREATE INDEX deliveries_queued_idx ON telegram.deliveries (priority, seq) WHERE state = 'queued';
CREATE INDEX deliveries_sending_idx ON telegram.deliveries (seq) WHERE state = 'sending';
CREATE INDEX deliveries_org_idx ON telegram.deliveries (org_id, updated_at);
