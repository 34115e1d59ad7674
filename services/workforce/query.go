package workforce

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Filter narrows the roster.
type Filter struct {
	OrgUnitID *uuid.UUID // a township or community: its subtree
	Query     string     // a name fragment
	Status    Status
	Post      level.Post
	Cursor    string
	Limit     int
}

// Page is one page of the roster in community, name order.
type Page struct {
	Workers []Worker `json:"workers"`
	Next    string   `json:"next,omitempty"`
}

var baseSelect = func(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ColumnExpr("w.*, ou.name AS community, coalesce(p.name, '') AS township").
		Join("JOIN org_units AS ou ON ou.tenant_id = w.tenant_id AND ou.id = w.org_unit_id").
		Join("LEFT JOIN org_units AS p ON p.tenant_id = ou.tenant_id AND p.id = ou.parent_id")
}

// List returns a page of the roster.
func List(ctx context.Context, f Filter) (*Page, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var ws []Worker
	q := baseSelect(tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&ws))).OrderExpr("w.org_path, w.name, w.id").Limit(int64(f.Limit + 1))
	if f.OrgUnitID != nil {
		u, err := tenants.GetOrgUnit(ctx, *f.OrgUnitID)
		if errors.Is(err, tenants.ErrNotFound) {
			return nil, problem.Invalid(problem.Field{Location: "query.org_unit_id", Message: "找不到该单位", MessageEn: "org unit not found"})
		} else if err != nil {
			return nil, err
		}
		q = q.Where("w.org_path LIKE ?", tenants.EscapeLike(u.Path)+"%")
	}
	if f.Query != "" {
		q = q.Where("w.name LIKE ?", "%"+tenants.EscapeLike(f.Query)+"%")
	}
	if f.Status != "" {
		q = q.Where("w.status = ?", f.Status)
	}
	if f.Post != "" {
		q = q.Where("w.post = ?", f.Post)
	}
	if f.Cursor != "" {
		var k [3]string
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err == nil {
			err = json.Unmarshal(b, &k)
		}
		if err != nil {
			return nil, problem.Invalid(problem.Field{Location: "query.cursor", Message: "翻页参数无效，请从第一页重新加载", MessageEn: "invalid cursor"})
		}
		q = q.Where("(w.org_path, w.name, w.id) > (?, ?, ?::uuid)", k[0], k[1], k[2])
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	p := &Page{Workers: ws}
	if len(ws) > f.Limit {
		last := ws[f.Limit-1]
		b, _ := json.Marshal([3]string{last.OrgPath, last.Name, last.ID.String()})
		p.Workers, p.Next = ws[:f.Limit], base64.RawURLEncoding.EncodeToString(b)
	}
	return p, nil
}

// Get returns one worker with the snapshot's unit names.
func Get(ctx context.Context, id uuid.UUID) (*Worker, error) {
	w := new(Worker)
	err := baseSelect(tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(w))).Where("w.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return w, err
}

// HistoryEntry is one change with the record before and after it, as the history view
// shows it: which fields changed from what to what.
type HistoryEntry struct {
	Change
	Diffs []FieldDiff `json:"diffs"`
}

