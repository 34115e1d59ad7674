-- The applications decided before 20261205000010_province_scale have no decision_days (the
-- working days from acceptance to the decision need the county's calendar, which only Go
-- reads). `yichuang migrate` fills them after the SQL migrations (application.
-- BackfillDecisionDays), county by county in keyset batches over this index; the statistics
-- trigger moves each one into the rollup as it is written. Once a county is done the index
-- holds only what cannot be counted (none in practice), so the step costs one probe per county
-- on every later migrate.
CREATE INDEX applications_decision_days_missing ON applications (tenant_id, id)
    WHERE decided_on IS NOT NULL AND accepted_on IS NOT NULL AND decision_days IS NULL;
