-- Issue 14 item 2: every worklist filter and the statistics fast at 10 million applications
-- (a province: 95 counties, five years). Measured with `make bench-province`; the plans and
-- why each index is shaped as it is are in docs/architecture.md ("Province scale").

-- Under row level security PostgreSQL only turns leakproof operators into index conditions
-- (a non-leakproof one could see rows the policy hides before the policy has filtered them).
-- LIKE and array containment (@>) are not leakproof, so `hall_path LIKE 'p%'` or a GIN index
-- over name fragments would never be used by the runtime role: every prefix below is a range
-- of leakproof comparisons, and name search is an equality on a side table.
--
-- Paths are compared in the "C" collation, where the paths under p are exactly those in
-- (p, p with its last '/' raised to '0'), whatever the database's own collation.

-- The worklists: each branch of a data scope (hall, proxy unit, routed department) read in
-- the worklist's order, so a page is the first rows of a few index scans, never a sort of
-- everything in scope. The copies over what still needs attention (open, or with a warning:
-- a decided 准予 keeps its delivery warning) serve the filters that match only those (the
-- states before a decision, a warning level), a few per cent of five years.
CREATE INDEX applications_hall_order ON applications (tenant_id, (hall_path COLLATE "C"), created_at DESC, id DESC);
CREATE INDEX applications_hall_attention ON applications (tenant_id, (hall_path COLLATE "C"), created_at DESC, id DESC)
    WHERE closed_on IS NULL OR warning <> 'normal';
CREATE INDEX applications_proxy_order ON applications (tenant_id, (proxy_path COLLATE "C"), created_at DESC, id DESC) WHERE proxy_path IS NOT NULL;
CREATE INDEX applications_dept_order ON applications (tenant_id, (department_path COLLATE "C"), created_at DESC, id DESC) WHERE routed;
CREATE INDEX applications_attention ON applications (tenant_id, created_at DESC, id DESC)
    WHERE closed_on IS NULL OR warning <> 'normal';
-- A receipt number's prefix, as a range.
CREATE INDEX applications_receipt_prefix ON applications (tenant_id, (receipt_no COLLATE "C"));
-- The statistics' one live count: open, undecided applications past their committed date.
CREATE INDEX applications_overdue ON applications (tenant_id, promised_due) WHERE closed_on IS NULL AND decided_on IS NULL;

ALTER TABLE applications
    -- Working days from acceptance to the decision, counted on the county's calendar when
    -- the decision is made (application.Act); the statistics' average reads the rollup.
    ADD COLUMN decision_days int CHECK (decision_days >= 0),
    -- A proxy intake's hall is its village's or community's parent (application.Intake), so
    -- the proxy unit lies under the hall: a data scope that contains the proxy unit's strict
    -- ancestors contains the hall too. The worklist relies on it (application.scopeBranches).
    ADD CONSTRAINT applications_proxy_under_hall CHECK (proxy_path IS NULL OR starts_with(proxy_path, hall_path));

