-- Issue 13: sign-in throttling and lockout, the login log, idle sessions (item 4), and the
-- audit-anchor comparison stored with each audit check (item 7).

-- signin_throttle counts failed sign-ins per account (the phone typed) and per client
-- address, shared by every app process. It is the one table besides the registry without
-- tenant_id, deliberately: an attempt is counted before (and whether or not) the phone is
-- known to belong to a county, and an address spans counties. It is minimal: the key is a
-- SHA-256 of "account:<phone>" or "address:<ip>", with no name, no tenant and no history, and
-- the runtime role sees it only in a transaction that sets app.signin_guard (services/signin).
CREATE TABLE signin_throttle (
    key_hash     bytea       NOT NULL,
    failures     integer     NOT NULL DEFAULT 0 CHECK (failures >= 0),
    window_start timestamptz NOT NULL,
    locked_until timestamptz,
    PRIMARY KEY (key_hash)
);
ALTER TABLE signin_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE signin_throttle FORCE ROW LEVEL SECURITY;
CREATE POLICY signin_guard ON signin_throttle
    USING (current_setting('app.signin_guard', true) = 'on')
    WITH CHECK (current_setting('app.signin_guard', true) = 'on');

-- The login log a county admin reads: every sign-in to one of the county's accounts through
-- the app, and the sessions ended by idling or by their owner. Attempts on phones no county
-- knows have no county to be logged in (they are still throttled).
CREATE TABLE login_events (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    id          uuid        NOT NULL,
    at          timestamptz NOT NULL,
    phone       text        NOT NULL,
    identity_id uuid,
    name        text        NOT NULL DEFAULT '',
    address     text        NOT NULL,
    user_agent  text        NOT NULL DEFAULT '',
    result      text        NOT NULL CHECK (result IN ('success', 'failure', 'locked', 'throttled', 'idle_timeout', 'ended')),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX login_events_at ON login_events (tenant_id, at DESC, id DESC);
CREATE INDEX login_events_phone ON login_events (tenant_id, phone, at DESC);
ALTER TABLE login_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON login_events
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- The last request of each session, for the idle timeout (等保 2.0: 超时自动退出).
CREATE TABLE session_activity (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    session_id  uuid        NOT NULL,
    identity_id uuid        NOT NULL,
    last_seen   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, session_id)
);
CREATE INDEX session_activity_last_seen ON session_activity (tenant_id, last_seen);
ALTER TABLE session_activity ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_activity FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON session_activity
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- A county's idle period; no row means the default (30 minutes).
CREATE TABLE signin_settings (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id),
    idle_minutes integer     NOT NULL CHECK (idle_minutes BETWEEN 5 AND 480),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);
ALTER TABLE signin_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE signin_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON signin_settings
    USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- An audit check also compares the chain with the newest anchor in the locked archive
-- bucket (services/auditlog/anchor.go).
ALTER TABLE audit_checks
    ADD COLUMN anchor_status     text CHECK (anchor_status IN ('ok', 'broken', 'none', 'unavailable')),
    ADD COLUMN anchor_key        text,
    ADD COLUMN anchor_seq        bigint,
    ADD COLUMN anchored_at       timestamptz,
    ADD COLUMN unanchored        bigint,
    ADD COLUMN anchor_problem    text,
    ADD COLUMN anchor_problem_en text;
