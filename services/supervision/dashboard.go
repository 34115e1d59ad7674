package supervision

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// The dashboards (issue 16, item 5): for a region supervisor, their province or city and
// every unit below it (city → county → township → item); for a county admin, their county's
// townships and items. Every figure comes from the rollups the store keeps by trigger
// (supervision.county_months, township_months, item_months; migration 20261205000040), so a
// dashboard reads a few hundred rows whatever the number of applications (item 6).

// Unit levels of a dashboard, from the top.
const (
	UnitProvince = "province"
	UnitCity     = "city"
	UnitCounty   = "county"
	UnitTownship = "township"
	UnitItem     = "item"
)

// Ranking indicators (绩效排名).
const (
	RankOnTime   = "on_time_rate"
	RankGood     = "good_rate"
	RankAvgDays  = "avg_days"
	RankOverdue  = "overdue"
	RankReceived = "received"
)

// RankLabels name the indicators in Chinese (the Excel sheet, the API's doc).
var RankLabels = map[string]string{RankOnTime: "按时办结率", RankGood: "好评率", RankAvgDays: "平均办理工作日", RankOverdue: "超期件数", RankReceived: "收件量"}

// Figures are what a dashboard counts of a unit over a period (applications by the month
// they were received). The rates are nil where there is nothing to divide by.
type Figures struct {
	Received   int      `json:"received" bun:"received"`
	Decided    int      `json:"decided" bun:"decided"`
	OnTime     int      `json:"on_time" bun:"on_time"`
	Late       int      `json:"late" bun:"late" doc:"decided after the due date"`
	Overdue    int      `json:"overdue" bun:"overdue" doc:"undecided and past the due date (warning red), as of the last publication"`
	Yellow     int      `json:"yellow" bun:"yellow" doc:"undecided and close to the due date (warning yellow)"`
	DaysSum    int64    `json:"-" bun:"days_sum"`
	DaysCount  int      `json:"-" bun:"days_count"`
	Rated      int      `json:"rated" bun:"rated"`
	Good       int      `json:"good" bun:"good" doc:"ratings of 3 (基本满意) or better"`
	OnTimeRate *float64 `json:"on_time_rate,omitempty" bun:"-" doc:"on_time / decided, 0–1"`
	GoodRate   *float64 `json:"good_rate,omitempty" bun:"-" doc:"好评率: good / rated, 0–1"`
	AvgDays    *float64 `json:"avg_days,omitempty" bun:"-" doc:"average working days from acceptance to decision"`
	// The red and yellow cards raised in the period (cards.go), counted from supervision.cards
	// beside the rollups: a card is one application's, under one rule.
	RedCards    int `json:"red_cards" bun:"-" doc:"红牌 raised in the period"`
	YellowCards int `json:"yellow_cards" bun:"-" doc:"黄牌 raised in the period (not turned red)"`
}

func ratio(a, b float64, digits int) *float64 {
	if b == 0 {
		return nil
	}
	p := math.Pow(10, float64(digits))
	v := math.Round(a/b*p) / p
	return &v
}

func (f *Figures) derive() {
	f.OnTimeRate = ratio(float64(f.OnTime), float64(f.Decided), 4)
	f.GoodRate = ratio(float64(f.Good), float64(f.Rated), 4)
	f.AvgDays = ratio(float64(f.DaysSum), float64(f.DaysCount), 1)
}

// Unit is one unit of the drill-down: a region (code), a county (tenant id), a township or an
// item (its code) of a county.
type Unit struct {
	Level string `json:"level" enum:"province,city,county,township,item"`
	Key   string `json:"key"`
	Name  string `json:"name"`
}

// UnitRow is a child unit's figures and its place in the ranking.
type UnitRow struct {
	Unit
	Figures
	Rank int `json:"rank" doc:"1 is best by the chosen indicator; 0 when the unit has no value for it"`
}

// MonthFigures are a month's figures (YYYY-MM).
type MonthFigures struct {
	Month string `json:"month" bun:"month"`
	Figures
}

