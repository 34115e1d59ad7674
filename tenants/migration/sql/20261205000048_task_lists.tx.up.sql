-- The task lists' indexes that stood here (tenant_id with the reader or a status, then
-- created_at DESC, for the newest 500 rows) are made by 20261205000024_task_pages instead, with
-- id for keyset pages: a database new from scratch runs that migration first (its number is
-- lower) and this one then does nothing; one that had run this file's first version runs
-- 20261205000024 afterwards (unapplied migrations apply whatever their number), which drops
-- what this file made. Both end with the same indexes.
SELECT 1;
