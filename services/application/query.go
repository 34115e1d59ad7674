package application

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

var errNotFound = problem.NotFound("application_not_found", "办件不存在", "application not found")

// waiting are the job states in which a job has yet to finish (River requires running among
// them; a reconciliation asked for while one runs is covered by the next sweep).
var waiting = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable}

func inStates(ss []lifecycle.State) bun.Safe {
	quoted := make([]string, len(ss))
	for i, s := range ss {
		quoted[i] = "'" + string(s) + "'"
	}
	return bun.Safe(strings.Join(quoted, ", "))
}

// visible narrows q to the applications the actor may see: the whole county for county-wide
// scope; otherwise those of the actor's hall, village/community, or — once routed — department;
// with ScopeSelf, those the actor took in or holds.
func visible(q *bun.SelectQuery, a *tenants.Actor) *bun.SelectQuery {
	switch a.Scope {
	case tenants.ScopeTenant:
		return q
	case tenants.ScopeOrgSubtree:
		p := tenants.EscapeLike(a.OrgPath) + "%"
		return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("a.hall_path LIKE ?", p).WhereOr("a.proxy_path LIKE ?", p).WhereOr("(a.routed AND a.department_path LIKE ?)", p)
		})
	default:
		return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("a.created_by = ?", a.IdentityID).WhereOr("a.assignee_id = ?", a.IdentityID)
		})
	}
}

func loadPauses(ctx context.Context, id uuid.UUID) ([]Pause, error) {
	var ps []Pause
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&ps)).Where("p.application_id = ?", id).Order("p.seq").Scan(ctx)
	return ps, err
}

// Detail is an application with its timeline, pauses, item version and what the reader may do.
type Detail struct {
	Application
	Events    []Event
	Pauses    []Pause
	Item      catalog.Item
	Available []lifecycle.Action
	// Steps is the calendar explanation of the committed limit (empty before acceptance).
	Steps []workday.Step
	// UnknownYear repeats Provisional: a running due date was counted through a year whose
	// official schedule is not known (kept for the API's older field).
	UnknownYear bool
	// StepDue is when the running special procedure's time runs out (art. 45).
	StepDue workday.Date
	// CurrentStage is the back-office step running now (环节时限), its number from 1; nil and 0
	// when none runs.
	CurrentStage   *Stage
	CurrentStageNo int
	// ExtensionCap is the most days an extension of this application may add (art. 42 and
	// the county's stricter setting); SpecialProcedures the procedures a pause may name.
	ExtensionCap      int
	SpecialProcedures []string
	// Today is the date the dues and levels were computed for.
	Today workday.Date
	// Levels colours each due date that still runs: promised_due, legal_due, forward_due,
	// correction_due → normal, yellow or red.
	Levels map[string]string
	// HallName, DepartmentName and ProxyUnitName (empty without a proxy) name the units the
	// page shows.
	HallName, DepartmentName, ProxyUnitName string
}

// Get returns the application if the actor in ctx may see it.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (*Detail, error) {
	actor, _ := tenants.ActorFrom(ctx)
	d := &Detail{}
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&d.Application)).Where("a.id = ?", id)
	if actor != nil {
		q = visible(q, actor)
	}
	if err := q.Scan(ctx); err != nil {
		if isNoRows(err) {
			return nil, errNotFound
		}
		return nil, err
	}
	// The intake's event waits for the commit when the same transaction registered it.
	if err := tenants.FlushWrites(ctx); err != nil {
		return nil, err
	}
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&d.Events)).Where("e.application_id = ?", id).Order("e.seq").Scan(ctx); err != nil {
		return nil, err
	}
	pauses, err := loadPauses(ctx, id)
	if err != nil {
		return nil, err
	}
	d.Pauses = pauses
	ver, err := catalog.GetVersion(ctx, d.ItemID, d.ItemVersion)
	if err != nil {
		return nil, err
	}
	d.Item = ver.Content
	cal, st, err := calendarAndSettings(ctx)
	if err != nil {
		return nil, err
	}
	d.Today = s.today()
	d.fill(cal, st, actor)
	return d, d.nameUnits(ctx)
}

// nameUnits fills in the names of the hall, the department and the proxy's village or community.
func (d *Detail) nameUnits(ctx context.Context) error {
	ids := []uuid.UUID{d.HallID, d.DepartmentID}
	if d.ProxyUnitID != nil {
		ids = append(ids, *d.ProxyUnitID)
	}
	names, err := tenants.UnitNames(ctx, ids...)
	if err != nil {
		return err
	}
	d.HallName, d.DepartmentName = names[d.HallID], names[d.DepartmentID]
	if d.ProxyUnitID != nil {
		d.ProxyUnitName = names[*d.ProxyUnitID]
	}
	return nil
}