// BurdenFigures are the access lists' burden of a month: totals and the average per community.
type BurdenFigures struct {
	Month       string  `json:"month" bun:"month"`
	Communities int     `json:"communities" bun:"communities"`
	Tasks       int     `json:"tasks" bun:"tasks"`
	Refused     int     `json:"refused" bun:"refused"`
	Intercepted int     `json:"intercepted" bun:"intercepted"`
	Hours       float64 `json:"hours" bun:"hours"`
}

// BurdenSide is the monthly average per community over the months on one side of the
// lists' effective month.
type BurdenSide struct {
	Months      int     `json:"months"`
	Tasks       float64 `json:"tasks"`
	Refused     float64 `json:"refused"`
	Intercepted float64 `json:"intercepted"`
	Hours       float64 `json:"hours"`
}

// BurdenComparison is the burden before and after the lists took effect.
type BurdenComparison struct {
	From   string     `json:"from" doc:"the month the lists took effect (YYYY-MM)"`
	Before BurdenSide `json:"before"`
	After  BurdenSide `json:"after"`
}

// WorkforceLevel is the community workers of one level (三岗十八级) in a month.
type WorkforceLevel struct {
	Level      int   `json:"level" bun:"level"`
	Workers    int   `json:"workers" bun:"workers"`
	PayrollFen int64 `json:"payroll_fen" bun:"payroll_fen"`
}

// WorkforceTotal is a month's community workers and payroll.
type WorkforceTotal struct {
	Month      string `json:"month" bun:"month"`
	Workers    int    `json:"workers" bun:"workers"`
	PayrollFen int64  `json:"payroll_fen" bun:"payroll_fen"`
}

