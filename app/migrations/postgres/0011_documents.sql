-- Identity documents (README: "Documents"). On a check: what was read off the document
-- (JSON: result.document), and the back side's photo when one was sent (an ID card's zone, a
-- licence's barcode). The document data is personal data: redaction and the retention sweep
-- blank it with the files, unless the partner keeps it (partners.keep_document_data).
ALTER TABLE checks ADD COLUMN document TEXT;
ALTER TABLE checks ADD COLUMN id_back_key TEXT;
ALTER TABLE checks ADD COLUMN id_back_file_name TEXT;
-- What the partner expects the document to say (JSON: name, date_of_birth, minimum_age),
-- set by POST /v1/sessions.
ALTER TABLE capture_sessions ADD COLUMN expected TEXT;
-- Keep the document data (not the photos) after the files are deleted by the retention sweep.
ALTER TABLE partners ADD COLUMN keep_document_data SMALLINT NOT NULL DEFAULT 0;
