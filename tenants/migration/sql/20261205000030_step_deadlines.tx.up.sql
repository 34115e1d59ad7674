-- Issue 16 item 3: step deadlines (环节时限). An item's version may list back-office steps
-- (审查 → 决定) with working-day limits (catalogue content, jsonb, no column); an accepted
-- application walks them in order. Its steps live on its own row: every step, Reconcile and
-- deadline job already reads and writes that row under its lock, so the steps' dates move in
-- the same statements as the application's other dates. One element per step:
-- {name, limit_days, started_on, due_on, completed_on, late, warning, provisional}.
ALTER TABLE applications
    ADD COLUMN stages jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(stages) = 'array');

-- The upward feed: the current step (catalogue data, '' when none), its due date and warning
-- level (normal, yellow, red, as warning), and how many steps were completed after their
-- due date.
ALTER TABLE supervision.applications
    ADD COLUMN step_name    text NOT NULL DEFAULT '',
    ADD COLUMN step_due_on  date,
    ADD COLUMN step_warning text NOT NULL DEFAULT 'normal',
    ADD COLUMN steps_late   int  NOT NULL DEFAULT 0;