// Dashboard is one unit's dashboard over a period.
type Dashboard struct {
	Unit       Unit           `json:"unit"`
	Trail      []Unit         `json:"trail" doc:"the units from the reader's own down to this one (the breadcrumb)"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	RankBy     string         `json:"rank_by" enum:"on_time_rate,good_rate,avg_days,overdue,received"`
	Totals     Figures        `json:"totals"`
	Months     []MonthFigures `json:"months"`
	ChildLevel string         `json:"child_level" enum:"city,county,township,item"`
	Children   []UnitRow      `json:"children"`
	// The access lists and the workforce are a county's, by community: a township's dashboard has neither.
	Burden          []BurdenFigures   `json:"burden"`
	BurdenChange    *BurdenComparison `json:"burden_change,omitempty"`
	Workforce       []WorkforceLevel  `json:"workforce" doc:"by level, in the last month of the period with workers"`
	WorkforceMonth  string            `json:"workforce_month,omitempty"`
	WorkforceMonths []WorkforceTotal  `json:"workforce_months"`
}

// DashboardQuery names the unit and the period. Region is a province's or city's code (the
// reader's own when empty); County a county's tenant id; Township one of its townships.
type DashboardQuery struct {
	Region    string
	County    uuid.UUID
	Township  string
	From, To  string // YYYY-MM
	RankBy    string
	ListsFrom string // YYYY-MM: the month the access lists took effect, for the comparison
}

// MaxDashboardMonths bounds a period (five years: the store's horizon).
const MaxDashboardMonths = 60

func badMonth(loc, v string) error {
	return problem.Invalid(problem.Field{Location: loc, Message: "月份须为 YYYY-MM", MessageEn: "month must be YYYY-MM", Value: v})
}

// Check validates the query's period and indicator, filling the defaults: the twelve months
// to now's, ranked by the on-time rate.
func (q *DashboardQuery) Check(now time.Time) error {
	if q.To == "" {
		q.To = now.Format("2006-01")
	}
	to, err := time.Parse("2006-01", q.To)
	if err != nil {
		return badMonth("query.to", q.To)
	}
	if q.From == "" {
		q.From = to.AddDate(0, -11, 0).Format("2006-01")
	}
	from, err := time.Parse("2006-01", q.From)
	if err != nil {
		return badMonth("query.from", q.From)
	}
	if from.After(to) {
		return problem.Invalid(problem.Field{Location: "query.from", Message: "起始月份不能晚于截止月份", MessageEn: "from is after to", Value: q.From})
	}
	if from.AddDate(0, MaxDashboardMonths, 0).Before(to.AddDate(0, 1, 0)) {
		return problem.Invalid(problem.Field{Location: "query.from", Message: fmt.Sprintf("时间段最长 %d 个月", MaxDashboardMonths),
			MessageEn: fmt.Sprintf("the period is at most %d months", MaxDashboardMonths), Value: q.From})
	}
	if q.ListsFrom != "" {
		if _, err := time.Parse("2006-01", q.ListsFrom); err != nil {
			return badMonth("query.lists_from", q.ListsFrom)
		}
	}
	if q.RankBy == "" {
		q.RankBy = RankOnTime
	}
	if _, ok := RankLabels[q.RankBy]; !ok {
		return problem.Invalid(problem.Field{Location: "query.rank_by", Message: "排名指标无效", MessageEn: "unknown ranking indicator", Value: q.RankBy})
	}
	return nil
}

func (q *DashboardQuery) fromDate() time.Time { t, _ := time.Parse("2006-01", q.From); return t }
func (q *DashboardQuery) toDate() time.Time   { t, _ := time.Parse("2006-01", q.To); return t }

var errDashboardNotFound = problem.NotFound("unit_not_found", "没有这个单位，或不在您的辖区", "no such unit in your region")

// scope is what the queries filter on: a region path (region readers), a county, a township.
type scope struct {
	db       bun.IDB
	path     string // LIKE path% on region_path; "" in a county's own transaction
	tenant   uuid.UUID
	township string
}

// where is the scope's filter on a table of the store aliased t.
func (s scope) where(q *bun.SelectQuery, t string) *bun.SelectQuery {
	if s.path != "" {
		q = q.Where("?.region_path LIKE ?", bun.Ident(t), tenants.EscapeLike(s.path)+"%")
	}
	if s.tenant != uuid.Nil {
		q = q.Where("?.tenant_id = ?", bun.Ident(t), s.tenant)
	}
	if s.township != "" {
		q = q.Where("?.township = ?", bun.Ident(t), s.township)
	}
	return q
}

const figureColumns = `coalesce(sum(received), 0) AS received, coalesce(sum(decided), 0) AS decided,
	coalesce(sum(on_time), 0) AS on_time, coalesce(sum(late), 0) AS late, coalesce(sum(overdue), 0) AS overdue,
	coalesce(sum(yellow), 0) AS yellow, coalesce(sum(days_sum), 0) AS days_sum, coalesce(sum(days_count), 0) AS days_count,
	coalesce(sum(rated), 0) AS rated, coalesce(sum(good), 0) AS good`

// rollup is the smallest table that answers the scope: a region's counties by month, a
// county's townships, a township's items.
func (s scope) rollup() string {
	switch {
	case s.township != "":
		return "supervision.item_months"
	case s.tenant != uuid.Nil:
		return "supervision.township_months"
	default:
		return "supervision.county_months"
	}
}

func (s scope) period(q *bun.SelectQuery, dq *DashboardQuery) *bun.SelectQuery {
	return q.Where("t.month BETWEEN ? AND ?", dq.fromDate(), dq.toDate())
}

// RegionDashboard is a region supervisor's dashboard, in the region transaction of ctx: their
// own region, a region below it, a county of it or a county's township. A unit outside the
// region is not found (the store's policy hides it too).
func RegionDashboard(ctx context.Context, q DashboardQuery) (*Dashboard, error) {
	rt, ok := tenants.RegionFrom(ctx)
	if !ok {
		return nil, errors.New("supervision: RegionDashboard outside a region transaction")
	}
	db := tenants.RegionDB(ctx)
	var own Region
	if err := db.NewSelect().Model(&own).Where("code = ?", rt.Code).Scan(ctx); err != nil {
		return nil, err
	}
	out := &Dashboard{Trail: []Unit{{Level: own.Level, Key: own.Code, Name: own.Name}}}
	at := own
	if q.Region != "" && q.Region != own.Code {
		var r Region
		err := db.NewSelect().Model(&r).Where("code = ? AND path LIKE ?", q.Region, tenants.EscapeLike(own.Path)+"%").Scan(ctx)
		if err != nil {
			return nil, errDashboardNotFound
		}
		// The trail: every region between the reader's and this one.
		var between []Region
		if err := db.NewSelect().Model(&between).Where("? LIKE path || '%' AND length(path) > length(?)", r.Path, own.Path).
			OrderExpr("length(path)").Scan(ctx); err != nil {
			return nil, err
		}
		for _, b := range between {
			out.Trail = append(out.Trail, Unit{Level: b.Level, Key: b.Code, Name: b.Name})
		}
		at = r
	}
	if q.County == uuid.Nil {
		if q.Township != "" {
			return nil, problem.Invalid(problem.Field{Location: "query.township", Message: "乡镇须与县（区）一同指定", MessageEn: "a township needs its county", Value: q.Township})
		}
		out.Unit = out.Trail[len(out.Trail)-1]
		return out, regionLevel(ctx, scope{db: db, path: at.Path}, at, &q, out)
	}
	var c County
	if err := db.NewSelect().Model(&c).Where("tenant_id = ? AND region_path LIKE ?", q.County, tenants.EscapeLike(at.Path)+"%").Scan(ctx); err != nil {
		return nil, errDashboardNotFound
	}
	// A county reached from above its city: the trail passes through the city.
	var between []Region
	if err := db.NewSelect().Model(&between).Where("? LIKE path || '%' AND length(path) > length(?)", c.RegionPath, at.Path).
		OrderExpr("length(path)").Scan(ctx); err != nil {
		return nil, err
	}
	for _, b := range between {
		out.Trail = append(out.Trail, Unit{Level: b.Level, Key: b.Code, Name: b.Name})
	}
	return out, countyLevel(ctx, scope{db: db, path: c.RegionPath, tenant: c.TenantID}, c, &q, out)
}

// CountyDashboard is a county admin's dashboard over their own county (the county's
// transaction of ctx; the store's county policy gives it its own rows only).
func CountyDashboard(ctx context.Context, q DashboardQuery) (*Dashboard, error) {
	db, tid := tenants.DB(ctx), tenants.CurrentID(ctx)
	t, err := tenants.Current(ctx)
	if err != nil {
		return nil, err
	}
	c := County{TenantID: tid, Code: t.Code, Name: t.Name}
	q.County = tid
	out := &Dashboard{}
	return out, countyLevel(ctx, scope{db: db, tenant: tid}, c, &q, out)
}

func regionLevel(ctx context.Context, s scope, r Region, q *DashboardQuery, out *Dashboard) error {
	if err := common(ctx, s, q, out); err != nil {
		return err
	}
	// The region's children: the regions right below it with the figures of the counties
	// under each (a county's region_path is its city's), or a city's counties.
	var rows []UnitRow
	if r.Level == LevelCity {
		out.ChildLevel = UnitCounty
		err := s.db.NewRaw(`
			SELECT 'county' AS level, c.tenant_id::text AS key, c.name, `+figureColumns+`
			FROM supervision.counties c
			LEFT JOIN supervision.county_months t ON t.tenant_id = c.tenant_id AND t.region_path LIKE ? AND t.month BETWEEN ? AND ?
			WHERE c.region_path LIKE ?
			GROUP BY c.tenant_id, c.name, c.code ORDER BY c.code`,
			tenants.EscapeLike(r.Path)+"%", q.fromDate(), q.toDate(), tenants.EscapeLike(r.Path)+"%").Scan(ctx, &rows)
		if err != nil {
			return err
		}
	} else {
		out.ChildLevel = UnitCity
		if r.Level == LevelCountry {
			out.ChildLevel = UnitProvince
		}
		err := s.db.NewRaw(`
			WITH agg AS (
				SELECT t.region_path, `+figureColumns+`
				FROM supervision.county_months t
				WHERE t.region_path LIKE ? AND t.month BETWEEN ? AND ?
				GROUP BY t.region_path)
			SELECT r.level, r.code AS key, r.name, `+figureColumns+`
			FROM supervision.regions r LEFT JOIN agg ON agg.region_path LIKE r.path || '%'
			WHERE r.parent_code = ?
			GROUP BY r.level, r.code, r.name ORDER BY r.code`,
			tenants.EscapeLike(r.Path)+"%", q.fromDate(), q.toDate(), r.Code).Scan(ctx, &rows)
		if err != nil {
			return err
		}
	}
	if err := countCards(ctx, s, q, out, rows, r.Level == LevelCity); err != nil {
		return err
	}
	out.Children = rank(rows, q.RankBy)
	return nil
}

func countyLevel(ctx context.Context, s scope, c County, q *DashboardQuery, out *Dashboard) error {
	out.Trail = append(out.Trail, Unit{Level: UnitCounty, Key: c.TenantID.String(), Name: c.Name})
	out.Unit = out.Trail[len(out.Trail)-1]
	if q.Township != "" {
		ok, err := s.where(s.db.NewSelect().TableExpr("supervision.township_months AS t"), "t").Where("t.township = ?", q.Township).Exists(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return errDashboardNotFound
		}
		s.township = q.Township
		out.Trail = append(out.Trail, Unit{Level: UnitTownship, Key: q.Township, Name: q.Township})
		out.Unit = out.Trail[len(out.Trail)-1]
	}
	if err := common(ctx, s, q, out); err != nil {
		return err
	}
	var rows []UnitRow
	sel := s.period(s.where(s.db.NewSelect().TableExpr(s.rollup()+" AS t"), "t"), q).ColumnExpr(figureColumns)
	if s.township == "" {
		out.ChildLevel = UnitTownship
		sel = sel.ColumnExpr("'township' AS level, t.township AS key, t.township AS name").Group("t.township").Order("t.township")
	} else {
		out.ChildLevel = UnitItem
		sel = sel.ColumnExpr("'item' AS level, t.item_code AS key, t.item_name AS name").Group("t.item_code", "t.item_name").Order("t.item_code", "t.item_name")
	}
	if err := sel.Scan(ctx, &rows); err != nil {
		return err
	}
	if err := countCards(ctx, s, q, out, rows, false); err != nil {
		return err
	}
	out.Children = rank(rows, q.RankBy)
	return nil
}

// countCards counts the cards raised in the period into the totals and the child units: a
// region's cities or counties, a county's townships, a township's items (by name: the cards
// carry the item's name). Cards are few (one per application and rule that went wrong), so
// they are read from the table itself within the scope.
func countCards(ctx context.Context, s scope, q *DashboardQuery, out *Dashboard, rows []UnitRow, counties bool) error {
	// Counted in SQL per county, township, item, month and colour: a province's year is
	// thousands of cards, and only their counts are shown.
	var cards []struct {
		RegionPath string    `bun:"region_path"`
		TenantID   uuid.UUID `bun:"tenant_id"`
		Township   string    `bun:"township"`
		ItemName   string    `bun:"item_name"`
		Colour     string    `bun:"colour"`
		Month      string    `bun:"month"`
		N          int       `bun:"n"`
	}
	end := q.toDate().AddDate(0, 1, -1)
	if err := s.where(s.db.NewSelect().TableExpr("supervision.cards AS t"), "t").
		Column("t.region_path", "t.tenant_id", "t.colour").
		// Only the scope's own level needs the township or the item; the rest group as one.
		ColumnExpr("CASE WHEN ? THEN t.township ELSE '' END AS township", s.tenant != uuid.Nil).
		ColumnExpr("CASE WHEN ? THEN t.item_name ELSE '' END AS item_name", s.township != "").
		ColumnExpr("to_char(t.raised_on, 'YYYY-MM') AS month").ColumnExpr("count(*) AS n").
		Where("t.raised_on BETWEEN ? AND ?", q.fromDate(), end).
		GroupExpr("1, 2, 3, 4, 5, 6").Scan(ctx, &cards); err != nil {
		return err
	}
	// A region's child regions are matched by path.
	paths := map[string]string{}
	if s.tenant == uuid.Nil && !counties {
		var regions []Region
		keys := make([]string, len(rows))
		for i, r := range rows {
			keys[i] = r.Key
		}
		if len(keys) > 0 {
			if err := s.db.NewSelect().Model(&regions).Where("code IN (?)", bun.In(keys)).Scan(ctx); err != nil {
				return err
			}
		}
		for _, r := range regions {
			paths[r.Code] = r.Path
		}
	}
	for _, c := range cards {
		add := func(f *Figures) {
			if c.Colour == Red {
				f.RedCards += c.N
			} else {
				f.YellowCards += c.N
			}
		}
		add(&out.Totals)
		for i := range out.Months {
			if out.Months[i].Month == c.Month {
				add(&out.Months[i].Figures)
			}
		}
		for i := range rows {
			var mine bool
			switch {
			case s.township != "":
				mine = rows[i].Name == c.ItemName
			case s.tenant != uuid.Nil:
				mine = rows[i].Key == c.Township
			case counties:
				mine = rows[i].Key == c.TenantID.String()
			default:
				mine = paths[rows[i].Key] != "" && strings.HasPrefix(c.RegionPath, paths[rows[i].Key])
			}
			if mine {
				add(&rows[i].Figures)
			}
		}
	}
	return nil
}

// common fills what every level has: the totals, the months, the burden and the workforce.
func common(ctx context.Context, s scope, q *DashboardQuery, out *Dashboard) error {
	out.From, out.To, out.RankBy = q.From, q.To, q.RankBy
	out.Months, out.Burden, out.Workforce, out.WorkforceMonths = []MonthFigures{}, []BurdenFigures{}, []WorkforceLevel{}, []WorkforceTotal{}
	var months []MonthFigures
	if err := s.period(s.where(s.db.NewSelect().TableExpr(s.rollup()+" AS t"), "t"), q).
		ColumnExpr("to_char(t.month, 'YYYY-MM') AS month").ColumnExpr(figureColumns).
		GroupExpr("t.month").OrderExpr("t.month").Scan(ctx, &months); err != nil {
		return err
	}
	// Every month of the period, those without applications too: a line over time has no gaps.
	have := map[string]MonthFigures{}
	for _, m := range months {
		out.Totals.add(m.Figures)
		have[m.Month] = m
	}
	for m := q.fromDate(); !m.After(q.toDate()); m = m.AddDate(0, 1, 0) {
		k := m.Format("2006-01")
		f := have[k]
		f.Month = k
		f.derive()
		out.Months = append(out.Months, f)
	}
	out.Totals.derive()
	if s.township != "" {
		return nil
	}
	// A region reads the per-county rollups of the burden and the workforce; a county its own
	// rows (a few dozen a month).
	burden, workforce, communities := "supervision.burden_months", "supervision.workforce_months", "count(*)"
	if s.tenant == uuid.Nil {
		burden, workforce, communities = "supervision.burden_county_months", "supervision.workforce_county_months", "sum(t.communities)"
	}
	if err := s.where(s.db.NewSelect().TableExpr(burden+" AS t"), "t").
		Where("t.month BETWEEN ? AND ?", q.From, q.To).
		ColumnExpr("t.month, "+communities+" AS communities, sum(t.tasks) AS tasks, sum(t.refused) AS refused, sum(t.intercepted) AS intercepted, sum(t.hours) AS hours").
		Group("t.month").Order("t.month").Scan(ctx, &out.Burden); err != nil {
		return err
	}
	if q.ListsFrom != "" {
		out.BurdenChange = compareBurden(out.Burden, q.ListsFrom)
	}
	if err := s.where(s.db.NewSelect().TableExpr(workforce+" AS t"), "t").
		Where("t.month BETWEEN ? AND ?", q.From, q.To).
		ColumnExpr("t.month, sum(t.workers) AS workers, sum(t.payroll_fen) AS payroll_fen").
		Group("t.month").Order("t.month").Scan(ctx, &out.WorkforceMonths); err != nil {
		return err
	}
	if n := len(out.WorkforceMonths); n > 0 {
		out.WorkforceMonth = out.WorkforceMonths[n-1].Month
		if err := s.where(s.db.NewSelect().TableExpr("supervision.workforce_months AS t"), "t").
			Where("t.month = ?", out.WorkforceMonth).
			ColumnExpr("t.level, sum(t.workers) AS workers, sum(t.payroll_fen) AS payroll_fen").
			Group("t.level").Order("t.level").Scan(ctx, &out.Workforce); err != nil {
			return err
		}
	}
	return nil
}

func (f *Figures) add(o Figures) {
	f.Received += o.Received
	f.Decided += o.Decided
	f.OnTime += o.OnTime
	f.Late += o.Late
	f.Overdue += o.Overdue
	f.Yellow += o.Yellow
	f.DaysSum += o.DaysSum
	f.DaysCount += o.DaysCount
	f.Rated += o.Rated
	f.Good += o.Good
}

// compareBurden averages the burden per community per month on each side of the lists'
// effective month, over the months of the period that have any.
func compareBurden(months []BurdenFigures, from string) *BurdenComparison {
	out := &BurdenComparison{From: from}
	for _, m := range months {
		side := &out.After
		if m.Month < from {
			side = &out.Before
		}
		n := float64(max(m.Communities, 1))
		side.Months++
		side.Tasks += float64(m.Tasks) / n
		side.Refused += float64(m.Refused) / n
		side.Intercepted += float64(m.Intercepted) / n
		side.Hours += m.Hours / n
	}
	for _, side := range []*BurdenSide{&out.Before, &out.After} {
		if side.Months > 0 {
			k := float64(side.Months)
			r := func(v float64) float64 { return math.Round(v/k*10) / 10 }
			side.Tasks, side.Refused, side.Intercepted, side.Hours = r(side.Tasks), r(side.Refused), r(side.Intercepted), r(side.Hours)
		}
	}
	return out
}

// indicator is a row's value for the ranking and whether higher is better.
func indicator(f Figures, by string) (*float64, bool) {
	switch by {
	case RankGood:
		return f.GoodRate, true
	case RankAvgDays:
		return f.AvgDays, false
	case RankOverdue:
		v := float64(f.Overdue)
		return &v, false
	case RankReceived:
		v := float64(f.Received)
		return &v, true
	default:
		return f.OnTimeRate, true
	}
}

// rank derives each row's rates and orders the rows by the indicator, best first; rows
// without a value come last, unranked. Ties share a rank (1, 2, 2, 4).
func rank(rows []UnitRow, by string) []UnitRow {
	if rows == nil {
		rows = []UnitRow{}
	}
	for i := range rows {
		rows[i].derive()
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, higher := indicator(rows[i].Figures, by)
		b, _ := indicator(rows[j].Figures, by)
		switch {
		case a == nil || b == nil:
			return a != nil && b == nil
		case *a == *b:
			return false
		case higher:
			return *a > *b
		default:
			return *a < *b
		}
	})
	for i := range rows {
		v, _ := indicator(rows[i].Figures, by)
		switch {
		case v == nil:
			rows[i].Rank = 0
		case i > 0 && rows[i-1].Rank > 0:
			if p, _ := indicator(rows[i-1].Figures, by); *p == *v {
				rows[i].Rank = rows[i-1].Rank
				continue
			}
			rows[i].Rank = i + 1
		default:
			rows[i].Rank = i + 1
		}
	}
	return rows
}

var unitLabels = map[string]string{UnitProvince: "省", UnitCity: "市（州）", UnitCounty: "县（区）", UnitTownship: "乡镇（街道）", UnitItem: "事项"}

// DashboardExcel writes every table of the dashboard as a workbook, a sheet per table with
// Chinese headers. Text goes in as strings (SetCellStr): a township or item named "=…" stays
// text and is never a formula (CSV/formula injection).
func DashboardExcel(w io.Writer, d *Dashboard) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"#E8EEF7"}, Pattern: 1}})
	if err != nil {
		return err
	}
	title := fmt.Sprintf("%s 政务服务监察（%s 至 %s）", d.Unit.Name, d.From, d.To)
	figHead := []string{"收件量", "办结量", "按时办结", "超期办结", "在办超期", "在办临期", "按时办结率（%）", "平均办理工作日", "评价数", "好评数", "好评率（%）", "红牌", "黄牌"}
	figVals := func(x Figures) []any {
		return []any{x.Received, x.Decided, x.OnTime, x.Late, x.Overdue, x.Yellow, pct(x.OnTimeRate), num(x.AvgDays), x.Rated, x.Good, pct(x.GoodRate), x.RedCards, x.YellowCards}
	}
	sheet := func(i int, name string, head []string, rows [][]any) error {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := f.SetCellStr(name, "A1", title); err != nil {
			return err
		}
		for c, h := range head {
			cell, _ := excelize.CoordinatesToCellName(c+1, 2)
			if err := f.SetCellStr(name, cell, h); err != nil {
				return err
			}
		}
		last, _ := excelize.CoordinatesToCellName(len(head), 2)
		if err := f.SetCellStyle(name, "A2", last, bold); err != nil {
			return err
		}
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+3)
				var err error
				if s, ok := v.(string); ok {
					err = f.SetCellStr(name, cell, s)
				} else {
					err = f.SetCellValue(name, cell, v)
				}
				if err != nil {
					return err
				}
			}
		}
		if err := f.SetColWidth(name, "A", "A", 30); err != nil {
			return err
		}
		return f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})
	}
	tables := []struct {
		name string
		head []string
		rows [][]any
	}{
		{"汇总", append([]string{"单位"}, figHead...), [][]any{append([]any{d.Unit.Name}, figVals(d.Totals)...)}},
	}
	var months [][]any
	for _, m := range d.Months {
		months = append(months, append([]any{m.Month}, figVals(m.Figures)...))
	}
	tables = append(tables, struct {
		name string
		head []string
		rows [][]any
	}{"按月", append([]string{"月份"}, figHead...), months})
	var children [][]any
	for _, c := range d.Children {
		r := any("")
		if c.Rank > 0 {
			r = c.Rank
		}
		children = append(children, append([]any{r, c.Name}, figVals(c.Figures)...))
	}
	tables = append(tables, struct {
		name string
		head []string
		rows [][]any
	}{"排名（" + RankLabels[d.RankBy] + "）", append([]string{"名次", unitLabels[d.ChildLevel]}, figHead...), children})
	if d.Unit.Level != UnitTownship {
		var burden [][]any
		for _, b := range d.Burden {
			burden = append(burden, []any{b.Month, b.Communities, b.Tasks, b.Refused, b.Intercepted, b.Hours})
		}
		tables = append(tables, struct {
			name string
			head []string
			rows [][]any
		}{"基层负担", []string{"月份", "村（社区）数", "派单任务", "拒绝", "拦截", "耗时（小时）"}, burden})
		var work [][]any
		for _, l := range d.Workforce {
			work = append(work, []any{fmt.Sprintf("%d 级", l.Level), l.Workers, float64(l.PayrollFen) / 100})
		}
		tables = append(tables, struct {
			name string
			head []string
			rows [][]any
		}{"社区工作者等级", []string{"等级（" + d.WorkforceMonth + "）", "人数", "应发（元）"}, work})
	}
	for i, t := range tables {
		if err := sheet(i, t.name, t.head, t.rows); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

func pct(v *float64) any {
	if v == nil {
		return ""
	}
	return math.Round(*v*1000) / 10
}

func num(v *float64) any {
	if v == nil {
		return ""
	}
	return *v
}
