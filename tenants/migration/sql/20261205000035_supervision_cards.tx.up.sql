-- 效能监察 (issue 16, item 4): red and yellow cards raised from what a county publishes, the
-- rules that raise them (a region's settings), a supervisor's 督办 on a card and the county's
-- reply.
--
-- Who writes what is the database's to enforce, as for the feed:
--   * cards are written only in the county's transaction (the publishing job evaluates them
--     from the rows it has just published) and read by the regions above it;
--   * card rules are a region's own settings, written by that region's supervisor (as the
--     supervision role, app.region_path = the row's path) and readable by everyone (a county's
--     job reads the rules of the regions above it);
--   * a 督办 is issued and closed by a region over the county (region_path LIKE its path) and
--     replied to by the county (its tenant_id); a trigger keeps each side to its own columns.

-- Facts the rules need that the feed did not carry; de-identified (a department's name, booleans
-- and a date, no free text).
ALTER TABLE supervision.applications
    ADD COLUMN department         text    NOT NULL DEFAULT '',
    -- 不予受理 whose written reason is missing or too short to state one (行政许可法 第三十二条).
    ADD COLUMN refusal_unstated boolean NOT NULL DEFAULT false,
    -- A 差评's callback deadline (the county's rating settings, in working hours), as a date,
    -- and whether the callback came after it or has not come by the time of publication.
    ADD COLUMN callback_due_on    date,
    ADD COLUMN callback_late      boolean NOT NULL DEFAULT false;

-- The day the county's time-driven cards (overdue by N working days, callbacks) were last
-- evaluated: the periodic sweep publishes a county again once a day when it is behind.
ALTER TABLE supervision.counties ADD COLUMN cards_on date;

CREATE TABLE supervision.card_rules (
    region_code        text        PRIMARY KEY REFERENCES supervision.regions (code),
    region_path        text        NOT NULL,
    -- A running limit past its due date by this many working days or more is 红牌; less is 黄牌.
    red_after_days     int         NOT NULL CHECK (red_after_days BETWEEN 1 AND 30),
    -- The colour each fault rule raises ('off': the rule raises nothing).
    refusal_colour     text        NOT NULL CHECK (refusal_colour IN ('yellow', 'red', 'off')),
    corrections_colour text        NOT NULL CHECK (corrections_colour IN ('yellow', 'red', 'off')),
    callback_colour    text        NOT NULL CHECK (callback_colour IN ('yellow', 'red', 'off')),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE supervision.cards (
    tenant_id      uuid    NOT NULL,
    id             uuid    NOT NULL,
    application_id uuid    NOT NULL,
    rule           text    NOT NULL CHECK (rule IN ('overdue', 'refusal_unstated', 'repeat_corrections', 'late_callback')),
    -- What ran late: the application's limit, or one of its steps (the step rules to come).
    subject        text    NOT NULL DEFAULT 'limit' CHECK (subject IN ('limit', 'step')),
    region_path    text    NOT NULL,
    colour         text    NOT NULL CHECK (colour IN ('yellow', 'red')),
    item_name      text    NOT NULL,
    township       text    NOT NULL,
    department     text    NOT NULL,
    clerk_ref      text    NOT NULL,
    due_on         date,
    days_over      int     NOT NULL DEFAULT 0,
    raised_on      date    NOT NULL,
    red_on         date,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, application_id, rule)
);
CREATE INDEX supervision_cards_region ON supervision.cards (region_path text_pattern_ops, tenant_id);

CREATE TABLE supervision.card_orders (
    tenant_id    uuid        NOT NULL,
    card_id      uuid        NOT NULL,
    region_path  text        NOT NULL,
    issued_by    text        NOT NULL REFERENCES supervision.regions (code),
    instruction  text        NOT NULL CHECK (length(instruction) BETWEEN 2 AND 500),
    due_on       date        NOT NULL,
    issued_at    timestamptz NOT NULL DEFAULT now(),
    status       text        NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'replied', 'returned', 'closed')),
    reply        text        CHECK (length(reply) BETWEEN 2 AND 1000),
    replied_at   timestamptz,
    return_note  text        CHECK (length(return_note) <= 500),
    closed_at    timestamptz,
    PRIMARY KEY (tenant_id, card_id),
    FOREIGN KEY (tenant_id, card_id) REFERENCES supervision.cards (tenant_id, id)
);
CREATE INDEX supervision_card_orders_region ON supervision.card_orders (region_path text_pattern_ops, tenant_id);

ALTER TABLE supervision.card_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision.card_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY read_all ON supervision.card_rules FOR SELECT USING (true);
CREATE POLICY own_region ON supervision.card_rules FOR ALL TO yichuang_supervision
    USING (region_path = supervision.current_region()) WITH CHECK (region_path = supervision.current_region());

ALTER TABLE supervision.cards ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision.cards FORCE ROW LEVEL SECURITY;
CREATE POLICY county ON supervision.cards USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
CREATE POLICY region ON supervision.cards FOR SELECT TO yichuang_supervision USING (region_path LIKE supervision.current_region() || '%');

-- The county reads and replies (no INSERT or DELETE policy for it: it cannot issue an order).
ALTER TABLE supervision.card_orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision.card_orders FORCE ROW LEVEL SECURITY;
CREATE POLICY county_read ON supervision.card_orders FOR SELECT USING (tenant_id = app_current_tenant());
CREATE POLICY county_reply ON supervision.card_orders FOR UPDATE
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
CREATE POLICY region ON supervision.card_orders FOR ALL TO yichuang_supervision
    USING (region_path LIKE supervision.current_region() || '%')
    WITH CHECK (region_path LIKE supervision.current_region() || '%' AND EXISTS (
        SELECT FROM supervision.cards c WHERE c.tenant_id = card_orders.tenant_id AND c.id = card_orders.card_id AND c.region_path = card_orders.region_path));

-- Each side changes its own columns only: the county its reply (an open or returned order
-- becomes replied); a region the order, its return or close (never the reply).
CREATE FUNCTION supervision.card_order_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_user = 'yichuang_supervision' THEN
        IF NEW.reply IS DISTINCT FROM OLD.reply OR NEW.replied_at IS DISTINCT FROM OLD.replied_at
           OR NEW.tenant_id <> OLD.tenant_id OR NEW.card_id <> OLD.card_id OR NEW.region_path <> OLD.region_path THEN
            RAISE EXCEPTION 'a region does not write the county''s reply' USING ERRCODE = '42501';
        END IF;
    ELSE
        IF NEW.instruction <> OLD.instruction OR NEW.due_on <> OLD.due_on OR NEW.issued_by <> OLD.issued_by
           OR NEW.issued_at <> OLD.issued_at OR NEW.closed_at IS DISTINCT FROM OLD.closed_at
           OR NEW.return_note IS DISTINCT FROM OLD.return_note OR NEW.region_path <> OLD.region_path
           OR OLD.status NOT IN ('issued', 'returned') OR NEW.status <> 'replied' THEN
            RAISE EXCEPTION 'a county only replies to an open order' USING ERRCODE = '42501';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER card_order_guard BEFORE UPDATE ON supervision.card_orders
    FOR EACH ROW EXECUTE FUNCTION supervision.card_order_guard();

GRANT SELECT ON supervision.card_rules, supervision.cards, supervision.card_orders TO yichuang_supervision;
GRANT INSERT, UPDATE, DELETE ON supervision.card_rules TO yichuang_supervision;
GRANT INSERT, UPDATE ON supervision.card_orders TO yichuang_supervision;