// FieldDiff is one field's change.
type FieldDiff struct {
	Field  string `json:"field"`
	Label  string `json:"label"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Detail is everything the worker page shows.
type Detail struct {
	Worker     *Worker        `json:"worker"`
	AsOf       workday.Date   `json:"as_of"`
	Record     Record         `json:"record"`
	History    []HistoryEntry `json:"history"`
	Appraisals []Appraisal    `json:"appraisals"`
	// Entitled is what the county's rule gives on AsOf, for comparison with the level held
	// (a post change or a stored level can differ from it until the next progression).
	Entitled    *level.Result `json:"entitled"`
	Explanation []string      `json:"explanation"`
	Pay         []PayLine     `json:"pay"`
	// Ratings are the 好差评 of services the worker gave (when linked to a sign-in).
	Ratings []status.Rating `json:"ratings"`
}

// Describe returns the worker's page. finalPayOnly limits the pay lines to final payrolls
// (what self-service shows: a draft is not yet pay).
func (s *Service) Describe(ctx context.Context, id uuid.UUID, finalPayOnly bool) (*Detail, error) {
	w, err := Get(ctx, id)
	if err != nil {
		return nil, err
	}
	cs, err := changesOf(ctx, id)
	if err != nil {
		return nil, err
	}
	as, err := appraisalsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	ds, err := dated(ctx)
	if err != nil {
		return nil, err
	}
	units, err := unitsByID(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today()
	d := &Detail{Worker: w, AsOf: today, Appraisals: as}
	d.Record, _ = Fold(cs, today)
	// History in recorded order, each diffed against the record just before it took effect.
	recorded := append([]Change(nil), cs...)
	for i := range recorded {
		c := recorded[i]
		var prior []Change
		for _, o := range cs {
			if o.EffectiveFrom.Before(c.EffectiveFrom) || (o.EffectiveFrom == c.EffectiveFrom && o.Seq < c.Seq) {
				prior = append(prior, o)
			}
		}
		before, _ := Fold(prior, c.EffectiveFrom)
		after := before
		after.Apply(c.Fields)
		d.History = append(d.History, HistoryEntry{Change: c, Diffs: diff(before, after, c.Kind == KindHire, units)})
	}
	// Newest first: the order a reader wants.
	for i, j := 0, len(d.History)-1; i < j; i, j = i+1, j-1 {
		d.History[i], d.History[j] = d.History[j], d.History[i]
	}
	if d.Record.Status == StatusActive {
		res, err := schemeOn(ds, today).Rule.Level(level.Facts{Post: d.Record.Post, Hired: d.Record.Hired, Education: d.Record.Education,
			Certificate: d.Record.Certificate, Appraisals: results(as)}, today)
		if err == nil {
			d.Entitled = &res
			d.Explanation = res.Explain(level.Facts{Post: d.Record.Post, Hired: d.Record.Hired, Education: d.Record.Education,
				Certificate: d.Record.Certificate, Appraisals: results(as)}, today)
		}
	}
	if d.Pay, err = linesOf(ctx, id, finalPayOnly); err != nil {
		return nil, err
	}
	d.Ratings = []status.Rating{}
	if w.IdentityID != nil {
		rs, err := status.RatingsOf(ctx, *w.IdentityID)
		if err != nil {
			return nil, err
		}
		d.Ratings = append(d.Ratings, rs...)
	}
	return d, nil
}

func diff(before, after Record, all bool, units map[uuid.UUID]unitNames) []FieldDiff {
	var out []FieldDiff
	add := func(field, label, b, a string) {
		if all || b != a {
			if all {
				b = ""
			}
			out = append(out, FieldDiff{Field: field, Label: label, Before: b, After: a})
		}
	}
	ds := func(d workday.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	unit := func(id uuid.UUID) string {
		if u, ok := units[id]; ok {
			return strings.TrimSpace(u.township + " " + u.community)
		}
		return ""
	}
	add("name", "姓名", before.Name, after.Name)
	add("phone", "手机", before.Phone, after.Phone)
	add("org_unit_id", "所属社区", unit(before.OrgUnitID), unit(after.OrgUnitID))
	add("post", "岗位", before.Post.Label(), after.Post.Label())
	add("title", "职务", before.Title, after.Title)
	add("hired", "入职日期", ds(before.Hired), ds(after.Hired))
	add("education", "学历", before.Education.Label(), after.Education.Label())
	add("certificate", "社工证", before.Certificate.Label(), after.Certificate.Label())
	add("certificate_on", "取证日期", ds(before.CertificateOn), ds(after.CertificateOn))
	add("status", "状态", before.Status.Label(), after.Status.Label())
	add("contract_from", "合同开始", ds(before.ContractFrom), ds(after.ContractFrom))
	add("contract_to", "合同结束", ds(before.ContractTo), ds(after.ContractTo))
	lv := func(n int) string {
		if n == 0 {
			return ""
		}
		return fmt.Sprintf("%d 级", n)
	}
	add("level", "等级", lv(before.Level), lv(after.Level))
	return out
}

// RevealID returns the full ID number and records who looked at it.
func (s *Service) RevealID(ctx context.Context, id uuid.UUID) (string, error) {
	w, err := Get(ctx, id)
	if err != nil {
		return "", err
	}
	tx, _ := tenants.TxFrom(ctx)
	plain, err := s.Box.Open(tx.TenantID(), w.IDCipher)
	if err != nil {
		return "", err
	}
	return plain, tenants.Audit(ctx, tenants.Change{Action: "worker.reveal_id", TargetType: "worker", TargetID: id.String(),
		Summary: map[string]any{"id": w.IDMasked}})
}

// LinkIdentity links the worker to a member's sign-in (nil unlinks), for self-service.
func (s *Service) LinkIdentity(ctx context.Context, id uuid.UUID, identity *uuid.UUID) (*Worker, error) {
	w, err := s.lock(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	if identity != nil {
		if _, err := tenants.GetMembership(ctx, *identity); errors.Is(err, tenants.ErrNotFound) {
			return nil, problem.Invalid(problem.Field{Location: "body.identity_id", Message: "找不到该账号", MessageEn: "no such member in this county"})
		} else if err != nil {
			return nil, err
		}
		var other uuid.UUID
		err = tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Worker)(nil))).Column("id").Where("identity_id = ? AND id <> ?", *identity, id).Scan(ctx, &other)
		if err == nil {
			return nil, problem.Conflict("identity_linked", "该账号已关联到另一名社区工作者", "the account is linked to another worker")
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	w.IdentityID = identity
	w.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(w).Column("identity_id", "row_version").Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	return w, tenants.Audit(ctx, tenants.Change{Action: "worker.link_identity", TargetType: "worker", TargetID: id.String(),
		Summary: map[string]any{"identity_id": identity}})
}

// ErrNoWorker says the signed-in member has no worker record linked.
var ErrNoWorker = problem.NotFound("no_worker_record", "您的账号尚未关联社区工作者档案，请联系县级管理员", "your account is not linked to a worker record")

// Mine is the signed-in member's own record: the only worker self-service can reach.
func (s *Service) Mine(ctx context.Context) (*Detail, error) {
	a, ok := tenants.ActorFrom(ctx)
	if !ok {
		return nil, ErrNoWorker
	}
	var id uuid.UUID
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Worker)(nil))).Column("id").Where("identity_id = ?", a.IdentityID).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoWorker
	}
	if err != nil {
		return nil, err
	}
	return s.Describe(ctx, id, true)
}

// RefreshDue brings snapshots whose future-dated change has arrived up to date.
func (s *Service) RefreshDue(ctx context.Context) (int, error) {
	var ids []uuid.UUID
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Worker)(nil))).Column("id").
		Where("next_change_on <= ?", s.today()).Scan(ctx, &ids); err != nil {
		return 0, err
	}
	for _, id := range ids {
		w, err := s.lock(ctx, id, 0)
		if err != nil {
			return 0, err
		}
		cs, err := changesOf(ctx, id)
		if err != nil {
			return 0, err
		}
		if err := s.refresh(ctx, w, cs); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// AuditNames names workers for the audit log.
func AuditNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	return tenants.ScanNames(ctx, tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Worker)(nil))).ColumnExpr("w.id, w.name").Where("w.id IN (?)", bun.In(ids)))
}
