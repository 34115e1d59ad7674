package supervision_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/services/workforce"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// A county of the tests: the standard county with a published item, placed under a city.
type county struct {
	*tenanttest.County
	item uuid.UUID
	// idNos and phones are every ID number and phone number the county holds for a person.
	idNos, phones []string
}

type bundle struct {
	db   *tenanttest.DB
	svc  *supervision.Service
	apps *application.Service
	// Province 320000 with cities 320100 (counties a, b) and 320200 (county c).
	a, b, c *county
	tag     string
}

func setup(t *testing.T) *bundle {
	t.Helper()
	// A database of the test's own: the region registry is platform-wide.
	db := tenanttest.NewIsolated(t)
	box, err := secret.New("supervision-test-key-material-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	x := &bundle{db: db, svc: &supervision.Service{Store: db.Store, Clock: clock.System{}}, apps: &application.Service{Clock: clock.System{}, Box: box}}
	ctx := context.Background()
	mustRegion := func(code, name, level, parent string) {
		if _, err := x.svc.EnsureRegion(ctx, code, name, level, parent); err != nil {
			t.Fatalf("region %s: %v", code, err)
		}
	}
	mustRegion(supervision.CountryCode, "全国", supervision.LevelCountry, "")
	mustRegion("320000", "江苏省", supervision.LevelProvince, "")
	mustRegion("320100", "南京市", supervision.LevelCity, "320000")
	mustRegion("320200", "无锡市", supervision.LevelCity, "320000")
	x.a, x.b, x.c = x.county(t, "甲县", "320100", 1), x.county(t, "乙县", "320100", 2), x.county(t, "丙县", "320200", 3)
	return x
}

func (x *bundle) county(t *testing.T, name, city string, n int) *county {
	t.Helper()
	c := &county{County: tenanttest.NewCounty(t, x.db, name)}
	c.phones = []string{"13800000001", "13800000002", "13800000003", "13800000004", "13800000005"}
	x.db.Ctx(t, c.ID, func(ctx context.Context) error {
		if err := tenants.SetCity(ctx, city); err != nil {
			return err
		}
		it := catalog.Item{BaseCode: "000172001000", ImplCode: fmt.Sprintf("TEST-%d", n), Name: "临时救助申请", Kind: catalog.KindPayment,
			DepartmentID: c.Department.ID, LegalBasis: "《社会救助暂行办法》", Levels: []catalog.Level{catalog.LevelTownship},
			Materials: []catalog.Material{{Key: "id", Name: "居民身份证", Form: catalog.FormOriginal, Copies: 1, Required: true}},
			Handling:  catalog.HandlingPromised, LegalDays: 20, PromisedDays: 10,
			Stages: []catalog.Stage{{Name: "审查", LimitDays: 6}, {Name: "决定", LimitDays: 4}}}
		r, err := catalog.Create(ctx, it)
		if err != nil {
			return err
		}
		_, err = catalog.Publish(ctx, r.ID, r.RowVersion)
		c.item = r.ID
		return err
	})
	return c
}

func (x *bundle) as(t *testing.T, c *county, a *tenants.Actor, fn func(ctx context.Context) error) {
	t.Helper()
	if err := c.As(t, x.db, a, fn); err != nil {
		t.Fatal(err)
	}
}

// intake takes an application in at c's window (ID numbers and phones distinct per call).
func (x *bundle) intake(t *testing.T, c *county, i int) *application.Detail {
	t.Helper()
	idNo := []string{"110105198503120020", "11010519491231002X", "110101199003070011"}[i%3]
	phone := fmt.Sprintf("139%08d", 10000000+i*7919+len(c.phones))
	var d *application.Detail
	in := application.NewApplication{ItemID: c.item, Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: fmt.Sprintf("张三%d", i),
		IDNo: idNo, Phone: phone}, Materials: []application.Tick{{Key: "id", Provided: true}}}
	x.as(t, c, c.Clerk, func(ctx context.Context) (err error) { d, err = x.apps.Intake(ctx, in); return err })
	c.idNos, c.phones = append(c.idNos, idNo), append(c.phones, phone)
	return d
}

