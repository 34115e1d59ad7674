-- 督办 history: every step of an order (issued, replied, returned, closed) as an append-only
-- row, hash-chained per card. card_orders keeps only the order's present state, so without it a
-- reply the supervisor sent back, or the note that sent it back, was overwritten by the next
-- round; and a supervisor's own actions had no tamper-evident record (a county's actions have
-- its audit chain). Each side appends its own steps in the transaction that takes them, as it
-- writes card_orders: the region its orders, returns and closes, the county its replies.
--
-- Nobody updates or deletes a step (no UPDATE or DELETE policy, and a trigger refuses both, and
-- TRUNCATE, for every role). The BEFORE INSERT trigger numbers the step and chains it: hash = sha256 of the
-- previous step's hash and the step's fields; services/supervision (VerifyOrderHistory)
-- recomputes the same bytes, so a row changed behind the application's back shows.

CREATE TABLE supervision.card_order_events (
    tenant_id   uuid        NOT NULL,
    card_id     uuid        NOT NULL,
    seq         int         NOT NULL CHECK (seq >= 1),
    region_path text        NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    action      text        NOT NULL CHECK (action IN ('issued', 'replied', 'returned', 'closed')),
    -- Who: a region (its code, and the supervisor's account when the step came through the
    -- API) or the county (its own audit chain names the member).
    actor_kind  text        NOT NULL CHECK (actor_kind IN ('region', 'county')),
    actor       text        NOT NULL,
    account     uuid,
    -- The instruction, the reply or the return note; the reply date asked for, on an order.
    body        text        CHECK (length(body) <= 1000),
    due_on      date,
    prev_hash   bytea,
    hash        bytea       NOT NULL,
    PRIMARY KEY (tenant_id, card_id, seq),
    FOREIGN KEY (tenant_id, card_id) REFERENCES supervision.card_orders (tenant_id, card_id),
    CHECK ((actor_kind = 'county') = (action = 'replied')),
    CHECK (account IS NULL OR actor_kind = 'region')
);

-- The bytes a step's hash covers, in a form Go writes the same way (no DateStyle or TimeZone
-- dependence): fields joined by U+001F.
CREATE FUNCTION supervision.card_order_event_bytes(e supervision.card_order_events) RETURNS bytea
    LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(concat_ws(chr(31), e.tenant_id::text, e.card_id::text, e.seq::text,
        to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.action, e.actor_kind, e.actor,
        coalesce(e.account::text, ''), coalesce(e.body, ''), coalesce(to_char(e.due_on, 'YYYY-MM-DD'), '')), 'UTF8')
$$;

CREATE FUNCTION supervision.card_order_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last supervision.card_order_events;
BEGIN
    -- The order's row is locked by the step that writes it (insert, or UPDATE of its status),
    -- so steps of one card come one at a time; the primary key catches any that did not.
    SELECT * INTO last FROM supervision.card_order_events
     WHERE tenant_id = NEW.tenant_id AND card_id = NEW.card_id ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last.seq, 0) + 1;
    NEW.prev_hash := last.hash;
    NEW.at := date_trunc('microseconds', NEW.at);
    NEW.hash := sha256(coalesce(NEW.prev_hash, ''::bytea) || supervision.card_order_event_bytes(NEW));
    RETURN NEW;
END $$;
CREATE TRIGGER card_order_event_chain BEFORE INSERT ON supervision.card_order_events
    FOR EACH ROW EXECUTE FUNCTION supervision.card_order_event_chain();

CREATE FUNCTION supervision.card_order_event_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the history of an order is not changed' USING ERRCODE = '42501';
END $$;
-- Per statement, so an attempt fails even where the row policies would hide every row from it.
CREATE TRIGGER card_order_event_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON supervision.card_order_events
    FOR EACH STATEMENT EXECUTE FUNCTION supervision.card_order_event_immutable();

ALTER TABLE supervision.card_order_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE supervision.card_order_events FORCE ROW LEVEL SECURITY;
CREATE POLICY county_read ON supervision.card_order_events FOR SELECT USING (tenant_id = app_current_tenant());
CREATE POLICY county_reply ON supervision.card_order_events FOR INSERT
    WITH CHECK (tenant_id = app_current_tenant() AND actor_kind = 'county');
CREATE POLICY region_read ON supervision.card_order_events FOR SELECT TO yichuang_supervision
    USING (region_path LIKE supervision.current_region() || '%');
CREATE POLICY region_write ON supervision.card_order_events FOR INSERT TO yichuang_supervision
    WITH CHECK (actor_kind = 'region' AND region_path LIKE supervision.current_region() || '%' AND EXISTS (
        SELECT FROM supervision.card_orders o
         WHERE o.tenant_id = card_order_events.tenant_id AND o.card_id = card_order_events.card_id
           AND o.region_path = card_order_events.region_path));
CREATE INDEX supervision_card_order_events_region ON supervision.card_order_events (region_path text_pattern_ops, tenant_id);

GRANT SELECT, INSERT ON supervision.card_order_events TO yichuang_supervision;

-- The orders already there get the history their row still tells (a reply sent back before
-- this release left no trace to recover): issued, then replied, then returned or closed.
INSERT INTO supervision.card_order_events (tenant_id, card_id, region_path, at, action, actor_kind, actor, body, due_on)
SELECT o.tenant_id, o.card_id, o.region_path, s.at, s.action, s.actor_kind, s.actor, s.body, s.due_on
  FROM supervision.card_orders o
  JOIN supervision.counties c ON c.tenant_id = o.tenant_id
 CROSS JOIN LATERAL (VALUES
        (1, o.issued_at, 'issued', 'region', o.issued_by, o.instruction, o.due_on),
        (2, o.replied_at, 'replied', 'county', c.code, o.reply, NULL::date),
        (3, CASE WHEN o.status = 'returned' THEN coalesce(o.replied_at, o.issued_at) END, 'returned', 'region', o.issued_by, o.return_note, NULL::date),
        (4, o.closed_at, 'closed', 'region', o.issued_by, NULL, NULL::date)
      ) AS s(n, at, action, actor_kind, actor, body, due_on)
 WHERE s.at IS NOT NULL
 ORDER BY o.tenant_id, o.card_id, s.n;