// Filter narrows a worklist.
type Filter struct {
	States   []lifecycle.State
	ItemID   uuid.UUID
	HallID   uuid.UUID
	Warning  string
	From, To workday.Date // received (or proxy-received) between, inclusive
	// Q matches a receipt number prefix, an applicant name fragment, or a whole ID number
	// (through its blind index: exact match only).
	Q      string
	Mine   bool // only what the actor holds or took in
	Cursor string
	Limit  int
}

// Summary is a worklist row; the applicant's number is masked.
type Summary struct {
	ID            uuid.UUID       `json:"id"`
	ReceiptNo     *string         `json:"receipt_no"`
	ItemName      string          `json:"item_name"`
	State         lifecycle.State `json:"state"`
	Channel       string          `json:"channel"`
	ApplicantName string          `json:"applicant_name"`
	ApplicantIDNo string          `json:"applicant_id_no"` // masked
	HallID        uuid.UUID       `json:"hall_id"`
	ReceivedOn    workday.Date    `json:"received_on"`
	PromisedDue   workday.Date    `json:"promised_due"`
	LegalDue      workday.Date    `json:"legal_due"`
	Warning       string          `json:"warning"`
	Paused        bool            `json:"paused"`
	// Provisional: a due date shown was counted through a year with no official schedule.
	Provisional bool         `json:"provisional"`
	DeliveryDue workday.Date `json:"delivery_due"`
	CreatedAt   time.Time    `json:"created_at"`
}

// Page is one keyset page of a worklist, newest first.
type Page struct {
	Items []Summary
	Next  string
}

// List is the worklist of the actor in ctx.
//
// At a province's size (a county with half a million applications) a page must be the first
// rows of index scans in the worklist's order, never a sort of everything in scope. So the
// query is a UNION of branches, each one ordered index scan limited to the page: the parts of
// an org-subtree scope (scopeBranches), or, when searching, the ways a search matches
// (searchBranches, with the scope as a filter). Under row level security only leakproof
// operators become index conditions, hence ranges and equalities instead of LIKE (migration
// 20261205000010). The filters that only match applications needing attention (an open state,
// a warning) also name the partial indexes' predicate.
func (s *Service) List(ctx context.Context, f Filter) (*Page, error) {
	actor, _ := tenants.ActorFrom(ctx)
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	if f.Cursor != "" {
		if _, _, err := tenants.DecodeCursor(f.Cursor); err != nil {
			return nil, problem.Invalid(problem.Field{Location: "query.cursor", Message: "分页游标无效", MessageEn: "invalid cursor"})
		}
	}
	scoped := func(q *bun.SelectQuery) *bun.SelectQuery {
		if actor == nil {
			return q
		}
		return visible(q, actor)
	}
	var branches []branch
	switch v := strings.TrimSpace(f.Q); {
	case v != "":
		for _, b := range s.searchBranches(ctx, v) {
			branches = append(branches, func(q *bun.SelectQuery) *bun.SelectQuery { return scoped(b(q)) })
		}
	case actor != nil && actor.Scope == tenants.ScopeOrgSubtree:
		branches = scopeBranches(actor.OrgPath)
	case (actor == nil || actor.Scope == tenants.ScopeTenant) && allOpen(f.States):
		// County-wide, by open state (the admin's 办理中 tab): one branch per state, each the
		// first rows of applications_state_attention. Read through the county's attention
		// index instead, a state that is not among the newest (办理中 follows 受理 by days)
		// is found only after every newer open application has been read and dropped: work
		// that grew with the county's open applications (make bench-province's trace).
		for _, st := range f.States {
			branches = append(branches, func(q *bun.SelectQuery) *bun.SelectQuery {
				return scoped(q).Where("a.state = ?", st).OrderExpr("a.created_at DESC, a.id DESC")
			})
		}
	default:
		branches = []branch{func(q *bun.SelectQuery) *bun.SelectQuery { return scoped(q).OrderExpr("a.created_at DESC, a.id DESC") }}
	}
	var union *bun.SelectQuery
	for _, b := range branches {
		q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Application)(nil))).Column(worklistColumns...).Limit(int64(f.Limit + 1))
		q = b(filter(q, f, actor))
		if union == nil {
			union = q
		} else {
			union = union.Union(q)
		}
	}
	q := union
	if len(branches) > 1 {
		q = tenants.DB(ctx).NewSelect().TableExpr("(?) AS a", union).ColumnExpr("a.*").
			OrderExpr("a.created_at DESC, a.id DESC").Limit(int64(f.Limit + 1))
	}
	var rows []Application
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	p := &Page{}
	if len(rows) > f.Limit {
		last := rows[f.Limit-1]
		rows, p.Next = rows[:f.Limit], tenants.EncodeCursor(last.CreatedAt, last.ID)
	}
	for _, r := range rows {
		recv := r.ReceivedOn
		if recv == nil {
			recv = r.ProxyReceived
		}
		p.Items = append(p.Items, Summary{ID: r.ID, ReceiptNo: r.ReceiptNo, ItemName: r.ItemName, State: r.State, Channel: r.Channel,
			ApplicantName: r.ApplicantName, ApplicantIDNo: r.ApplicantIDMasked, HallID: r.HallID, ReceivedOn: date(recv),
			PromisedDue: date(r.PromisedDue), LegalDue: date(r.LegalDue), Warning: r.Warning, Paused: r.Paused,
			Provisional: r.Provisional, DeliveryDue: date(r.DeliveryDue), CreatedAt: r.CreatedAt})
	}
	return p, nil
}

