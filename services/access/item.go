// Package access is the county's community work-item access lists (社区工作事项准入): the
// items with their history, the admission workflow that adds items (民政审核 → 合法性审查 →
// 联席会议审定 → 公示 → 生效), dispatch to communities that the lists enforce (a refused
// dispatch is recorded as an interception), the communities' answers, and burden statistics.
// The policy's point is that unlisted, unfunded or unlawful work cannot reach a community.
package access

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Kind is which list an item is on.
type Kind string

const (
	KindDuty          Kind = "duty"           // 依法履职事项
	KindAssist        Kind = "assist"         // 依法协助政府工作事项
	KindCertificate   Kind = "certificate"    // 可出具的证明事项
	KindNoCertificate Kind = "no_certificate" // 不得出具的证明事项
	KindForbidden     Kind = "forbidden"      // 不得承担的事项（挂牌、台账、评比考核等）
)

// Kinds lists the kinds in the order the lists are published.
var Kinds = []Kind{KindDuty, KindAssist, KindCertificate, KindNoCertificate, KindForbidden}

var kindLabels = map[Kind]string{
	KindDuty: "依法履职事项", KindAssist: "依法协助政府工作事项", KindCertificate: "可出具证明事项",
	KindNoCertificate: "不得出具证明事项", KindForbidden: "不得承担事项",
}

func (k Kind) Label() string { return kindLabels[k] }
func (k Kind) Valid() bool   { _, ok := kindLabels[k]; return ok }

// Dispatchable reports whether work under the kind may be given to a community at all.
func (k Kind) Dispatchable() bool { return k == KindDuty || k == KindAssist || k == KindCertificate }

// Funding is how the money follows the work (费随事转).
type Funding string

const (
	FundingNone    Funding = "none"
	FundingPerYear Funding = "per_year" // amount per community per year
	FundingPerTask Funding = "per_task" // amount per task
)

func (f Funding) Valid() bool { return f == FundingNone || f == FundingPerYear || f == FundingPerTask }

// Content is what an item says; admission requests carry the same fields.
type Content struct {
	Code         string      `json:"code" doc:"清单编号, e.g. XZ-ZJ-001"`
	Kind         Kind        `json:"kind" enum:"duty,assist,certificate,no_certificate,forbidden"`
	Name         string      `json:"name"`
	LegalBasis   string      `json:"legal_basis" doc:"法律法规依据"`
	DepartmentID *uuid.UUID  `json:"department_id,omitempty" doc:"责任部门; required for duty, assist and certificate items"`
	ScopeUnitIDs []uuid.UUID `json:"scope_unit_ids" doc:"townships or communities the item applies to; empty = the whole county"`
	Funding      Funding     `json:"funding" enum:"none,per_year,per_task"`
	// FundingAmount is in fen.
	FundingAmount int64   `json:"funding_amount"`
	Ledgers       int     `json:"ledgers" doc:"台账 the item brings"`
	Reports       int     `json:"reports" doc:"报表 the item brings"`
	Inspections   int     `json:"inspections" doc:"检查考核 the item brings"`
	HoursPerYear  float64 `json:"hours_per_year" doc:"expected hours per community per year"`
}

var codePattern = regexp.MustCompile(`^[A-Z0-9-]{1,30}$`)

