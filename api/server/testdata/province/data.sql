-- make bench-province, step 2 (as the owner, in the throwaway database, with the secondary
-- indexes dropped and session_replication_role = replica: every row is built valid, so the
-- foreign-key triggers are not needed while loading). {{APPS}} applications over 95 counties
-- (four of them five times the average), five years up to yesterday, states across the
-- lifecycle by age, with their timeline, an audit row each, ratings, notifications and the
-- statistics rollup. Inputs the bench filled: bench_county, bench_items, bench_ids, bench_members.
-- With {{BUSY}} > 0 a 96th county, the busy one, has a large county's five years of closed
-- history (all older than 40 days) and then {{BUSY}} open applications received over the last
-- 30 days: the deadline sweep's stress case (issue 14: a county with 50,000 open), far above a
-- real province's open share.
SELECT setseed(0.14);

CREATE TEMP TABLE bench_townships AS
    SELECT tenant_id, (row_number() OVER (PARTITION BY tenant_id ORDER BY code) - 1)::int AS k, id, path
    FROM org_units WHERE kind = 'township' AND tenant_id IN (SELECT tenant_id FROM bench_county);
CREATE TEMP TABLE bench_communities AS
    SELECT tenant_id, parent_id AS township_id, (row_number() OVER (PARTITION BY parent_id ORDER BY code) - 1)::int AS k, id, path
    FROM org_units WHERE kind = 'community' AND tenant_id IN (SELECT tenant_id FROM bench_county);

CREATE TEMP TABLE bench_apps AS
WITH province AS (
    SELECT g, g % 111 AS w,
           CASE WHEN g % 111 < 20 THEN (g % 111) / 5 + 1 ELSE g % 111 - 15 END AS cidx,
           CASE WHEN g % 111 < 20 THEN (g / 111) * 5 + g % 5 ELSE g / 111 END AS n,
           CASE WHEN g % 111 < 20 THEN 5 * ({{APPS}} / 111 + 1) ELSE {{APPS}} / 111 + 1 END AS cnt,
           0 AS busy
    FROM generate_series(1, {{APPS}}) AS g
), busy AS (
    -- The busy county: 1 = its closed history, 2 = its open applications.
    SELECT g, 0 AS w, 96 AS cidx, CASE WHEN h.busy = 1 THEN g - {{APPS}} - 1 ELSE g - {{APPS}} - h.hist - 1 END AS n,
           CASE WHEN h.busy = 1 THEN h.hist ELSE {{BUSY}} END AS cnt, h.busy
    FROM (SELECT CASE WHEN {{BUSY}} > 0 THEN 5 * ({{APPS}} / 111 + 1) ELSE 0 END AS hist) x
    CROSS JOIN generate_series({{APPS}} + 1, {{APPS}} + x.hist + {{BUSY}}) AS g
    CROSS JOIN LATERAL (SELECT x.hist, CASE WHEN g <= {{APPS}} + x.hist THEN 1 ELSE 2 END AS busy) h
), base AS (
    SELECT p.*, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
           abs(hashint4(g)) % 12 AS tk, abs(hashint4(g + 7)) % 8 AS ik, abs(hashint4(g + 13)) % 6 AS ck
    FROM (SELECT * FROM province UNION ALL SELECT * FROM busy) p
), timed AS (
    SELECT b.*,
           CASE b.busy WHEN 0 THEN (current_date - 1826)::timestamptz + (b.n::float8 / b.cnt) * interval '1826 days'
                       WHEN 1 THEN (current_date - 1826)::timestamptz + (b.n::float8 / b.cnt) * interval '1785 days'
                       ELSE (current_date - 29)::timestamptz + (b.n::float8 / b.cnt) * interval '30 days' END AS created_at,
           b.r2 < 0.2 AS proxy
    FROM base b
), aged AS (
    SELECT t.*, t.created_at::date AS day, current_date - t.created_at::date AS age FROM timed t
), stated AS (
    SELECT a.*,
        CASE
            -- The busy county's recent applications are all still open.
            WHEN busy = 2 THEN CASE WHEN age <= 3 THEN CASE WHEN r1 < 0.15 AND proxy THEN 'proxy_received' WHEN r1 < 0.55 THEN 'received'
                                                            WHEN r1 < 0.70 THEN 'correcting' ELSE 'accepted' END
                                    ELSE CASE WHEN r1 < 0.10 THEN 'correcting' WHEN r1 < 0.45 THEN 'accepted' ELSE 'processing' END END
            WHEN age > 40 THEN CASE WHEN r1 < 0.04 THEN 'rejected' WHEN r1 < 0.07 THEN 'withdrawn' WHEN r1 < 0.12 THEN 'decided'
                                    WHEN r1 < 0.40 THEN 'delivered' ELSE 'archived' END
            WHEN age <= 3 THEN CASE WHEN r1 < 0.15 AND proxy THEN 'proxy_received' WHEN r1 < 0.55 THEN 'received'
                                    WHEN r1 < 0.70 THEN 'correcting' ELSE 'accepted' END
            ELSE CASE WHEN r1 < 0.03 THEN 'rejected' WHEN r1 < 0.05 THEN 'withdrawn' WHEN r1 < 0.10 THEN 'correcting'
                      WHEN r1 < 0.30 THEN 'accepted' WHEN r1 < 0.60 THEN 'processing'
                      WHEN r1 < 0.75 AND age > 15 THEN 'decided' ELSE 'delivered' END
        END AS state
    FROM aged a
)
SELECT s.*, c.tenant_id, c.actor, c.prefix FROM stated s JOIN bench_county c ON c.idx = s.cidx;

