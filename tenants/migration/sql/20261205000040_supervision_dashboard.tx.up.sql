-- Supervision dashboards (issue 16, items 5–6): the feed carries each decision's working days,
-- and three rollups of the store (per county, township, and item within a township, by month)
-- answer every dashboard without reading the applications.
--
-- A province holds some 10 million applications; a dashboard reads a period of months for a
-- region, a county or a township. The rollups are kept by a trigger on
-- supervision.applications in the transaction that writes the feed (the publishing job's, in
-- the county's transaction), subtracting the old row's contribution and adding the new one,
-- so the rollups are never behind the store and a re-publication from scratch (every row
-- deleted, then inserted again) leaves the same figures (TestRollupsFollowTheFeed).

-- Working days from acceptance to the decision, as the county counted them on its own
-- calendar (applications.decision_days): a region has no county's calendar.
ALTER TABLE supervision.applications ADD COLUMN decision_days int CHECK (decision_days >= 0);

-- Per county, township and month (the month an application was received, as the county's
-- own statistics count): what a dashboard counts. region_path is the county's city path, as
-- on every table of the store, for the region policy.
CREATE TABLE supervision.township_months (
    tenant_id   uuid   NOT NULL,
    township    text   NOT NULL,
    month       date   NOT NULL CHECK (extract(day FROM month) = 1),
    region_path text   NOT NULL,
    received    int    NOT NULL DEFAULT 0,
    decided     int    NOT NULL DEFAULT 0,
    on_time     int    NOT NULL DEFAULT 0, -- decided on or before the due date
    late        int    NOT NULL DEFAULT 0, -- decided after it
    overdue     int    NOT NULL DEFAULT 0, -- undecided and past the due date (warning red)
    yellow      int    NOT NULL DEFAULT 0, -- undecided and close to it (warning yellow)
    days_sum    bigint NOT NULL DEFAULT 0, -- Σ decision_days
    days_count  int    NOT NULL DEFAULT 0, -- decisions with decision_days
    rated       int    NOT NULL DEFAULT 0,
    good        int    NOT NULL DEFAULT 0, -- ratings of 3 (基本满意) or better: 好评
    PRIMARY KEY (tenant_id, township, month)
);
-- A region's period: every county under its path, a range of months.
CREATE INDEX supervision_township_months_region ON supervision.township_months (region_path text_pattern_ops, month);

-- The same per county and month: what a province's or a city's dashboard reads (a hundred
-- counties over five years are 6,000 rows, whatever the number of applications).
CREATE TABLE supervision.county_months (
    tenant_id   uuid   NOT NULL,
    month       date   NOT NULL CHECK (extract(day FROM month) = 1),
    region_path text   NOT NULL,
    received    int    NOT NULL DEFAULT 0,
    decided     int    NOT NULL DEFAULT 0,
    on_time     int    NOT NULL DEFAULT 0,
    late        int    NOT NULL DEFAULT 0,
    overdue     int    NOT NULL DEFAULT 0,
    yellow      int    NOT NULL DEFAULT 0,
    days_sum    bigint NOT NULL DEFAULT 0,
    days_count  int    NOT NULL DEFAULT 0,
    rated       int    NOT NULL DEFAULT 0,
    good        int    NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month)
);
CREATE INDEX supervision_county_months_region ON supervision.county_months (region_path text_pattern_ops, month);

