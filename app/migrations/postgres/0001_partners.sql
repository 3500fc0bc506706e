-- Portable schema (same shape as migrations/postgres): TEXT ids, BIGINT epoch-ms times,
-- SMALLINT 0/1 booleans, TEXT JSON. See docs/architecture.md, "Database".
CREATE TABLE partners (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    display_name        TEXT NOT NULL,
    primary_color       TEXT NOT NULL,
    accent_color        TEXT NOT NULL,
    logo_url            TEXT,
    webhook_url         TEXT,
    webhook_secret_enc  TEXT NOT NULL,
    allowed_origins     TEXT NOT NULL DEFAULT '[]',
    disabled            SMALLINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES partners(id),
    mode        TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    lookup      TEXT NOT NULL UNIQUE,
    key_hash    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT
);
CREATE INDEX api_keys_partner ON api_keys(partner_id);