CREATE TEMP TABLE bench_dated AS
SELECT x.*,
       CASE WHEN x.state = 'decided' AND x.age > 40 THEN 'deny' WHEN x.decided THEN CASE WHEN x.r4 < 0.08 THEN 'deny' ELSE 'approve' END END AS decision
FROM (
    SELECT a.*, i.item_id, i.version AS item_version, i.name AS item_name, i.dept_id, i.dept_path, i.legal_days, i.promised_days, i.materials,
           CASE WHEN a.state = 'proxy_received' THEN NULL WHEN a.proxy THEN least(a.day + 1, current_date) ELSE a.day END AS received_on,
           a.state IN ('accepted', 'processing', 'decided', 'delivered', 'archived') AS accepted,
           a.state IN ('decided', 'delivered', 'archived') AS decided
    FROM bench_apps a JOIN bench_items i ON i.tenant_id = a.tenant_id AND i.k = a.ik
) x;

CREATE TEMP TABLE bench_final AS
SELECT d.*,
       CASE WHEN d.accepted THEN d.received_on END AS accepted_on,
       CASE WHEN d.accepted THEN d.received_on + ceil(d.promised_days * 1.4)::int END AS promised_due,
       CASE WHEN d.accepted THEN d.received_on + ceil(d.legal_days * 1.4)::int END AS legal_due,
       CASE WHEN d.decided THEN least(d.received_on + 1 + floor(d.r3 * d.promised_days * 1.6)::int, current_date - 1) END AS decided_on
FROM bench_dated d;

INSERT INTO applications (tenant_id, id, item_id, item_version, item_name, state, channel, receipt_no, applicant_kind, applicant_name,
    applicant_id_sealed, applicant_id_blind, applicant_id_masked, applicant_phone, materials, hall_id, hall_path, proxy_unit_id, proxy_path,
    department_id, department_path, routed, assignee_id, created_by, proxy_received_on, forward_due, received_on, correction_due, correction,
    correction_count, accepted_on, legal_days, promised_days, legal_due, promised_due, warning, decision, decided_on, decision_days,
    delivery_method, delivery_due, delivered_on, closed_on, close_reason, version, created_at, updated_at, status_token)