// check validates content; prefix is the field path ("body.").
func (c *Content) check(ck *problem.Checker, prefix string) {
	ck.Check(codePattern.MatchString(c.Code), prefix+"code", "编号须为 1–30 位大写字母、数字或连字符", "code must be 1-30 of A-Z, 0-9 and -", c.Code)
	ck.Check(c.Kind.Valid(), prefix+"kind", "清单类别无效", "unknown kind", c.Kind)
	n := len([]rune(c.Name))
	ck.Check(n >= 1 && n <= 200, prefix+"name", "事项名称须为 1 至 200 个字", "name must be 1 to 200 characters", c.Name)
	ck.Check(len([]rune(c.LegalBasis)) <= 2000, prefix+"legal_basis", "依据不超过 2000 字", "legal basis too long", nil)
	if c.Kind.Dispatchable() {
		ck.Check(c.DepartmentID != nil, prefix+"department_id", "履职、协助和证明事项须有责任部门", "duty, assist and certificate items need a responsible department", nil)
		ck.Check(len([]rune(c.LegalBasis)) >= 2, prefix+"legal_basis", "须写明法律法规依据", "the legal basis is required", c.LegalBasis)
	}
	if c.Funding == "" {
		c.Funding = FundingNone
	}
	ck.Check(c.Funding.Valid(), prefix+"funding", "经费方式须为 无、按年 或 按件", "funding must be none, per_year or per_task", c.Funding)
	ck.Check(c.FundingAmount >= 0 && c.FundingAmount <= 1e12, prefix+"funding_amount", "经费金额无效", "invalid funding amount", c.FundingAmount)
	ck.Check(c.Funding != FundingNone || c.FundingAmount == 0, prefix+"funding_amount", "无经费时金额须为 0", "amount must be 0 without funding", c.FundingAmount)
	// 费随事转 (brief §2): work a community assists the government with comes with its money,
	// stated before the item is admitted.
	if c.Kind == KindAssist && c.Funding.Valid() {
		ck.Check(c.Funding != FundingNone, prefix+"funding", "依法协助事项须写明经费保障（费随事转）：请选择按年或按件拨付",
			"an assist item must state its funding (费随事转): per year or per task", c.Funding)
		ck.Check(c.Funding == FundingNone || c.FundingAmount > 0, prefix+"funding_amount", "依法协助事项须写明经费金额（费随事转）",
			"an assist item must state its funding amount (费随事转)", c.FundingAmount)
	}
	for f, v := range map[string]int{"ledgers": c.Ledgers, "reports": c.Reports, "inspections": c.Inspections} {
		ck.Check(v >= 0 && v <= 1000, prefix+f, "数量须为 0 至 1000", "must be 0 to 1000", v)
	}
	ck.Check(c.HoursPerYear >= 0 && c.HoursPerYear <= 100000, prefix+"hours_per_year", "年工时无效", "invalid hours", c.HoursPerYear)
	if c.ScopeUnitIDs == nil {
		c.ScopeUnitIDs = []uuid.UUID{}
	}
}

// checkUnits verifies the department and scope units exist in the county with the right kinds.
func (c *Content) checkUnits(ctx context.Context, ck *problem.Checker, prefix string) error {
	if c.DepartmentID != nil {
		u, err := tenants.GetOrgUnit(ctx, *c.DepartmentID)
		if err != nil && !errors.Is(err, tenants.ErrNotFound) {
			return err
		}
		ck.Check(err == nil && u.Kind == tenants.KindDepartment, prefix+"department_id", "责任部门须为本县的县直部门", "department must be a county department", c.DepartmentID.String())
	}
	for i, id := range c.ScopeUnitIDs {
		u, err := tenants.GetOrgUnit(ctx, id)
		if err != nil && !errors.Is(err, tenants.ErrNotFound) {
			return err
		}
		ok := err == nil && (u.Kind == tenants.KindTownship || u.Kind == tenants.KindStreet || u.Kind == tenants.KindCommunity || u.Kind == tenants.KindVillage)
		ck.Check(ok, fmt.Sprintf("%sscope_unit_ids[%d]", prefix, i), "适用范围须为本县的乡镇街道或村社区", "scope units must be townships or communities of this county", id.String())
	}
	return nil
}

