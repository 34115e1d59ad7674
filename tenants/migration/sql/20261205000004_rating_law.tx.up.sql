-- Issue 11, item 11: 好差评 as 国办发〔2019〕51号 and GB/T 39734-2020 (the brief's terms) have it.
--
-- 1. Which levels count as 好评 is the county's setting: the levels from good_min_score up.
--    The five levels are 非常满意 (5) · 满意 (4) · 基本满意 (3) · 不满意 (2) · 非常不满意 (1);
--    the last two are 差评 and never 好评, the first three commonly count as 好评 — the default.
-- 2. A rectification case keeps its history as steps, one row each: the case opened by the
--    差评, every 回访 (callback: who called, when, how, with what outcome and what was said),
--    the close (整改完成, or 无效差评 / 无法整改 after review), overdue, the re-rating. The
--    callback columns on the case go: a callback is a step, not a field a close could fill in.

ALTER TABLE rating_settings
    ADD COLUMN good_min_score int NOT NULL DEFAULT 3 CHECK (good_min_score BETWEEN 3 AND 5);

CREATE TABLE rectification_steps (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    case_id     uuid        NOT NULL,
    seq         int         NOT NULL CHECK (seq > 0),
    kind        text        NOT NULL CHECK (kind IN ('opened', 'callback', 'complete', 'invalid', 'impossible', 'overdue', 'rerated')),
    actor_id    uuid,
    actor_name  text        NOT NULL DEFAULT '',
    -- When it happened: for a callback the time of the call (recorded_at may be later).
    at          timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    method      text        CHECK (method IN ('phone', 'in_person', 'message')),
    outcome     text        CHECK (outcome IN ('reached', 'unreachable')),
    note        text        NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    PRIMARY KEY (tenant_id, case_id, seq),
    FOREIGN KEY (tenant_id, case_id) REFERENCES rectifications (tenant_id, id),
    -- A callback names who called, the outcome and what was said (method is NULL only on
    -- callbacks recorded before this migration, which did not ask for it).
    CHECK (kind <> 'callback' OR (actor_id IS NOT NULL AND outcome IS NOT NULL AND length(note) >= 2)),
    CHECK (kind = 'callback' OR (method IS NULL AND outcome IS NULL))
);

-- The cases so far become steps: every case opened when it was created; its callbacks and
-- closes from the audit trail (each step was audited with its actor), the note from the case.
-- A close that stamped callback_at without a callback step of its own (整改完成 on an uncalled
-- case) invented that callback: it is not carried over. RLS is FORCEd, which binds the owner
-- running migrations too; lifting FORCE inside this transaction lets the owner, and nobody
-- else, see every county's rows until the end of the file puts it back.
ALTER TABLE rectifications NO FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY;

INSERT INTO rectification_steps (tenant_id, case_id, seq, kind, at, recorded_at)
SELECT tenant_id, id, 1, 'opened', created_at, created_at FROM rectifications;

INSERT INTO rectification_steps (tenant_id, case_id, seq, kind, actor_id, actor_name, at, recorded_at, outcome, note)
SELECT rc.tenant_id, rc.id, 1 + row_number() OVER (PARTITION BY rc.tenant_id, rc.id ORDER BY e.seq),
       substr(e.action, length('rectification.') + 1), e.actor_id, e.actor_name, e.at, e.at,
       CASE WHEN e.action = 'rectification.callback' THEN 'reached' END,
       left(CASE e.action
           WHEN 'rectification.callback' THEN rc.callback_note
           WHEN 'rectification.complete' THEN rc.note
           WHEN 'rectification.overdue' THEN ''
           ELSE rc.review_note
       END, 1000)
FROM rectifications rc
JOIN audit_events e ON e.tenant_id = rc.tenant_id AND e.target_type = 'rectification' AND e.target_id = rc.id::text
WHERE e.action IN ('rectification.complete', 'rectification.invalid', 'rectification.impossible', 'rectification.overdue')
   OR (e.action = 'rectification.callback' AND e.actor_id IS NOT NULL AND length(rc.callback_note) >= 2);

ALTER TABLE rectifications DROP COLUMN callback_at, DROP COLUMN callback_note;

ALTER TABLE rectifications FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;

ALTER TABLE rectification_steps ENABLE ROW LEVEL SECURITY;
ALTER TABLE rectification_steps FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rectification_steps
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
