-- Identity: refresh tokens (opaque, stored as SHA-256 digests) and revoked access tokens (by jti, kept until
-- they would have expired anyway). Rotating a refresh token revokes the old one.
CREATE TABLE refresh_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    token_hash  text NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE revoked_tokens (
    jti         text PRIMARY KEY,
    expires_at  timestamptz NOT NULL
);