// Item is a list entry as stored.
type Item struct {
	bun.BaseModel `bun:"table:access_items,alias:ai"`

	TenantID      uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID            uuid.UUID    `bun:"id,pk,type:uuid" json:"id"`
	Code          string       `bun:"code" json:"code"`
	Kind          Kind         `bun:"kind" json:"kind"`
	Name          string       `bun:"name" json:"name"`
	LegalBasis    string       `bun:"legal_basis" json:"legal_basis"`
	DepartmentID  *uuid.UUID   `bun:"department_id,type:uuid" json:"department_id" nullable:"true"`
	ScopeUnitIDs  []uuid.UUID  `bun:"scope_unit_ids,array,type:uuid[]" json:"scope_unit_ids"`
	Funding       Funding      `bun:"funding_kind" json:"funding"`
	FundingAmount int64        `bun:"funding_amount" json:"funding_amount"`
	Ledgers       int          `bun:"ledgers" json:"ledgers"`
	Reports       int          `bun:"reports" json:"reports"`
	Inspections   int          `bun:"inspections" json:"inspections"`
	HoursPerYear  float64      `bun:"hours_per_year" json:"hours_per_year"`
	EffectiveFrom workday.Date `bun:"effective_from,type:date" json:"effective_from"`
	EffectiveTo   workday.Date `bun:"effective_to,type:date,nullzero" json:"effective_to"`
	WithdrawnAt   *time.Time   `bun:"withdrawn_at" json:"withdrawn_at" nullable:"true"`
	LapsedAt      *time.Time   `bun:"lapsed_at" json:"lapsed_at" nullable:"true" doc:"not re-confirmed (年度确认) by the county's deadline: off the lists from this instant"`
	ConfirmedYear *int         `bun:"confirmed_year" json:"confirmed_year" nullable:"true"`
	Version       int          `bun:"version" json:"version"`
	RequestID     *uuid.UUID   `bun:"request_id,type:uuid" json:"request_id" nullable:"true"`
	CreatedAt     time.Time    `bun:"created_at,nullzero,default:now()" json:"created_at"`
	UpdatedAt     time.Time    `bun:"updated_at,nullzero,default:now()" json:"updated_at"`

	DepartmentName string `bun:"department_name,scanonly" json:"department_name"`
}

// Content returns what the item says.
func (it *Item) Content() Content {
	return Content{Code: it.Code, Kind: it.Kind, Name: it.Name, LegalBasis: it.LegalBasis, DepartmentID: it.DepartmentID,
		ScopeUnitIDs: it.ScopeUnitIDs, Funding: it.Funding, FundingAmount: it.FundingAmount, Ledgers: it.Ledgers,
		Reports: it.Reports, Inspections: it.Inspections, HoursPerYear: it.HoursPerYear}
}

func (it *Item) set(c Content) {
	it.Code, it.Kind, it.Name, it.LegalBasis, it.DepartmentID = c.Code, c.Kind, c.Name, c.LegalBasis, c.DepartmentID
	it.ScopeUnitIDs, it.Funding, it.FundingAmount = c.ScopeUnitIDs, c.Funding, c.FundingAmount
	it.Ledgers, it.Reports, it.Inspections, it.HoursPerYear = c.Ledgers, c.Reports, c.Inspections, c.HoursPerYear
}

// InForce reports whether the item is on the lists on day at instant now: from its effective
// date, until its end date, and not after a withdrawal or a lapse took effect.
func (it *Item) InForce(day workday.Date, now time.Time) bool {
	if day.Before(it.EffectiveFrom) {
		return false
	}
	if !it.EffectiveTo.IsZero() && day.After(it.EffectiveTo) {
		return false
	}
	if it.LapsedAt != nil && !now.Before(*it.LapsedAt) {
		return false
	}
	return it.WithdrawnAt == nil || now.Before(*it.WithdrawnAt)
}

// Status is what the list screens show.
func (it *Item) Status(day workday.Date, now time.Time) string {
	switch {
	case it.InForce(day, now):
		return "in_force"
	case it.WithdrawnAt != nil && !now.Before(*it.WithdrawnAt):
		return "withdrawn"
	case it.LapsedAt != nil && !now.Before(*it.LapsedAt):
		return "lapsed"
	case day.Before(it.EffectiveFrom):
		return "pending"
	case it.WithdrawnAt != nil:
		return "withdrawn"
	}
	return "expired"
}

