-- Issue 13 item 10: applicants' ID numbers (身份证号码 / 统一社会信用代码) are encrypted at rest
-- like community workers' (services/secret): AES-GCM bound to the tenant, a keyed blind index
-- for exact search, and the masked form the lists, notices and archive packages print.
--
-- SQL cannot reach the key (YC_DATA_KEY is never in the database), so the existing rows are
-- sealed in two steps, both run by `yichuang migrate`:
--   1. this migration adds the new columns and lets applicant_id_no be NULL;
--   2. a Go step (application.SealPlaintextIDs) seals the plaintext rows county by county in
--      batches, each in the county's own transaction, clearing applicant_id_no in the same
--      UPDATE; then migration.Finish drops applicant_id_no once no county has a plaintext
--      row left (and makes the sealed columns NOT NULL). A database with no application yet
--      (a new installation) loses the column at once.
ALTER TABLE applications
    ALTER COLUMN applicant_id_no DROP NOT NULL,
    ADD COLUMN applicant_id_sealed bytea,
    ADD COLUMN applicant_id_blind  bytea,
    ADD COLUMN applicant_id_masked text NOT NULL DEFAULT '',
    -- A row holds its number in exactly one form: plaintext (not yet sealed) or sealed with
    -- its blind index. Sealing clears the plaintext in the same statement.
    ADD CONSTRAINT applications_applicant_id_one_form CHECK (
        (applicant_id_no IS NULL) = (applicant_id_sealed IS NOT NULL)
        AND (applicant_id_sealed IS NULL) = (applicant_id_blind IS NULL));

-- Exact search by ID number within a county (worklist search box).
CREATE INDEX applications_applicant_blind ON applications (tenant_id, applicant_id_blind);
