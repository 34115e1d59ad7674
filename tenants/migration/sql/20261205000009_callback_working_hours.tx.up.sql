-- The 差评 callback limit now counts working hours of the county's calendar (office hours,
-- workday.DefaultOfficeHours: 7 a day) instead of wall-clock hours. The old default, 24
-- wall-clock hours, meant "within a day": it becomes one working day. A county's own
-- value is kept as its number of working hours (longer than before in days; a county
-- admin sees the new unit on the settings page).
ALTER TABLE rating_settings ALTER COLUMN callback_hours SET DEFAULT 7;
-- County by county, each under its own tenant setting, so the update also reaches the rows
-- when the migrating role is subject to RLS (an owner without BYPASSRLS).
DO $$
DECLARE t uuid;
BEGIN
    PERFORM set_config('app.platform_scan', 'on', true);
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        UPDATE rating_settings SET callback_hours = 7 WHERE tenant_id = t AND callback_hours = 24;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
    PERFORM set_config('app.platform_scan', '', true);
END $$;