// Funded reports whether the item states the funding its work needs: 依法协助 work comes with
// its money (费随事转); the other lists carry none of their own.
func (it *Item) Funded() bool {
	return it.Kind != KindAssist || (it.Funding != FundingNone && it.FundingAmount > 0)
}

// Confirmable reports whether the item is on a list that is re-confirmed yearly (年度确认): the
// lists of the communities' work. The prohibitions (不得出具, 不得承担) do not lapse.
func (k Kind) Confirmable() bool { return k.Dispatchable() }

// Unconfirmed reports whether the item is in force and not yet re-confirmed for day's year.
func (it *Item) Unconfirmed(day workday.Date, now time.Time) bool {
	return it.Kind.Confirmable() && it.InForce(day, now) && (it.ConfirmedYear == nil || *it.ConfirmedYear < day.Year)
}

// Version is one stored version of an item.
type Version struct {
	bun.BaseModel `bun:"table:access_item_versions,alias:aiv"`

	TenantID  uuid.UUID       `bun:"tenant_id,pk,type:uuid" json:"-"`
	ItemID    uuid.UUID       `bun:"item_id,pk,type:uuid" json:"-"`
	Version   int             `bun:"version,pk" json:"version"`
	Action    string          `bun:"action" json:"action"`
	Content   json.RawMessage `bun:"content,type:jsonb" json:"content"`
	Reason    string          `bun:"reason" json:"reason"`
	CreatedBy *uuid.UUID      `bun:"created_by,type:uuid" json:"-"`
	CreatedAt time.Time       `bun:"created_at,nullzero,default:now()" json:"created_at"`
}

// Service holds the clock the lists are read on.
type Service struct {
	Clock clock.Clock
}

func (s *Service) today() workday.Date { return clock.Today(s.Clock) }

var (
	errItemNotFound = problem.NotFound("access_item_not_found", "找不到该清单事项", "list item not found")
	errStale        = problem.Stale("该记录", "the record")
)

func snapshot(ctx context.Context, it *Item, action, reason string) error {
	b, err := json.Marshal(struct {
		Content
		EffectiveFrom workday.Date `json:"effective_from"`
		EffectiveTo   workday.Date `json:"effective_to"`
	}{it.Content(), it.EffectiveFrom, it.EffectiveTo})
	if err != nil {
		return err
	}
	v := &Version{TenantID: it.TenantID, ItemID: it.ID, Version: it.Version, Action: action, Content: b, Reason: reason, CreatedBy: tenants.ActorIdentity(ctx)}
	_, err = tenants.DB(ctx).NewInsert().Model(v).Exec(ctx)
	return err
}

// NewItem is an item a county admin enters directly (the county's existing, already adopted
// list); new work goes through the admission workflow.
type NewItem struct {
	Content
	EffectiveFrom workday.Date `json:"effective_from"`
	EffectiveTo   workday.Date `json:"effective_to,omitempty"`
}

// Create enters an item.
func (s *Service) Create(ctx context.Context, in NewItem) (*Item, error) {
	var ck problem.Checker
	in.Content.check(&ck, "body.")
	ck.Check(!in.EffectiveFrom.IsZero(), "body.effective_from", "生效日期必填", "effective_from is required", "")
	ck.Check(in.EffectiveTo.IsZero() || !in.EffectiveTo.Before(in.EffectiveFrom), "body.effective_to", "截止日期不能早于生效日期", "effective_to is before effective_from", in.EffectiveTo.String())
	if err := in.Content.checkUnits(ctx, &ck, "body."); err != nil {
		return nil, err
	}
	// An open request holding the code would fail when its notice ends.
	held, err := codeHeld(ctx, in.Code, uuid.Nil)
	if err != nil {
		return nil, err
	}
	ck.Check(!held, "body.code", "已有使用该编号的准入申请在办理中", "an open request uses this code", in.Code)
	if err := ck.Err(); err != nil {
		return nil, err
	}
	return s.insert(ctx, in.Content, in.EffectiveFrom, in.EffectiveTo, nil, "create", "")
}

