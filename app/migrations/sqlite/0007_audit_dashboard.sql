-- The audit log (append-only: the triggers refuse changes) and partner dashboard sessions.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    check_id    TEXT,
    detail      TEXT
);
CREATE INDEX audit_log_partner_at ON audit_log (partner_id, at);
CREATE INDEX audit_log_check ON audit_log (check_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE dashboard_sessions (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    partner_id  TEXT NOT NULL REFERENCES partners (id),
    livemode    SMALLINT NOT NULL,
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
