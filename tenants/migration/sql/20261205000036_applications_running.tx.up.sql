-- The deadline sweep's keyset walk (application.Service.Sweep: tenant_id = ? AND id > ?
-- ORDER BY tenant_id, id, over the running applications — whereRunning's two arms, which imply
-- this predicate). Without it the walk went through the primary key and read every
-- application the county ever had, five years of closed ones, to find the few per cent still
-- running: a sweep with nothing to change took 2 s in make bench-province's large county at
-- 10 million, for 5,748 open. The index holds only what a sweep reads.
CREATE INDEX applications_running ON applications (tenant_id, id)
    WHERE closed_on IS NULL OR (state = 'decided' AND decision = 'approve' AND delivered_on IS NULL);
