-- Several nodes (README "Operations"): request budgets live in the database, so N nodes do not
-- allow N times the limit.
-- The partner API's per-key one-minute windows: `bucket` is the SHA-256 of the presented key.
CREATE TABLE api_rate_windows (
    bucket      TEXT PRIMARY KEY,
    window_id   BIGINT NOT NULL,
    hits        BIGINT NOT NULL
);
-- The per-IP limits (GCRA): `bucket` is the kind and the address (an IPv6 client's /64);
-- `tat` the theoretical arrival time in ms: the budget is full again once it has passed.
CREATE TABLE ip_rate_limits (
    bucket      TEXT PRIMARY KEY,
    tat         BIGINT NOT NULL
);
CREATE INDEX ip_rate_limits_tat ON ip_rate_limits (tat);
-- Files a submission is putting into storage before its check commits. A node killed between
-- the two leaves this row; the sweeper deletes the files after `expires_at` and then the row.
-- The commit deletes the row in the check's own transaction.
CREATE TABLE pending_files (
    check_id    TEXT PRIMARY KEY,
    keys        TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    lease_until BIGINT
);
CREATE INDEX pending_files_expires_at ON pending_files (expires_at);
