-- Issue 11: every statutory deadline rule as the law states it.

-- 行政许可法 art. 42: only the agency head (本行政机关负责人) grants an extension; on an item
-- handled under art. 26 (统一办理/联合办理/集中办理) the head of the county government does.
ALTER TABLE memberships DROP CONSTRAINT memberships_roles_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_roles_check CHECK (cardinality(roles) > 0 AND roles <@ ARRAY[
    'platform_operator', 'county_admin', 'department_staff', 'township_clerk', 'community_worker',
    'agency_head', 'government_head']);

-- The data fixes below touch every county's rows. RLS is FORCEd, which binds the owner that
-- runs migrations too (unless it is a superuser); lifting FORCE inside this transaction lets
-- the owner, and nobody else, see all rows until the end of the file puts it back.
ALTER TABLE tenant_settings NO FORCE ROW LEVEL SECURITY;
ALTER TABLE applications NO FORCE ROW LEVEL SECURITY;

-- Settings never loosen the law: the correction notice within 5 working days (art. 32), an
-- extension of at most 10 (15 under art. 26) working days (art. 42), delivery of a 准予
-- decision within 10 working days (art. 44). Values a county set looser are brought back to
-- the law before the constraints apply.
UPDATE tenant_settings SET correction_days = least(correction_days, 5), max_extension = least(max_extension, 10);
ALTER TABLE tenant_settings DROP CONSTRAINT tenant_settings_correction_days_check;
ALTER TABLE tenant_settings ADD CONSTRAINT tenant_settings_correction_days_check CHECK (correction_days BETWEEN 1 AND 5);
ALTER TABLE tenant_settings DROP CONSTRAINT tenant_settings_max_extension_check;
ALTER TABLE tenant_settings ADD CONSTRAINT tenant_settings_max_extension_check CHECK (max_extension BETWEEN 0 AND 10);
ALTER TABLE tenant_settings
    ADD COLUMN max_extension_unified int NOT NULL DEFAULT 15 CHECK (max_extension_unified BETWEEN 0 AND 15),
    ADD COLUMN delivery_days         int NOT NULL DEFAULT 10 CHECK (delivery_days BETWEEN 1 AND 10);

ALTER TABLE applications
    -- The day the materials became complete after an in-time correction notice (art. 32):
    -- the acceptance date. received_on stays the day they were first received.
    ADD COLUMN complete_on        date,
    -- 一次性告知: notices issued, and those that questioned again a material the applicant
    -- changed after the first (the only repeat the law allows; supervisors count them).
    ADD COLUMN correction_count   int     NOT NULL DEFAULT 0,
    ADD COLUMN repeat_corrections int     NOT NULL DEFAULT 0,
    -- art. 44: a 准予 decision is served within 10 working days.
    ADD COLUMN delivery_due       date,
    -- Some running due date was counted through a year whose holiday schedule is not known.
    ADD COLUMN provisional        boolean NOT NULL DEFAULT false;
UPDATE applications SET correction_count = 1 WHERE correction IS NOT NULL;

-- art. 45: a pause is one of the special procedures the law names or the item lists; a step
-- the item counts in the limit does not stop the clock; each has its time limit.
ALTER TABLE application_pauses
    ADD COLUMN counted    boolean NOT NULL DEFAULT false,
    ADD COLUMN limit_days int     NOT NULL DEFAULT 0 CHECK (limit_days BETWEEN 0 AND 250),
    ADD COLUMN step_due   date;

-- The forwarding and correction limits an application got at receipt, so that a later
-- settings change does not move them (a calendar change still does).
ALTER TABLE applications
    ADD COLUMN forward_days    int NOT NULL DEFAULT 3 CHECK (forward_days BETWEEN 1 AND 30),
    ADD COLUMN correction_days int NOT NULL DEFAULT 5 CHECK (correction_days BETWEEN 1 AND 5);
UPDATE applications a SET forward_days = s.forward_days, correction_days = least(s.correction_days, 5)
    FROM tenant_settings s WHERE s.tenant_id = a.tenant_id;

ALTER TABLE tenant_settings FORCE ROW LEVEL SECURITY;
ALTER TABLE applications FORCE ROW LEVEL SECURITY;

-- arts. 42 and 45: the extension and the special procedure are told in writing.
ALTER TABLE application_notices DROP CONSTRAINT application_notices_kind_check;
ALTER TABLE application_notices ADD CONSTRAINT application_notices_kind_check
    CHECK (kind IN ('accepted', 'correction', 'rejected', 'decided', 'extension', 'special_procedure'));
