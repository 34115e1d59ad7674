-- Issue 14 (intake): a county's audit row is now appended by one statement, an UPDATE of its
-- head that reserves the number and computes the new hash (sha256 of the previous hash and the
-- row's canonical content, tenants.chainHash) with an INSERT of the row from what it returns.
-- The row needs the hash it chains onto, and RETURNING only sees the head's new values; the
-- UPDATE therefore keeps the previous hash in last_prev_hash (SET expressions read the old
-- row). It is a working register for that one statement: the chain's truth stays in
-- audit_events, and nothing reads the column otherwise. NULL until the county's next append.
ALTER TABLE audit_heads ADD COLUMN last_prev_hash bytea;
