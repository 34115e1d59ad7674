package workforce_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/services/workforce"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

type testBundle struct {
	db               *tenanttest.DB
	tenant           *tenanttest.Tenant
	admin, member    *tenants.Actor
	clock            *clock.Stub
	svc              *workforce.Service
	township, dg, xg *tenants.OrgUnit
}

// setup makes the standard county (tenanttest.NewCounty) with a second community, 西关社区,
// under 城关镇, and a service whose clock starts on 2026-12-01; member is the community
// worker's sign-in.
func setup(t *testing.T) *testBundle {
	t.Helper()
	db := tenanttest.New(t)
	box, err := secret.New("workforce-test-key-material-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	c := tenanttest.NewCounty(t, db, "测试县")
	b := &testBundle{db: db, tenant: c.Tenant, clock: clock.NewStub(time.Date(2026, 12, 1, 9, 0, 0, 0, clock.Zone)),
		admin: c.Admin, member: c.Worker, township: c.Township, dg: c.Community}
	b.svc = &workforce.Service{Box: box, Clock: b.clock}
	db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		b.xg = tenanttest.Unit(t, ctx, b.township.ID, tenants.KindCommunity, "西关社区", "xg")
		return nil
	})
	return b
}

func (b *testBundle) as(t *testing.T, a *tenants.Actor, fn func(ctx context.Context) error) error {
	t.Helper()
	return b.db.Store.InTx(tenants.WithActor(context.Background(), a), b.tenant.ID, fn)
}

func (b *testBundle) must(t *testing.T, fn func(ctx context.Context) error) {
	t.Helper()
	if err := b.as(t, b.admin, fn); err != nil {
		t.Fatal(err)
	}
}

func (b *testBundle) setDay(s string) {
	d := day(s)
	b.clock.StubNow(time.Date(d.Year, d.Month, d.Day, 9, 0, 0, 0, clock.Zone))
}

