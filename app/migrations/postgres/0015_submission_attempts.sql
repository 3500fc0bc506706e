-- Verification attempts per user (issue 32): every recording a submission or the live channel
-- made, whether it became a check, was sent back to record again (a missed challenge), or was
-- refused by the per-user limit (IDV_USER_ATTEMPTS_PER_HOUR). No media, no contact data: the
-- user identifier, the link, the check, the outcome and its risk codes. Kept as long as files
-- are (IDV_RETENTION), deleted by the sweep.
CREATE TABLE submission_attempts (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    livemode SMALLINT NOT NULL,
    user_identifier TEXT NOT NULL,
    session_id TEXT,
    check_id TEXT,
    outcome TEXT NOT NULL,
    risk_factors TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);
CREATE INDEX submission_attempts_user ON submission_attempts (partner_id, livemode, user_identifier, created_at);
CREATE INDEX submission_attempts_list ON submission_attempts (partner_id, livemode, created_at);
CREATE INDEX submission_attempts_created ON submission_attempts (created_at);
