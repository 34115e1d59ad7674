-- One-window acceptance: tenant settings, the working-day calendar's local data, the service
-- catalogue (versioned), applications with their timeline, and notifications.
-- Every table follows the tenant-table rules stated in the foundation migration.

-- The registry may be listed by background maintenance only, and only on purpose: the
-- setting below is set by tenants.ListAll alone, transaction-locally, and exposes the
-- registry (codes and names), never a tenant's data.
CREATE POLICY platform_scan ON tenants FOR SELECT
    USING (current_setting('app.platform_scan', true) = 'on');

-- Local variants of the national rules, one row per tenant; absent row = the defaults.
CREATE TABLE tenant_settings (
    tenant_id        uuid        NOT NULL REFERENCES tenants (id),
    yellow_days      int         NOT NULL DEFAULT 2 CHECK (yellow_days BETWEEN 0 AND 30),
    forward_days     int         NOT NULL DEFAULT 3 CHECK (forward_days BETWEEN 1 AND 30),
    correction_days  int         NOT NULL DEFAULT 5 CHECK (correction_days BETWEEN 1 AND 30),
    max_extension    int         NOT NULL DEFAULT 10 CHECK (max_extension BETWEEN 0 AND 250),
    receipt_prefix   text        NOT NULL DEFAULT '' CHECK (receipt_prefix ~ '^[0-9A-Z]{0,12}$'),
    calendar_rev     bigint      NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- Single-day local overrides of the national schedule.
CREATE TABLE calendar_days (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    day        date        NOT NULL,
    working    boolean     NOT NULL,
    reason     text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 100),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, day)
);

-- Whole years a county admin enters when the State Council publishes them.
CREATE TABLE calendar_years (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    year       int         NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    holidays   jsonb       NOT NULL,
    makeups    jsonb       NOT NULL,
    created_by uuid,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, year)
);

-- A service item; the columns beside content mirror its newest version for lists and search.
CREATE TABLE service_items (
    tenant_id         uuid        NOT NULL REFERENCES tenants (id),
    id                uuid        NOT NULL,
    impl_code         text        NOT NULL,
    base_code         text        NOT NULL,
    name              text        NOT NULL,
    kind              text        NOT NULL,
    department_id     uuid        NOT NULL,
    levels            text[]      NOT NULL,
    handling          text        NOT NULL CHECK (handling IN ('instant', 'promised')),
    status            text        NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
    published_version int,
    draft_version     int,
    row_version       int         NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, impl_code),
    FOREIGN KEY (tenant_id, department_id) REFERENCES org_units (tenant_id, id),
    CHECK ((status = 'draft') = (published_version IS NULL))
);
CREATE INDEX service_items_name ON service_items (tenant_id, name);

CREATE TABLE service_item_versions (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id),
    item_id      uuid        NOT NULL,
    version      int         NOT NULL CHECK (version > 0),
    state        text        NOT NULL CHECK (state IN ('draft', 'published', 'superseded')),
    content      jsonb       NOT NULL,
    created_by   uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_by uuid,
    published_at timestamptz,
    PRIMARY KEY (tenant_id, item_id, version),
    FOREIGN KEY (tenant_id, item_id) REFERENCES service_items (tenant_id, id)
);
CREATE UNIQUE INDEX service_item_versions_one_draft ON service_item_versions (tenant_id, item_id) WHERE state = 'draft';
CREATE UNIQUE INDEX service_item_versions_one_published ON service_item_versions (tenant_id, item_id) WHERE state = 'published';

-- Receipt numbers are <prefix><yyyymmdd><5-digit serial of the day>; the counter row's lock
-- serialises concurrent acceptances of one tenant and day.
CREATE TABLE receipt_counters (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day       date NOT NULL,
    last      int  NOT NULL,
    PRIMARY KEY (tenant_id, day)
);

-- A member's supervisor receives copies of deadline warnings.
ALTER TABLE memberships ADD COLUMN supervisor_id uuid;
ALTER TABLE memberships ADD FOREIGN KEY (tenant_id, supervisor_id) REFERENCES memberships (tenant_id, identity_id);

