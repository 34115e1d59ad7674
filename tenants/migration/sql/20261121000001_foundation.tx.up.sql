-- Foundation: tenants, the org tree, memberships, the audit chain.
--
-- Rules every tenant table follows (checked by migration's catalog test):
--   * tenant_id leads the primary key, and every unique and foreign key includes it, so the
--     schema can be distributed by tenant_id on Citus;
--   * row level security is ENABLEd and FORCEd, and the policy reads the tenant from the
--     transaction-local setting app.tenant_id (SET LOCAL / set_config(..., true)); when the
--     setting is absent the comparison is NULL and no row is visible or writable.

CREATE FUNCTION app_current_tenant() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- The registry. Its key is the tenant id itself, so it follows the same policy with id in
-- place of tenant_id; code is unique platform-wide because operators address tenants by it.
CREATE TABLE tenants (
    id          uuid        PRIMARY KEY,
    code        text        NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9-]{1,31}$'),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    region_code text        NOT NULL DEFAULT '' CHECK (region_code ~ '^([0-9]{6})?$'),
    status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = app_current_tenant()) WITH CHECK (id = app_current_tenant());

-- county → township/street → village/community, and county departments under the county.
-- path is the materialised path of ids ("/<county>/<township>/"), so "this unit and below"
-- is one indexed prefix match.
CREATE TABLE org_units (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    id         uuid        NOT NULL,
    parent_id  uuid,
    kind       text        NOT NULL CHECK (kind IN ('county', 'township', 'street', 'village', 'community', 'department')),
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    code       text        NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,40}$'),
    path       text        NOT NULL,
    depth      int         NOT NULL CHECK (depth >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES org_units (tenant_id, id),
    CHECK ((kind = 'county') = (parent_id IS NULL))
);
CREATE UNIQUE INDEX org_units_one_county ON org_units (tenant_id) WHERE parent_id IS NULL;
CREATE INDEX org_units_path ON org_units (tenant_id, path text_pattern_ops);
ALTER TABLE org_units ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_units FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON org_units
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- A Kratos identity's place in a tenant. The identity's metadata_public.tenant_id names the
-- tenant, so sign-in finds the membership without reading across tenants.
CREATE TABLE memberships (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    identity_id uuid        NOT NULL,
    org_unit_id uuid        NOT NULL,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    phone       text        NOT NULL CHECK (phone ~ '^1[3-9][0-9]{9}$'),
    roles       text[]      NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY[
                    'platform_operator', 'county_admin', 'department_staff', 'township_clerk', 'community_worker']),
    scope       text        NOT NULL CHECK (scope IN ('tenant', 'org_subtree', 'self')),
    status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, identity_id),
    UNIQUE (tenant_id, phone),
    FOREIGN KEY (tenant_id, org_unit_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX memberships_keyset ON memberships (tenant_id, created_at, identity_id);
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memberships
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- The audit chain. audit_heads serialises appends per tenant (the row lock) and holds the
-- newest hash; each event stores its predecessor's hash and its own.
CREATE TABLE audit_heads (
    tenant_id uuid   NOT NULL REFERENCES tenants (id),
    last_seq  bigint NOT NULL,
    last_hash bytea  NOT NULL,
    PRIMARY KEY (tenant_id)
);
ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

CREATE TABLE audit_events (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    seq         bigint      NOT NULL CHECK (seq > 0),
    at          timestamptz NOT NULL,
    actor_id    uuid,
    actor_name  text        NOT NULL,
    action      text        NOT NULL,
    target_type text        NOT NULL,
    target_id   text        NOT NULL,
    request_id  text        NOT NULL,
    summary     jsonb       NOT NULL,
    prev_hash   bytea       NOT NULL,
    hash        bytea       NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- Append-only even for the owner: only a superuser who disables triggers can rewrite
-- history, and the hash chain then shows it.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- A county admin's request to recompute the chain; a River job fills in the result.
CREATE TABLE audit_checks (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id),
    id            uuid        NOT NULL,
    requested_by  uuid,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    status        text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done')),
    ok            boolean,
    rows_checked  bigint,
    first_bad_seq bigint,
    finished_at   timestamptz,
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE audit_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_checks
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
