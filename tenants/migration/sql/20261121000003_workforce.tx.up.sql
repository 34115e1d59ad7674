-- Community workers (三岗十八级): worker records with effective-dated changes, appraisals,
-- pay schemes, annual progression batches and monthly payroll runs.
-- Every table follows the tenant-table rules stated in the foundation migration.

-- A pay scheme (with its level rule) in force from effective_from until the next one.
CREATE TABLE pay_schemes (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    effective_from date        NOT NULL,
    label          text        NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    sample         boolean     NOT NULL DEFAULT false,
    body           jsonb       NOT NULL,
    created_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, effective_from)
);

-- A worker. The ID number is stored encrypted (id_cipher, AES-GCM bound to the tenant), with
-- a keyed hash (id_blind) for uniqueness and lookup, and its masked form for lists. The other
-- columns are a snapshot of the record as of snapshot_on, for lists and filters; the truth is
-- the fold of worker_changes.
CREATE TABLE workers (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    id_cipher      bytea       NOT NULL,
    id_blind       bytea       NOT NULL,
    id_masked      text        NOT NULL,
    birth_date     date        NOT NULL,
    gender         text        NOT NULL CHECK (gender IN ('male', 'female')),
    identity_id    uuid,
    name           text        NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    phone          text        NOT NULL DEFAULT '',
    org_unit_id    uuid        NOT NULL,
    org_path       text        NOT NULL,
    post           text        NOT NULL CHECK (post IN ('head', 'deputy', 'staff')),
    title          text        NOT NULL DEFAULT '',
    hired_on       date        NOT NULL,
    education      text        NOT NULL,
    certificate    text        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('active', 'away', 'retired')),
    level          int         NOT NULL CHECK (level BETWEEN 1 AND 18),
    snapshot_on    date        NOT NULL,
    -- The earliest change dated after snapshot_on: the sweep refreshes the snapshot then.
    next_change_on date,
    row_version    int         NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, id_blind),
    UNIQUE (tenant_id, identity_id),
    FOREIGN KEY (tenant_id, org_unit_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX workers_org ON workers (tenant_id, org_path, name, id);
CREATE INDEX workers_next_change ON workers (tenant_id, next_change_on) WHERE next_change_on IS NOT NULL;

-- One change to a worker's record: only the fields it sets (jsonb), from effective_from on.
-- The record as of a day folds every change with effective_from <= that day in
-- (effective_from, seq) order, so a backdated change also shows in later months.
CREATE TABLE worker_changes (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    worker_id      uuid        NOT NULL,
    seq            int         NOT NULL CHECK (seq > 0),
    effective_from date        NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('hire', 'edit', 'post', 'level', 'status', 'progression', 'certificate', 'correction')),
    fields         jsonb       NOT NULL,
    reason         text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    approver       text        NOT NULL CHECK (length(approver) BETWEEN 1 AND 50),
    batch_id       uuid,
    recorded_by    uuid,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, worker_id, seq),
    FOREIGN KEY (tenant_id, worker_id) REFERENCES workers (tenant_id, id)
);
-- A progression batch changes a worker at most once.
CREATE UNIQUE INDEX worker_changes_batch ON worker_changes (tenant_id, worker_id, batch_id) WHERE batch_id IS NOT NULL;

-- Appraisal results, append-only: the newest entry for a year is the result.
CREATE TABLE worker_appraisals (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    worker_id   uuid        NOT NULL,
    year        int         NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    seq         int         NOT NULL CHECK (seq > 0),
    result      text        NOT NULL CHECK (result IN ('excellent', 'competent', 'basic', 'incompetent')),
    reason      text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    approver    text        NOT NULL CHECK (length(approver) BETWEEN 1 AND 50),
    recorded_by uuid,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, worker_id, year, seq),
    FOREIGN KEY (tenant_id, worker_id) REFERENCES workers (tenant_id, id)
);

-- Annual progression: one batch per year, draft -> approved -> effective.
CREATE TABLE progression_batches (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id),
    id           uuid        NOT NULL,
    year         int         NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    effective_on date        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('draft', 'approved', 'effective')),
    created_by   uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    computed_at  timestamptz NOT NULL DEFAULT now(),
    approved_by  uuid,
    approved_at  timestamptz,
    applied_at   timestamptz,
    row_version  int         NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, year),
    CHECK ((status = 'effective') = (applied_at IS NOT NULL))
);

CREATE TABLE progression_lines (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    batch_id       uuid NOT NULL,
    worker_id      uuid NOT NULL,
    current_level  int  NOT NULL,
    proposed_level int  NOT NULL,
    result         jsonb NOT NULL,
    PRIMARY KEY (tenant_id, batch_id, worker_id),
    FOREIGN KEY (tenant_id, batch_id) REFERENCES progression_batches (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, worker_id) REFERENCES workers (tenant_id, id)
);

-- A month's payroll: a draft is recomputed on demand; a final one is what was paid.
CREATE TABLE payroll_runs (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id),
    month        date        NOT NULL CHECK (extract(day FROM month) = 1),
    status       text        NOT NULL CHECK (status IN ('draft', 'final')),
    computed_at  timestamptz NOT NULL DEFAULT now(),
    finalized_by uuid,
    finalized_at timestamptz,
    row_version  int         NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, month),
    CHECK ((status = 'final') = (finalized_at IS NOT NULL))
);

CREATE TABLE payroll_lines (
    tenant_id  uuid   NOT NULL REFERENCES tenants (id),
    month      date   NOT NULL,
    worker_id  uuid   NOT NULL,
    township   text   NOT NULL,
    community  text   NOT NULL,
    name       text   NOT NULL,
    id_masked  text   NOT NULL,
    post       text   NOT NULL,
    title      text   NOT NULL,
    amounts    jsonb  NOT NULL,
    gross      bigint NOT NULL,
    arrears    bigint NOT NULL,
    detail     jsonb  NOT NULL,
    total      bigint NOT NULL,
    PRIMARY KEY (tenant_id, month, worker_id),
    FOREIGN KEY (tenant_id, month) REFERENCES payroll_runs (tenant_id, month) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, worker_id) REFERENCES workers (tenant_id, id)
);
CREATE INDEX payroll_lines_worker ON payroll_lines (tenant_id, worker_id, month);

-- What finalised runs paid, per month paid for: the month's own pay and later arrears.
CREATE TABLE payroll_paid (
    tenant_id uuid   NOT NULL REFERENCES tenants (id),
    run_month date   NOT NULL,
    worker_id uuid   NOT NULL,
    for_month date   NOT NULL,
    amount    bigint NOT NULL,
    PRIMARY KEY (tenant_id, run_month, worker_id, for_month),
    FOREIGN KEY (tenant_id, run_month) REFERENCES payroll_runs (tenant_id, month),
    FOREIGN KEY (tenant_id, worker_id) REFERENCES workers (tenant_id, id)
);
CREATE INDEX payroll_paid_for ON payroll_paid (tenant_id, worker_id, for_month);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pay_schemes', 'workers', 'worker_changes', 'worker_appraisals',
        'progression_batches', 'progression_lines', 'payroll_runs', 'payroll_lines', 'payroll_paid']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END $$;