-- The same per item within each township: a county's and a township's items.
CREATE TABLE supervision.item_months (
    tenant_id   uuid   NOT NULL,
    township    text   NOT NULL,
    item_code   text   NOT NULL,
    item_name   text   NOT NULL,
    month       date   NOT NULL CHECK (extract(day FROM month) = 1),
    region_path text   NOT NULL,
    received    int    NOT NULL DEFAULT 0,
    decided     int    NOT NULL DEFAULT 0,
    on_time     int    NOT NULL DEFAULT 0,
    late        int    NOT NULL DEFAULT 0,
    overdue     int    NOT NULL DEFAULT 0,
    yellow      int    NOT NULL DEFAULT 0,
    days_sum    bigint NOT NULL DEFAULT 0,
    days_count  int    NOT NULL DEFAULT 0,
    rated       int    NOT NULL DEFAULT 0,
    good        int    NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, township, item_code, item_name, month)
);
CREATE INDEX supervision_item_months_month ON supervision.item_months (tenant_id, month);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['county_months', 'township_months', 'item_months'] LOOP
        EXECUTE format('ALTER TABLE supervision.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE supervision.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY county ON supervision.%I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t);
        EXECUTE format('CREATE POLICY region ON supervision.%I FOR SELECT TO yichuang_supervision USING (region_path LIKE supervision.current_region() || ''%%'')', t);
        EXECUTE format('GRANT SELECT ON supervision.%I TO yichuang_supervision', t);
    END LOOP;
END $$;

-- One stored application's contribution (sign +1 or -1) to its month's rows.
CREATE FUNCTION supervision.rollup_add(a supervision.applications, sign int) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    d     date    := coalesce(a.received_on, a.accepted_on);
    m     date;
    dec   boolean := a.decided_on IS NOT NULL;
    open  boolean := a.decided_on IS NULL;
    vals  int[];
BEGIN
    IF d IS NULL THEN
        RETURN;
    END IF;
    m := date_trunc('month', d)::date;
    vals := ARRAY[sign, sign * dec::int, sign * (dec AND a.on_time IS TRUE)::int, sign * (dec AND a.on_time IS FALSE)::int,
                  sign * (open AND a.warning = 'red')::int, sign * (open AND a.warning = 'yellow')::int,
                  sign * coalesce(CASE WHEN dec THEN a.decision_days END, 0), sign * (dec AND a.decision_days IS NOT NULL)::int,
                  sign * (a.rating IS NOT NULL)::int, sign * coalesce(a.rating >= 3, false)::int];
    INSERT INTO supervision.county_months AS s (tenant_id, month, region_path, received, decided, on_time, late,
                                               overdue, yellow, days_sum, days_count, rated, good)
    VALUES (a.tenant_id, m, a.region_path, vals[1], vals[2], vals[3], vals[4], vals[5], vals[6], vals[7], vals[8], vals[9], vals[10])
    ON CONFLICT (tenant_id, month) DO UPDATE SET
        region_path = excluded.region_path,
        received = s.received + excluded.received, decided = s.decided + excluded.decided,
        on_time = s.on_time + excluded.on_time, late = s.late + excluded.late,
        overdue = s.overdue + excluded.overdue, yellow = s.yellow + excluded.yellow,
        days_sum = s.days_sum + excluded.days_sum, days_count = s.days_count + excluded.days_count,
        rated = s.rated + excluded.rated, good = s.good + excluded.good;
    INSERT INTO supervision.township_months AS s (tenant_id, township, month, region_path, received, decided, on_time, late,
                                                 overdue, yellow, days_sum, days_count, rated, good)
    VALUES (a.tenant_id, a.township, m, a.region_path, vals[1], vals[2], vals[3], vals[4], vals[5], vals[6], vals[7], vals[8], vals[9], vals[10])
    ON CONFLICT (tenant_id, township, month) DO UPDATE SET
        region_path = excluded.region_path,
        received = s.received + excluded.received, decided = s.decided + excluded.decided,
        on_time = s.on_time + excluded.on_time, late = s.late + excluded.late,
        overdue = s.overdue + excluded.overdue, yellow = s.yellow + excluded.yellow,
        days_sum = s.days_sum + excluded.days_sum, days_count = s.days_count + excluded.days_count,
        rated = s.rated + excluded.rated, good = s.good + excluded.good;
    INSERT INTO supervision.item_months AS s (tenant_id, township, item_code, item_name, month, region_path, received, decided,
                                             on_time, late, overdue, yellow, days_sum, days_count, rated, good)
    VALUES (a.tenant_id, a.township, a.item_code, a.item_name, m, a.region_path, vals[1], vals[2], vals[3], vals[4], vals[5],
            vals[6], vals[7], vals[8], vals[9], vals[10])
    ON CONFLICT (tenant_id, township, item_code, item_name, month) DO UPDATE SET
        region_path = excluded.region_path,
        received = s.received + excluded.received, decided = s.decided + excluded.decided,
        on_time = s.on_time + excluded.on_time, late = s.late + excluded.late,
        overdue = s.overdue + excluded.overdue, yellow = s.yellow + excluded.yellow,
        days_sum = s.days_sum + excluded.days_sum, days_count = s.days_count + excluded.days_count,
        rated = s.rated + excluded.rated, good = s.good + excluded.good;
    -- A row nothing counts in any more (every application counts in received) goes: a
    -- township or item that no longer has applications in the month is not listed.
    IF sign < 0 THEN
        DELETE FROM supervision.county_months WHERE tenant_id = a.tenant_id AND month = m AND received = 0;
        DELETE FROM supervision.township_months
        WHERE tenant_id = a.tenant_id AND township = a.township AND month = m AND received = 0;
        DELETE FROM supervision.item_months
        WHERE tenant_id = a.tenant_id AND township = a.township AND item_code = a.item_code AND item_name = a.item_name
          AND month = m AND received = 0;
    END IF;
END $$;

-- What a stored application contributes; a re-publication of an unchanged row (the same
-- version written again) touches no rollup row.
CREATE FUNCTION supervision.rollup_key(a supervision.applications) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws('|', a.region_path, a.township, a.item_code, a.item_name, coalesce(a.received_on, a.accepted_on),
        a.decided_on IS NOT NULL, a.on_time, a.warning, a.decision_days, a.rating)
$$;

CREATE FUNCTION supervision.rollup_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF supervision.rollup_key(OLD) IS NOT DISTINCT FROM supervision.rollup_key(NEW) THEN
            RETURN NULL;
        END IF;
        PERFORM supervision.rollup_add(OLD, -1);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM supervision.rollup_add(OLD, -1);
    ELSE
        PERFORM supervision.rollup_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER supervision_rollup AFTER INSERT OR UPDATE OR DELETE ON supervision.applications
    FOR EACH ROW EXECUTE FUNCTION supervision.rollup_trigger();

-- The access lists' burden and the workforce per county and month, for a region's months
-- (the store's rows are per community, and per post and level: a province's five years are
-- hundreds of thousands). Kept by trigger as above; publishing a month updates, inserts and
-- deletes its rows (services/supervision, writeMonth), which subtracts and adds.
CREATE TABLE supervision.burden_county_months (
    tenant_id   uuid    NOT NULL,
    month       text    NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    region_path text    NOT NULL,
    communities int     NOT NULL DEFAULT 0,
    tasks       int     NOT NULL DEFAULT 0,
    refused     int     NOT NULL DEFAULT 0,
    intercepted int     NOT NULL DEFAULT 0,
    hours       numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month)
);
CREATE TABLE supervision.workforce_county_months (
    tenant_id   uuid   NOT NULL,
    month       text   NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    region_path text   NOT NULL,
    rows        int    NOT NULL DEFAULT 0, -- post-and-level rows counted (0: the row goes)
    workers     int    NOT NULL DEFAULT 0,
    payroll_fen bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month)
);
CREATE INDEX supervision_burden_county_months_region ON supervision.burden_county_months (region_path text_pattern_ops, month);
CREATE INDEX supervision_workforce_county_months_region ON supervision.workforce_county_months (region_path text_pattern_ops, month);
-- A region's workforce by level reads one month.
CREATE INDEX supervision_workforce_months_month ON supervision.workforce_months (month, region_path text_pattern_ops);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['burden_county_months', 'workforce_county_months'] LOOP
        EXECUTE format('ALTER TABLE supervision.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE supervision.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY county ON supervision.%I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t);
        EXECUTE format('CREATE POLICY region ON supervision.%I FOR SELECT TO yichuang_supervision USING (region_path LIKE supervision.current_region() || ''%%'')', t);
        EXECUTE format('GRANT SELECT ON supervision.%I TO yichuang_supervision', t);
    END LOOP;
END $$;

CREATE FUNCTION supervision.burden_rollup_add(b supervision.burden_months, sign int) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO supervision.burden_county_months AS s (tenant_id, month, region_path, communities, tasks, refused, intercepted, hours)
    VALUES (b.tenant_id, b.month, b.region_path, sign, sign * b.tasks, sign * b.refused, sign * b.intercepted, sign * b.hours)
    ON CONFLICT (tenant_id, month) DO UPDATE SET
        region_path = excluded.region_path, communities = s.communities + excluded.communities, tasks = s.tasks + excluded.tasks,
        refused = s.refused + excluded.refused, intercepted = s.intercepted + excluded.intercepted, hours = s.hours + excluded.hours;
    IF sign < 0 THEN
        DELETE FROM supervision.burden_county_months WHERE tenant_id = b.tenant_id AND month = b.month AND communities = 0;
    END IF;
END $$;

CREATE FUNCTION supervision.workforce_rollup_add(w supervision.workforce_months, sign int) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO supervision.workforce_county_months AS s (tenant_id, month, region_path, rows, workers, payroll_fen)
    VALUES (w.tenant_id, w.month, w.region_path, sign, sign * w.workers, sign * w.payroll_fen)
    ON CONFLICT (tenant_id, month) DO UPDATE SET
        region_path = excluded.region_path, rows = s.rows + excluded.rows, workers = s.workers + excluded.workers,
        payroll_fen = s.payroll_fen + excluded.payroll_fen;
    IF sign < 0 THEN
        DELETE FROM supervision.workforce_county_months WHERE tenant_id = w.tenant_id AND month = w.month AND rows = 0;
    END IF;
END $$;

CREATE FUNCTION supervision.month_rollup_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF TG_TABLE_NAME = 'burden_months' THEN
            PERFORM supervision.burden_rollup_add(OLD, -1);
        ELSE
            PERFORM supervision.workforce_rollup_add(OLD, -1);
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF TG_TABLE_NAME = 'burden_months' THEN
            PERFORM supervision.burden_rollup_add(NEW, 1);
        ELSE
            PERFORM supervision.workforce_rollup_add(NEW, 1);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER supervision_rollup AFTER INSERT OR UPDATE OR DELETE ON supervision.burden_months
    FOR EACH ROW EXECUTE FUNCTION supervision.month_rollup_trigger();
CREATE TRIGGER supervision_rollup AFTER INSERT OR UPDATE OR DELETE ON supervision.workforce_months
    FOR EACH ROW EXECUTE FUNCTION supervision.month_rollup_trigger();

-- The rollups of what the store holds already (owner, FORCE lifted for this transaction only,
-- as in 20261205000010; the feed's rows of before carry no decision_days until re-published).
ALTER TABLE supervision.applications NO FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.county_months NO FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.township_months NO FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.item_months NO FORCE ROW LEVEL SECURITY;
SELECT supervision.rollup_add(a, 1) FROM supervision.applications a;
ALTER TABLE supervision.burden_months NO FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.workforce_months NO FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.burden_county_months NO FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.workforce_county_months NO FORCE ROW LEVEL SECURITY;
SELECT supervision.burden_rollup_add(b, 1) FROM supervision.burden_months b;
SELECT supervision.workforce_rollup_add(w, 1) FROM supervision.workforce_months w;
ALTER TABLE supervision.burden_months FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.workforce_months FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.burden_county_months FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.workforce_county_months FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.applications FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.county_months FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.township_months FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.item_months FORCE ROW LEVEL SECURITY;
