-- make bench-province, step 1 (as the owner, in the throwaway database): every county's
-- townships, communities and departments under the county root the bench created.
-- Input: bench_county (idx, tenant_id) filled by the bench.
INSERT INTO org_units (tenant_id, id, parent_id, kind, name, code, path, depth)
SELECT tenant_id, id, parent, 'township', '第' || k || '镇', 'tw' || k, ppath || id || '/', 1
FROM (SELECT c.tenant_id, r.id AS parent, r.path AS ppath, k, gen_random_uuid() AS id
      FROM bench_county c JOIN org_units r ON r.tenant_id = c.tenant_id AND r.parent_id IS NULL
      CROSS JOIN generate_series(1, 12) AS k) s;

INSERT INTO org_units (tenant_id, id, parent_id, kind, name, code, path, depth)
SELECT tenant_id, id, parent, 'community', pname || '第' || k || '社区', pcode || 'c' || k, ppath || id || '/', 2
FROM (SELECT t.tenant_id, t.id AS parent, t.name AS pname, t.code AS pcode, t.path AS ppath, k, gen_random_uuid() AS id
      FROM org_units t CROSS JOIN generate_series(1, 6) AS k
      WHERE t.kind = 'township' AND t.tenant_id IN (SELECT tenant_id FROM bench_county)) s;

INSERT INTO org_units (tenant_id, id, parent_id, kind, name, code, path, depth)
SELECT tenant_id, id, parent, 'department', (ARRAY['县民政局', '县人社局', '县卫健委', '县住建局', '县农业农村局', '县市场监管局'])[k], 'dp' || k, ppath || id || '/', 1
FROM (SELECT c.tenant_id, r.id AS parent, r.path AS ppath, k, gen_random_uuid() AS id
      FROM bench_county c JOIN org_units r ON r.tenant_id = c.tenant_id AND r.parent_id IS NULL
      CROSS JOIN generate_series(1, 6) AS k) s;