SELECT f.tenant_id, gen_random_uuid(), f.item_id, f.item_version, f.item_name, f.state, CASE WHEN f.proxy THEN 'proxy' ELSE 'window' END,
       CASE WHEN f.accepted THEN f.prefix || to_char(f.accepted_on, 'YYYYMMDD') || lpad((f.n % 100000)::text, 5, '0') END,
       'person',
       (ARRAY['王','李','张','刘','陈','杨','黄','赵','吴','周','徐','孙','马','朱','胡','郭','何','高','林','罗','郑','梁','谢','宋','唐','许','韩','冯','邓','曹'])[1 + floor(f.r4 * f.r4 * 30)::int]
         || (ARRAY['秀','建','国','明','丽','华','文','英','玉','志','海','红','平','军','兰','芳','德','春','金','永','小','晓','伟','敏','静','强','磊','洋','艳','勇'])[1 + abs(hashint4(f.g + 1)) % 30]
         || CASE WHEN f.r3 > 0.3 THEN (ARRAY['兰','英','华','芳','明','平','梅','霞','生','林','峰','辉','珍','杰','琴','燕','刚','荣','云','涛'])[1 + abs(hashint4(f.g + 2)) % 20] ELSE '' END,
       ids.sealed, ids.blind, ids.masked, '13' || lpad((f.g % 1000000000)::text, 9, '0'), f.materials,
       t.id, t.path, CASE WHEN f.proxy THEN cm.id END, CASE WHEN f.proxy THEN cm.path END,
       f.dept_id, f.dept_path, f.state IN ('processing', 'decided', 'delivered', 'archived'),
       CASE WHEN f.state IN ('proxy_received', 'received', 'correcting', 'accepted') THEN f.actor END, f.actor,
       CASE WHEN f.proxy THEN f.day END,
       CASE WHEN f.state = 'proxy_received' THEN f.day + 4 END,
       f.received_on,
       CASE WHEN f.state = 'received' THEN f.received_on + 7 END,
       CASE WHEN f.state = 'correcting' THEN jsonb_build_object('notified_on', to_char(f.received_on, 'YYYY-MM-DD'), 'late', false,
            'items', jsonb_build_array(jsonb_build_object('key', 'hukou', 'name', '户口簿', 'problem', 'missing'))) END,
       CASE WHEN f.state = 'correcting' THEN 1 ELSE 0 END,
       f.accepted_on, f.legal_days, f.promised_days, f.legal_due, f.promised_due,
       CASE
           WHEN f.state = 'proxy_received' THEN CASE WHEN f.day + 4 < current_date THEN 'red' WHEN f.day + 4 <= current_date + 2 THEN 'yellow' ELSE 'normal' END
           WHEN f.state = 'received' THEN CASE WHEN f.received_on + 7 < current_date THEN 'red' WHEN f.received_on + 7 <= current_date + 2 THEN 'yellow' ELSE 'normal' END
           WHEN f.state IN ('accepted', 'processing') THEN CASE WHEN f.promised_due < current_date THEN 'red' WHEN f.promised_due <= current_date + 2 THEN 'yellow' ELSE 'normal' END
           WHEN f.state = 'decided' AND f.decision = 'approve' THEN CASE WHEN f.decided_on + 14 < current_date THEN 'red' WHEN f.decided_on + 14 <= current_date + 2 THEN 'yellow' ELSE 'normal' END
           ELSE 'normal'
       END,
       f.decision, f.decided_on, CASE WHEN f.decided THEN (f.decided_on - f.accepted_on) * 5 / 7 END,
       CASE WHEN f.state IN ('delivered', 'archived') THEN 'window' END,
       CASE WHEN f.state = 'decided' AND f.decision = 'approve' THEN f.decided_on + 14 END,
       CASE WHEN f.state IN ('delivered', 'archived') THEN least(f.decided_on + 2, current_date - 1) END,
       CASE WHEN f.decided THEN f.decided_on WHEN f.state = 'rejected' THEN f.received_on
            WHEN f.state = 'withdrawn' THEN least(f.day + 3, current_date - 1) END,
       CASE WHEN f.state = 'rejected' THEN '不属于本机关受理范围' WHEN f.state = 'withdrawn' THEN '申请人撤回申请' END,
       1 + (f.proxy AND f.received_on IS NOT NULL)::int + (f.state = 'correcting')::int + f.accepted::int
         + (f.state IN ('processing', 'decided', 'delivered', 'archived'))::int + f.decided::int
         + (f.state IN ('delivered', 'archived'))::int + (f.state = 'archived')::int + (f.state IN ('rejected', 'withdrawn'))::int,
       f.created_at, f.created_at,
       -- The 受理 notice's QR code gave every accepted application its status token.
       CASE WHEN f.accepted THEN md5(f.g::text || random()::text) END
