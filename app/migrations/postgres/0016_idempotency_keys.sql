-- Idempotency-Key (issue 32): the first answer to a partner's request, per (partner, mode,
-- key), for 24 h. A submission keeps its check's id (set in the check's own transaction, so a
-- check whose answer was lost is replayed, never made twice); a /v1 POST keeps its answer's
-- status and body, encrypted under the master key (a session's answer holds its link).
-- `idem_key` is namespaced by surface (`submit:<user>:<key>`, `v1:<key>`); `lease_id` names
-- the request holding a running key, so that one whose lease lapsed cannot touch the row of
-- the request that took it over.
CREATE TABLE idempotency_keys (
    partner_id TEXT NOT NULL REFERENCES partners (id),
    livemode SMALLINT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    locked_until BIGINT,
    lease_id TEXT,
    status SMALLINT,
    body_enc TEXT,
    check_id TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (partner_id, livemode, idem_key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
