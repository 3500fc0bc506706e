-- Webhook delivery: every attempt recorded; the previous signing secret kept during a rotation.
ALTER TABLE partners ADD COLUMN webhook_secret_prev_enc TEXT;
ALTER TABLE partners ADD COLUMN webhook_secret_prev_until BIGINT;

CREATE TABLE webhook_attempts (
    id                TEXT PRIMARY KEY,
    delivery_id       TEXT NOT NULL REFERENCES webhook_deliveries(id),
    attempt           BIGINT NOT NULL,
    started_at        BIGINT NOT NULL,
    duration_ms       BIGINT NOT NULL,
    status_code       BIGINT,
    response_excerpt  TEXT,
    error             TEXT,
    node              TEXT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id);
