-- A member's unread notifications: the inbox's unread count (on every page of it and the
-- menu's badge) and its "unread only" filter read this partial index alone — an index-only
-- count of what is unread, not a walk through every notice the member ever got
-- (notifications_inbox) checking read_at row by row. Found with make bench-province's trace
-- (YC_PROVINCE_TRACE=1): the count's buffers grew with the inbox.
CREATE INDEX notifications_unread ON notifications (tenant_id, recipient_id, created_at DESC, id DESC) WHERE read_at IS NULL;