func (s *Service) insert(ctx context.Context, c Content, from, to workday.Date, request *uuid.UUID, action, reason string) (*Item, error) {
	tx, _ := tenants.TxFrom(ctx)
	it := &Item{TenantID: tx.TenantID(), ID: uuid.New(), EffectiveFrom: from, EffectiveTo: to, Version: 1, RequestID: request}
	it.set(c)
	// Entering or admitting an item is the county's confirmation of it for the year it starts,
	// and at least for this year: an adopted item entered today is not already overdue.
	year := max(from.Year, s.today().Year)
	it.ConfirmedYear = &year
	res, err := tenants.DB(ctx).NewInsert().Model(it).On("CONFLICT (tenant_id, code) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert access item: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, problem.Invalid(problem.Field{Location: "body.code", Message: "清单编号已存在", MessageEn: "the code is taken", Value: c.Code})
	}
	if err := snapshot(ctx, it, action, reason); err != nil {
		return nil, err
	}
	return it, tenants.Audit(ctx, tenants.Change{Action: "access_item." + action, TargetType: "access_item", TargetID: it.ID.String(),
		Summary: map[string]any{"code": it.Code, "name": it.Name, "kind": it.Kind, "effective_from": from.String()}})
}

var itemLock = tenants.Lock[Item]{Where: "ai.id = ?", Version: func(it *Item) int { return it.Version }, Missing: errItemNotFound, Stale: errStale}

func lockItem(ctx context.Context, id uuid.UUID, rowVersion int, strength string) (*Item, error) {
	return itemLock.RowFor(ctx, strength, id, rowVersion)
}

// Edit replaces what an item says (a new version; history keeps the old one).
func (s *Service) Edit(ctx context.Context, id uuid.UUID, rowVersion int, c Content, reason string) (*Item, error) {
	var ck problem.Checker
	c.check(&ck, "body.content.")
	n := len([]rune(reason))
	ck.Check(n >= 1 && n <= 200, "body.reason", "修改原因必填", "reason is required", reason)
	if err := c.checkUnits(ctx, &ck, "body.content."); err != nil {
		return nil, err
	}
	if err := ck.Err(); err != nil {
		return nil, err
	}
	it, err := lockItem(ctx, id, rowVersion, "UPDATE")
	if err != nil {
		return nil, err
	}
	if c.Code != it.Code {
		return nil, problem.Invalid(problem.Field{Location: "body.content.code", Message: "清单编号不能修改", MessageEn: "the code cannot change", Value: c.Code})
	}
	it.set(c)
	it.Version++
	if _, err := tenants.DB(ctx).NewUpdate().Model(it).ExcludeColumn("tenant_id", "id", "created_at", "updated_at").
		Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	if err := snapshot(ctx, it, "edit", reason); err != nil {
		return nil, err
	}
	return it, tenants.Audit(ctx, tenants.Change{Action: "access_item.edit", TargetType: "access_item", TargetID: id.String(),
		Summary: map[string]any{"version": it.Version, "reason": reason}})
}