FROM bench_final f
JOIN bench_townships t ON t.tenant_id = f.tenant_id AND t.k = f.tk
JOIN bench_communities cm ON cm.township_id = t.id AND cm.k = f.ck
JOIN bench_ids ids ON ids.tenant_id = f.tenant_id AND ids.k = f.g % 50;

DROP TABLE bench_apps, bench_dated, bench_final;

-- Name search's side table, as the trigger would have kept it.
INSERT INTO application_name_grams (tenant_id, application_id, gram, created_at)
SELECT a.tenant_id, a.id, g, a.created_at FROM applications a, unnest(app_name_grams(a.applicant_name)) AS g;

-- The timeline: one event per step the state implies.
INSERT INTO application_events (tenant_id, application_id, seq, at, actor_id, actor_name, action, from_state, to_state)
SELECT a.tenant_id, a.id, s.seq, a.created_at + s.seq * interval '1 hour', a.created_by, '省测办事员', s.action, s.f, s.t
FROM applications a CROSS JOIN LATERAL (VALUES
    (1, 'intake', '', CASE WHEN a.channel = 'proxy' THEN 'proxy_received' ELSE 'received' END, true),
    (2, 'forward', 'proxy_received', 'received', a.channel = 'proxy' AND a.received_on IS NOT NULL),
    (3, 'request_correction', 'received', 'correcting', a.state = 'correcting'),
    (4, 'accept', 'received', 'accepted', a.accepted_on IS NOT NULL),
    (5, 'route', 'accepted', 'processing', a.routed),
    (6, coalesce(a.decision, ''), 'processing', 'decided', a.decided_on IS NOT NULL),
    (7, 'deliver', 'decided', 'delivered', a.delivered_on IS NOT NULL),
    (8, 'archive', 'delivered', 'archived', a.state = 'archived'),
    (9, 'reject', 'received', 'rejected', a.state = 'rejected'),
    (10, 'withdraw', 'received', 'withdrawn', a.state = 'withdrawn')
) AS s (seq, action, f, t, ok)
WHERE s.ok;

-- The audit trail: the intake of each application, numbered after what the set-up wrote and
-- chained as tenants.Audit chains (tenants/audit.go, chainHash): hash = sha256(prev_hash ||
-- the row's content as JSON with fixed field order and a canonical summary), the first row
-- onto the head's last hash. sha256() is built in (PostgreSQL 11+), so no pgcrypto; the chain
-- is a running aggregate over each county's rows in seq order (a window over an aggregate
-- whose state is the previous hash), so `audit verify` and the audit log screens see the chain
-- a production county has. The JSON is spelled as Go's encoding/json writes it: no spaces,
-- times with microseconds in UTC; names and states need no escaping.
CREATE FUNCTION bench_chain_step(s bytea, init bytea, content bytea) RETURNS bytea LANGUAGE sql IMMUTABLE AS 'SELECT sha256(coalesce(s, init) || content)';
CREATE AGGREGATE bench_chain(bytea, bytea) (SFUNC = bench_chain_step, STYPE = bytea);
INSERT INTO audit_events (tenant_id, seq, at, actor_id, actor_name, action, target_type, target_id, request_id, summary, prev_hash, hash)
SELECT tenant_id, seq, at, actor_id, '省测办事员', 'application.intake', 'application', target_id, 'province-bench', summary,
       coalesce(lag(hash) OVER (PARTITION BY tenant_id ORDER BY seq), init), hash
