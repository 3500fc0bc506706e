-- Redaction (DELETE /v1/checks/{id}) and manual review decisions (POST /v1/checks/{id}/review).
ALTER TABLE checks ADD COLUMN redacted_at BIGINT;
ALTER TABLE checks ADD COLUMN reviewed_at BIGINT;
ALTER TABLE checks ADD COLUMN review_note TEXT;