// Withdraw takes an item off the lists (撤销/退出) from a date. A withdrawal effective today
// records the instant under the row's lock: a dispatch holding the lock first was made while
// the item was in force; one waiting for it then sees the withdrawal.
func (s *Service) Withdraw(ctx context.Context, id uuid.UUID, rowVersion int, from workday.Date, reason string) (*Item, error) {
	today := s.today()
	var ck problem.Checker
	ck.Check(!from.IsZero() && !from.Before(today), "body.effective_from", "撤销日期不能早于今天", "the withdrawal cannot be backdated", from.String())
	n := len([]rune(reason))
	ck.Check(n >= 1 && n <= 200, "body.reason", "撤销原因必填", "reason is required", reason)
	if err := ck.Err(); err != nil {
		return nil, err
	}
	it, err := lockItem(ctx, id, rowVersion, "UPDATE")
	if err != nil {
		return nil, err
	}
	if it.WithdrawnAt != nil || (!it.EffectiveTo.IsZero() && it.EffectiveTo.Before(from)) {
		return nil, problem.Conflict("already_withdrawn", "该事项已撤销或已到期", "the item is already withdrawn or expired")
	}
	it.EffectiveTo = from.AddDays(-1)
	it.Version++
	q := tenants.Own(ctx, tenants.DB(ctx).NewUpdate().Model(it)).Column("effective_to", "version").Set("updated_at = now()")
	if !from.After(today) {
		q = q.Set("withdrawn_at = clock_timestamp()")
	}
	if _, err := q.WherePK().Returning("withdrawn_at").Exec(ctx); err != nil {
		return nil, err
	}
	if err := snapshot(ctx, it, "withdraw", reason); err != nil {
		return nil, err
	}
	return it, tenants.Audit(ctx, tenants.Change{Action: "access_item.withdraw", TargetType: "access_item", TargetID: id.String(),
		Summary: map[string]any{"from": from.String(), "reason": reason}})
}

// Confirm records the yearly re-confirmation (年度确认) of an item for year. Confirming a
// lapsed item for this year brings it back on the lists from now (a late confirmation): a new
// version, so its history shows the lapse and the return, and its department is told.
func (s *Service) Confirm(ctx context.Context, id uuid.UUID, year int) (*Item, error) {
	today := s.today()
	if year < today.Year-1 || year > today.Year+1 {
		return nil, problem.Invalid(problem.Field{Location: "body.year", Message: "确认年度须为今年前后一年内", MessageEn: "year must be within a year of today", Value: year})
	}
	it, err := lockItem(ctx, id, 0, "UPDATE")
	if err != nil {
		return nil, err
	}
	lapsed := it.LapsedAt != nil
	if lapsed {
		if year < today.Year {
			return nil, problem.Invalid(problem.Field{Location: "body.year", Message: fmt.Sprintf("已失效的事项须确认 %d 年度才能恢复", today.Year),
				MessageEn: fmt.Sprintf("a lapsed item comes back only when confirmed for %d", today.Year), Value: year})
		}
		// A re-admission under way brings it back through the full procedure instead.
		held, err := codeHeld(ctx, it.Code, uuid.Nil)
		if err != nil {
			return nil, err
		}
		if held {
			return nil, problem.Conflict("readmission_open", "该事项的重新准入申请正在办理中，请待申请办结", "a request to re-admit this item is open")
		}
	}
	it.ConfirmedYear = &year
	q := tenants.Own(ctx, tenants.DB(ctx).NewUpdate().Model(it)).Column("confirmed_year").Set("updated_at = now()")
	if lapsed {
		it.LapsedAt = nil
		it.Version++
		q = q.Column("lapsed_at", "version")
	}
	if _, err := q.WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	action := "access_item.confirm"
	if lapsed {
		action = "access_item.reconfirm"
		reason := fmt.Sprintf("补办 %d 年度确认，恢复列入清单", year)
		if err := snapshot(ctx, it, "reconfirm", reason); err != nil {
			return nil, err
		}
		if err := s.tellItem(ctx, it, "清单事项已恢复有效："+it.Name, reason+"，即日起可依此事项交办工作。", fmt.Sprintf("access-reconfirm:%s:%d", it.ID, it.Version)); err != nil {
			return nil, err
		}
	}
	return it, tenants.Audit(ctx, tenants.Change{Action: action, TargetType: "access_item", TargetID: id.String(), Summary: map[string]any{"year": year}})
}

// tellItem notifies the item's department and the county admins.
func (s *Service) tellItem(ctx context.Context, it *Item, title, body, key string) error {
	to, err := tenants.CountyAdmins(ctx)
	if err != nil {
		return err
	}
	if it.DepartmentID != nil {
		staff, err := members(ctx, *it.DepartmentID, tenants.RoleDepartmentStaff)
		if err != nil {
			return err
		}
		to = append(to, staff...)
	}
	_, err = notify.Send(ctx, to, notify.Message{Kind: "access", Title: title, Body: body, DedupKey: key})
	return err
}