func (x *bundle) step(t *testing.T, c *county, d *application.Detail, a *tenants.Actor, s application.Step) *application.Detail {
	t.Helper()
	s.Version = d.Version
	x.as(t, c, a, func(ctx context.Context) (err error) { d, err = x.apps.Act(ctx, d.ID, s); return err })
	return d
}

// traffic gives c applications in several states: taken in, accepted, decided.
func (x *bundle) traffic(t *testing.T, c *county) []*application.Detail {
	t.Helper()
	d1 := x.intake(t, c, 1)
	d2 := x.step(t, c, x.intake(t, c, 2), c.Clerk, application.Step{Action: lifecycle.Accept})
	d3 := x.step(t, c, x.intake(t, c, 3), c.Clerk, application.Step{Action: lifecycle.Accept})
	d3 = x.step(t, c, d3, c.Clerk, application.Step{Action: lifecycle.Route})
	d3 = x.step(t, c, d3, c.Staff, application.Step{Action: lifecycle.Approve, Reason: "符合条件"})
	return []*application.Detail{d1, d2, d3}
}

func (x *bundle) publish(t *testing.T, c *county) *supervision.Published {
	t.Helper()
	var p *supervision.Published
	x.as(t, c, nil, func(ctx context.Context) (err error) { p, err = x.svc.Publish(ctx); return err })
	return p
}

func (x *bundle) own(t *testing.T, c *county) *supervision.Own {
	t.Helper()
	var o *supervision.Own
	x.as(t, c, c.Admin, func(ctx context.Context) (err error) { o, err = x.svc.Published(ctx, uuid.Nil, 100); return err })
	return o
}

func TestFeedFollowsTheCountyAndShowsItsLag(t *testing.T) {
	t.Parallel()
	x := setup(t)
	apps := x.traffic(t, x.a)
	before := x.own(t, x.a)
	if before.Lag.Pending == 0 || before.Lag.OldestAt == nil || len(before.Applications) != 0 {
		t.Fatalf("before the drain: %+v", before.Lag)
	}
	// The drain is enqueued by the periodic sweep for a county with pending rows.
	x.as(t, x.a, nil, x.svc.EnqueueIfPending)
	if jobs := tenanttest.Jobs(t, x.db, func(j tenanttest.Job[supervision.PublishArgs]) bool { return j.Args.TenantID == x.a.ID }); len(jobs) != 1 {
		t.Fatalf("drain jobs: %d", len(jobs))
	}
	p := x.publish(t, x.a)
	if p.Applications != 3 || p.Rows < 3 {
		t.Fatalf("published: %+v", p)
	}
	o := x.own(t, x.a)
	if o.Lag.Pending != 0 || o.Lag.Seconds != 0 || o.Lag.PublishedAt == nil || o.Lag.PublishedSeq != p.Seq || len(o.Applications) != 3 {
		t.Fatalf("after the drain: %+v, %d rows", o.Lag, len(o.Applications))
	}
	byID := map[uuid.UUID]supervision.Application{}
	for _, a := range o.Applications {
		byID[a.ID] = a
	}
	decided := byID[apps[2].ID]
	if decided.State != string(lifecycle.Decided) && decided.DecidedOn == nil {
		t.Fatalf("decided record: %+v", decided)
	}
	if decided.ItemCode != "TEST-1" || decided.Township != "城关镇" || decided.Channel != "window" || decided.OnTime == nil || !*decided.OnTime ||
		decided.DueOn == nil || decided.ReceivedOn == nil || decided.ClerkRef == "" || len(decided.ClerkRef) != 32 {
		t.Fatalf("decided record: %+v", decided)
	}
	if decided.Version != int64(apps[2].Version)*4 {
		t.Fatalf("version %d, application version %d", decided.Version, apps[2].Version)
	}
	// One clerk, one pseudonym, in every record of the county.
	if byID[apps[0].ID].ClerkRef != decided.ClerkRef {
		t.Fatalf("the same clerk has two pseudonyms")
	}
	// A change after publication is published at a higher version; draining again with nothing
	// new changes nothing.
	x.step(t, x.a, apps[1], x.a.Clerk, application.Step{Action: lifecycle.Route})
	x.publish(t, x.a)
	again := x.own(t, x.a)
	for _, a := range again.Applications {
		if a.ID == apps[1].ID && (a.Version <= byID[a.ID].Version || a.State != string(lifecycle.Processing)) {
			t.Fatalf("after routing: %+v (was %+v)", a, byID[a.ID])
		}
	}
	if p := x.publish(t, x.a); p.Rows != 0 || p.Applications != 0 {
		t.Fatalf("an empty drain did something: %+v", p)
	}
	// The outbox row is written in the change's own transaction: a rolled-back intake leaves none.
	err := x.a.As(t, x.db, x.a.Clerk, func(ctx context.Context) error {
		if _, err := x.apps.Intake(ctx, application.NewApplication{ItemID: x.a.item, Applicant: application.Applicant{Kind: application.ApplicantPerson,
			Name: "李四", IDNo: "110105198503120020", Phone: "13912340000"}, Materials: []application.Tick{{Key: "id", Provided: true}}}); err != nil {
			return err
		}
		return errors.New("roll back")
	})
	if err == nil || x.own(t, x.a).Lag.Pending != 0 {
		t.Fatalf("a rolled-back change left outbox rows (err %v)", err)
	}
}

