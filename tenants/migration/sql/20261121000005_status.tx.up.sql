-- The resident's side: an unguessable status token per application (the QR code on notices
-- links to /status/<county code>/<token>, so the tenant is known from the URL), 好差评 ratings
-- with their rectification cases, the county's rating rules, and the lookup throttle.
-- Every table follows the tenant-table rules stated in the foundation migration.

ALTER TABLE applications ADD COLUMN status_token text;
CREATE UNIQUE INDEX applications_status_token ON applications (tenant_id, status_token) WHERE status_token IS NOT NULL;

CREATE TABLE rating_settings (
    tenant_id          uuid        NOT NULL REFERENCES tenants (id),
    -- NULL: unrated events stay unrated; N: rated by default after N days (Guangdong: 7).
    default_after_days int         CHECK (default_after_days BETWEEN 1 AND 90),
    default_score      int         NOT NULL DEFAULT 3 CHECK (default_score BETWEEN 3 AND 5),
    callback_hours     int         NOT NULL DEFAULT 24 CHECK (callback_hours BETWEEN 1 AND 240),
    rectify_days       int         NOT NULL DEFAULT 5 CHECK (rectify_days BETWEEN 1 AND 60),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- One rating per service event (an application's completion), and one re-rating after
-- rectification (round 2).
CREATE TABLE ratings (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    application_id uuid        NOT NULL,
    round          int         NOT NULL CHECK (round IN (1, 2)),
    score          int         NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment        text        NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    indicators     text[]      NOT NULL DEFAULT '{}',
    source         text        NOT NULL CHECK (source IN ('active', 'default')),
    item_id        uuid        NOT NULL,
    hall_id        uuid        NOT NULL,
    clerk_id       uuid,
    rated_on       date        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, application_id, round),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id)
);
CREATE INDEX ratings_clerk ON ratings (tenant_id, clerk_id, rated_on);

CREATE TABLE rectifications (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    rating_id      uuid        NOT NULL,
    application_id uuid        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('pending', 'in_progress', 'done', 'invalid', 'impossible', 'overdue')),
    callback_due   timestamptz NOT NULL,
    callback_at    timestamptz,
    callback_note  text        NOT NULL DEFAULT '',
    rectify_due    date        NOT NULL,
    done_at        timestamptz,
    note           text        NOT NULL DEFAULT '',
    review_note    text        NOT NULL DEFAULT '',
    reviewed_by    uuid,
    handler_id     uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    row_version    int         NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, rating_id),
    FOREIGN KEY (tenant_id, rating_id) REFERENCES ratings (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id)
);

-- Failed public lookups per key ('ip:<addr>' or 'receipt:<no>') in the current window.
CREATE TABLE status_lookups (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id),
    key          text        NOT NULL,
    window_start timestamptz NOT NULL,
    failures     int         NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['rating_settings', 'ratings', 'rectifications', 'status_lookups']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END $$;