-- Name search by any part of a name: each character and each pair of neighbouring
-- characters of the applicant's name (王秀兰 → 王 秀 兰 王秀 秀兰), lower-cased, one row each,
-- in the worklist's order. A search for a part looks up its last pair (its character, for a
-- part of one) and checks the whole part on the application. pg_trgm was considered and
-- rejected: in a cluster without a locale (initdb --no-locale, as the stack runs) it treats
-- hanzi as separators and extracts no trigram from 王秀兰 at all, a two-character part has no
-- whole trigram to look up, and its operators are not leakproof (see above).
CREATE TABLE application_name_grams (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    application_id uuid        NOT NULL,
    gram           text        NOT NULL,
    created_at     timestamptz NOT NULL, -- the application's, for the worklist's order
    PRIMARY KEY (tenant_id, application_id, gram),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX application_name_grams_order ON application_name_grams (tenant_id, gram, created_at DESC, application_id DESC);
ALTER TABLE application_name_grams ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_name_grams FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON application_name_grams
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- The grams of a name (also called by the worklist's search for the part typed).
CREATE FUNCTION app_name_grams(s text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    l text := lower(s);
    n int := char_length(l);
    out text[] := '{}';
    g text;
BEGIN
    FOR i IN 1..n LOOP
        g := substr(l, i, 1);
        IF btrim(g) <> '' AND NOT g = ANY (out) THEN
            out := out || g;
        END IF;
        IF i < n THEN
            g := substr(l, i, 2);
            IF btrim(g) <> '' AND NOT g = ANY (out) THEN
                out := out || g;
            END IF;
        END IF;
    END LOOP;
    RETURN out;
END $$;

CREATE FUNCTION app_name_grams_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.applicant_name = NEW.applicant_name THEN
            RETURN NULL;
        END IF;
        DELETE FROM application_name_grams WHERE tenant_id = OLD.tenant_id AND application_id = OLD.id;
    END IF;
    INSERT INTO application_name_grams (tenant_id, application_id, gram, created_at)
    SELECT NEW.tenant_id, NEW.id, g, NEW.created_at FROM unnest(app_name_grams(NEW.applicant_name)) AS g;
    RETURN NULL;
END $$;

CREATE TRIGGER applications_name_grams AFTER INSERT OR UPDATE OF applicant_name ON applications
    FOR EACH ROW EXECUTE FUNCTION app_name_grams_trigger();

-- County statistics from a rollup: per received day, hall and item, what the report counts.
-- Kept by a trigger on applications in the writing transaction, so it is never behind; the
-- open-and-overdue count depends on today and is counted live (applications_overdue).
CREATE TABLE application_stats_daily (
    tenant_id  uuid   NOT NULL REFERENCES tenants (id),
    day        date   NOT NULL, -- coalesce(proxy_received_on, received_on)
    hall_id    uuid   NOT NULL,
    item_id    uuid   NOT NULL,
    item_name  text   NOT NULL,
    received   int    NOT NULL DEFAULT 0,
    accepted   int    NOT NULL DEFAULT 0,
    decided    int    NOT NULL DEFAULT 0,
    on_time    int    NOT NULL DEFAULT 0, -- decided on or before promised_due (or without one)
    late       int    NOT NULL DEFAULT 0, -- decided after promised_due
    days_sum   bigint NOT NULL DEFAULT 0, -- Σ decision_days
    days_count int    NOT NULL DEFAULT 0, -- decisions with decision_days
    PRIMARY KEY (tenant_id, day, hall_id, item_id, item_name),
    FOREIGN KEY (tenant_id, hall_id) REFERENCES org_units (tenant_id, id)
);
ALTER TABLE application_stats_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_stats_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON application_stats_daily
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- The same per month (the first of the month), so that a long period reads its whole months
-- here and only its partial first and last months from the days: five years of a large
-- county are some 6,000 monthly rows instead of 175,000 daily ones.
CREATE TABLE application_stats_monthly (LIKE application_stats_daily INCLUDING DEFAULTS);
ALTER TABLE application_stats_monthly RENAME COLUMN day TO month;
ALTER TABLE application_stats_monthly
    ADD PRIMARY KEY (tenant_id, month, hall_id, item_id, item_name),
    ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id),
    ADD FOREIGN KEY (tenant_id, hall_id) REFERENCES org_units (tenant_id, id),
    ADD CHECK (extract(day FROM month) = 1);
ALTER TABLE application_stats_monthly ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_stats_monthly FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON application_stats_monthly
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- One application's contribution (sign +1 or -1) to its day's row.
CREATE FUNCTION app_stats_add(a applications, sign int) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    d date := coalesce(a.proxy_received_on, a.received_on);
    dec boolean := a.decided_on IS NOT NULL;
    ontime boolean := dec AND (a.promised_due IS NULL OR a.decided_on <= a.promised_due);
BEGIN
    IF d IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO application_stats_daily AS s (tenant_id, day, hall_id, item_id, item_name, received, accepted, decided, on_time, late, days_sum, days_count)
    VALUES (a.tenant_id, d, a.hall_id, a.item_id, a.item_name, sign,
            sign * (a.accepted_on IS NOT NULL)::int, sign * dec::int, sign * ontime::int, sign * (dec AND NOT ontime)::int,
            sign * coalesce(CASE WHEN dec THEN a.decision_days END, 0), sign * (dec AND a.decision_days IS NOT NULL)::int)
    ON CONFLICT (tenant_id, day, hall_id, item_id, item_name) DO UPDATE SET
        received = s.received + excluded.received, accepted = s.accepted + excluded.accepted,
        decided = s.decided + excluded.decided, on_time = s.on_time + excluded.on_time, late = s.late + excluded.late,
        days_sum = s.days_sum + excluded.days_sum, days_count = s.days_count + excluded.days_count;
    INSERT INTO application_stats_monthly AS s (tenant_id, month, hall_id, item_id, item_name, received, accepted, decided, on_time, late, days_sum, days_count)
    VALUES (a.tenant_id, date_trunc('month', d)::date, a.hall_id, a.item_id, a.item_name, sign,
            sign * (a.accepted_on IS NOT NULL)::int, sign * dec::int, sign * ontime::int, sign * (dec AND NOT ontime)::int,
            sign * coalesce(CASE WHEN dec THEN a.decision_days END, 0), sign * (dec AND a.decision_days IS NOT NULL)::int)
    ON CONFLICT (tenant_id, month, hall_id, item_id, item_name) DO UPDATE SET
        received = s.received + excluded.received, accepted = s.accepted + excluded.accepted,
        decided = s.decided + excluded.decided, on_time = s.on_time + excluded.on_time, late = s.late + excluded.late,
        days_sum = s.days_sum + excluded.days_sum, days_count = s.days_count + excluded.days_count;
END $$;

-- What an application contributes; an update that changes none of it (most steps, every
-- reconciliation of a running application) touches no rollup row, so the sweep and the
-- hall do not meet there.
CREATE FUNCTION app_stats_key(a applications) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws('|', coalesce(a.proxy_received_on, a.received_on), a.hall_id, a.item_id, a.item_name,
        a.accepted_on IS NOT NULL, a.decided_on,
        CASE WHEN a.decided_on IS NOT NULL THEN a.promised_due END,
        CASE WHEN a.decided_on IS NOT NULL THEN a.decision_days END)
$$;

CREATE FUNCTION app_stats_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF app_stats_key(OLD) IS NOT DISTINCT FROM app_stats_key(NEW) THEN
            RETURN NULL;
        END IF;
        PERFORM app_stats_add(OLD, -1);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM app_stats_add(OLD, -1);
    ELSE
        PERFORM app_stats_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER applications_stats AFTER INSERT OR UPDATE OR DELETE ON applications
    FOR EACH ROW EXECUTE FUNCTION app_stats_trigger();

-- The rollup of the applications so far (decision_days is NULL on them: their average
-- working days come back as their counties decide new ones). RLS is FORCEd, which binds the
-- owner running migrations too; lifting FORCE inside this transaction lets the owner, and
-- nobody else, see every county's rows until the end of the file puts it back.
ALTER TABLE applications NO FORCE ROW LEVEL SECURITY;
ALTER TABLE application_stats_daily NO FORCE ROW LEVEL SECURITY;
ALTER TABLE application_stats_monthly NO FORCE ROW LEVEL SECURITY;
INSERT INTO application_stats_daily (tenant_id, day, hall_id, item_id, item_name, received, accepted, decided, on_time, late)
SELECT tenant_id, coalesce(proxy_received_on, received_on), hall_id, item_id, item_name, count(*),
       count(*) FILTER (WHERE accepted_on IS NOT NULL), count(*) FILTER (WHERE decided_on IS NOT NULL),
       count(*) FILTER (WHERE decided_on IS NOT NULL AND (promised_due IS NULL OR decided_on <= promised_due)),
       count(*) FILTER (WHERE decided_on > promised_due)
FROM applications WHERE coalesce(proxy_received_on, received_on) IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
INSERT INTO application_stats_monthly (tenant_id, month, hall_id, item_id, item_name, received, accepted, decided, on_time, late)
SELECT tenant_id, date_trunc('month', day)::date, hall_id, item_id, item_name, sum(received), sum(accepted), sum(decided), sum(on_time), sum(late)
FROM application_stats_daily GROUP BY 1, 2, 3, 4, 5;
ALTER TABLE application_name_grams NO FORCE ROW LEVEL SECURITY;
INSERT INTO application_name_grams (tenant_id, application_id, gram, created_at)
SELECT a.tenant_id, a.id, g, a.created_at FROM applications a, unnest(app_name_grams(a.applicant_name)) AS g;
ALTER TABLE applications FORCE ROW LEVEL SECURITY;
ALTER TABLE application_stats_daily FORCE ROW LEVEL SECURITY;
ALTER TABLE application_stats_monthly FORCE ROW LEVEL SECURITY;
ALTER TABLE application_name_grams FORCE ROW LEVEL SECURITY;