// dump is the county's part of the store, as JSON lines in key order (the publication time
// aside).
func (x *bundle) dump(t *testing.T, c *county) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT row_to_json(s)::text FROM supervision.applications s WHERE tenant_id = $1 ORDER BY id`,
		`SELECT row_to_json(s)::text FROM supervision.burden_months s WHERE tenant_id = $1 ORDER BY month, community`,
		`SELECT row_to_json(s)::text FROM supervision.workforce_months s WHERE tenant_id = $1 ORDER BY month, post, level`,
		`SELECT json_build_object('code', code, 'name', name, 'path', region_path)::text FROM supervision.counties s WHERE tenant_id = $1`,
	} {
		rows, err := x.db.Owner.Query(context.Background(), q, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, lines...)
	}
	return out
}

func TestRepublishGivesTheSameStore(t *testing.T) {
	t.Parallel()
	x := setup(t)
	apps := x.traffic(t, x.a)
	// Community workers, so the month has a workforce record; a second one is hired between the
	// two publications, so the record is at version 2 (monthversions.go), and the
	// re-publication must give it the same.
	work := &workforce.Service{Box: x.apps.Box, Clock: clock.System{}}
	hire := func(idNo, name string) {
		x.as(t, x.a, x.a.Admin, func(ctx context.Context) error {
			_, err := work.Hire(ctx, workforce.NewWorker{IDNumber: idNo, Record: workforce.Record{Name: name, OrgUnitID: x.a.Community.ID,
				Post: level.Staff, Hired: workday.DateOf(time.Now().In(clock.Zone)), Level: 3}, Reasoned: workforce.Reasoned{Reason: "新聘", Approver: "组织委员"}})
			return err
		})
	}
	hire("110105198503120020", "李娜")
	x.publish(t, x.a)
	x.step(t, x.a, apps[0], x.a.Clerk, application.Step{Action: lifecycle.Accept})
	hire("110105198001010016", "张伟")
	x.publish(t, x.a)
	stepwise := x.dump(t, x.a)
	if !slices.ContainsFunc(stepwise, func(l string) bool {
		return strings.Contains(l, `"post":"staff","level":3,`) && strings.HasSuffix(l, `"workers":2,"payroll_fen":0,"version":2}`)
	}) {
		t.Fatalf("store, without the workforce record at version 2:\n%s", strings.Join(stepwise, "\n"))
	}
	var r *supervision.Published
	x.as(t, x.a, nil, func(ctx context.Context) (err error) { r, err = x.svc.Republish(ctx); return err })
	if r.Applications != 3 {
		t.Fatalf("republished %+v", r)
	}
	if fresh := x.dump(t, x.a); !slices.Equal(stepwise, fresh) {
		t.Fatalf("re-publication differs:\n%s\nvs\n%s", strings.Join(stepwise, "\n"), strings.Join(fresh, "\n"))
	}
	// Re-publishing the same outbox twice (a retried job) writes the same rows too.
	if _, err := x.db.Owner.Exec(context.Background(), `INSERT INTO supervision_outbox (tenant_id, kind, ref)
		SELECT tenant_id, 'application', id::text FROM applications WHERE tenant_id = $1
		UNION ALL SELECT $1, 'month', to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')`, x.a.ID); err != nil {
		t.Fatal(err)
	}
	x.publish(t, x.a)
	if again := x.dump(t, x.a); !slices.Equal(stepwise, again) {
		t.Fatalf("a repeated drain changed the store")
	}
}

