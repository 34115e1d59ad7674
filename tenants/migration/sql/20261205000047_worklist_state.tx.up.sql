-- The county-wide worklist by open state (a county admin's 办理中, 待受理 tabs): each state read
-- in the worklist's order (application.List gives each state its branch). Over what needs
-- attention only, like applications_attention: the open states are a few per cent of five
-- years, and the closed ones are dense enough in the county-wide order to need no index.
-- Found with make bench-province's trace (YC_PROVINCE_TRACE=1): through applications_attention
-- the 办理中 page read every open application newer than its rows.
CREATE INDEX applications_state_attention ON applications (tenant_id, state, created_at DESC, id DESC)
    WHERE (closed_on IS NULL OR warning <> 'normal');
