-- The task lists (access.Tasks: a community's own, a department's dispatched, a county
-- admin's all; newest first, with or without a status) read in their order from an index,
-- the first 500 rows and no more. Before, a department's and the county's list sorted every
-- task of the county (there was no index on the dispatching department or on the order), and a
-- community's without a status sorted all of its own: work that grew with the years of tasks.
CREATE INDEX community_tasks_order ON community_tasks (tenant_id, created_at DESC);
CREATE INDEX community_tasks_status_order ON community_tasks (tenant_id, status, created_at DESC);
CREATE INDEX community_tasks_department_order ON community_tasks (tenant_id, department_id, created_at DESC);
CREATE INDEX community_tasks_community_order ON community_tasks (tenant_id, community_id, created_at DESC);
