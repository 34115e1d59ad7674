-- A worker change dated back into a past month moves that month's workforce figure and every
-- one after it (services/workforce folds records as of each month's last day): the outbox
-- names the first month it moves, and the drain writes that month and the following ones to
-- now (kind months_from). A change dated this month or later is the current month's (the
-- workers trigger) or a future one's, written when that month comes.
ALTER TABLE supervision_outbox DROP CONSTRAINT supervision_outbox_kind_check;
ALTER TABLE supervision_outbox ADD CONSTRAINT supervision_outbox_kind_check CHECK (kind IN ('application', 'month', 'months_from'));

CREATE FUNCTION supervision_outbox_worker_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.effective_from < date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date THEN
        INSERT INTO supervision_outbox (tenant_id, kind, ref) VALUES (NEW.tenant_id, 'months_from', to_char(NEW.effective_from, 'YYYY-MM'));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER supervision_outbox AFTER INSERT ON worker_changes
    FOR EACH ROW EXECUTE FUNCTION supervision_outbox_worker_change();