func day(s string) workday.Date {
	d, err := workday.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func month(s string) pay.Month {
	m, err := pay.ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

func ptr[T any](v T) *T { return &v }

// Valid GB 11643 numbers (check digits computed).
const (
	idA = "110105198503120020"
	idB = "110105198001010016"
	idC = "320102199003071239"
)

func (b *testBundle) hire(t *testing.T, id, name string, post level.Post, hired string, lv int) *workforce.Worker {
	t.Helper()
	var w *workforce.Worker
	b.must(t, func(ctx context.Context) (err error) {
		w, err = b.svc.Hire(ctx, workforce.NewWorker{IDNumber: id, Record: workforce.Record{Name: name, OrgUnitID: b.dg.ID, Post: post,
			Hired: day(hired), Level: lv, Phone: "13912345678"}, Reasoned: workforce.Reasoned{Reason: "新聘", Approver: "王局长"}})
		return err
	})
	return w
}

func problemOf(t *testing.T, err error, status int, location string) *problem.Error {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Status != status {
		t.Fatalf("want a %d problem, got %v", status, err)
	}
	if location != "" {
		for _, f := range p.Fields {
			if f.Location == location {
				return p
			}
		}
		t.Fatalf("want a field error on %s, got %+v", location, p.Fields)
	}
	return p
}

func TestHireEncryptsIDAndDerivesPerson(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := b.hire(t, idA, "李秀英", level.Staff, "2018-01-01", 0)
	// 2018-01-01 to 2026-12-01: 8 full years, ⌊8/3⌋ = 2 steps over staff's minimum 1.
	if w.Level != 3 || w.IDMasked != "110105********0020" || w.Gender != "female" || w.Birth() != (workday.Date{Year: 1985, Month: 3, Day: 12}) {
		t.Fatalf("worker = level %d, masked %q, gender %s, birth %s", w.Level, w.IDMasked, w.Gender, w.Birth())
	}
	var raw []byte
	b.must(t, func(ctx context.Context) error {
		return tenants.DB(ctx).NewSelect().Table("workers").Where("tenant_id = ?", tenants.CurrentID(ctx)).Column("id_cipher").Where("id = ?", w.ID).Scan(ctx, &raw)
	})
	if bytes.Contains(raw, []byte(idA)) || bytes.Contains(raw, []byte("19850312")) {
		t.Fatal("the ID number is stored in the clear")
	}
	b.must(t, func(ctx context.Context) error {
		full, err := b.svc.RevealID(ctx, w.ID)
		if full != idA {
			t.Fatalf("RevealID = %q", full)
		}
		return err
	})
	err := b.as(t, b.admin, func(ctx context.Context) error {
		_, err := b.svc.Hire(ctx, workforce.NewWorker{IDNumber: idA, Record: workforce.Record{Name: "重复", OrgUnitID: b.xg.ID, Post: level.Staff, Hired: day("2020-01-01")},
			Reasoned: workforce.Reasoned{Reason: "x", Approver: "y"}})
		return err
	})
	if p := problemOf(t, err, 409, ""); p.Code != "worker_exists" {
		t.Fatalf("duplicate ID: %s", p.Code)
	}
	err = b.as(t, b.admin, func(ctx context.Context) error {
		_, err := b.svc.Hire(ctx, workforce.NewWorker{IDNumber: "110105198503120021", Record: workforce.Record{Name: "错号", OrgUnitID: b.township.ID, Post: "boss", Hired: day("2020-01-01")}})
		return err
	})
	p := problemOf(t, err, 422, "body.id_number")
	problemOf(t, p, 422, "body.org_unit_id") // a township is not a community
	problemOf(t, p, 422, "body.post")
	problemOf(t, p, 422, "body.reason")
	if strings.Contains(p.Fields[0].Message, "19850312") {
		t.Fatal("an error message repeats the ID number")
	}
}

func TestChangesAreEffectiveDated(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := b.hire(t, idB, "张伟", level.Deputy, "2010-03-01", 14)
	var detail *workforce.Detail
	// deputy 14 → staff: outside 1–12, so the nearest bound, 12.
	b.must(t, func(ctx context.Context) error {
		w2, err := b.svc.Change(ctx, w.ID, w.RowVersion, workforce.ChangeInput{EffectiveFrom: day("2026-11-01"),
			Fields: workforce.Fields{Post: ptr(level.Staff)}, Reasoned: workforce.Reasoned{Reason: "岗位调整", Approver: "组织委员"}})
		if err != nil {
			return err
		}
		if w2.Level != 12 || w2.Post != level.Staff {
			t.Fatalf("after post change: %s level %d", w2.Post, w2.Level)
		}
		w = w2
		return nil
	})
	// A stale copy is refused.
	err := b.as(t, b.admin, func(ctx context.Context) error {
		_, err := b.svc.Change(ctx, w.ID, w.RowVersion-1, workforce.ChangeInput{EffectiveFrom: day("2026-11-02"), Fields: workforce.Fields{Title: ptr("委员")},
			Reasoned: workforce.Reasoned{Reason: "x", Approver: "y"}})
		return err
	})
	problemOf(t, err, 412, "")
	// A backdated certificate shows in every later month, including after the post change.
	b.must(t, func(ctx context.Context) (err error) {
		_, err = b.svc.Change(ctx, w.ID, w.RowVersion, workforce.ChangeInput{EffectiveFrom: day("2025-06-01"),
			Fields: workforce.Fields{Certificate: ptr(level.CertificateIntermediate), CertificateOn: ptr(day("2025-05-20"))}, Reasoned: workforce.Reasoned{Reason: "补录证书", Approver: "组织委员"}})
		if err != nil {
			return err
		}
		detail, err = b.svc.Describe(ctx, w.ID, false)
		return err
	})
	if detail.Record.Certificate != level.CertificateIntermediate || detail.Record.Post != level.Staff || detail.Record.Level != 12 {
		t.Fatalf("record today = %+v", detail.Record)
	}
	if len(detail.History) != 3 || detail.History[0].Kind != workforce.KindPost || detail.History[1].Kind != workforce.KindCertificate {
		t.Fatalf("history kinds: %+v", detail.History)
	}
	var levelDiff bool
	for _, d := range detail.History[0].Diffs {
		levelDiff = levelDiff || (d.Field == "level" && d.Before == "14 级" && d.After == "12 级")
	}
	if !levelDiff {
		t.Fatalf("post change diffs: %+v", detail.History[0].Diffs)
	}
	// A level outside the post's range, and a change before the first record, are refused.
	err = b.as(t, b.admin, func(ctx context.Context) error {
		_, err := b.svc.Change(ctx, w.ID, 0, workforce.ChangeInput{EffectiveFrom: day("2026-11-15"), Fields: workforce.Fields{Level: ptr(15)},
			Reasoned: workforce.Reasoned{Reason: "x", Approver: "y"}})
		return err
	})
	problemOf(t, err, 422, "body.fields.level")
	err = b.as(t, b.admin, func(ctx context.Context) error {
		_, err := b.svc.Change(ctx, w.ID, 0, workforce.ChangeInput{EffectiveFrom: day("2009-01-01"), Fields: workforce.Fields{Title: ptr("主任")},
			Reasoned: workforce.Reasoned{Reason: "x", Approver: "y"}})
		return err
	})
	problemOf(t, err, 422, "body.effective_from")
	// A backdated level that a later post change would leave out of range is refused with
	// the date it conflicts with: deputy 15 in 2026-10 is fine, but from 2026-11 the post is
	// staff and the folded level 15 would exceed 12... except the post change set 12 itself,
	// so it does not: the later change's own level wins. Status away from a date is fine.
	b.must(t, func(ctx context.Context) error {
		_, err := b.svc.Change(ctx, w.ID, 0, workforce.ChangeInput{EffectiveFrom: day("2027-01-01"), Fields: workforce.Fields{Status: ptr(workforce.StatusAway)},
			Reasoned: workforce.Reasoned{Reason: "离岗", Approver: "组织委员"}})
		return err
	})
	b.must(t, func(ctx context.Context) error {
		got, err := workforce.Get(ctx, w.ID)
		if got.Status != workforce.StatusActive || got.PendingFrom() != day("2027-01-01") {
			t.Fatalf("future change leaked into today's snapshot: %s, pending %s", got.Status, got.PendingFrom())
		}
		return err
	})
	b.setDay("2027-01-02")
	b.must(t, func(ctx context.Context) error {
		n, err := b.svc.RefreshDue(ctx)
		got, _ := workforce.Get(ctx, w.ID)
		if n != 1 || got.Status != workforce.StatusAway {
			t.Fatalf("refresh: %d, status %s", n, got.Status)
		}
		return err
	})
}

func TestProgressionAppliesOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.hire(t, idA, "甲", level.Staff, "2018-01-01", 0) // 8 years on 2026-12-01: level 3; 9 on 2027-01-01: 4
	c := b.hire(t, idC, "丙", level.Head, "2024-06-01", 0)  // head minimum 7, stays 7
	b.setDay("2026-12-20")
	var batch *workforce.Batch
	b.must(t, func(ctx context.Context) (err error) { batch, err = b.svc.Prepare(ctx, 2027); return err })
	if batch.Status != workforce.BatchDraft || batch.Effective() != day("2027-01-01") {
		t.Fatalf("batch = %s on %s", batch.Status, batch.Effective())
	}
	b.must(t, func(ctx context.Context) error {
		_, lines, err := workforce.BatchOf(ctx, 2027)
		if len(lines) != 2 || lines[0].WorkerID != a.ID || lines[0].CurrentLevel != 3 || lines[0].ProposedLevel != 4 || lines[1].ProposedLevel != 7 {
			t.Fatalf("lines: %+v", lines)
		}
		return err
	})
	// Approved before its date: waits for a job scheduled on the date.
	b.must(t, func(ctx context.Context) (err error) {
		batch, err = b.svc.Approve(ctx, 2027, batch.RowVersion)
		return err
	})
	if batch.Status != workforce.BatchApproved {
		t.Fatalf("approved early: %s", batch.Status)
	}
	jobs := tenanttest.Jobs(t, b.db, func(j tenanttest.Job[workforce.ApplyArgs]) bool { return j.Args.BatchID == batch.ID })
	if len(jobs) != 1 || !jobs[0].ScheduledAt.Equal(day("2027-01-01").In(clock.Zone)) {
		t.Fatalf("apply jobs %v, want one scheduled on 2027-01-01", jobs)
	}
	b.must(t, func(ctx context.Context) error { return b.svc.Apply(ctx, batch.ID) }) // too early: no-op
	b.must(t, func(ctx context.Context) error {
		w, err := workforce.Get(ctx, a.ID)
		if w.Level != 3 {
			t.Fatalf("applied before its date: level %d", w.Level)
		}
		return err
	})
	b.setDay("2027-01-01")
	for range 2 { // the job may run twice; the second run changes nothing
		b.must(t, func(ctx context.Context) error { return b.svc.Apply(ctx, batch.ID) })
	}
	b.must(t, func(ctx context.Context) error {
		w, err := workforce.Get(ctx, a.ID)
		if err != nil || w.Level != 4 {
			t.Fatalf("after progression: level %d, %v", w.Level, err)
		}
		var n int
		err = tenants.DB(ctx).NewSelect().Table("worker_changes").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").Where("kind = 'progression'").Scan(ctx, &n)
		if n != 1 { // only 甲 changed; 丙 stayed at 7
			t.Fatalf("%d progression changes", n)
		}
		d, _ := b.svc.Describe(ctx, c.ID, false)
		if len(d.History) != 1 {
			t.Fatalf("unchanged worker got a change: %+v", d.History)
		}
		return err
	})
	err := b.as(t, b.admin, func(ctx context.Context) error { _, err := b.svc.Approve(ctx, 2027, 0); return err })
	problemOf(t, err, 409, "")
	err = b.as(t, b.admin, func(ctx context.Context) error { _, err := b.svc.Prepare(ctx, 2027); return err })
	problemOf(t, err, 409, "")
}

// The retroactive case: a 2026 appraisal entered in February 2027 undoes part of
// the 2027 progression, and the February payroll recovers January's overpayment.
func TestLateAppraisalCorrectsLevelAndPayrollSettlesArrears(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := b.hire(t, idA, "甲", level.Staff, "2018-01-01", 0) // level 3
	b.must(t, func(ctx context.Context) error {
		if _, err := b.svc.Compute(ctx, month("2026-12")); err != nil {
			return err
		}
		run, err := b.svc.Finalize(ctx, month("2026-12"), 0)
		if err == nil && run.Total != 404400 { // L3: 3944.00 → basic 3155.20 + performance 788.80 + 100 allowance
			t.Fatalf("December total %d", run.Total)
		}
		return err
	})
	b.setDay("2027-01-05")
	b.must(t, func(ctx context.Context) error {
		if _, err := b.svc.Prepare(ctx, 2027); err != nil {
			return err
		}
		_, err := b.svc.Approve(ctx, 2027, 0)
		return err
	})
	b.must(t, func(ctx context.Context) error {
		run, err := b.svc.Finalize(ctx, month("2027-01"), 0)
		if err == nil && run.Total != 431600 { // L4: 4216.00 → 3372.80 + 843.20 + 100
			t.Fatalf("January total %d", run.Total)
		}
		if _, err := b.svc.Finalize(ctx, month("2027-01"), 0); err == nil {
			t.Fatal("finalised twice")
		}
		return err
	})
	b.setDay("2027-02-10")
	var corrections []workforce.Change
	b.must(t, func(ctx context.Context) (err error) {
		corrections, err = b.svc.RecordAppraisal(ctx, w.ID, workforce.AppraisalInput{Year: 2026, Result: level.Incompetent,
			Reasoned: workforce.Reasoned{Reason: "年度考核结果", Approver: "考核小组"}})
		return err
	})
	if len(corrections) != 1 || *corrections[0].Fields.Level != 3 || corrections[0].EffectiveFrom != day("2027-01-01") {
		t.Fatalf("corrections: %+v", corrections)
	}
	b.must(t, func(ctx context.Context) error {
		if _, err := b.svc.Compute(ctx, month("2027-02")); err != nil {
			return err
		}
		p, err := workforce.PayrollOf(ctx, month("2027-02"))
		if err != nil {
			return err
		}
		l := p.Lines[0]
		// February at L3 with 2026 不称职 (performance ×0): 3155.20 + 0 + 100 = 3255.20.
		// January was paid 4316.00 but is now due 3255.20: −1060.80 recovered.
		if l.Gross != 325520 || l.Arrears != -106080 || l.Total != 325520-106080 || len(l.Detail) != 1 || l.Detail[0].Month != month("2027-01") {
			t.Fatalf("February line: gross %d arrears %d total %d detail %+v", l.Gross, l.Arrears, l.Total, l.Detail)
		}
		return nil
	})
	// Finalising February settles January: March owes nothing more for it.
	b.setDay("2027-03-02")
	b.must(t, func(ctx context.Context) error {
		if _, err := b.svc.Finalize(ctx, month("2027-02"), 0); err != nil {
			return err
		}
		if _, err := b.svc.Compute(ctx, month("2027-03")); err != nil {
			return err
		}
		p, err := workforce.PayrollOf(ctx, month("2027-03"))
		if err == nil && (p.Lines[0].Arrears != 0 || p.Lines[0].Total != 325520) {
			t.Fatalf("March line: %+v", p.Lines[0])
		}
		return err
	})
	// A later month cannot be finalised before an earlier draft.
	b.setDay("2027-04-02")
	err := b.as(t, b.admin, func(ctx context.Context) error {
		if _, err := b.svc.Compute(ctx, month("2027-04")); err != nil {
			return err
		}
		_, err := b.svc.Finalize(ctx, month("2027-04"), 0)
		return err
	})
	if p := problemOf(t, err, 409, ""); p.Code != "payroll_order" {
		t.Fatalf("code %s", p.Code)
	}
}

func TestPayrollExcelForFinance(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.hire(t, idA, "甲", level.Staff, "2018-01-01", 0)
	b.hire(t, idB, "乙", level.Deputy, "2015-01-01", 0)
	var buf bytes.Buffer
	b.must(t, func(ctx context.Context) error {
		if _, err := b.svc.Compute(ctx, month("2026-12")); err != nil {
			return err
		}
		return workforce.PayrollExcel(ctx, month("2026-12"), &buf)
	})
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("工资表")
	text := ""
	for _, r := range rows {
		text += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"测试县社区工作者工资表", "2026年12月", "甲", "乙", "110105********0020", "东关社区小计", "城关镇合计", "总计"} {
		if !strings.Contains(text, want) {
			t.Fatalf("sheet lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, idA) {
		t.Fatal("the payroll sheet shows a full ID number")
	}
}

func rosterFile(t *testing.T, rows ...[]any) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "花名册")
	header := []any{"姓名", "身份证号", "手机", "乡镇（街道）", "社区（村）", "岗位", "职务", "入职日期", "学历", "社工证", "取证日期", "状态", "合同开始", "合同结束", "等级"}
	f.SetSheetRow("花名册", "A1", &header)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		f.SetSheetRow("花名册", cell, &r)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestRosterImportAllOrNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	good1 := []any{"甲", idA, "13912345678", "城关镇", "东关社区", "其他社区工作者", "社区工作者", "2018-01-01", "本科", "初级", "2019-06-01", "在岗", "", "", ""}
	good2 := []any{"乙", idB, "", "城关镇", "西关社区", "副职", "副主任", "2015/3/1", "大专", "", "", "", "", "", "6"}
	bad := []any{"丙", "110105198503120021", "", "城关镇", "南关社区", "班长", "", "去年", "", "", "", "", "", "", "20"}
	dupOfFirst := []any{"甲二", idA, "", "城关镇", "东关社区", "副职", "", "2020-01-01", "", "", "", "", "", "", ""}
	var errs []workforce.RowError
	err := b.as(t, b.admin, func(ctx context.Context) (err error) {
		_, errs, err = b.svc.Import(ctx, rosterFile(t, good1, good2, bad, dupOfFirst))
		if err == nil && len(errs) > 0 {
			return errors.New("rollback")
		}
		return err
	})
	if err == nil || err.Error() != "rollback" {
		t.Fatalf("import with bad rows: %v", err)
	}
	got := map[string]bool{}
	for _, e := range errs {
		got[e.Column+"@"+string(rune('0'+e.Row))] = true
	}
	for _, want := range []string{"社区（村）@4", "岗位@4", "入职日期@4", "等级@4", "身份证号@4", "身份证号@5"} {
		if !got[want] {
			t.Fatalf("missing row error %s in %+v", want, errs)
		}
	}
	b.must(t, func(ctx context.Context) error {
		p, err := workforce.List(ctx, workforce.Filter{})
		if len(p.Workers) != 0 {
			t.Fatalf("a failed import stored %d workers", len(p.Workers))
		}
		return err
	})
	b.must(t, func(ctx context.Context) error {
		res, errs, err := b.svc.Import(ctx, rosterFile(t, good1, good2))
		if err != nil || len(errs) > 0 || res.Created != 2 {
			t.Fatalf("import: %+v %+v %v", res, errs, err)
		}
		return nil
	})
	var masked, full bytes.Buffer
	b.must(t, func(ctx context.Context) error {
		p, _ := workforce.List(ctx, workforce.Filter{})
		// 甲: bachelor 3 + 8 years = 11 → 3 steps, junior +1 → 1+3+1 = 5. 乙 kept the given 6.
		byName := map[string]workforce.Worker{}
		for _, w := range p.Workers {
			byName[w.Name] = w
		}
		if len(p.Workers) != 2 || byName["甲"].Level != 5 || byName["乙"].Level != 6 || byName["乙"].HiredOn != day("2015-03-01") || byName["乙"].Community != "西关社区" {
			t.Fatalf("imported: %+v", p.Workers)
		}
		if err := b.svc.Export(ctx, &masked, false); err != nil {
			return err
		}
		return b.svc.Export(ctx, &full, true)
	})
	if bytes.Contains(unzipped(t, masked.Bytes()), []byte(idA)) || !bytes.Contains(unzipped(t, full.Bytes()), []byte(idA)) {
		t.Fatal("export: masked must hide and full must show the ID number")
	}
	// The export is the import template: re-importing it refuses the duplicates by row.
	err = b.as(t, b.admin, func(ctx context.Context) error {
		_, errs, err = b.svc.Import(ctx, bytes.NewReader(full.Bytes()))
		return err
	})
	if err != nil || len(errs) != 2 || errs[0].Row != 2 || errs[0].Column != "身份证号" {
		t.Fatalf("re-import: %+v %v", errs, err)
	}
}

func unzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("花名册")
	var out []byte
	for _, r := range rows {
		out = append(out, strings.Join(r, ",")...)
	}
	return out
}

