-- Consent given on the capture page (version of the text shown, and when), recorded on the
-- capture session by the page and copied onto the check it produces.
ALTER TABLE capture_sessions ADD COLUMN consent_version TEXT;
ALTER TABLE capture_sessions ADD COLUMN consented_at BIGINT;
ALTER TABLE checks ADD COLUMN consented_at BIGINT;
-- Sessions the page opened itself (GET /verif/?api_key=…) may be renewed by the open page, up
-- to a fixed lifetime; partner API sessions keep the expiry the partner chose.
ALTER TABLE capture_sessions ADD COLUMN renewable SMALLINT NOT NULL DEFAULT 0;
