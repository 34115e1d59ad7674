-- A version per monthly record of the feed (issue 16, item 2: "idempotently, with a version per
-- record"). A month's burden and workforce figures are computed again from the county's data
-- each time the month is published, and they can change without any row of theirs changing (a
-- worker's dated change takes effect, the month closes, a worker's level moves a past payroll
-- month), so no source row's version says when a figure changed. The county therefore keeps,
-- per monthly record, the hash of what it last published and a counter that moves only when
-- that hash does (services/supervision, monthVersions): the same content keeps its version,
-- any change raises it, and re-publishing from scratch reads the same counters, so it writes the
-- same versions. It is the county's own bookkeeping, like supervision_keys, and Republish
-- keeps it. A record that disappears keeps its line with no hash (a higher version), so its
-- return counts as a change too.
CREATE TABLE supervision_month_versions (
    tenant_id uuid   NOT NULL REFERENCES tenants (id),
    month     text   NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    kind      text   NOT NULL CHECK (kind IN ('burden', 'workforce')),
    key       text   NOT NULL,
    hash      bytea  CHECK (length(hash) = 32),
    version   bigint NOT NULL CHECK (version > 0),
    PRIMARY KEY (tenant_id, month, kind, key)
);
ALTER TABLE supervision_month_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision_month_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON supervision_month_versions
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- The store's column: rows published before this release carry 0 and are overwritten at
-- version 1 or more the next time their month is published.
ALTER TABLE supervision.burden_months ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE supervision.burden_months ALTER COLUMN version DROP DEFAULT;
ALTER TABLE supervision.workforce_months ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE supervision.workforce_months ALTER COLUMN version DROP DEFAULT;
