-- The audit log (append-only: the trigger refuses changes) and partner dashboard sessions.
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
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

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