// members are the active members of a unit holding role.
func members(ctx context.Context, unit uuid.UUID, role tenants.Role) ([]uuid.UUID, error) {
	return tenants.ActiveMembers(ctx, tenants.Reach{Role: role, Units: []uuid.UUID{unit}})
}

// codeHeld reports whether an open admission request (other than self) holds code.
func codeHeld(ctx context.Context, code string, self uuid.UUID) (bool, error) {
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Request)(nil))).Where("content->>'code' = ? AND status IN (?)", code, bun.In(openStages))
	if self != uuid.Nil {
		q = q.Where("id <> ?", self)
	}
	return q.Exists(ctx)
}

// Filter narrows a list read.
type Filter struct {
	Kind       Kind
	Department *uuid.UUID
	// On lists the items in force on that day; zero lists every item.
	On workday.Date
}

// List returns items by kind and code.
func (s *Service) List(ctx context.Context, f Filter) ([]Item, error) {
	var items []Item
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&items)).ColumnExpr("ai.*, coalesce(d.name, '') AS department_name").
		Join("LEFT JOIN org_units AS d ON d.tenant_id = ai.tenant_id AND d.id = ai.department_id").
		OrderExpr("array_position(?, ai.kind), ai.code", pgdialect.Array([]string{"duty", "assist", "certificate", "no_certificate", "forbidden"}))
	if f.Kind != "" {
		q = q.Where("ai.kind = ?", f.Kind)
	}
	if f.Department != nil {
		q = q.Where("ai.department_id = ?", *f.Department)
	}
	if !f.On.IsZero() {
		q = q.Where("ai.effective_from <= ?", f.On).Where("(ai.effective_to IS NULL OR ai.effective_to >= ?)", f.On).
			Where("(ai.withdrawn_at IS NULL OR ai.withdrawn_at > clock_timestamp())").
			Where("(ai.lapsed_at IS NULL OR ai.lapsed_at > clock_timestamp())")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list access items: %w", err)
	}
	return items, nil
}

// Get returns an item and its versions, newest first.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (*Item, []Version, error) {
	it := new(Item)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(it)).ColumnExpr("ai.*, coalesce(d.name, '') AS department_name").
		Join("LEFT JOIN org_units AS d ON d.tenant_id = ai.tenant_id AND d.id = ai.department_id").
		Where("ai.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errItemNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	var vs []Version
	err = tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&vs)).Where("item_id = ?", id).Order("version DESC").Scan(ctx)
	return it, vs, err
}

// SweepArgs run a county's yearly list housekeeping.
type SweepArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

func (SweepArgs) Kind() string        { return "access_sweep" }
func (a SweepArgs) Tenant() uuid.UUID { return a.TenantID }
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 10 * time.Minute}}
}

// Swept is what a sweep did.
type Swept struct {
	// Waiting is how many items in force are not yet re-confirmed for the year.
	Waiting int
	// Lapsed is how many items this sweep took off the lists.
	Lapsed int
}

