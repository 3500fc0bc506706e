-- Security hardening (issue 13).
-- Two kinds of key per mode: the keys that exist become capture keys (the guide's api_key:
-- GET /verif/ and POST /verif/submit only); secret keys (/v1, the dashboard) are issued anew.
ALTER TABLE api_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'capture' CHECK (kind IN ('capture', 'secret'));

-- Webhook URL, allowed origins and webhook secret per mode (live, test), so a test key can
-- never point live payloads at its own server. Both modes start from the partner's values.
CREATE TABLE partner_modes (
    partner_id                 TEXT NOT NULL REFERENCES partners (id),
    mode                       TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    webhook_url                TEXT,
    allowed_origins            TEXT NOT NULL DEFAULT '[]',
    webhook_secret_enc         TEXT NOT NULL,
    webhook_secret_prev_enc    TEXT,
    webhook_secret_prev_until  BIGINT,
    updated_at                 BIGINT NOT NULL,
    PRIMARY KEY (partner_id, mode)
);
INSERT INTO partner_modes (partner_id, mode, webhook_url, allowed_origins, webhook_secret_enc,
                           webhook_secret_prev_enc, webhook_secret_prev_until, updated_at)
    SELECT id, 'live', webhook_url, allowed_origins, webhook_secret_enc, webhook_secret_prev_enc,
           webhook_secret_prev_until, updated_at FROM partners;
INSERT INTO partner_modes (partner_id, mode, webhook_url, allowed_origins, webhook_secret_enc,
                           webhook_secret_prev_enc, webhook_secret_prev_until, updated_at)
    SELECT id, 'test', webhook_url, allowed_origins, webhook_secret_enc, webhook_secret_prev_enc,
           webhook_secret_prev_until, updated_at FROM partners;
ALTER TABLE partners DROP COLUMN webhook_url;
ALTER TABLE partners DROP COLUMN allowed_origins;
ALTER TABLE partners DROP COLUMN webhook_secret_enc;
ALTER TABLE partners DROP COLUMN webhook_secret_prev_enc;
ALTER TABLE partners DROP COLUMN webhook_secret_prev_until;

-- A dashboard session lives only as long as the key that opened it (sessions from before
-- have none, so they are signed out).
ALTER TABLE dashboard_sessions ADD COLUMN api_key_id TEXT;

-- The mode an audit entry concerns (NULL: partner-wide, e.g. the operator creating it).
ALTER TABLE audit_log ADD COLUMN livemode SMALLINT;

-- A capture token is reserved while a submission with it runs (one submission at a time).
ALTER TABLE capture_sessions ADD COLUMN reserved_until BIGINT;
CREATE INDEX capture_sessions_expiry ON capture_sessions (expires_at);
