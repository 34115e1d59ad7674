-- Region accounts (city and province supervisors, the platform operator) get what county
-- accounts have had since 20261205000005: the idle timeout shared by every API process (a
-- session's last request), and a login log. They live in schema supervision beside the region
-- accounts themselves and are written in the region's own transaction, as the supervision
-- role: a region account's request never opens a county's transaction.

-- The code of the transaction's region (the last segment of app.region_path), NULL when unset.
CREATE FUNCTION supervision.current_region_code() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT substring(supervision.current_region() FROM '([0-9]{6})/$') $$;
GRANT EXECUTE ON FUNCTION supervision.current_region_code() TO yichuang_supervision;

-- The last request of each region account's session (超时自动退出, 等保 2.0), as
-- session_activity is for a county's.
CREATE TABLE supervision.region_session_activity (
    region_code text        NOT NULL REFERENCES supervision.regions (code),
    session_id  uuid        NOT NULL,
    identity_id uuid        NOT NULL,
    last_seen   timestamptz NOT NULL,
    PRIMARY KEY (region_code, session_id)
);
CREATE INDEX region_session_activity_last_seen ON supervision.region_session_activity (region_code, last_seen);
ALTER TABLE supervision.region_session_activity ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision.region_session_activity FORCE ROW LEVEL SECURITY;
-- A region's transaction keeps its own accounts' sessions, not those of the regions below.
CREATE POLICY own_region ON supervision.region_session_activity TO yichuang_supervision
    USING (region_code = supervision.current_region_code())
    WITH CHECK (region_code = supervision.current_region_code());

-- Every sign-in to a region account through the app, and every session ended by idling or by
-- its owner. A region reads its own accounts' events and those of the regions below it (the
-- platform operator, at the country root, reads them all); it writes only its own.
CREATE TABLE supervision.region_login_events (
    region_code text        NOT NULL REFERENCES supervision.regions (code),
    id          uuid        NOT NULL,
    at          timestamptz NOT NULL,
    phone       text        NOT NULL,
    identity_id uuid,
    name        text        NOT NULL DEFAULT '',
    address     text        NOT NULL,
    user_agent  text        NOT NULL DEFAULT '',
    result      text        NOT NULL CHECK (result IN ('success', 'failure', 'locked', 'throttled', 'idle_timeout', 'ended')),
    PRIMARY KEY (region_code, id)
);
CREATE INDEX region_login_events_at ON supervision.region_login_events (at DESC, id DESC);
ALTER TABLE supervision.region_login_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision.region_login_events FORCE ROW LEVEL SECURITY;
CREATE POLICY read_below ON supervision.region_login_events FOR SELECT TO yichuang_supervision
    USING (region_code IN (SELECT r.code FROM supervision.regions r WHERE r.path LIKE supervision.current_region() || '%'));
CREATE POLICY write_own ON supervision.region_login_events FOR INSERT TO yichuang_supervision
    WITH CHECK (region_code = supervision.current_region_code());

GRANT SELECT, INSERT, UPDATE, DELETE ON supervision.region_session_activity TO yichuang_supervision;
GRANT SELECT, INSERT ON supervision.region_login_events TO yichuang_supervision;