func TestSelfServiceSeesOnlyOwnRecord(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mine := b.hire(t, idA, "刘芳", level.Staff, "2018-01-01", 0)
	b.hire(t, idB, "别人", level.Staff, "2019-01-01", 0)
	err := b.as(t, b.member, func(ctx context.Context) error { _, err := b.svc.Mine(ctx); return err })
	if !errors.Is(err, workforce.ErrNoWorker) {
		t.Fatalf("unlinked member: %v", err)
	}
	b.must(t, func(ctx context.Context) error {
		_, err := b.svc.LinkIdentity(ctx, mine.ID, &b.member.IdentityID)
		return err
	})
	b.must(t, func(ctx context.Context) error {
		if _, err := b.svc.Compute(ctx, month("2026-12")); err != nil {
			return err
		}
		return nil
	})
	if err := b.as(t, b.member, func(ctx context.Context) error {
		d, err := b.svc.Mine(ctx)
		if err != nil {
			return err
		}
		if d.Worker.ID != mine.ID || d.Worker.Name != "刘芳" || len(d.Pay) != 0 { // a draft payroll is not pay yet
			t.Fatalf("mine: %s, %d pay lines", d.Worker.Name, len(d.Pay))
		}
		if d.Entitled == nil || d.Entitled.Level != 3 || len(d.Explanation) == 0 {
			t.Fatalf("entitled: %+v", d.Entitled)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b.must(t, func(ctx context.Context) error { _, err := b.svc.Finalize(ctx, month("2026-12"), 0); return err })
	b.as(t, b.member, func(ctx context.Context) error {
		d, err := b.svc.Mine(ctx)
		if err != nil || len(d.Pay) != 1 || d.Pay[0].WorkerID != mine.ID {
			t.Fatalf("mine after finalising: %+v, %v", d, err)
		}
		return nil
	})
	// The same identity cannot be linked to a second worker.
	err = b.as(t, b.admin, func(ctx context.Context) error {
		p, _ := workforce.List(ctx, workforce.Filter{Query: "别人"})
		_, err := b.svc.LinkIdentity(ctx, p.Workers[0].ID, &b.member.IdentityID)
		return err
	})
	problemOf(t, err, 409, "")
}

func TestWorkersAreInvisibleToOtherCounties(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := b.hire(t, idA, "甲", level.Staff, "2018-01-01", 0)
	other := tenanttest.NewTenant(t, b.db, "邻县")
	b.db.Ctx(t, other.ID, func(ctx context.Context) error {
		if _, err := workforce.Get(ctx, w.ID); err == nil {
			t.Fatal("another county read the worker")
		}
		p, err := workforce.List(ctx, workforce.Filter{})
		if len(p.Workers) != 0 {
			t.Fatal("another county listed the worker")
		}
		// Even with the key, a ciphertext copied across tenants does not open.
		if _, err := b.svc.RevealID(ctx, w.ID); err == nil {
			t.Fatal("another county revealed the ID")
		}
		return err
	})
}

func TestSweepPreparesProgressionAndPayrollOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.hire(t, idA, "甲", level.Staff, "2018-01-01", 0)
	b.must(t, func(ctx context.Context) error {
		rep, err := b.svc.Sweep(ctx)
		// 2026's progression date has passed without a batch: the draft is prepared.
		if err != nil || rep.Payroll || rep.Prepared != 1 {
			t.Fatalf("a sweep started a payroll for a county that pays outside the system, or missed 2026: %+v %v", rep, err)
		}
		if err := workforce.DiscardRun(ctx, month("2026-12")); err == nil {
			t.Fatal("discarded a payroll that does not exist")
		}
		_, err = b.svc.Finalize(ctx, month("2026-12"), 0)
		return err
	})
	b.setDay("2027-01-01")
	b.must(t, func(ctx context.Context) error {
		rep, err := b.svc.Sweep(ctx)
		if err != nil || rep.Prepared != 1 || !rep.Payroll {
			t.Fatalf("first sweep: %+v %v", rep, err)
		}
		rep, err = b.svc.Sweep(ctx)
		if err != nil || rep.Prepared != 0 || rep.Payroll {
			t.Fatalf("second sweep did work again: %+v %v", rep, err)
		}
		var notes int
		err = tenants.DB(ctx).NewSelect().Table("notifications").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").
			Where("recipient_id = ? AND kind = 'workforce'", b.admin.IdentityID).Scan(ctx, &notes)
		if notes != 2 { // 2026 and 2027, once each
			t.Fatalf("admin notified %d times", notes)
		}
		if err := workforce.DiscardRun(ctx, month("2027-01")); err != nil {
			t.Fatalf("discard the swept draft: %v", err)
		}
		if err := workforce.DiscardRun(ctx, month("2026-12")); err == nil {
			t.Fatal("discarded a final payroll")
		}
		return err
	})
}

func TestSchemesAreEffectiveDated(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.hire(t, idA, "甲", level.Staff, "2018-01-01", 0)
	s := pay.Sample()
	s.Label, s.Sample, s.Base = "2027 年方案", false, 400000
	b.must(t, func(ctx context.Context) error {
		list, err := workforce.Schemes(ctx)
		if err != nil || len(list) != 1 || list[0].Stored || !list[0].Sample {
			t.Fatalf("built-in sample: %+v %v", list, err)
		}
		_, err = workforce.PutScheme(ctx, day("2027-01-01"), s)
		return err
	})
	bad := s
	bad.Coefficients = bad.Coefficients[:3]
	err := b.as(t, b.admin, func(ctx context.Context) error {
		_, err := workforce.PutScheme(ctx, day("2027-02-01"), bad)
		return err
	})
	problemOf(t, err, 422, "")
	b.setDay("2027-01-10")
	b.must(t, func(ctx context.Context) error {
		if _, err := b.svc.Compute(ctx, month("2027-01")); err != nil {
			return err
		}
		p, err := workforce.PayrollOf(ctx, month("2027-01"))
		// L3 under base 4000: 4000 × 1.160 = 4640.00 → 3712.00 + 928.00 + 100.
		if err == nil && p.Lines[0].Gross != 474000 {
			t.Fatalf("January under the new scheme: %d", p.Lines[0].Gross)
		}
		return err
	})
}

// A payroll computed on the sample scheme says 示例 on the page (Payroll.Sample) and in the
// exported sheet's title and unit line; a month wholly under the county's own scheme does not,
// and a month the sample covers for part of it still does (issue 15 item 7).
func TestPayrollOnTheSampleSaysSo(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.hire(t, idA, "甲", level.Staff, "2018-01-01", 0)
	sheet := func(ctx context.Context, m string) (sample bool, title, unit string) {
		t.Helper()
		if _, err := b.svc.Compute(ctx, month(m)); err != nil {
			t.Fatal(err)
		}
		p, err := workforce.PayrollOf(ctx, month(m))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := workforce.PayrollExcel(ctx, month(m), &buf); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		title, _ = f.GetCellValue(pay.SheetName, "A1")
		unit, _ = f.GetCellValue(pay.SheetName, "A2")
		return p.Sample, title, unit
	}
	b.must(t, func(ctx context.Context) error {
		sample, title, unit := sheet(ctx, "2026-12") // the built-in sample
		if !sample || !strings.HasSuffix(title, "（示例）") || !strings.Contains(unit, pay.SampleWarning) {
			t.Errorf("on the built-in sample: %v %q %q", sample, title, unit)
		}
		own := pay.Sample()
		own.Label, own.Sample = "本县方案", false
		if _, err := workforce.PutScheme(ctx, day("2026-12-01"), pay.Sample()); err != nil {
			return err
		}
		_, err := workforce.PutScheme(ctx, day("2027-01-15"), own)
		return err
	})
	b.setDay("2027-02-02")
	b.must(t, func(ctx context.Context) error {
		if sample, title, unit := sheet(ctx, "2027-01"); !sample || !strings.HasSuffix(title, "（示例）") || !strings.Contains(unit, "示例") {
			t.Errorf("January, the sample till the 14th: %v %q %q", sample, title, unit)
		}
		if sample, title, unit := sheet(ctx, "2027-02"); sample || strings.Contains(title, "示例") || strings.Contains(unit, "示例") {
			t.Errorf("February, the county's own scheme: %v %q %q", sample, title, unit)
		}
		return nil
	})
}
