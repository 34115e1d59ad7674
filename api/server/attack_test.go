package server_test

// The standing attack suites of issue 13, driven by the server's own OpenAPI document, so an
// endpoint added tomorrow is attacked without anyone remembering to:
//
//	(a) TestAttackCrossTenant: every operation × every role of a second county, aimed at the
//	    first county's real records: nothing of the first county is read (no id, name or
//	    number of it in any answer, exports unpacked) and nothing changes (its rows are hashed
//	    table by table before and after).
//	(b) TestAttackOutOfScope: every operation × every scoped role inside one county, aimed at
//	    records outside the caller's data scope (another township's, community's or
//	    department's applications and their files, another community's tasks, other members'
//	    notifications): nothing read, nothing changed.
//	(c) TestAttackMalformedInput: every body field, query parameter and path parameter of
//	    every operation with malformed values (wrong types, NUL, 100 KB and 1 MB strings,
//	    impossible dates, integer overflow): no answer is 5xx.
//	(d) TestAttackKillNine: concurrent intakes with Idempotency-Keys against a real
//	    `yichuang serve` process that is killed (SIGKILL) and restarted mid-run: every
//	    acknowledged intake is stored, once.
//
// Each prints "attack suite …: N requests, M failed". Run them alone with
//
//	go test ./api/server -run Attack -v

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// ---- the OpenAPI document as the suites read it

type apiDoc struct {
	Paths      map[string]map[string]*apiOp `json:"paths"`
	Components struct {
		Schemas map[string]*jsonSchema `json:"schemas"`
	} `json:"components"`
}

