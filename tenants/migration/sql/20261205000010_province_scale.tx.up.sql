-- Issue 14 item 2: every worklist filter and the statistics fast at 10 million applications
-- (a province: 95 counties, five years). Measured with `make bench-province`; the plans and
-- why each index is shaped as it is are in docs/architecture.md ("Province scale").

-- btree_gin lets one GIN index lead with tenant_id (the name search below). pg_trgm was
-- considered and rejected: in a cluster without a locale (initdb --no-locale, as the stack
-- runs) it treats hanzi as separators and extracts no trigram from 王秀兰 at all, and even
-- with a locale a two-character part ('%秀兰%') has no whole trigram to look up.
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Name search by any part of a Chinese name: the name's characters and its pairs of
-- neighbouring characters (王秀兰 → 王 秀 兰 王秀 秀兰). A search for a part of two or more
-- characters asks for all its pairs (a part of one character for that character) and then
-- checks the whole part with LIKE. Lower-cased so a Latin name matches either case.
CREATE FUNCTION app_name_grams(s text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
        SELECT substr(lower(s), i, 1) AS g FROM generate_series(1, char_length(s)) AS i
        UNION ALL
        SELECT substr(lower(s), i, 2) FROM generate_series(1, char_length(s) - 1) AS i
    ) AS grams WHERE g <> '' AND g !~ '^\s+$'
$$;

ALTER TABLE applications
    ADD COLUMN applicant_name_grams text[] GENERATED ALWAYS AS (app_name_grams(applicant_name)) STORED,
    -- Working days from acceptance to the decision, counted on the county's calendar when
    -- the decision is made (application.Act); the statistics' average reads the rollup.
    ADD COLUMN decision_days int CHECK (decision_days >= 0),
    -- A proxy intake's hall is its village's or community's parent (application.Intake), so
    -- the proxy unit lies under the hall: a data scope that contains the proxy unit's strict
    -- ancestors contains the hall too. The worklist relies on it (application.visible).
    ADD CONSTRAINT applications_proxy_under_hall CHECK (proxy_path IS NULL OR starts_with(proxy_path, hall_path));

-- The worklists: each branch of a data scope (hall, proxy unit, routed department) read in
-- the worklist's order, so a page is the first rows of a few index scans, never a sort of
-- everything in scope. The copies over what still needs attention (open, or with a warning:
-- a decided 准予 keeps its delivery warning) serve the filters that match only those (the
-- states before a decision, a warning level), which are a few per cent of five years.
CREATE INDEX applications_hall_order ON applications (tenant_id, hall_path, created_at DESC, id DESC);
CREATE INDEX applications_hall_attention ON applications (tenant_id, hall_path, created_at DESC, id DESC)
    WHERE closed_on IS NULL OR warning <> 'normal';
CREATE INDEX applications_proxy_order ON applications (tenant_id, proxy_path, created_at DESC, id DESC) WHERE proxy_path IS NOT NULL;
CREATE INDEX applications_dept_order ON applications (tenant_id, department_path, created_at DESC, id DESC) WHERE routed;
CREATE INDEX applications_attention ON applications (tenant_id, created_at DESC, id DESC)
    WHERE closed_on IS NULL OR warning <> 'normal';
CREATE INDEX applications_name_grams ON applications USING gin (tenant_id, applicant_name_grams);
-- The statistics' one live count: open, undecided applications past their committed date.
CREATE INDEX applications_overdue ON applications (tenant_id, promised_due) WHERE closed_on IS NULL AND decided_on IS NULL;

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
INSERT INTO application_stats_daily (tenant_id, day, hall_id, item_id, item_name, received, accepted, decided, on_time, late)
SELECT tenant_id, coalesce(proxy_received_on, received_on), hall_id, item_id, item_name, count(*),
       count(*) FILTER (WHERE accepted_on IS NOT NULL), count(*) FILTER (WHERE decided_on IS NOT NULL),
       count(*) FILTER (WHERE decided_on IS NOT NULL AND (promised_due IS NULL OR decided_on <= promised_due)),
       count(*) FILTER (WHERE decided_on > promised_due)
FROM applications WHERE coalesce(proxy_received_on, received_on) IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
ALTER TABLE applications FORCE ROW LEVEL SECURITY;
ALTER TABLE application_stats_daily FORCE ROW LEVEL SECURITY;
