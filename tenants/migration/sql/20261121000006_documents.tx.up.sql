-- Documents: the files attached to an application's materials, the written notices rendered
-- for its steps, and its archive package, all kept in MinIO (services/storage) under the
-- tenant's prefix; these tables are the index and the integrity record (SHA-256, pinned
-- version ids). Every table follows the tenant-table rules stated in the foundation migration.

-- A county's document rules, one row per tenant; absent row = the defaults. Its own table
-- rather than columns of tenant_settings: those are the acceptance rules that
-- services/settings owns and updates as a whole.
CREATE TABLE document_settings (
    tenant_id        uuid        NOT NULL REFERENCES tenants (id),
    -- 20 MB: a phone photo or a colour scan of a page is a few MB, a multi-page PDF scan
    -- stays well under it; the ceiling keeps one upload from filling a county's quota.
    max_upload_bytes bigint      NOT NULL DEFAULT 20971520 CHECK (max_upload_bytes BETWEEN 1048576 AND 209715200),
    -- 保管期限 of the archive package: the periods of 国家档案局令第8号 (永久, 定期30年,
    -- 定期10年); 30 years is the default for 行政许可 and other case files.
    retention        text        NOT NULL DEFAULT '30y' CHECK (retention IN ('permanent', '30y', '10y')),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- A file attached (or being attached) to one material of an application. sha256 is what the
-- upload was registered with (computed by the server for a direct upload, declared by the
-- client for a presigned one); the verification job re-reads the object and only then is the
-- file attached (verified), pinned to the version it read.
CREATE TABLE application_files (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    id             uuid        NOT NULL,
    application_id uuid        NOT NULL,
    material_key   text        NOT NULL,
    channel        text        NOT NULL CHECK (channel IN ('direct', 'presigned')),
    status         text        NOT NULL CHECK (status IN ('awaiting_upload', 'uploaded', 'verified', 'rejected', 'tampered')),
    object_key     text        NOT NULL,
    filename       text        NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    declared_type  text        NOT NULL DEFAULT '',
    content_type   text        NOT NULL DEFAULT '',
    size           bigint      NOT NULL CHECK (size >= 0),
    sha256         text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    version_id     text,
    reason         text        NOT NULL DEFAULT '',
    reason_en      text        NOT NULL DEFAULT '',
    uploaded_by    uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz,
    uploaded_at    timestamptz,
    checked_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, object_key),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id),
    FOREIGN KEY (tenant_id, uploaded_by) REFERENCES memberships (tenant_id, identity_id),
    CHECK (status <> 'verified' OR (version_id IS NOT NULL AND checked_at IS NOT NULL))
);
CREATE INDEX application_files_app ON application_files (tenant_id, application_id, created_at);

-- A written notice issued by a step (受理通知书, 一次性告知书, 不予受理通知书, 办结通知). The row
-- is written with the step: content is what the notice prints as of that step (the ID
-- number masked), so a regeneration reproduces the notice as issued. The job renders it to
-- object_key; a regeneration whose PDF differs writes a new version of the same key (the
-- documents bucket is versioned) and moves version_id to it.
CREATE TABLE application_notices (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    application_id uuid        NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('accepted', 'correction', 'rejected', 'decided')),
    -- the application's version the step produced, and the timeline event of the step
    version        int         NOT NULL CHECK (version > 0),
    event_seq      int         NOT NULL,
    content        jsonb       NOT NULL,
    object_key     text        NOT NULL,
    sha256         text        CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size           bigint,
    version_id     text,
    generated_at   timestamptz,
    generations    int         NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, application_id, kind, version),
    UNIQUE (tenant_id, object_key),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id),
    FOREIGN KEY (tenant_id, application_id, event_seq) REFERENCES application_events (tenant_id, application_id, seq),
    CHECK ((sha256 IS NULL) = (generated_at IS NULL))
);

-- The archive package of a closed application: one zip object in the archive bucket under an
-- object-lock retention. One row per application (the primary key), written once.
CREATE TABLE application_archives (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    application_id uuid        NOT NULL,
    object_key     text        NOT NULL,
    sha256         text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size           bigint      NOT NULL,
    version_id     text        NOT NULL,
    retention      text        NOT NULL CHECK (retention IN ('permanent', '30y', '10y')),
    lock_mode      text        NOT NULL CHECK (lock_mode IN ('COMPLIANCE', 'GOVERNANCE')),
    retain_until   timestamptz NOT NULL,
    files          int         NOT NULL,
    manifest       jsonb       NOT NULL,
    archived_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, application_id),
    UNIQUE (tenant_id, object_key),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id)
);

-- The index of a WORM object is as unchangeable as the object.
CREATE FUNCTION application_archives_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'application_archives is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER application_archives_no_update BEFORE UPDATE OR DELETE ON application_archives
    FOR EACH ROW EXECUTE FUNCTION application_archives_append_only();

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['document_settings', 'application_files', 'application_notices', 'application_archives']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END $$;