type apiOp struct {
	Method, Path string
	OperationID  string `json:"operationId"`
	Description  string `json:"description"`
	Parameters   []struct {
		In       string      `json:"in"`
		Name     string      `json:"name"`
		Required bool        `json:"required"`
		Schema   *jsonSchema `json:"schema"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema *jsonSchema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	roles []tenants.Role
}

type jsonSchema struct {
	Ref                  string                 `json:"$ref"`
	Type                 any                    `json:"type"`
	Format               string                 `json:"format"`
	Enum                 []any                  `json:"enum"`
	Properties           map[string]*jsonSchema `json:"properties"`
	Items                *jsonSchema            `json:"items"`
	AdditionalProperties any                    `json:"additionalProperties"`
	Minimum              *float64               `json:"minimum"`
	Maximum              *float64               `json:"maximum"`
	MinLength            *int                   `json:"minLength"`
	MinItems             *int                   `json:"minItems"`
	Pattern              string                 `json:"pattern"`
	ReadOnly             bool                   `json:"readOnly"`
}

func (s *jsonSchema) typ() string {
	switch t := s.Type.(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return fmt.Sprint(x)
			}
		}
	}
	if s.Properties != nil {
		return "object"
	}
	return ""
}

var rolesPattern = regexp.MustCompile(`\(([a-z_]+)\)`)

func loadAPI(t *testing.T, base string) (*apiDoc, []*apiOp) {
	t.Helper()
	var doc apiDoc
	mustJSON(t, get(t, base+"/openapi.json", nil), &doc)
	var ops []*apiOp
	for path, methods := range doc.Paths {
		for method, op := range methods {
			op.Method, op.Path = strings.ToUpper(method), path
			if _, after, ok := strings.Cut(op.Description, "Roles:"); ok {
				for _, m := range rolesPattern.FindAllStringSubmatch(after, -1) {
					op.roles = append(op.roles, tenants.Role(m[1]))
				}
			}
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Path+ops[i].Method < ops[j].Path+ops[j].Method })
	if len(ops) < 100 {
		t.Fatalf("the OpenAPI document lists only %d operations", len(ops))
	}
	return &doc, ops
}

func (d *apiDoc) resolve(s *jsonSchema) *jsonSchema {
	for s != nil && s.Ref != "" {
		s = d.Components.Schemas[s.Ref[strings.LastIndex(s.Ref, "/")+1:]]
	}
	return s
}

func (op *apiOp) jsonBody(d *apiDoc) *jsonSchema {
	if op.RequestBody == nil {
		return nil
	}
	if c, ok := op.RequestBody.Content["application/json"]; ok {
		return d.resolve(c.Schema)
	}
	return nil
}

// rawBodyType is the first non-JSON body type an operation takes (a file upload, a workbook).
func (op *apiOp) rawBodyType() string {
	if op.RequestBody == nil {
		return ""
	}
	var types []string
	for ct := range op.RequestBody.Content {
		if ct != "application/json" {
			types = append(types, ct)
		}
	}
	sort.Strings(types)
	if len(types) == 0 {
		return ""
	}
	if slices.Contains(types, "image/jpeg") {
		return "image/jpeg"
	}
	return types[0]
}

// ---- a county with a record of every kind, made through the API as its members would

type attackCounty struct {
	tenant                                *tenanttest.Tenant
	name                                  string
	admin, clerk, worker, dept            *member // township 1, community 1, department 1
	clerk2, worker2, dept2, operator      *member // township 2, community 2, department 2
	head, govHead                         *member // agency head of department 1, county government head
	citySup, provSup, platformOp          *member // region accounts: the county's city and province, the platform
	township, community, department       uuid.UUID
	township2, community2, department2    uuid.UUID
	item, accessItem, accessRequest, task string
	app, proxyApp, app2                   string // T1 window (routed to D1), C1 proxy, T2 window
	file, upload, workerRecord, check     string
	notification, token                   string
	markers                               []string // distinctive strings of the county's records
	scoped                                []string // what only township 1 / community 1 / department 1 may see
}

func attackRand() string { return strings.ToUpper(uuid.NewString()[:6]) }

// newAttackCounty builds the county. Distinctive names (a random suffix) let a leak be found
// in any answer.
func newAttackCounty(t *testing.T, b *docBundle, label string) *attackCounty {
	t.Helper()
	tag := attackRand()
	a := &attackCounty{name: label + tag}
	a.tenant = tenanttest.NewTenant(t, b.db, a.name)
	b.db.Ctx(t, a.tenant.ID, func(ctx context.Context) error {
		root := a.tenant.County.ID
		mk := func(parent uuid.UUID, kind tenants.OrgKind, name, code string) uuid.UUID {
			return tenanttest.Unit(t, ctx, parent, kind, name+tag, code).ID
		}
		a.township, a.township2 = mk(root, tenants.KindTownship, "甲镇", "t1"), mk(root, tenants.KindTownship, "乙镇", "t2")
		a.community, a.community2 = mk(a.township, tenants.KindCommunity, "甲社区", "c1"), mk(a.township2, tenants.KindCommunity, "乙社区", "c2")
		a.department, a.department2 = mk(root, tenants.KindDepartment, "甲局", "d1"), mk(root, tenants.KindDepartment, "乙局", "d2")
		return nil
	})
	a.admin = b.newMember(t, a.tenant, a.tenant.County.ID, tenants.RoleCountyAdmin)
	// Counties cannot grant the platform operator's role; the platform does, in the database.
	a.operator = b.newMember(t, a.tenant, a.tenant.County.ID, tenants.RoleCountyAdmin)
	if _, err := b.db.Owner.Exec(context.Background(), `UPDATE memberships SET roles = '{platform_operator}', scope = 'tenant' WHERE tenant_id = $1 AND identity_id = $2`,
		a.tenant.ID, a.operator.m.IdentityID); err != nil {
		t.Fatal(err)
	}
	a.operator.m.Roles = []tenants.Role{tenants.RolePlatformOperator}
	// The county sits under a city of a province of its own; the region accounts above it.
	regions := b.regions(t)
	b.db.Ctx(t, a.tenant.ID, func(ctx context.Context) error { return tenants.SetCity(ctx, regions.city) })
	a.citySup = b.regionMember(t, regions.city, tenants.RoleCitySupervisor)
	a.provSup = b.regionMember(t, regions.province, tenants.RoleProvinceSupervisor)
	a.platformOp = b.regionMember(t, supervision.CountryCode, tenants.RolePlatformOperator)
	a.clerk = b.newMember(t, a.tenant, a.township, tenants.RoleTownshipClerk)
	a.clerk2 = b.newMember(t, a.tenant, a.township2, tenants.RoleTownshipClerk)
	a.worker = b.newMember(t, a.tenant, a.community, tenants.RoleCommunityWorker)
	a.worker2 = b.newMember(t, a.tenant, a.community2, tenants.RoleCommunityWorker)
	a.dept = b.newMember(t, a.tenant, a.department, tenants.RoleDepartmentStaff)
	a.dept2 = b.newMember(t, a.tenant, a.department2, tenants.RoleDepartmentStaff)
	a.head = b.newMember(t, a.tenant, a.department, tenants.RoleAgencyHead)
	a.govHead = b.newMember(t, a.tenant, a.tenant.County.ID, tenants.RoleGovernmentHead)
	must := func(what string, want int, m *member, method, path string, body any, headers ...string) (map[string]any, http.Header) {
		t.Helper()
		status, out, h := b.call(t, m, method, path, body, headers...)
		if status != want {
			t.Fatalf("fixture %s: %d %v", what, status, out)
		}
		return out, h
	}

	// A published catalogue item of department 1.
	item, h := must("item", 201, a.admin, "POST", "/api/v1/items", map[string]any{
		"base_code": "000172001000", "impl_code": "ATK-" + tag, "name": "事项" + tag, "kind": "payment", "department_id": a.department,
		"legal_basis": "《社会救助暂行办法》第四十七条", "levels": []string{"township", "community"}, "conditions": "条件" + tag,
		"materials": []map[string]any{{"key": "id", "name": "居民身份证", "form": "original", "copies": 1, "required": true}},
		"handling":  "promised", "legal_days": 20, "promised_days": 10, "steps": []map[string]any{}, "fee_basis": "", "fee_amount": "不收费",
		"visits": 1, "consult_phone": "0314-8021352", "complain_phone": "0314-12345"})
	a.item = item["id"].(string)
	must("publish", 200, a.admin, "POST", "/api/v1/items/"+a.item+"/publish", nil, "If-Match", h.Get("ETag"))

	applicant := func(name string) map[string]any {
		return map[string]any{"kind": "person", "name": name, "id_no": "11010519491231002X", "phone": "139" + fmt.Sprintf("%08d", time.Now().UnixNano()%1e8)}
	}
	intake := func(m *member, name string, auth bool) map[string]any {
		body := map[string]any{"item_id": a.item, "applicant": applicant(name), "materials": []map[string]any{{"key": "id", "provided": true}}}
		if auth {
			body["authorization"] = map[string]any{"signed_on": clock.Today(clock.System{}).String(), "document": "委托书" + tag}
		}
		out, _ := must("intake by "+name, 201, m, "POST", "/api/v1/applications", body, "Idempotency-Key", "atk-"+uuid.NewString())
		a.markers = append(a.markers, name)
		return out
	}
	act := func(m *member, app map[string]any, action string) map[string]any {
		out, _ := must(action, 200, m, "POST", "/api/v1/applications/"+app["id"].(string)+"/actions/"+action, map[string]any{},
			"If-Match", strconv.Itoa(int(app["version"].(float64))))
		return out
	}
	app := intake(a.clerk, "申请人甲"+tag, false)
	phone := app["applicant"].(map[string]any)["phone"].(string)
	app = act(a.clerk, app, "accept")
	app = act(a.clerk, app, "route")
	a.app = app["id"].(string)
	receipt := app["receipt_no"].(string) // distinctive inside the county only: another may count the same serial
	a.proxyApp = intake(a.worker, "申请人乙"+tag, true)["id"].(string)
	a.app2 = intake(a.clerk2, "申请人丙"+tag, false)["id"].(string)

	// A file streamed to the application, and a presigned upload begun.
	status, f := b.raw(t, a.clerk, "/api/v1/applications/"+a.app+"/files?material=id&filename=scan"+tag+".jpg", "image/jpeg", randomJPEG(4096))
	if status != http.StatusCreated {
		t.Fatalf("fixture upload: %d %v", status, f)
	}
	a.file = f["id"].(string)
	up, _ := must("begin upload", 201, a.clerk, "POST", "/api/v1/applications/"+a.app+"/uploads",
		map[string]any{"material": "id", "content_type": "image/jpeg", "size": 100, "sha256": strings.Repeat("ab", 32)})
	a.upload = up["upload_id"].(string)

	// A community worker's record, an access-list item in force with a task dispatched under
	// it, an admission request, an audit check.
	rec, _ := must("worker record", 201, a.admin, "POST", "/api/v1/workers", map[string]any{"id_number": workerID, "name": "工作者" + tag,
		"org_unit_id": a.community, "post": "staff", "title": "社区工作者", "hired": "2018-01-01", "education": "none", "certificate": "none",
		"reason": "公开招聘", "approver": "王建国"})
	a.workerRecord = rec["id"].(string)
	a.markers = append(a.markers, "工作者"+tag)
	today := clock.Today(clock.System{})
	acc, _ := must("access item", 201, a.admin, "POST", "/api/v1/access/items", map[string]any{"code": "ATK-" + tag, "kind": "assist",
		"name": "准入事项" + tag, "legal_basis": "依据", "department_id": a.department, "scope_unit_ids": []string{}, "funding": "per_task",
		"funding_amount": 20000, "ledgers": 0, "reports": 0, "inspections": 0, "hours_per_year": 1, "effective_from": today.String()})
	a.accessItem = acc["item"].(map[string]any)["id"].(string)
	a.markers = append(a.markers, "准入事项"+tag)
	tasks, _ := must("dispatch", 201, a.dept, "POST", "/api/v1/access/dispatch", map[string]any{"item_id": a.accessItem, "title": "任务" + tag,
		"community_ids": []any{a.community}, "due_days": 5, "expected_hours": 2}, "Idempotency-Key", uuid.NewString())
	a.task = tasks["tasks"].([]any)[0].(map[string]any)["id"].(string)
	a.markers = append(a.markers, "任务"+tag)
	req, _ := must("admission request", 201, a.dept, "POST", "/api/v1/access/requests", map[string]any{"code": "ATR-" + tag, "kind": "assist",
		"name": "申请事项" + tag, "legal_basis": "依据", "department_id": a.department, "scope_unit_ids": []string{}, "funding": "per_task",
		"funding_amount": 20000, "ledgers": 0, "reports": 0, "inspections": 0, "hours_per_year": 1,
		"requested_start": time.Now().AddDate(0, 6, 0).Format(time.DateOnly)})
	a.accessRequest = req["request"].(map[string]any)["id"].(string)
	check, _ := must("audit check", 202, a.admin, "POST", "/api/v1/audit-checks", nil)
	a.check = check["id"].(string)

	// The routing told department 1; the resident's status token.
	_, notes, _ := b.call(t, a.dept, "GET", "/api/v1/notifications", nil)
	if items, _ := notes["items"].([]any); len(items) > 0 {
		a.notification = items[0].(map[string]any)["id"].(string)
	}
	view, _ := must("status lookup", 200, nil, "POST", "/api/v1/public/"+a.tenant.Code+"/status/lookup",
		map[string]any{"receipt_no": receipt, "phone_last4": phone[len(phone)-4:]})
	a.token = view["token"].(string)

	// Let the county's background work settle (the notice, the file's verification: the
	// documents queue is worked here, the default queue of the audit check is not), so the
	// rows hashed before an attack change only if the attack changes them.
	waitFor(t, "the county's documents jobs", func() bool {
		_, docs, _ := b.call(t, a.clerk, "GET", "/api/v1/applications/"+a.app+"/documents", nil)
		notices, _ := docs["notices"].([]any)
		files, _ := docs["files"].([]any)
		ready := len(notices) > 0
		for _, n := range notices {
			ready = ready && n.(map[string]any)["ready"] == true
		}
		for _, f := range files {
			ready = ready && f.(map[string]any)["status"] != "uploaded"
		}
		return ready
	})
	a.markers = append(a.markers, a.name, tag+"</")
	a.scoped = []string{a.app, a.proxyApp, a.file, a.upload, a.task, receipt, "申请人甲" + tag, "申请人乙" + tag, "scan" + tag}
	if a.notification != "" {
		a.scoped = append(a.scoped, a.notification)
	}
	return a
}

// value fills a path parameter with a real record of the county: the segment before the
// parameter names the collection.
func (a *attackCounty) value(path, name string) string {
	before := path[:strings.Index(path, "{"+name+"}")]
	seg := strings.Trim(before, "/")
	if i := strings.LastIndex(seg, "/"); i >= 0 {
		seg = seg[i+1:]
	}
	switch {
	case name == "county":
		return a.tenant.Code
	case name == "token":
		return a.token
	case name == "kind":
		return "accepted"
	case name == "action":
		return "withdraw"
	case name == "identity_id":
		return a.clerk.m.IdentityID.String()
	case name == "file":
		return a.file
	case name == "upload":
		return a.upload
	case name == "version", name == "seq":
		return "1"
	case name == "year":
		return "2026"
	case name == "month":
		return "2026-11"
	case name == "date", name == "effective_from":
		return "2026-01-01"
	case strings.HasSuffix(before, "/access/items/"):
		return a.accessItem
	case strings.HasSuffix(before, "/access/requests/"):
		return a.accessRequest
	case strings.HasSuffix(before, "/access/tasks/"):
		return a.task
	}
	switch seg {
	case "applications":
		return a.app
	case "items":
		return a.item
	case "workers":
		return a.workerRecord
	case "org-units":
		return a.township.String()
	case "audit-checks":
		return a.check
	case "notifications":
		if a.notification != "" {
			return a.notification
		}
	}
	return uuid.NewString() // no record of that kind: an id that exists nowhere
}

// fieldValue fills a body field with a plausible value that, where it names a record, names
// one of the county's.
func (a *attackCounty) fieldValue(path, name string, s *jsonSchema) any {
	switch name {
	case "item_id":
		if strings.Contains(path, "/access/") {
			return a.accessItem
		}
		return a.item
	case "org_unit_id", "parent_id":
		return a.community
	case "department_id", "civil_dept_id", "legal_dept_id":
		return a.department
	case "assignee_id", "supervisor_id", "identity_id":
		return a.clerk.m.IdentityID.String()
	case "community_ids", "scope_unit_ids":
		return []any{a.community}
	}
	return nil
}

// ---- request bodies from the schema

type bodyGen struct {
	doc   *apiDoc
	field func(path, name string, s *jsonSchema) any
	path  string
}

func (g *bodyGen) value(name string, s *jsonSchema, depth int) any {
	s = g.doc.resolve(s)
	if s == nil || depth > 6 {
		return nil
	}
	if g.field != nil {
		if v := g.field(g.path, name, s); v != nil {
			return v
		}
	}
	if len(s.Enum) > 0 {
		for _, e := range s.Enum {
			if e != "" && e != nil {
				return e
			}
		}
		return s.Enum[0]
	}
	switch s.typ() {
	case "object":
		out := map[string]any{}
		for k, p := range s.Properties {
			if k == "$schema" || g.doc.resolve(p) == nil || g.doc.resolve(p).ReadOnly {
				continue
			}
			if v := g.value(k, p, depth+1); v != nil {
				out[k] = v
			}
		}
		return out
	case "array":
		if v := g.value(name, s.Items, depth+1); v != nil {
			return []any{v}
		}
		return []any{}
	case "integer", "number":
		switch {
		case s.Minimum != nil && *s.Minimum > 0:
			return *s.Minimum
		case s.Maximum != nil && *s.Maximum < 1:
			return *s.Maximum
		}
		return 1
	case "boolean":
		return true
	case "string":
		switch {
		case s.Format == "date" || strings.HasSuffix(name, "_on") || strings.HasSuffix(name, "_from") || strings.HasSuffix(name, "_to") ||
			name == "hired" || name == "requested_start" || name == "from" || name == "to":
			return clock.Today(clock.System{}).String()
		case s.Format == "date-time":
			return time.Now().UTC().Format(time.RFC3339)
		case s.Format == "uuid" || strings.HasSuffix(name, "_id"):
			return uuid.NewString()
		case name == "phone":
			return "13912345678"
		case name == "sha256":
			return strings.Repeat("ab", 32)
		case name == "id_no", name == "id_number":
			return workerID
		}
		return "测试"
	}
	return nil
}

// ---- what an attack may not touch: the county's rows, hashed table by table

type tableInfo struct {
	name    string
	columns map[string]bool
}

func tenantTables(t *testing.T, owner *pgxpool.Pool) []tableInfo {
	t.Helper()
	rows, err := owner.Query(context.Background(), `SELECT c.table_name, array_agg(c.column_name::text)
		FROM information_schema.columns c JOIN information_schema.tables tb USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
		GROUP BY c.table_name HAVING bool_or(c.column_name = 'tenant_id') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []tableInfo
	for rows.Next() {
		var name string
		var cols []string
		if err := rows.Scan(&name, &cols); err != nil {
			t.Fatal(err)
		}
		ti := tableInfo{name: name, columns: map[string]bool{}}
		for _, c := range cols {
			ti.columns[c] = true
		}
		out = append(out, ti)
	}
	if len(out) < 20 {
		t.Fatalf("only %d tenant tables found", len(out))
	}
	return out
}

// snapshot hashes the tenant's rows per table; with ids, only rows that are those records or
// belong to them (application_id, task_id, worker_id, recipient_id among ids).
func snapshot(t *testing.T, owner *pgxpool.Pool, tables []tableInfo, tenant uuid.UUID, ids []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	var uuids []uuid.UUID
	for _, s := range ids {
		if u, err := uuid.Parse(s); err == nil {
			uuids = append(uuids, u)
		}
	}
	for _, tb := range tables {
		where := "tenant_id = $1"
		if ids != nil {
			var ors []string
			for _, c := range []string{"id", "application_id", "task_id", "worker_id", "recipient_id", "file_id"} {
				if tb.columns[c] {
					ors = append(ors, c+"::text = ANY($2::text[])")
				}
			}
			if len(ors) == 0 {
				continue
			}
			where += " AND (" + strings.Join(ors, " OR ") + ")"
		}
		q := `SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM "` + tb.name + `" t WHERE ` + where
		args := []any{tenant}
		if ids != nil {
			strs := make([]string, len(uuids))
			for i, u := range uuids {
				strs[i] = u.String()
			}
			args = append(args, strs)
		}
		var h string
		if err := owner.QueryRow(context.Background(), q, args...).Scan(&h); err != nil {
			t.Fatalf("snapshot %s: %v", tb.name, err)
		}
		out[tb.name] = h
	}
	return out
}

func diffSnapshots(before, after map[string]string) []string {
	var changed []string
	for k, v := range before {
		if after[k] != v {
			changed = append(changed, k)
		}
	}
	sort.Strings(changed)
	return changed
}

// tenantIDs lists the ids of every row of the tenant (any uuid column named id or
// identity_id): the fingerprints of its records.
func tenantIDs(t *testing.T, owner *pgxpool.Pool, tables []tableInfo, tenant uuid.UUID) []string {
	t.Helper()
	seen := map[string]bool{tenant.String(): true}
	for _, tb := range tables {
		for _, c := range []string{"id", "identity_id"} {
			if !tb.columns[c] {
				continue
			}
			rows, err := owner.Query(context.Background(), `SELECT `+c+`::text FROM "`+tb.name+`" WHERE tenant_id = $1`, tenant)
			if err != nil {
				continue // not a uuid or text column: not a record id
			}
			for rows.Next() {
				var s string
				if rows.Scan(&s) == nil {
					if _, err := uuid.Parse(s); err == nil {
						seen[s] = true
					}
				}
			}
			rows.Close()
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	return out
}

// ---- sending

type attackRequest struct {
	op          *apiOp
	as          *member
	method, url string
	body        []byte
	contentType string
	headers     map[string]string
	label       string
}

type attackResult struct {
	req    *attackRequest
	status int
	body   []byte
	ctype  string
	err    error
}

var attackClient = &http.Client{Timeout: 60 * time.Second}

func send(r *attackRequest) attackResult {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, r.url, body)
	if err != nil {
		return attackResult{req: r, err: err}
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.as != nil {
		req.Header.Set("X-Session-Token", r.as.token)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	resp, err := attackClient.Do(req)
	if err != nil {
		return attackResult{req: r, err: err}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	return attackResult{req: r, status: resp.StatusCode, body: raw, ctype: resp.Header.Get("Content-Type")}
}

// sendAll sends the requests, four at a time.
func sendAll(reqs []*attackRequest) []attackResult {
	out := make([]attackResult, len(reqs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, r := range reqs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = send(r)
		}()
	}
	wg.Wait()
	return out
}

// readable is what a reader of the answer sees: the body, or the text of a workbook's parts.
func readable(res attackResult) string {
	if !bytes.HasPrefix(res.body, []byte("PK")) {
		return string(res.body)
	}
	zr, err := zip.NewReader(bytes.NewReader(res.body), int64(len(res.body)))
	if err != nil {
		return string(res.body)
	}
	var sb strings.Builder
	for _, f := range zr.File {
		if rc, err := f.Open(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, 16<<20))
			rc.Close()
			sb.Write(b)
		}
	}
	return sb.String()
}

// aimed builds one request of op as m, with path parameters from the victim county and a body
// generated from the schema (naming the victim's records).
func aimed(base string, doc *apiDoc, op *apiOp, m *member, victim *attackCounty) *attackRequest {
	path := op.Path
	headers := map[string]string{}
	q := url.Values{}
	for _, p := range op.Parameters {
		switch p.In {
		case "path":
			path = strings.Replace(path, "{"+p.Name+"}", url.PathEscape(victim.value(op.Path, p.Name)), 1)
		case "header":
			switch p.Name {
			case "If-Match":
				headers[p.Name] = "1"
			case "Idempotency-Key":
				headers[p.Name] = "atk-" + uuid.NewString()
			}
		case "query":
			if p.Required {
				q.Set(p.Name, fmt.Sprint((&bodyGen{doc: doc}).value(p.Name, p.Schema, 0)))
			}
		}
	}
	r := &attackRequest{op: op, as: m, method: op.Method, url: base + path, headers: headers}
	if len(q) > 0 {
		r.url += "?" + q.Encode()
	}
	if s := op.jsonBody(doc); s != nil {
		g := &bodyGen{doc: doc, field: victim.fieldValue, path: op.Path}
		r.body, _ = json.Marshal(g.value("", s, 0))
		r.contentType = "application/json"
	} else if ct := op.rawBodyType(); ct != "" {
		r.body, r.contentType = randomJPEG(2048), ct
	}
	return r
}

func isPublic(op *apiOp) bool { return len(op.roles) == 0 }

// leaks lists the markers of the victim in an answer, leaving out what the request itself
// carried (an error may echo a value sent).
func leaks(res attackResult, markers []string) []string {
	text := readable(res)
	sent := res.req.url + string(res.req.body)
	var found []string
	for _, m := range markers {
		if strings.Contains(text, m) && !strings.Contains(sent, m) {
			found = append(found, m)
		}
	}
	return found
}

type suiteReport struct {
	name     string
	sent     int
	failed   int
	statuses map[int]int
	notes    []string
}

func newReport(name string) *suiteReport { return &suiteReport{name: name, statuses: map[int]int{}} }

func (r *suiteReport) fail(t *testing.T, format string, args ...any) {
	t.Helper()
	r.failed++
	if r.failed <= 40 {
		t.Errorf(format, args...)
	}
}

func (r *suiteReport) print(t *testing.T) {
	t.Helper()
	var codes []string
	keys := make([]int, 0, len(r.statuses))
	for k := range r.statuses {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		codes = append(codes, fmt.Sprintf("%d×%d", k, r.statuses[k]))
	}
	line := fmt.Sprintf("attack suite %s: %d requests, %d failed (answers %s)", r.name, r.sent, r.failed, strings.Join(codes, " "))
	for _, n := range r.notes {
		line += "; " + n
	}
	fmt.Println(line) // on stdout, so make test's transcript shows it (infra/scripts/test.sh)
}

// TestAttackCrossTenant is (a): every operation, as every role of county B, against county
// A's real records. B may get 403, 404, 409 or 422 — or act on its own data — but no answer
// holds anything of A, and A's rows are exactly as before.
func TestAttackCrossTenant(t *testing.T) {
	t.Parallel()
	b := setupDocs(t)
	victim := newAttackCounty(t, b, "甲县")
	attacker := newAttackCounty(t, b, "乙县")
	doc, ops := loadAPI(t, b.srv.URL)
	tables := tenantTables(t, b.db.Owner)
	markers := append(tenantIDs(t, b.db.Owner, tables, victim.tenant.ID), victim.markers...)
	before := snapshot(t, b.db.Owner, tables, victim.tenant.ID, nil)

	// The attacker's city and province supervisors too (another province's); the platform
	// operator reads every county's registry line and health by design and is not here.
	roles := []*member{attacker.admin, attacker.dept, attacker.clerk, attacker.worker, attacker.operator, attacker.head, attacker.govHead,
		attacker.citySup, attacker.provSup}
	var reqs []*attackRequest
	for _, op := range ops {
		if isPublic(op) || op.Path == "/api/v1/auth/logout" {
			continue // public pages serve anyone by design; logout would end the attacker's own session
		}
		for _, m := range roles {
			reqs = append(reqs, aimed(b.srv.URL, doc, op, m, victim))
		}
	}
	rep := newReport("(a) cross-tenant")
	for _, res := range sendAll(reqs) {
		rep.sent++
		rep.statuses[res.status]++
		switch {
		case res.err != nil || res.status >= 500:
			rep.fail(t, "%s %s as %s: %d %v %.300s", res.req.method, res.req.url, res.req.as.m.Roles[0], res.status, res.err, res.body)
		default:
			if l := leaks(res, markers); len(l) > 0 {
				rep.fail(t, "%s %s as %s of another county read county A's %v: %d %.300s", res.req.method, res.req.url, res.req.as.m.Roles[0], l, res.status, res.body)
			}
		}
	}
	if changed := diffSnapshots(before, snapshot(t, b.db.Owner, tables, victim.tenant.ID, nil)); len(changed) > 0 {
		rep.fail(t, "county A's rows changed under county B's requests: %v", changed)
	}
	rep.notes = append(rep.notes, fmt.Sprintf("%d operations × %d roles, %d tables of county A hashed, %d record ids and names watched", len(reqs)/len(roles), len(roles), len(tables), len(markers)))
	rep.print(t)
}

// TestAttackOutOfScope is (b): inside one county, every operation as each role whose data
// scope is a unit (a clerk of township 2, a worker of community 2, staff of department 2)
// against township 1's, community 1's and department 1's records: the applications (one
// routed to department 1, one a proxy of community 1) and their files, uploads and notices,
// community 1's task, department 1's notification. Nothing of them is read or changed. County
// admins and platform operators see the whole county by design and are not in this suite.
func TestAttackOutOfScope(t *testing.T) {
	t.Parallel()
	b := setupDocs(t)
	a := newAttackCounty(t, b, "丙县")
	doc, ops := loadAPI(t, b.srv.URL)
	tables := tenantTables(t, b.db.Owner)
	before := snapshot(t, b.db.Owner, tables, a.tenant.ID, a.scoped)

	roles := []*member{a.clerk2, a.worker2, a.dept2}
	var reqs []*attackRequest
	for _, op := range ops {
		if isPublic(op) || op.Path == "/api/v1/auth/logout" {
			continue
		}
		for _, m := range roles {
			r := aimed(b.srv.URL, doc, op, m, a)
			if op.Path == "/api/v1/applications/{id}/actions/{action}" {
				// Every step of the state table, not just one, at the records out of scope.
				for _, action := range []string{"withdraw", "accept", "reject", "route", "approve", "deny", "pause", "extend", "deliver", "archive", "forward"} {
					for _, app := range []string{a.app, a.proxyApp} {
						rr := *r
						rr.url = b.srv.URL + "/api/v1/applications/" + app + "/actions/" + action
						reqs = append(reqs, &rr)
					}
				}
				continue
			}
			reqs = append(reqs, r)
			if strings.HasPrefix(op.Path, "/api/v1/applications/{id}") {
				rr := *r // the same at the proxy application of community 1
				rr.url = strings.Replace(r.url, a.app, a.proxyApp, 1)
				reqs = append(reqs, &rr)
			}
		}
	}
	rep := newReport("(b) out-of-scope")
	for _, res := range sendAll(reqs) {
		rep.sent++
		rep.statuses[res.status]++
		switch {
		case res.err != nil || res.status >= 500:
			rep.fail(t, "%s %s as %s: %d %v %.300s", res.req.method, res.req.url, res.req.as.m.Roles[0], res.status, res.err, res.body)
		default:
			if l := leaks(res, a.scoped); len(l) > 0 {
				rep.fail(t, "%s %s as %s read records outside its scope %v: %d %.300s", res.req.method, res.req.url, res.req.as.m.Roles[0], l, res.status, res.body)
			}
		}
	}
	if changed := diffSnapshots(before, snapshot(t, b.db.Owner, tables, a.tenant.ID, a.scoped)); len(changed) > 0 {
		rep.fail(t, "records outside the callers' scope changed: %v", changed)
	}
	rep.notes = append(rep.notes, fmt.Sprintf("%d scoped roles, %d records out of scope watched", len(roles), len(a.scoped)))
	rep.print(t)
}

// Malformed values for (c). Strings and JSON values for body fields; text for parameters.
var (
	bigString  = strings.Repeat("长", 1<<20/3+1) // 1 MB of UTF-8
	midString  = strings.Repeat("x", 100<<10)   // 100 KB: under the body limit, over every field's
	badJSONFor = []any{12345, -1, 1.5, true, map[string]any{"a": 1}, []any{1, "x"}, nil, "字符串", "\x00", "a\x00b", midString, bigString,
		"2026-02-30", "9999-99-99", "0000-00-00", "-1", json.Number("9223372036854775808"), json.Number("-9223372036854775809"),
		json.Number("1e309"), json.Number("99999999999999999999999"), "../../etc/passwd", "<script>alert(1)</script>", "'; DROP TABLE applications; --"}
	badParams = []string{"\x00", "a\x00b", "-1", "0", "9223372036854775808", "-9223372036854775809", "99999999999999999999999", "1e309",
		"2026-02-30", "9999-99-99", "0000-00-00", "abc", "00000000-0000-0000-0000-000000000000", "../..", "%", "true", strings.Repeat("x", 4096)}
)

// TestAttackMalformedInput is (c): every body field (at every depth the schema has), query
// parameter and path parameter of every operation, one at a time, with malformed values, as a
// role the operation admits: no answer is 5xx. Path parameters are the county's real records,
// so a request gets as deep into the handler as its input lets it. A 1 MB query string is not
// sent for every parameter (the server refuses any request line over its 1 MB header limit
// before routing): one per operation stands for them. The public status pages throttle failed
// tries by address (all of these come from one), so after a hundred most of their requests
// meet the 429 rather than the handler.
func TestAttackMalformedInput(t *testing.T) {
	t.Parallel()
	b := setupDocs(t)
	a := newAttackCounty(t, b, "丁县")
	doc, ops := loadAPI(t, b.srv.URL)
	byRole := map[tenants.Role]*member{tenants.RoleCountyAdmin: a.admin, tenants.RoleTownshipClerk: a.clerk, tenants.RoleCommunityWorker: a.worker,
		tenants.RoleDepartmentStaff: a.dept, tenants.RolePlatformOperator: a.operator,
		tenants.RoleAgencyHead: a.head, tenants.RoleGovernmentHead: a.govHead,
		tenants.RoleCitySupervisor: a.citySup, tenants.RoleProvinceSupervisor: a.provSup}

	var reqs []*attackRequest
	fields := 0
	for _, op := range ops {
		if op.Path == "/api/v1/auth/logout" {
			continue
		}
		var m *member
		for _, r := range op.roles {
			if m = byRole[r]; m != nil {
				break
			}
		}
		if strings.HasPrefix(op.Path, "/api/v1/platform/") {
			m = a.platformOp // the platform's operations are for its region account (a county's operator role is refused them)
		}
		if !isPublic(op) && m == nil {
			t.Fatalf("%s %s admits roles %v the suite has no member of", op.Method, op.Path, op.roles)
		}
		base := aimed(b.srv.URL, doc, op, m, a)
		add := func(r *attackRequest, label string) {
			r.label = label
			reqs = append(reqs, r)
		}
		// Path parameters.
		for _, p := range op.Parameters {
			if p.In != "path" {
				continue
			}
			for _, v := range badParams {
				r := *base
				path := op.Path
				for _, q := range op.Parameters {
					if q.In == "path" {
						val := a.value(op.Path, q.Name)
						if q.Name == p.Name {
							val = v
						}
						path = strings.Replace(path, "{"+q.Name+"}", url.PathEscape(val), 1)
					}
				}
				r.url = b.srv.URL + path
				add(&r, "path."+p.Name)
			}
		}
		// Query parameters.
		for _, p := range op.Parameters {
			if p.In != "query" {
				continue
			}
			for _, v := range badParams {
				r := *base
				u, _ := url.Parse(base.url)
				q := u.Query()
				q.Set(p.Name, v)
				u.RawQuery = q.Encode()
				r.url = u.String()
				add(&r, "query."+p.Name)
			}
		}
		{
			r := *base
			sep := "?"
			if strings.Contains(base.url, "?") {
				sep = "&"
			}
			r.url += sep + "q=" + strings.Repeat("x", 1<<20)
			add(&r, "query (1 MB)")
		}
		// Headers the operation reads.
		for _, p := range op.Parameters {
			if p.In == "header" {
				for _, v := range []string{"-1", "9223372036854775808", "abc", strings.Repeat("x", 4096), "\"\""} {
					r := *base
					r.headers = map[string]string{}
					for k, hv := range base.headers {
						r.headers[k] = hv
					}
					r.headers[p.Name] = v
					add(&r, "header."+p.Name)
				}
			}
		}
		// Body fields, one at a time, at every depth.
		s := op.jsonBody(doc)
		if s == nil {
			if base.body != nil { // a raw body: garbage, empty, and a truncated JPEG
				for _, body := range [][]byte{{}, []byte("\x00\x00\x00"), []byte("\xFF\xD8\xFF"), []byte("PK\x03\x04garbage")} {
					r := *base
					r.body = body
					add(&r, "body (raw)")
				}
			}
			continue
		}
		var good any
		if err := json.Unmarshal(base.body, &good); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"", "{", "[]", "null", `"x"`, "{\"a\":1}{", strings.Repeat("[", 10000)} {
			r := *base
			r.body = []byte(v)
			add(&r, "body (malformed JSON)")
		}
		var walk func(sch *jsonSchema, path []any, depth int)
		walk = func(sch *jsonSchema, path []any, depth int) {
			sch = doc.resolve(sch)
			if sch == nil || depth > 4 {
				return
			}
			switch sch.typ() {
			case "object":
				names := make([]string, 0, len(sch.Properties))
				for k := range sch.Properties {
					if k != "$schema" {
						names = append(names, k)
					}
				}
				sort.Strings(names)
				for _, k := range names {
					fields++
					p := append(slices.Clone(path), k)
					for _, v := range badJSONFor {
						body, ok := replaced(good, p, v)
						if !ok {
							continue
						}
						r := *base
						r.body = body
						add(&r, "body."+fmt.Sprint(p))
					}
					walk(sch.Properties[k], p, depth+1)
				}
			case "array":
				walk(sch.Items, append(slices.Clone(path), 0), depth+1)
			}
		}
		walk(s, nil, 0)
	}
	rep := newReport("(c) malformed input")
	for _, res := range sendAll(reqs) {
		rep.sent++
		rep.statuses[res.status]++
		if res.err != nil || res.status >= 500 {
			who := "anonymous"
			if res.req.as != nil {
				who = string(res.req.as.m.Roles[0])
			}
			rep.fail(t, "%s %s [%s] as %s: %d %v %.300s", res.req.method, truncate(res.req.url, 200), res.req.label, who, res.status, res.err, res.body)
		}
	}
	rep.notes = append(rep.notes, fmt.Sprintf("%d operations, %d body fields", len(ops), fields))
	rep.print(t)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// replaced returns the JSON of doc with the value at path (object keys and array indexes)
// set to v, creating the field if missing; false when the path cannot be reached. Maps and
// slices are references, so setting the value in the innermost container changes the copy.
func replaced(doc any, path []any, v any) ([]byte, bool) {
	raw, _ := json.Marshal(doc)
	var cp any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&cp); err != nil {
		return nil, false
	}
	cur := cp
	for i, step := range path {
		last := i == len(path)-1
		switch k := step.(type) {
		case string:
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if last {
				obj[k] = v
			} else if cur, ok = obj[k]; !ok {
				return nil, false
			}
		case int:
			arr, ok := cur.([]any)
			if !ok || len(arr) <= k {
				return nil, false
			}
			if last {
				arr[k] = v
			} else {
				cur = arr[k]
			}
		}
	}
	out, err := json.Marshal(cp)
	return out, err == nil
}
