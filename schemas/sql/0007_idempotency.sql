-- Idempotency keys of the admin API's create routes: a client that could not tell whether its request
-- arrived (a scorer's phone replaying its offline queue) sends it again with the same key and gets the
-- first answer instead of a second row. Scoped per organization and caller; kept for 30 days, long
-- enough for any queue a device could still hold. Not part of the CDC publication: a key is not a fact.
CREATE TABLE idempotency_keys (
    org_id        bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
    actor         text NOT NULL,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    route         text NOT NULL,
    request_hash  text NOT NULL,
    response      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, actor, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
