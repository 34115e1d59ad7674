-- Access-list admission and dispatch as the published local rules state them (brief §2;
-- Beijing Xicheng): reviews are separate duties, a request can be withdrawn by its department
-- or stopped during its public notice, 费随事转 is a dispatch rule, and an item not re-confirmed
-- by the county's yearly deadline lapses. The tables keep the tenant-table rules of the
-- foundation migration (their RLS policies are unchanged).

-- The yearly re-confirmation deadline (年度确认), a month-day of each year: an item of the
-- work lists not confirmed for the year by then lapses. 03-31: the first quarter of the year.
ALTER TABLE access_settings
    ADD COLUMN confirm_by text NOT NULL DEFAULT '03-31'
        CHECK (confirm_by ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' AND confirm_by NOT IN ('02-29', '02-30', '02-31', '04-31', '06-31', '09-31', '11-31')),
    -- Each review by its own department.
    ADD CONSTRAINT access_settings_separate_reviewers CHECK (civil_dept_id IS NULL OR legal_dept_id IS NULL OR civil_dept_id <> legal_dept_id);

-- The instant the sweep found the item not re-confirmed after the deadline (taken under the
-- row lock, like withdrawn_at): from then on it is off the lists until re-confirmed or
-- re-admitted.
ALTER TABLE access_items ADD COLUMN lapsed_at timestamptz;

-- 'stopped': a county admin ended the request during its public notice.
ALTER TABLE admission_requests DROP CONSTRAINT admission_requests_status_check;
ALTER TABLE admission_requests ADD CONSTRAINT admission_requests_status_check
    CHECK (status IN ('civil_review', 'legal_review', 'joint_meeting', 'notice', 'effective', 'returned', 'rejected', 'withdrawn', 'stopped'));

-- One open request per code: a second request racing the first cannot take it; a request
-- withdrawn, abandoned, rejected or stopped releases it.
CREATE UNIQUE INDEX admission_requests_open_code ON admission_requests (tenant_id, (content ->> 'code'))
    WHERE status IN ('civil_review', 'legal_review', 'joint_meeting', 'notice', 'returned');

-- 'no_funding': 依法协助 work whose funding is not stated (费随事转).
ALTER TABLE dispatch_interceptions DROP CONSTRAINT dispatch_interceptions_rule_check;
ALTER TABLE dispatch_interceptions ADD CONSTRAINT dispatch_interceptions_rule_check
    CHECK (rule IN ('no_item', 'not_in_force', 'no_certificate', 'wrong_department', 'forbidden', 'out_of_scope', 'no_funding'));
