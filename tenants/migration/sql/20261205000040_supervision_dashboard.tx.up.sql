-- Supervision dashboards (issue 16, items 5–6): the feed carries each decision's working days,
-- and two rollups of the store answer every dashboard without reading the applications.
--
-- A province holds some 10 million applications; a dashboard reads a period of months for a
-- region, a county or a township. Both rollups are kept by a trigger on
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
    FOREACH t IN ARRAY ARRAY['township_months', 'item_months'] LOOP
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

-- The rollups of what the store holds already (owner, FORCE lifted for this transaction only,
-- as in 20261205000010; the feed's rows of before carry no decision_days until re-published).
ALTER TABLE supervision.applications NO FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.township_months NO FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.item_months NO FORCE ROW LEVEL SECURITY;
SELECT supervision.rollup_add(a, 1) FROM supervision.applications a;
ALTER TABLE supervision.applications FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.township_months FORCE ROW LEVEL SECURITY;
ALTER TABLE supervision.item_months FORCE ROW LEVEL SECURITY;