// Sweep keeps the yearly re-confirmation (年度确认; brief §2: "lists are re-confirmed yearly (an
// item not re-confirmed lapses)"). After the county's deadline for the year, every item of the
// work lists not confirmed for the year lapses: under its row lock it is stamped lapsed (so a
// dispatch racing the sweep is either refused or was made before), gets a version saying why,
// and its department and the county admins are told. Before the deadline the admins are
// reminded once a year and again in the week before it.
func (s *Service) Sweep(ctx context.Context) (Swept, error) {
	var out Swept
	today := s.today()
	st, err := GetSettings(ctx)
	if err != nil {
		return out, err
	}
	deadline := st.ConfirmDeadline(today.Year)
	unconfirmed := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("ai.kind IN (?)", bun.In([]Kind{KindDuty, KindAssist, KindCertificate})).
			Where("ai.effective_from <= ? AND (ai.effective_to IS NULL OR ai.effective_to >= ?)", today, today).
			Where("ai.withdrawn_at IS NULL AND ai.lapsed_at IS NULL").
			Where("(ai.confirmed_year IS NULL OR ai.confirmed_year < ?)", today.Year)
	}
	if today.After(deadline) {
		var items []Item
		if err := unconfirmed(tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&items))).Order("ai.code").For("UPDATE").Scan(ctx); err != nil {
			return out, err
		}
		for i := range items {
			if err := s.lapse(ctx, &items[i], today.Year, deadline); err != nil {
				return out, err
			}
		}
		out.Lapsed = len(items)
		return out, nil
	}
	n, err := unconfirmed(tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Item)(nil)))).Count(ctx)
	if err != nil || n == 0 {
		return out, err
	}
	out.Waiting = int(n)
	admins, err := tenants.CountyAdmins(ctx)
	if err != nil {
		return out, err
	}
	key := fmt.Sprintf("access-confirm:%d", today.Year)
	title := fmt.Sprintf("%d 年度准入清单待确认", today.Year)
	if !today.Before(deadline.AddDays(-7)) {
		key, title = fmt.Sprintf("access-confirm-final:%d", today.Year), fmt.Sprintf("%d 年度准入清单确认即将截止", today.Year)
	}
	_, err = notify.Send(ctx, admins, notify.Message{Kind: "access", Title: title,
		Body: fmt.Sprintf("有 %d 项清单事项尚未完成 %d 年度确认，请在 %s 前在“准入清单”中逐项确认或撤销；逾期未确认的事项将失效，不能再依此交办工作。",
			n, today.Year, deadline),
		DedupKey: key})
	return out, err
}

// lapse takes a locked item off the lists for want of the year's confirmation.
func (s *Service) lapse(ctx context.Context, it *Item, year int, deadline workday.Date) error {
	it.Version++
	if _, err := tenants.DB(ctx).NewUpdate().Model(it).Column("version").Set("lapsed_at = clock_timestamp(), updated_at = now()").
		WherePK().Returning("lapsed_at").Exec(ctx); err != nil {
		return err
	}
	reason := fmt.Sprintf("未在 %s 前完成 %d 年度确认，自动失效", deadline, year)
	if err := snapshot(ctx, it, "lapse", reason); err != nil {
		return err
	}
	if err := tenants.Audit(ctx, tenants.Change{Action: "access_item.lapse", TargetType: "access_item", TargetID: it.ID.String(),
		Summary: map[string]any{"code": it.Code, "year": year, "deadline": deadline.String()}}); err != nil {
		return err
	}
	return s.tellItem(ctx, it, "清单事项已失效："+it.Name,
		fmt.Sprintf("“%s”（%s）%s，已不在准入清单内，不能再依此事项向村（社区）交办工作。如需继续，请县级管理员补办年度确认，或由责任部门重新申请准入。", it.Name, it.Code, reason),
		fmt.Sprintf("access-lapse:%s:%d", it.ID, year))
}

// ScopeUnits are the units an item's scope may name (townships, streets, villages,
// communities) with the county as their root: what a department applying chooses from,
// though its own data scope shows it none of them.
func ScopeUnits(ctx context.Context) ([]tenants.OrgUnit, error) {
	var us []tenants.OrgUnit
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&us)).Where("ou.kind IN ('county', 'township', 'street', 'village', 'community')").
		Order("ou.depth", "ou.path").Scan(ctx)
	return us, err
}

// AuditItemNames names list items for the audit log.
func AuditItemNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	return tenants.ScanNames(ctx, tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Item)(nil))).ColumnExpr("ai.id, ai.name").Where("ai.id IN (?)", bun.In(ids)))
}

// AuditRequestNames names admission requests for the audit log by the item they ask for.
func AuditRequestNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	return tenants.ScanNames(ctx, tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Request)(nil))).ColumnExpr("ar.id, ar.content->>'name' AS name").Where("ar.id IN (?)", bun.In(ids)))
}
