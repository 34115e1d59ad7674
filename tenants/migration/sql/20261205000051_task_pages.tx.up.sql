-- Issue 14: the task lists (access.Tasks) answer keyset pages of 20 instead of the newest 500
-- rows. Every list reads in (created_at DESC, id DESC) order, id breaking ties between the tasks
-- of one dispatch, so each index below ends with both: a page, first or deep, is the first rows
-- of one ordered index scan starting at the cursor, for each way the list is narrowed — the
-- reader (a county admin: all; a department: those it dispatched; a community: its own) and a
-- status (a UNION ALL branch each when several are asked for). Each leads with tenant_id, and
-- the keyset condition (created_at, id) < (…) compares timestamptz and uuid, both leakproof, so
-- row level security leaves it an index condition. These replace the community index the access
-- tables began with (its status was followed by created_at alone) and the indexes migration
-- 20261205000048 made (no id, no reader-and-status pairs).
DROP INDEX IF EXISTS community_tasks_order, community_tasks_status_order, community_tasks_department_order,
    community_tasks_community_order, community_tasks_community;
CREATE INDEX community_tasks_order ON community_tasks (tenant_id, created_at DESC, id DESC);
CREATE INDEX community_tasks_status_order ON community_tasks (tenant_id, status, created_at DESC, id DESC);
CREATE INDEX community_tasks_department_order ON community_tasks (tenant_id, department_id, created_at DESC, id DESC);
CREATE INDEX community_tasks_department_status_order ON community_tasks (tenant_id, department_id, status, created_at DESC, id DESC);
CREATE INDEX community_tasks_community_order ON community_tasks (tenant_id, community_id, created_at DESC, id DESC);
CREATE INDEX community_tasks_community_status_order ON community_tasks (tenant_id, community_id, status, created_at DESC, id DESC);