// region runs fn in a region's transaction.
func (x *bundle) region(t *testing.T, code string, fn func(ctx context.Context) error) {
	t.Helper()
	if err := x.db.Store.InRegion(context.Background(), code, fn); err != nil {
		t.Fatal(err)
	}
}

func TestEachReaderSeesOnlyTheirRegion(t *testing.T) {
	t.Parallel()
	x := setup(t)
	for _, c := range []*county{x.a, x.b, x.c} {
		x.traffic(t, c)
		x.publish(t, c)
	}
	names := func(v *supervision.RegionView) []string {
		var out []string
		for _, c := range v.Counties {
			out = append(out, c.Name)
			if c.Applications != 3 || c.Decided != 1 || c.OnTime != 1 {
				t.Errorf("%s figures: %+v", c.Name, c)
			}
		}
		slices.Sort(out)
		return out
	}
	// The city supervisor of 南京市: both its counties, not 无锡市's.
	x.region(t, "320100", func(ctx context.Context) error {
		v, err := supervision.RegionCounties(ctx)
		if err != nil {
			return err
		}
		if got := names(v); !slices.Equal(got, []string{"乙县", "甲县"}) {
			t.Errorf("南京市 sees %v", got)
		}
		if _, _, err := supervision.RegionApplications(ctx, x.c.ID, uuid.Nil, 10); !isStatus(err, 404) {
			t.Errorf("南京市 reads 丙县's applications: %v", err)
		}
		apps, _, err := supervision.RegionApplications(ctx, x.a.ID, uuid.Nil, 10)
		if err != nil || len(apps) != 3 {
			t.Errorf("南京市 reads 甲县: %d %v", len(apps), err)
		}
		// The database, not the query, draws the line: an unfiltered read of the store.
		var tenantsSeen []uuid.UUID
		if err := tenants.RegionDB(ctx).NewRaw("SELECT DISTINCT tenant_id FROM supervision.applications").Scan(ctx, &tenantsSeen); err != nil {
			return err
		}
		if len(tenantsSeen) != 2 || slices.Contains(tenantsSeen, x.c.ID) {
			t.Errorf("南京市's unfiltered read reaches %v", tenantsSeen)
		}
		return nil
	})
	// The province: all three.
	x.region(t, "320000", func(ctx context.Context) error {
		v, err := supervision.RegionCounties(ctx)
		if err == nil && len(names(v)) != 3 {
			t.Errorf("江苏省 sees %v", names(v))
		}
		return err
	})
	// 无锡市: its one county.
	x.region(t, "320200", func(ctx context.Context) error {
		v, err := supervision.RegionCounties(ctx)
		if err == nil && !slices.Equal(names(v), []string{"丙县"}) {
			t.Errorf("无锡市 sees %v", names(v))
		}
		return err
	})
	// A county admin: their own county's records only, even reading the store unfiltered.
	x.as(t, x.a, x.a.Admin, func(ctx context.Context) error {
		var seen []uuid.UUID
		if err := tenants.DB(ctx).NewRaw("SELECT DISTINCT tenant_id FROM supervision.applications").Scan(ctx, &seen); err != nil {
			return err
		}
		if len(seen) != 1 || seen[0] != x.a.ID {
			t.Errorf("county 甲县 reads the store of %v", seen)
		}
		return nil
	})
	if o := x.own(t, x.b); len(o.Applications) != 3 {
		t.Errorf("乙县 sees %d records", len(o.Applications))
	}
	// An unknown region code opens nothing.
	if err := x.db.Store.InRegion(context.Background(), "999999", func(context.Context) error { return nil }); !errors.Is(err, tenants.ErrNoRegion) {
		t.Errorf("unknown region: %v", err)
	}
}

