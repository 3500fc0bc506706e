-- Capture sessions: the single-use token GET /verif/ gives the page (only its hash is kept).
CREATE TABLE capture_sessions (
    id               TEXT PRIMARY KEY,
    token_hash       TEXT NOT NULL UNIQUE,
    partner_id       TEXT NOT NULL REFERENCES partners(id),
    livemode         SMALLINT NOT NULL DEFAULT 1,
    user_identifier  TEXT NOT NULL,
    user_email       TEXT,
    user_phone       TEXT,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    used_at          BIGINT,
    check_id         TEXT
);

-- One row per verification. Storage keys, never URLs. Files expire; the record stays.
CREATE TABLE checks (
    id                   TEXT PRIMARY KEY,
    partner_id           TEXT NOT NULL REFERENCES partners(id),
    livemode             SMALLINT NOT NULL DEFAULT 1,
    user_identifier      TEXT NOT NULL,
    user_email           TEXT,
    user_phone           TEXT,
    status               TEXT NOT NULL,
    is_identical         SMALLINT NOT NULL,
    confidence           DOUBLE PRECISION NOT NULL,
    similarity_score     BIGINT NOT NULL,
    method               TEXT NOT NULL,
    overall_score        BIGINT NOT NULL,
    confidence_level     TEXT NOT NULL,
    summary              TEXT NOT NULL,
    risk_factors         TEXT NOT NULL DEFAULT '[]',
    review_reason        TEXT,
    storage_backend      TEXT NOT NULL,
    selfie_key           TEXT NOT NULL,
    selfie_file_name     TEXT NOT NULL,
    id_key               TEXT NOT NULL,
    id_file_name         TEXT NOT NULL,
    consent_version      TEXT,
    created_at           BIGINT NOT NULL,
    completed_at         BIGINT NOT NULL,
    files_expire_at      BIGINT NOT NULL,
    files_deleted_at     BIGINT,
    sweep_lease_until    BIGINT
);
CREATE INDEX checks_partner_created ON checks(partner_id, created_at);
CREATE INDEX checks_files_expire ON checks(files_expire_at);

-- The webhook outbox: written in the same transaction as the check it reports.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    check_id         TEXT NOT NULL REFERENCES checks(id),
    partner_id       TEXT NOT NULL REFERENCES partners(id),
    event_type       TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending',
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT,
    last_error       TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_check ON webhook_deliveries(check_id);