-- An application (办件). Dates are civil dates in the county's zone; the paths copy the org
-- units' paths so each role's data scope is one prefix match.
CREATE TABLE applications (
    tenant_id          uuid        NOT NULL REFERENCES tenants (id),
    id                 uuid        NOT NULL,
    item_id            uuid        NOT NULL,
    item_version       int         NOT NULL,
    item_name          text        NOT NULL,
    state              text        NOT NULL,
    channel            text        NOT NULL CHECK (channel IN ('window', 'proxy')),
    receipt_no         text,
    applicant_kind     text        NOT NULL CHECK (applicant_kind IN ('person', 'org')),
    applicant_name     text        NOT NULL,
    applicant_id_no    text        NOT NULL,
    applicant_phone    text        NOT NULL,
    contact_name       text        NOT NULL DEFAULT '',
    materials          jsonb       NOT NULL,
    authorization_info jsonb,
    hall_id            uuid        NOT NULL,
    hall_path          text        NOT NULL,
    proxy_unit_id      uuid,
    proxy_path         text,
    department_id      uuid        NOT NULL,
    department_path    text        NOT NULL,
    routed             boolean     NOT NULL DEFAULT false,
    assignee_id        uuid,
    created_by         uuid,
    -- The client's key for one intake form: a retried submission finds the first one.
    request_key        text,
    proxy_received_on  date,
    forward_due        date,
    received_on        date,
    correction_due     date,
    correction         jsonb,
    accepted_on        date,
    legal_days         int         NOT NULL,
    promised_days      int         NOT NULL,
    extension_days     int         NOT NULL DEFAULT 0,
    legal_due          date,
    promised_due       date,
    paused             boolean     NOT NULL DEFAULT false,
    warning            text        NOT NULL DEFAULT 'normal' CHECK (warning IN ('normal', 'yellow', 'red')),
    decision           text        CHECK (decision IN ('approve', 'deny')),
    decision_reason    text,
    decided_on         date,
    delivery_method    text        CHECK (delivery_method IN ('window', 'post', 'proxy')),
    delivered_on       date,
    closed_on          date,
    close_reason       text,
    jobs               jsonb       NOT NULL DEFAULT '{}',
    version            int         NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, receipt_no),
    UNIQUE (tenant_id, request_key),
    FOREIGN KEY (tenant_id, item_id, item_version) REFERENCES service_item_versions (tenant_id, item_id, version),
    FOREIGN KEY (tenant_id, hall_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, proxy_unit_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, department_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX applications_keyset ON applications (tenant_id, created_at DESC, id DESC);
CREATE INDEX applications_open ON applications (tenant_id, state) WHERE closed_on IS NULL;
CREATE INDEX applications_hall ON applications (tenant_id, hall_path text_pattern_ops);
CREATE INDEX applications_dept ON applications (tenant_id, department_path text_pattern_ops);
CREATE INDEX applications_proxy ON applications (tenant_id, proxy_path text_pattern_ops);

-- 特别程序 spans; to_date NULL while paused.
CREATE TABLE application_pauses (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    application_id uuid NOT NULL,
    seq            int  NOT NULL,
    step           text NOT NULL,
    reason         text NOT NULL,
    from_date      date NOT NULL,
    to_date        date,
    resume_reason  text,
    PRIMARY KEY (tenant_id, application_id, seq),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id)
);
CREATE UNIQUE INDEX application_pauses_one_open ON application_pauses (tenant_id, application_id) WHERE to_date IS NULL;

-- The timeline: one row per transition, written with it.
CREATE TABLE application_events (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    application_id uuid        NOT NULL,
    seq            int         NOT NULL,
    at             timestamptz NOT NULL,
    actor_id       uuid,
    actor_name     text        NOT NULL,
    action         text        NOT NULL,
    from_state     text        NOT NULL,
    to_state       text        NOT NULL,
    note           text        NOT NULL DEFAULT '',
    data           jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, application_id, seq),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id)
);

-- The in-app notification centre. dedup_key makes a job's second run add nothing.
CREATE TABLE notifications (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    recipient_id   uuid        NOT NULL,
    kind           text        NOT NULL,
    application_id uuid,
    title          text        NOT NULL,
    body           text        NOT NULL,
    dedup_key      text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    read_at        timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, recipient_id, dedup_key),
    FOREIGN KEY (tenant_id, recipient_id) REFERENCES memberships (tenant_id, identity_id)
);
CREATE INDEX notifications_inbox ON notifications (tenant_id, recipient_id, created_at DESC);

-- SMS leave through an outbox: written with the notification, sent by a job.
CREATE TABLE sms_outbox (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    id         uuid        NOT NULL,
    phone      text        NOT NULL,
    body       text        NOT NULL,
    dedup_key  text        NOT NULL,
    status     text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts   int         NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, phone, dedup_key)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenant_settings', 'calendar_days', 'calendar_years', 'service_items',
        'service_item_versions', 'receipt_counters', 'applications', 'application_pauses',
        'application_events', 'notifications', 'sms_outbox']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END $$;