func isStatus(err error, status int) bool {
	p, ok := problem.As(err)
	return ok && p.Status == status
}

// TestSupervisionRoleReadsNoTenantTable: a region's transaction runs as the supervision role;
// every table of schemas public and river is refused to it, a county's tenant set or not.
func TestSupervisionRoleReadsNoTenantTable(t *testing.T) {
	t.Parallel()
	x := setup(t)
	ctx := context.Background()
	rows, err := x.db.Owner.Query(ctx, `SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname IN ('public', 'river') AND c.relkind IN ('r', 'p', 'v') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 40 || !slices.Contains(tables, "public.applications") || !slices.Contains(tables, "public.tenants") {
		t.Fatalf("tables: %v", tables)
	}
	for _, table := range tables {
		for _, withTenant := range []bool{false, true} {
			err := x.db.Store.InRegion(ctx, "320100", func(ctx context.Context) error {
				db := tenants.RegionDB(ctx)
				if withTenant { // even with a county's key set by hand
					if _, err := db.ExecContext(ctx, fmt.Sprintf("SET LOCAL app.tenant_id = '%s'", x.a.ID)); err != nil {
						return err
					}
				}
				_, err := db.ExecContext(ctx, "SELECT 1 FROM "+table+" LIMIT 1")
				return err
			})
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "42501" {
				t.Errorf("supervision role on %s (tenant set: %v): %v, want permission denied", table, withTenant, err)
			}
		}
	}
	// And it reads the store.
	x.region(t, "320100", func(ctx context.Context) error {
		_, err := supervision.RegionCounties(ctx)
		return err
	})
}

// deny are column names that would carry a person or free text.
var deny = regexp.MustCompile(`(?i)name|phone|mobile|id_?no|id_?num|idcard|cert|sealed|blind|masked|address|comment|note|reason|remark|text|applicant|contact|agent|birth|gender|email|title|document|content|identity|actor|member`)

// allowedNames are the published columns the deny list catches but that name no person: the
// item's name (事项名称, from the catalogue), the county's name.
var allowedNames = map[string]bool{"applications.item_name": true, "counties.name": true, "burden_months.certificates": true, "cards.item_name": true,
	"applications.step_name": true} // the item's back-office step (审查, 决定), catalogue data

func TestNothingPersonalReachesTheStore(t *testing.T) {
	t.Parallel()
	x := setup(t)
	for _, c := range []*county{x.a, x.b} {
		apps := x.traffic(t, c)
		x.step(t, c, apps[1], c.Clerk, application.Step{Action: lifecycle.Route})
		x.publish(t, c)
	}
	ctx := context.Background()
	rows, err := x.db.Owner.Query(ctx, `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'supervision' AND table_name IN ('applications', 'burden_months', 'workforce_months', 'counties', 'cards') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) < 30 {
		t.Fatalf("columns: %v", cols)
	}
	for _, col := range cols {
		if deny.MatchString(strings.SplitN(col, ".", 2)[1]) && !allowedNames[col] {
			t.Errorf("published column %s is on the deny list", col)
		}
	}
	// Every value of every published row, against every ID number and phone number of the
	// counties (applicants' and members'), and the applicants' names.
	var values []string
	for _, table := range []string{"applications", "burden_months", "workforce_months", "counties", "cards"} {
		rows, err := x.db.Owner.Query(ctx, "SELECT row_to_json(s)::text FROM supervision."+table+" s")
		if err != nil {
			t.Fatal(err)
		}
		vs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, vs...)
	}
	if len(values) < 8 {
		t.Fatalf("only %d published rows", len(values))
	}
	for _, c := range []*county{x.a, x.b} {
		var members []string
		if err := c.As(t, x.db, nil, func(ctx context.Context) error {
			return tenants.DB(ctx).NewRaw("SELECT phone FROM memberships WHERE tenant_id = ?", c.ID).Scan(ctx, &members)
		}); err != nil {
			t.Fatal(err)
		}
		secrets := append(append(append([]string{}, c.idNos...), c.phones...), members...)
		for i := 1; i <= 3; i++ {
			secrets = append(secrets, fmt.Sprintf("张三%d", i), c.Clerk.IdentityID.String(), c.Staff.IdentityID.String())
		}
		for _, v := range values {
			var row map[string]any
			if err := json.Unmarshal([]byte(v), &row); err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if strings.Contains(v, s) || strings.Contains(v, s[len(s)-4:]+"\"") && len(s) == 18 {
					t.Errorf("published row carries %q: %s", s, v)
				}
			}
		}
	}
}