FROM (
    SELECT n.*, bench_chain(n.init, convert_to(
        '{"tenant_id":"' || n.tenant_id || '","seq":' || n.seq || ',"at":"' || to_char(n.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        || '","actor_id":"' || coalesce(n.actor_id::text, '') || '","actor_name":"省测办事员","action":"application.intake","target_type":"application","target_id":"'
        || n.target_id || '","request_id":"province-bench","summary":{"state":"' || n.state || '"}}', 'UTF8'))
        OVER (PARTITION BY n.tenant_id ORDER BY n.seq) AS hash
    FROM (
        SELECT a.tenant_id, coalesce(h.last_seq, 0) + row_number() OVER (PARTITION BY a.tenant_id ORDER BY a.created_at, a.id) AS seq,
               a.created_at AS at, a.created_by AS actor_id, a.id::text AS target_id, a.state, jsonb_build_object('state', a.state) AS summary,
               coalesce(h.last_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) AS init
        FROM applications a LEFT JOIN audit_heads h ON h.tenant_id = a.tenant_id
    ) n
) c;
INSERT INTO audit_heads (tenant_id, last_seq, last_hash)
SELECT c.tenant_id, e.seq, e.hash FROM bench_county c
CROSS JOIN LATERAL (SELECT seq, hash FROM audit_events e WHERE e.tenant_id = c.tenant_id ORDER BY seq DESC LIMIT 1) e
ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash;
DROP AGGREGATE bench_chain(bytea, bytea);
DROP FUNCTION bench_chain_step(bytea, bytea, bytea);

-- 好差评: a rating for three in ten services that ended (decided or closed at the window).
INSERT INTO ratings (tenant_id, id, application_id, round, score, indicators, source, item_id, hall_id, clerk_id, rated_on, created_at)
SELECT a.tenant_id, gen_random_uuid(), a.id, 1, 1 + abs(hashint4(hashtext(a.id::text))) % 5, '{}', 'active', a.item_id, a.hall_id, a.created_by,
       coalesce(a.decided_on, a.closed_on), coalesce(a.decided_on, a.closed_on)::timestamptz
FROM applications a WHERE a.closed_on IS NOT NULL AND abs(hashtext(a.id::text)) % 10 < 3;

-- Notifications: each signed-in member of the measured counties has a long inbox.
INSERT INTO notifications (tenant_id, id, recipient_id, kind, application_id, title, body, dedup_key, created_at, read_at)
SELECT m.tenant_id, gen_random_uuid(), m.identity_id, 'yellow', a.id, '办件即将到期', '办件 ' || coalesce(a.receipt_no, '') || ' 即将到期',
       'bench:' || a.id, a.created_at, CASE WHEN a.closed_on IS NOT NULL THEN a.created_at END
FROM bench_members m
CROSS JOIN LATERAL (SELECT id, receipt_no, created_at, closed_on FROM applications x WHERE x.tenant_id = m.tenant_id ORDER BY x.created_at DESC LIMIT 3000) a;

-- The statistics rollup, as the trigger would have kept it.
INSERT INTO application_stats_daily (tenant_id, day, hall_id, item_id, item_name, received, accepted, decided, on_time, late, days_sum, days_count)
SELECT tenant_id, coalesce(proxy_received_on, received_on), hall_id, item_id, item_name, count(*),
       count(*) FILTER (WHERE accepted_on IS NOT NULL), count(*) FILTER (WHERE decided_on IS NOT NULL),
       count(*) FILTER (WHERE decided_on IS NOT NULL AND (promised_due IS NULL OR decided_on <= promised_due)),
       count(*) FILTER (WHERE decided_on > promised_due),
       coalesce(sum(decision_days) FILTER (WHERE decided_on IS NOT NULL), 0), count(decision_days) FILTER (WHERE decided_on IS NOT NULL)
FROM applications WHERE coalesce(proxy_received_on, received_on) IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2
ON CONFLICT (tenant_id, day, hall_id, item_id, item_name) DO UPDATE SET
    received = application_stats_daily.received + excluded.received, accepted = application_stats_daily.accepted + excluded.accepted,
    decided = application_stats_daily.decided + excluded.decided, on_time = application_stats_daily.on_time + excluded.on_time,
    late = application_stats_daily.late + excluded.late, days_sum = application_stats_daily.days_sum + excluded.days_sum,
    days_count = application_stats_daily.days_count + excluded.days_count;
INSERT INTO application_stats_monthly (tenant_id, month, hall_id, item_id, item_name, received, accepted, decided, on_time, late, days_sum, days_count)
SELECT tenant_id, date_trunc('month', day)::date, hall_id, item_id, item_name, sum(received), sum(accepted), sum(decided), sum(on_time), sum(late),
       sum(days_sum), sum(days_count)
FROM application_stats_daily GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2
ON CONFLICT (tenant_id, month, hall_id, item_id, item_name) DO UPDATE SET
    received = application_stats_monthly.received + excluded.received, accepted = application_stats_monthly.accepted + excluded.accepted,
    decided = application_stats_monthly.decided + excluded.decided, on_time = application_stats_monthly.on_time + excluded.on_time,
    late = application_stats_monthly.late + excluded.late, days_sum = application_stats_monthly.days_sum + excluded.days_sum,
    days_count = application_stats_monthly.days_count + excluded.days_count;

-- 社区工作事项准入: tasks the departments dispatched to communities under the county's list,
-- {{TASKS}} of them (one for every ten applications unless YC_PROVINCE_TASKS says otherwise),
-- spread over the same five years and counties; the old ones done (a few refused), the recent
-- ones waiting or in hand.
INSERT INTO community_tasks (tenant_id, id, dispatch_id, item_id, department_id, community_id, title, detail, expected_hours, due_days, status,
    dispatched_on, due_on, refusal, decided_by, decided_at, done_at, created_by, created_at)
SELECT x.tenant_id, gen_random_uuid(), gen_random_uuid(), ai.item_id, ai.dept_id, cm.id, '第' || x.n || '号交办任务', '', 2, 10,
       x.status, x.at::date,
       CASE WHEN x.status IN ('accepted', 'done') THEN x.at::date + 14 END,
       CASE WHEN x.status = 'refused' THEN '不属于准入清单所列事项' ELSE '' END,
       CASE WHEN x.status <> 'pending' THEN x.actor END,
       CASE WHEN x.status <> 'pending' THEN x.at + interval '1 day' END,
       CASE WHEN x.status = 'done' THEN x.at + interval '5 days' END,
       x.actor, x.at
FROM (
    SELECT b.*, c.tenant_id, c.actor,
           (current_date - 1826)::timestamptz + (b.n::float8 / b.cnt) * interval '1826 days' AS at,
           CASE WHEN b.n::float8 / b.cnt > 0.99 THEN CASE WHEN b.r < 0.5 THEN 'pending' ELSE 'accepted' END
                WHEN b.r < 0.05 THEN 'refused' ELSE 'done' END AS status
    FROM (
        SELECT g, CASE WHEN g % 111 < 20 THEN (g % 111) / 5 + 1 ELSE g % 111 - 15 END AS cidx,
               CASE WHEN g % 111 < 20 THEN (g / 111) * 5 + g % 5 ELSE g / 111 END AS n,
               CASE WHEN g % 111 < 20 THEN 5 * ({{TASKS}} / 111 + 1) ELSE {{TASKS}} / 111 + 1 END AS cnt,
               random() AS r, abs(hashint4(g + 3)) % 12 AS tk, abs(hashint4(g + 5)) % 6 AS ck, abs(hashint4(g + 11)) % 3 AS ik
        FROM generate_series(1, {{TASKS}}) AS g
    ) b JOIN bench_county c ON c.idx = b.cidx
) x
JOIN bench_townships t ON t.tenant_id = x.tenant_id AND t.k = x.tk
JOIN bench_communities cm ON cm.township_id = t.id AND cm.k = x.ck
JOIN bench_access_items ai ON ai.tenant_id = x.tenant_id AND ai.k = x.ik;