var worklistColumns = []string{"id", "receipt_no", "item_name", "state", "channel", "applicant_name", "applicant_id_masked", "hall_id",
	"received_on", "proxy_received_on", "promised_due", "legal_due", "delivery_due", "warning", "paused", "provisional", "created_at"}

// branch is one part of a worklist's UNION: its condition and its order.
type branch func(*bun.SelectQuery) *bun.SelectQuery

// below returns the range of paths strictly under path, in the "C" collation: a path ends
// with '/', and '0' is the next byte after it.
func below(path string) (lo, hi string) {
	return path, strings.TrimSuffix(path, "/") + "0"
}

// scopeBranches are the parts of an org-subtree scope (visible), each readable in the
// worklist's order from one index: the hall is the scope's unit itself, or lies strictly below
// it (rare: halls are townships); a proxy unit is the scope's unit itself, since a proxy unit
// strictly below it has its hall below or at it as well (CHECK applications_proxy_under_hall),
// so the hall branches hold those; the routed department is the unit or lies below it.
func scopeBranches(path string) []branch {
	lo, hi := below(path)
	order := func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("a.created_at DESC, a.id DESC") }
	return []branch{
		func(q *bun.SelectQuery) *bun.SelectQuery { return order(q.Where(`a.hall_path COLLATE "C" = ?`, path)) },
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return order(q.Where(`a.hall_path COLLATE "C" > ? AND a.hall_path COLLATE "C" < ?`, lo, hi))
		},
		func(q *bun.SelectQuery) *bun.SelectQuery { return order(q.Where(`a.proxy_path COLLATE "C" = ?`, path)) },
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return order(q.Where(`a.routed AND a.department_path COLLATE "C" = ?`, path))
		},
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return order(q.Where(`a.routed AND a.department_path COLLATE "C" > ? AND a.department_path COLLATE "C" < ?`, lo, hi))
		},
	}
}

// searchBranches are the ways a search matches: a receipt number's prefix (a range), a part
// of the applicant's name (through application_name_grams: the part's last pair of
// characters, or its one character, in the worklist's order, then the whole part), or a
// whole ID number (its blind index).
func (s *Service) searchBranches(ctx context.Context, v string) []branch {
	out := []branch{
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`a.receipt_no COLLATE "C" >= ? AND a.receipt_no COLLATE "C" < ?`, v, v+"\U0010FFFF").
				Where("a.receipt_no LIKE ?", tenants.EscapeLike(v)+"%").OrderExpr("a.created_at DESC, a.id DESC")
		},
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Join("JOIN application_name_grams AS g ON g.tenant_id = a.tenant_id AND g.application_id = a.id").
				Where("g.tenant_id = ? AND g.gram = right(lower(?), 2)", tenants.CurrentID(ctx), v).
				Where("a.applicant_name LIKE ?", "%"+tenants.EscapeLike(v)+"%").
				OrderExpr("g.created_at DESC, g.application_id DESC")
		},
	}
	if blind := s.blindOf(ctx, v); blind != nil {
		out = append(out, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("a.applicant_id_blind = ?", blind).OrderExpr("a.created_at DESC, a.id DESC")
		})
	}
	return out
}

