-- Community work-item access lists (社区工作事项准入): list items with their history, the
-- admission workflow, dispatched tasks and the interceptions the lists enforce.
-- Every table follows the tenant-table rules stated in the foundation migration.

-- Local rules of the procedure, one row per tenant; absent row = the defaults.
CREATE TABLE access_settings (
    tenant_id        uuid        NOT NULL REFERENCES tenants (id),
    apply_ahead_days int         NOT NULL DEFAULT 30 CHECK (apply_ahead_days BETWEEN 0 AND 250),
    review_days      int         NOT NULL DEFAULT 5 CHECK (review_days BETWEEN 1 AND 60),
    approval_days    int         NOT NULL DEFAULT 15 CHECK (approval_days BETWEEN 1 AND 120),
    notice_days      int         NOT NULL DEFAULT 5 CHECK (notice_days BETWEEN 1 AND 60),
    civil_dept_id    uuid,
    legal_dept_id    uuid,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id),
    FOREIGN KEY (tenant_id, civil_dept_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, legal_dept_id) REFERENCES org_units (tenant_id, id)
);

-- A list item. The columns mirror its newest version; withdrawn_at is the instant (taken
-- under the row lock) after which no task may be tied to it.
CREATE TABLE access_items (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    code           text        NOT NULL CHECK (code ~ '^[A-Z0-9-]{1,30}$'),
    kind           text        NOT NULL CHECK (kind IN ('duty', 'assist', 'certificate', 'no_certificate', 'forbidden')),
    name           text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    legal_basis    text        NOT NULL DEFAULT '',
    department_id  uuid,
    scope_unit_ids uuid[]      NOT NULL DEFAULT '{}',
    funding_kind   text        NOT NULL CHECK (funding_kind IN ('none', 'per_year', 'per_task')),
    funding_amount bigint      NOT NULL DEFAULT 0 CHECK (funding_amount >= 0),
    ledgers        int         NOT NULL DEFAULT 0 CHECK (ledgers >= 0),
    reports        int         NOT NULL DEFAULT 0 CHECK (reports >= 0),
    inspections    int         NOT NULL DEFAULT 0 CHECK (inspections >= 0),
    hours_per_year numeric(8,1) NOT NULL DEFAULT 0 CHECK (hours_per_year >= 0),
    effective_from date        NOT NULL,
    effective_to   date,
    withdrawn_at   timestamptz,
    confirmed_year int,
    version        int         NOT NULL DEFAULT 1,
    request_id     uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code),
    FOREIGN KEY (tenant_id, department_id) REFERENCES org_units (tenant_id, id),
    CHECK (effective_to IS NULL OR effective_to >= effective_from - 1)
);

CREATE TABLE access_item_versions (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    item_id    uuid        NOT NULL,
    version    int         NOT NULL CHECK (version > 0),
    action     text        NOT NULL,
    content    jsonb       NOT NULL,
    reason     text        NOT NULL DEFAULT '',
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, item_id, version),
    FOREIGN KEY (tenant_id, item_id) REFERENCES access_items (tenant_id, id)
);

-- A department's application to add an item, through 民政审核 → 合法性审查 → 联席会议审定 →
-- 公示 → 生效.
CREATE TABLE admission_requests (
    tenant_id       uuid        NOT NULL REFERENCES tenants (id),
    id              uuid        NOT NULL,
    department_id   uuid        NOT NULL,
    content         jsonb       NOT NULL,
    requested_start date        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('civil_review', 'legal_review', 'joint_meeting', 'notice', 'effective', 'returned', 'rejected', 'withdrawn')),
    step_due        date,
    approval_due    date,
    notice_until    date,
    item_id         uuid,
    submitted_by    uuid,
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    row_version     int         NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, department_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES access_items (tenant_id, id)
);
CREATE INDEX admission_requests_status ON admission_requests (tenant_id, status, submitted_at);

CREATE TABLE admission_steps (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    request_id uuid        NOT NULL,
    seq        int         NOT NULL CHECK (seq > 0),
    step       text        NOT NULL,
    decision   text        NOT NULL,
    reason     text        NOT NULL DEFAULT '',
    actor_id   uuid,
    actor_name text        NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, request_id, seq),
    FOREIGN KEY (tenant_id, request_id) REFERENCES admission_requests (tenant_id, id)
);

-- A task a department dispatched to a community under an item in force.
CREATE TABLE community_tasks (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    dispatch_id    uuid        NOT NULL,
    item_id        uuid        NOT NULL,
    department_id  uuid        NOT NULL,
    community_id   uuid        NOT NULL,
    title          text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    detail         text        NOT NULL DEFAULT '',
    attachments    text[]      NOT NULL DEFAULT '{}',
    expected_hours numeric(8,1) NOT NULL DEFAULT 0 CHECK (expected_hours >= 0),
    due_days       int         NOT NULL CHECK (due_days BETWEEN 1 AND 250),
    status         text        NOT NULL CHECK (status IN ('pending', 'accepted', 'refused', 'done')),
    -- The county's date of the dispatch (statistics); created_at is the instant (the lists' race).
    dispatched_on  date        NOT NULL,
    due_on         date,
    refusal        text        NOT NULL DEFAULT '',
    decided_by     uuid,
    decided_at     timestamptz,
    done_at        timestamptz,
    created_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    row_version    int         NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES access_items (tenant_id, id),
    FOREIGN KEY (tenant_id, department_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, community_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX community_tasks_community ON community_tasks (tenant_id, community_id, status, created_at);
CREATE INDEX community_tasks_on ON community_tasks (tenant_id, dispatched_on);
CREATE UNIQUE INDEX community_tasks_dispatch ON community_tasks (tenant_id, dispatch_id, community_id);

-- A dispatch the lists refused, kept as evidence for the burden statistics.
CREATE TABLE dispatch_interceptions (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    department_id  uuid        NOT NULL,
    item_id        uuid,
    community_ids  uuid[]      NOT NULL,
    title          text        NOT NULL,
    rule           text        NOT NULL CHECK (rule IN ('no_item', 'not_in_force', 'no_certificate', 'wrong_department', 'forbidden', 'out_of_scope')),
    reason         text        NOT NULL,
    intercepted_on date        NOT NULL,
    created_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, department_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX dispatch_interceptions_on ON dispatch_interceptions (tenant_id, intercepted_on);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['access_settings', 'access_items', 'access_item_versions', 'admission_requests',
        'admission_steps', 'community_tasks', 'dispatch_interceptions']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END $$;
