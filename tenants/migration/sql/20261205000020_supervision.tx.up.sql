-- Supervision (issue 16, items 1–2): regions above counties, the accounts that belong to a
-- region, and the de-identified feed each county publishes upward.
--
-- Everything a region's reader may see lives in schema supervision. Its readers run as the
-- role yichuang_supervision (the app switches to it with SET LOCAL ROLE for a region's
-- transaction, services/supervision), which is granted nothing in schema public: whatever a
-- bug in the region code asks for, PostgreSQL refuses every tenant table. What a region sees
-- of the store is fixed by the transaction-local setting app.region_path, as app.tenant_id
-- fixes a county's rows.

CREATE SCHEMA supervision;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'yichuang_supervision') THEN
        CREATE ROLE yichuang_supervision NOLOGIN NOINHERIT;
    END IF;
END $$;

-- The region path of the transaction ('/000000/320000/320100/' for a city), NULL when unset.
CREATE FUNCTION supervision.current_region() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('app.region_path', true), '') $$;

-- The registry of regions above counties (GB/T 2260 codes): one country root for the
-- platform, provinces, cities. Names and codes are published by the state, so everyone may
-- read them; only a transaction that sets app.platform_admin (services/supervision, the
-- operator's path) writes them.
CREATE TABLE supervision.regions (
    code        text        PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    level       text        NOT NULL CHECK (level IN ('country', 'province', 'city')),
    parent_code text        REFERENCES supervision.regions (code),
    path        text        NOT NULL UNIQUE CHECK (path ~ '^(/[0-9]{6})+/$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((level = 'country') = (parent_code IS NULL))
);
ALTER TABLE supervision.regions ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision.regions FORCE ROW LEVEL SECURITY;
CREATE POLICY read_all ON supervision.regions FOR SELECT USING (true);
CREATE POLICY platform_admin ON supervision.regions FOR ALL
    USING (current_setting('app.platform_admin', true) = 'on')
    WITH CHECK (current_setting('app.platform_admin', true) = 'on');

-- A county belongs to one city.
ALTER TABLE tenants ADD COLUMN city_code text REFERENCES supervision.regions (code);

-- The accounts of a region (city supervisor, province supervisor, platform operator): Kratos
-- identities whose metadata_public.region_code names the region, as a county's carry
-- tenant_id. A region's transaction sees its own members and those of the regions below.
CREATE TABLE supervision.region_members (
    identity_id uuid        PRIMARY KEY,
    region_code text        NOT NULL REFERENCES supervision.regions (code),
    role        text        NOT NULL CHECK (role IN ('city_supervisor', 'province_supervisor', 'platform_operator')),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    phone       text        NOT NULL UNIQUE CHECK (phone ~ '^1[3-9][0-9]{9}$'),
    status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE supervision.region_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision.region_members FORCE ROW LEVEL SECURITY;
CREATE POLICY own_region ON supervision.region_members FOR SELECT
    USING (region_code IN (SELECT r.code FROM supervision.regions r WHERE r.path LIKE supervision.current_region() || '%'));
CREATE POLICY platform_admin ON supervision.region_members FOR ALL
    USING (current_setting('app.platform_admin', true) = 'on')
    WITH CHECK (current_setting('app.platform_admin', true) = 'on');

-- The feed. Written only in a county's transaction (tenant_id = app.tenant_id) by the
-- publishing job; read by the county itself, and by a region's transaction for the counties
-- under it (region_path: the county's city path, copied at publication).
CREATE TABLE supervision.counties (
    tenant_id     uuid        PRIMARY KEY,
    region_path   text        NOT NULL,
    code          text        NOT NULL,
    name          text        NOT NULL,
    region_code   text        NOT NULL,
    published_seq bigint      NOT NULL DEFAULT 0,
    published_at  timestamptz
);

CREATE TABLE supervision.applications (
    tenant_id    uuid    NOT NULL,
    id           uuid    NOT NULL,
    region_path  text    NOT NULL,
    version      bigint  NOT NULL,
    item_code    text    NOT NULL,
    item_name    text    NOT NULL,
    township     text    NOT NULL,
    channel      text    NOT NULL,
    received_on  date,
    accepted_on  date,
    due_on       date,
    decided_on   date,
    delivered_on date,
    state        text    NOT NULL,
    warning      text    NOT NULL,
    on_time      boolean,
    corrections  int     NOT NULL,
    pauses       int     NOT NULL,
    extensions   int     NOT NULL,
    rating       int,
    clerk_ref    text    NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX supervision_applications_region ON supervision.applications (region_path text_pattern_ops, tenant_id);

-- Per month and community: the access lists' burden statistics.
CREATE TABLE supervision.burden_months (
    tenant_id    uuid    NOT NULL,
    month        text    NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    community    text    NOT NULL,
    region_path  text    NOT NULL,
    tasks        int     NOT NULL,
    accepted     int     NOT NULL,
    refused      int     NOT NULL,
    intercepted  int     NOT NULL,
    hours        numeric NOT NULL,
    ledgers      int     NOT NULL,
    certificates int     NOT NULL,
    inspections  int     NOT NULL,
    PRIMARY KEY (tenant_id, month, community)
);

-- Per month, post and level: community workers and what the month's payroll paid them.
CREATE TABLE supervision.workforce_months (
    tenant_id   uuid   NOT NULL,
    month       text   NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    post        text   NOT NULL,
    level       int    NOT NULL,
    region_path text   NOT NULL,
    workers     int    NOT NULL,
    payroll_fen bigint NOT NULL,
    PRIMARY KEY (tenant_id, month, post, level)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['counties', 'applications', 'burden_months', 'workforce_months'] LOOP
        EXECUTE format('ALTER TABLE supervision.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE supervision.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY county ON supervision.%I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t);
        EXECUTE format('CREATE POLICY region ON supervision.%I FOR SELECT TO yichuang_supervision USING (region_path LIKE supervision.current_region() || ''%%'')', t);
    END LOOP;
END $$;

GRANT USAGE ON SCHEMA supervision TO yichuang_supervision;
GRANT SELECT ON ALL TABLES IN SCHEMA supervision TO yichuang_supervision;
GRANT EXECUTE ON FUNCTION supervision.current_region() TO yichuang_supervision;

-- The county's outbox, a tenant table: a trigger writes a row in the transaction of every
-- change to what the feed carries, so the feed follows the county's transactions without a
-- call in the code that makes them; the publishing job drains it in seq order.
CREATE TABLE supervision_outbox (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    seq        bigint      GENERATED ALWAYS AS IDENTITY,
    kind       text        NOT NULL CHECK (kind IN ('application', 'month')),
    ref        text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, seq)
);
ALTER TABLE supervision_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON supervision_outbox
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- The county's secret for pseudonymous clerk ids (HMAC): never leaves the county.
CREATE TABLE supervision_keys (
    tenant_id uuid  NOT NULL REFERENCES tenants (id),
    secret    bytea NOT NULL CHECK (length(secret) = 32),
    PRIMARY KEY (tenant_id)
);
ALTER TABLE supervision_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON supervision_keys
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

CREATE FUNCTION supervision_outbox_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record := coalesce(NEW, OLD);
BEGIN
    IF TG_TABLE_NAME = 'applications' THEN
        INSERT INTO supervision_outbox (tenant_id, kind, ref) VALUES (r.tenant_id, 'application', r.id::text);
    ELSIF TG_ARGV[0] = 'application' THEN
        INSERT INTO supervision_outbox (tenant_id, kind, ref) VALUES (r.tenant_id, 'application', r.application_id::text);
    ELSIF TG_TABLE_NAME = 'community_tasks' THEN
        INSERT INTO supervision_outbox (tenant_id, kind, ref) VALUES (r.tenant_id, 'month', to_char(r.dispatched_on, 'YYYY-MM'));
    ELSIF TG_TABLE_NAME = 'dispatch_interceptions' THEN
        INSERT INTO supervision_outbox (tenant_id, kind, ref) VALUES (r.tenant_id, 'month', to_char(r.intercepted_on, 'YYYY-MM'));
    ELSIF TG_TABLE_NAME = 'payroll_runs' THEN
        INSERT INTO supervision_outbox (tenant_id, kind, ref) VALUES (r.tenant_id, 'month', to_char(r.month, 'YYYY-MM'));
    ELSE -- workers: the month's head count, as of today (China time)
        INSERT INTO supervision_outbox (tenant_id, kind, ref)
        VALUES (r.tenant_id, 'month', to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER supervision_outbox AFTER INSERT OR UPDATE ON applications
    FOR EACH ROW EXECUTE FUNCTION supervision_outbox_row('application');
CREATE TRIGGER supervision_outbox AFTER INSERT OR UPDATE ON ratings
    FOR EACH ROW EXECUTE FUNCTION supervision_outbox_row('application');
CREATE TRIGGER supervision_outbox AFTER INSERT OR UPDATE ON application_pauses
    FOR EACH ROW EXECUTE FUNCTION supervision_outbox_row('application');
CREATE TRIGGER supervision_outbox AFTER INSERT OR UPDATE OR DELETE ON community_tasks
    FOR EACH ROW EXECUTE FUNCTION supervision_outbox_row('month');
CREATE TRIGGER supervision_outbox AFTER INSERT ON dispatch_interceptions
    FOR EACH ROW EXECUTE FUNCTION supervision_outbox_row('month');
CREATE TRIGGER supervision_outbox AFTER INSERT OR UPDATE OR DELETE ON payroll_runs
    FOR EACH ROW EXECUTE FUNCTION supervision_outbox_row('month');
CREATE TRIGGER supervision_outbox AFTER INSERT OR UPDATE ON workers
    FOR EACH ROW EXECUTE FUNCTION supervision_outbox_row('month');