// attention is the predicate of the partial worklist indexes: what still needs someone.
const attention = "(a.closed_on IS NULL OR a.warning <> 'normal')"

// allOpen reports whether ss names states and only open ones: the filters the partial
// indexes over what needs attention serve.
func allOpen(ss []lifecycle.State) bool {
	for _, st := range ss {
		if !st.Open() {
			return false
		}
	}
	return len(ss) > 0
}

// filter applies a worklist's filters (all but the data scope and the search) to q.
func filter(q *bun.SelectQuery, f Filter, actor *tenants.Actor) *bun.SelectQuery {
	open := allOpen(f.States)
	if len(f.States) > 0 {
		q = q.Where("a.state IN (?)", bun.In(f.States))
	}
	if f.ItemID != uuid.Nil {
		q = q.Where("a.item_id = ?", f.ItemID)
	}
	if f.HallID != uuid.Nil {
		q = q.Where("a.hall_id = ?", f.HallID)
	}
	if f.Warning != "" {
		q = q.Where("a.warning = ?", f.Warning)
	}
	// An open application has no closed_on, and a warning other than normal is what the
	// predicate names: saying it lets the planner use the small partial indexes.
	if open || (f.Warning != "" && f.Warning != "normal") {
		q = q.Where(attention)
	}
	if !f.From.IsZero() {
		q = q.Where("coalesce(a.proxy_received_on, a.received_on) >= ?", f.From.In(time.UTC))
	}
	if !f.To.IsZero() {
		q = q.Where("coalesce(a.proxy_received_on, a.received_on) <= ?", f.To.In(time.UTC))
	}
	if f.Mine {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("a.created_by = ?", actor.IdentityID).WhereOr("a.assignee_id = ?", actor.IdentityID)
		})
	}
	if f.Cursor != "" {
		at, id, _ := tenants.DecodeCursor(f.Cursor)
		q = q.Where("(a.created_at, a.id) < (?, ?)", at, id)
	}
	return q
}

// fill derives what the page shows from the row: levels as of today (even if a job has not
// run yet), the explanation of the committed limit, and the actions open to the reader.
func (d *Detail) fill(cal *workday.Calendar, st *settings.Settings, actor *tenants.Actor) {
	if running(&d.Application) {
		recompute(cal, &d.Application, d.Pauses, d.Today, st)
	}
	d.Levels = map[string]string{}
	for kind, due := range moments(&d.Application, d.Pauses) {
		key := map[string]string{KindForward: "forward_due", KindCorrection: "correction_due", KindRed: "promised_due",
			KindLegal: "legal_due", KindDelivery: "delivery_due", KindStep: "step_due"}[kind]
		if key != "" {
			d.Levels[key] = cal.Level(due, d.Today, st.YellowDays).String()
		}
	}
	if d.AcceptedOn != nil {
		_, promised := limits(&d.Application, d.Pauses)
		d.Steps = cal.Explain(promised, d.Today)
	}
	d.UnknownYear = d.Provisional
	d.ExtensionCap = st.ExtensionCap(d.Item.Unified)
	d.SpecialProcedures = procedures(&d.Item)
	if p := openPause(d.Pauses); p != nil && p.StepDue != nil {
		d.StepDue = date(p.StepDue)
	}
	d.CurrentStage, d.CurrentStageNo = currentStage(&d.Application)
	if actor != nil {
		// 受理 is offered even with materials unticked: its dialog ticks them, and Act checks
		// completeness after applying the ticks.
		d.Available = lifecycle.Available(d.State, &lifecycle.Facts{Roles: actor.Roles, Proxy: d.Channel == ChannelProxy,
			Instant: d.Item.Handling == catalog.HandlingInstant, Complete: true, MaxExtension: st.ExtensionCap(d.Item.Unified),
			Extended: d.ExtensionDays, Overdue: overdue(&d.Application, d.Today), Head: isHead(actor, &d.Application, &d.Item),
			StageRunning: d.CurrentStage != nil})
	}
}

// AuditNames names applications for the audit log: the receipt number and the item, or the
// item alone before 受理.
func AuditNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	return tenants.ScanNames(ctx, tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Application)(nil))).
		ColumnExpr("a.id").ColumnExpr("coalesce(a.receipt_no || ' ', '') || a.item_name AS name").Where("a.id IN (?)", bun.In(ids)))
}