func TestRegionsAndCounties(t *testing.T) {
	t.Parallel()
	x := setup(t)
	ctx := context.Background()
	// A city must hang from a province; a code is six digits.
	if _, err := x.svc.EnsureRegion(ctx, "320300", "徐州市", supervision.LevelCity, "320100"); !isStatus(err, 422) {
		t.Errorf("a city under a city: %v", err)
	}
	if _, err := x.svc.EnsureRegion(ctx, "32030", "徐州市", supervision.LevelCity, "320000"); !isStatus(err, 422) {
		t.Errorf("a five-digit code: %v", err)
	}
	r, err := x.svc.EnsureRegion(ctx, "320300", "徐州市", supervision.LevelCity, "320000")
	if err != nil || r.Path != "/000000/320000/320300/" {
		t.Fatalf("徐州市: %+v %v", r, err)
	}
	// Only the platform's transaction writes the registry: a county's cannot.
	err = x.a.As(t, x.db, x.a.Admin, func(ctx context.Context) error {
		_, err := tenants.DB(ctx).NewRaw("INSERT INTO supervision.regions (code, name, level, parent_code, path) VALUES ('320400', '常州市', 'city', '320000', '/000000/320000/320400/')").Exec(ctx)
		return err
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Errorf("a county wrote a region: %v", err)
	}
	// A county is placed only under a city.
	x.as(t, x.a, nil, func(ctx context.Context) error {
		if err := tenants.SetCity(ctx, "320000"); !errors.Is(err, tenants.ErrNoRegion) {
			t.Errorf("a county under a province: %v", err)
		}
		return nil
	})
	reg, err := x.svc.Counties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cities := map[string]string{}
	for _, c := range reg.Counties {
		cities[c.Name] = c.CityCode
	}
	if cities["甲县"] != "320100" || cities["乙县"] != "320100" || cities["丙县"] != "320200" || len(reg.Regions) != 5 {
		t.Fatalf("registry: %v, %d regions", cities, len(reg.Regions))
	}
	// A county's health, read in its own transaction.
	x.traffic(t, x.a)
	h, err := x.svc.CountyHealth(ctx, x.a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h.FeedPending == 0 || h.JobBacklog == 0 || h.LastAnchorOK {
		t.Fatalf("health: %+v", h)
	}
	if _, err := x.svc.CountyHealth(ctx, tenants.IDForCode("nowhere"), nil); !isStatus(err, 404) {
		t.Fatalf("health of no county: %v", err)
	}
	_ = time.Now
}

// The feed carries the back-office steps (环节时限, issue 16 item 3): the running step's name,
// due date and warning level, and how many steps were completed after their due date — what
// a region needs for its step cards, and no person.
func TestFeedCarriesTheSteps(t *testing.T) {
	t.Parallel()
	x := setup(t)
	stub := clock.NewStub(time.Date(2026, 11, 2, 9, 0, 0, 0, clock.Zone))
	apps := &application.Service{Clock: stub, Box: x.apps.Box}
	c := x.a
	step := func(d *application.Detail, a *tenants.Actor, s application.Step) *application.Detail {
		t.Helper()
		s.Version = d.Version
		x.as(t, c, a, func(ctx context.Context) (err error) { d, err = apps.Act(ctx, d.ID, s); return err })
		return d
	}
	taken := x.intake(t, c, 1) // not accepted: no step
	running := step(x.intake(t, c, 2), c.Clerk, application.Step{Action: lifecycle.Accept})
	late := step(x.intake(t, c, 3), c.Clerk, application.Step{Action: lifecycle.Accept})
	late = step(late, c.Clerk, application.Step{Action: lifecycle.Route})
	// 审查 was due on 11-10 (six working days after 11-02); completed on 11-20, late. 决定
	// runs from 11-20 for four working days: due 11-26, overdue by 12-01.
	stub.StubNow(time.Date(2026, 11, 20, 9, 0, 0, 0, clock.Zone))
	late = step(late, c.Staff, application.Step{Action: lifecycle.CompleteStage})
	stub.StubNow(time.Date(2026, 12, 1, 9, 0, 0, 0, clock.Zone))
	x.as(t, c, nil, func(ctx context.Context) error { _, err := apps.Reconcile(ctx); return err })
	decided := step(step(x.intake(t, c, 4), c.Clerk, application.Step{Action: lifecycle.Accept}), c.Clerk, application.Step{Action: lifecycle.Route})
	decided = step(decided, c.Staff, application.Step{Action: lifecycle.Approve})
	x.publish(t, c)

	byID := map[uuid.UUID]supervision.Application{}
	for _, a := range x.own(t, c).Applications {
		byID[a.ID] = a
	}
	day := func(p *time.Time) string {
		if p == nil {
			return ""
		}
		return p.Format("2006-01-02")
	}
	for _, w := range []struct {
		what             string
		id               uuid.UUID
		name, due, level string
		late             int
	}{
		{"taken in", taken.ID, "", "", "normal", 0},
		// Accepted on 11-02 by the stub's clock: 审查 due 11-10, red on 12-01 (the reconciliation
		// ran for the county).
		{"accepted", running.ID, "审查", "2026-11-10", "red", 0},
		{"one step late", late.ID, "决定", "2026-11-26", "red", 1},
		{"decided on 12-01", decided.ID, "", "", "normal", 0},
	} {
		got, ok := byID[w.id]
		if !ok {
			t.Errorf("%s: not published", w.what)
			continue
		}
		if got.StepName != w.name || day(got.StepDueOn) != w.due || got.StepWarning != w.level || got.StepsLate != w.late {
			t.Errorf("%s: step %q due %s %s, %d late; want %q due %s %s, %d late", w.what, got.StepName, day(got.StepDueOn), got.StepWarning,
				got.StepsLate, w.name, w.due, w.level, w.late)
		}
	}
}
