package catalog

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// Status of an item as a whole.
type Status string

const (
	StatusDraft     Status = "draft"     // never published
	StatusPublished Status = "published" // may be applied for (its published version)
	StatusRetired   Status = "retired"   // kept for the applications that reference it
)

// Record is an item with the columns lists and search need; Content is its newest version.
type Record struct {
	bun.BaseModel `bun:"table:service_items,alias:si"`

	TenantID         uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID               uuid.UUID `bun:"id,pk,type:uuid" json:"id"`
	ImplCode         string    `bun:"impl_code" json:"impl_code"`
	BaseCode         string    `bun:"base_code" json:"base_code"`
	Name             string    `bun:"name" json:"name"`
	Kind             Kind      `bun:"kind" json:"kind"`
	DepartmentID     uuid.UUID `bun:"department_id,type:uuid" json:"department_id"`
	Levels           []Level   `bun:"levels,array" json:"levels"`
	Handling         Handling  `bun:"handling" json:"handling"`
	Status           Status    `bun:"status" json:"status"`
	PublishedVersion *int      `bun:"published_version" json:"published_version"`
	DraftVersion     *int      `bun:"draft_version" json:"draft_version"`
	RowVersion       int       `bun:"row_version" json:"row_version"`
	CreatedAt        time.Time `bun:"created_at,nullzero,default:now()" json:"created_at"`
	UpdatedAt        time.Time `bun:"updated_at,nullzero,default:now()" json:"updated_at"`
	// DepartmentPath is filled by InForce, so intake needs no second query for it.
	DepartmentPath string `bun:"department_path,scanonly" json:"-"`
	// DepartmentName is filled by InForce too: the intake's answer names the department.
	DepartmentName string `bun:"department_name,scanonly" json:"-"`
}

// VersionState says whether a version is being edited, is the one in force, or was replaced.
type VersionState string

const (
	VersionDraft      VersionState = "draft"
	VersionPublished  VersionState = "published"
	VersionSuperseded VersionState = "superseded"
)

// Version is one version of an item.
type Version struct {
	bun.BaseModel `bun:"table:service_item_versions,alias:siv"`

	TenantID    uuid.UUID    `bun:"tenant_id,pk,type:uuid"`
	ItemID      uuid.UUID    `bun:"item_id,pk,type:uuid"`
	Version     int          `bun:"version,pk"`
	State       VersionState `bun:"state"`
	Content     Item         `bun:"content,type:jsonb"`
	CreatedBy   uuid.UUID    `bun:"created_by,type:uuid,nullzero"`
	CreatedAt   time.Time    `bun:"created_at,nullzero,default:now()"`
	PublishedBy uuid.UUID    `bun:"published_by,type:uuid,nullzero"`
	PublishedAt *time.Time   `bun:"published_at"`
}

var (
	errNotFound = problem.NotFound("item_not_found", "事项不存在", "service item not found")
	errStale    = problem.Stale("该事项", "the item")
)

func actorID(ctx context.Context) uuid.UUID {
	if a, ok := tenants.ActorFrom(ctx); ok {
		return a.IdentityID
	}
	return uuid.Nil
}

func check(ctx context.Context, it *Item) error {
	fields := it.Validate()
	if it.DepartmentID != uuid.Nil {
		u, err := tenants.GetOrgUnit(ctx, it.DepartmentID)
		if err != nil && !errors.Is(err, tenants.ErrNotFound) {
			return err
		}
		if err != nil || u.Kind != tenants.KindDepartment {
			fields = append(fields, problem.Field{Location: "department_id", Message: "实施机关须为本县的县直部门", MessageEn: "the responsible department must be a department of this county"})
		}
	}
	if len(fields) == 0 {
		return nil
	}
	for i := range fields {
		fields[i].Location = "body." + fields[i].Location
	}
	return problem.Invalid(fields...)
}

func mirror(r *Record, it *Item) {
	r.ImplCode, r.BaseCode, r.Name, r.Kind = it.ImplCode, it.BaseCode, it.Name, it.Kind
	r.DepartmentID, r.Levels, r.Handling = it.DepartmentID, it.Levels, it.Handling
}

// Create adds an item as a draft (version 1).
func Create(ctx context.Context, it Item) (*Record, error) {
	if err := check(ctx, &it); err != nil {
		return nil, err
	}
	tx, _ := tenants.TxFrom(ctx)
	one := 1
	r := &Record{TenantID: tx.TenantID(), ID: uuid.New(), Status: StatusDraft, DraftVersion: &one, RowVersion: 1}
	mirror(r, &it)
	db := tenants.DB(ctx)
	res, err := db.NewInsert().Model(r).On("CONFLICT (tenant_id, impl_code) DO NOTHING").Returning("created_at, updated_at").Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, problem.Conflict("impl_code_taken", "实施编码已存在："+it.ImplCode, "implementation code already exists: "+it.ImplCode)
	}
	v := &Version{TenantID: r.TenantID, ItemID: r.ID, Version: 1, State: VersionDraft, Content: it, CreatedBy: actorID(ctx)}
	if _, err := db.NewInsert().Model(v).Exec(ctx); err != nil {
		return nil, err
	}
	return r, tenants.Audit(ctx, tenants.Change{Action: "item.create", TargetType: "service_item", TargetID: r.ID.String(),
		Summary: map[string]any{"impl_code": it.ImplCode, "name": it.Name}})
}

var itemLock = tenants.Lock[Record]{Where: "si.id = ?", Version: func(r *Record) int { return r.RowVersion }, Missing: errNotFound, Stale: errStale}

func lock(ctx context.Context, id uuid.UUID, rowVersion int) (*Record, error) {
	return itemLock.Row(ctx, id, rowVersion)
}

// SaveDraft replaces the item's draft, starting one from the published version's number + 1
// when there is none. rowVersion 0 skips the concurrency check (imports).
func SaveDraft(ctx context.Context, id uuid.UUID, rowVersion int, it Item) (*Record, error) {
	if err := check(ctx, &it); err != nil {
		return nil, err
	}
	r, err := lock(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	if r.Status == StatusRetired {
		return nil, problem.Conflict("item_retired", "事项已停用，不能修改", "the item is retired")
	}
	if it.ImplCode != r.ImplCode {
		return nil, problem.Invalid(problem.Field{Location: "body.impl_code", Message: "实施编码不可修改", MessageEn: "the implementation code cannot change"})
	}
	db := tenants.DB(ctx)
	if r.DraftVersion != nil {
		if _, err := tenants.Own(ctx, db.NewUpdate().Model((*Version)(nil))).Set("content = ?", &it).Set("created_by = ?", nullID(actorID(ctx))).Set("created_at = now()").
			Where("item_id = ? AND version = ?", id, *r.DraftVersion).Exec(ctx); err != nil {
			return nil, err
		}
	} else {
		next := *r.PublishedVersion + 1
		v := &Version{TenantID: r.TenantID, ItemID: id, Version: next, State: VersionDraft, Content: it, CreatedBy: actorID(ctx)}
		if _, err := db.NewInsert().Model(v).Exec(ctx); err != nil {
			return nil, err
		}
		r.DraftVersion = &next
	}
	mirror(r, &it)
	if err := bump(ctx, r); err != nil {
		return nil, err
	}
	return r, tenants.Audit(ctx, tenants.Change{Action: "item.save_draft", TargetType: "service_item", TargetID: id.String(),
		Summary: map[string]any{"impl_code": it.ImplCode, "name": it.Name, "version": *r.DraftVersion}})
}

func nullID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

func bump(ctx context.Context, r *Record) error {
	r.RowVersion++
	_, err := tenants.DB(ctx).NewUpdate().Model(r).
		Column("impl_code", "base_code", "name", "kind", "department_id", "levels", "handling", "status", "published_version", "draft_version", "row_version").
		Set("updated_at = now()").WherePK().Returning("updated_at").Exec(ctx)
	return err
}

// Publish makes the draft the version in force; applications accepted earlier keep theirs.
func Publish(ctx context.Context, id uuid.UUID, rowVersion int) (*Record, error) {
	r, err := lock(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	if r.DraftVersion == nil {
		return nil, problem.Conflict("no_draft", "没有待发布的草稿", "there is no draft to publish")
	}
	db := tenants.DB(ctx)
	if r.PublishedVersion != nil {
		if _, err := tenants.Own(ctx, db.NewUpdate().Model((*Version)(nil))).Set("state = 'superseded'").Where("item_id = ? AND version = ?", id, *r.PublishedVersion).Exec(ctx); err != nil {
			return nil, err
		}
	}
	if _, err := tenants.Own(ctx, db.NewUpdate().Model((*Version)(nil))).Set("state = 'published', published_at = now()").Set("published_by = ?", nullID(actorID(ctx))).
		Where("item_id = ? AND version = ?", id, *r.DraftVersion).Exec(ctx); err != nil {
		return nil, err
	}
	r.PublishedVersion, r.DraftVersion, r.Status = r.DraftVersion, nil, StatusPublished
	if err := bump(ctx, r); err != nil {
		return nil, err
	}
	return r, tenants.Audit(ctx, tenants.Change{Action: "item.publish", TargetType: "service_item", TargetID: id.String(),
		Summary: map[string]any{"impl_code": r.ImplCode, "version": *r.PublishedVersion}})
}

// Retire stops new applications for the item.
func Retire(ctx context.Context, id uuid.UUID, rowVersion int) (*Record, error) {
	r, err := lock(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusPublished {
		return nil, problem.Conflict("not_published", "只有已发布的事项可以停用", "only a published item can be retired")
	}
	r.Status = StatusRetired
	if err := bump(ctx, r); err != nil {
		return nil, err
	}
	return r, tenants.Audit(ctx, tenants.Change{Action: "item.retire", TargetType: "service_item", TargetID: id.String(),
		Summary: map[string]any{"impl_code": r.ImplCode}})
}

// Get returns an item with its versions, newest first.
func Get(ctx context.Context, id uuid.UUID) (*Record, []Version, error) {
	r := new(Record)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(r)).Where("si.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	var vs []Version
	err = tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&vs)).Where("siv.item_id = ?", id).Order("siv.version DESC").Scan(ctx)
	return r, vs, err
}

// InForce returns the published version of an item that accepts applications.
func InForce(ctx context.Context, id uuid.UUID) (*Record, *Version, error) {
	// One round trip: the item and, if published, its version in force.
	var row struct {
		Record  `bun:",extend"`
		Content *Item `bun:"content,type:jsonb"`
	}
	// Every intake reads it: with bind parameters, so PostgreSQL keeps the three-table
	// join's plan instead of planning it per intake (tenants.ScanOne).
	err := tenants.ScanOne(ctx, &row, `SELECT si.*, siv.content AS content, d.path AS department_path, d.name AS department_name
		FROM service_items AS si
		LEFT JOIN service_item_versions AS siv ON siv.tenant_id = si.tenant_id AND siv.item_id = si.id AND siv.version = si.published_version
		JOIN org_units AS d ON d.tenant_id = si.tenant_id AND d.id = si.department_id
		WHERE si.tenant_id = $1 AND si.id = $2`, tenants.CurrentID(ctx), id)
	r := &row.Record
	v := new(Version)
	if row.Content != nil {
		v.Content = *row.Content
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	if r.Status != StatusPublished {
		return nil, nil, problem.Conflict("item_not_in_force", "该事项未发布或已停用，不能受理", "the item is not published or is retired")
	}
	v.TenantID, v.ItemID, v.Version, v.State = r.TenantID, r.ID, *r.PublishedVersion, VersionPublished
	return r, v, nil
}

// GetVersion returns one version.
func GetVersion(ctx context.Context, id uuid.UUID, version int) (*Version, error) {
	v := new(Version)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(v)).Where("siv.item_id = ? AND siv.version = ?", id, version).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return v, err
}

// Filter narrows a search.
type Filter struct {
	// Q matches a name fragment or a code prefix.
	Q            string
	Status       Status
	DepartmentID uuid.UUID
	Level        Level
	Cursor       string
	Limit        int
}

// Page is one page of a search, by name.
type Page struct {
	Items []Record
	Next  string
}

// Search lists items by name, then id.
func Search(ctx context.Context, f Filter) (*Page, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var items []Record
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&items)).OrderExpr("si.name, si.id").Limit(int64(f.Limit + 1))
	if s := strings.TrimSpace(f.Q); s != "" {
		like := "%" + tenants.EscapeLike(s) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("si.name LIKE ?", like).WhereOr("si.impl_code LIKE ?", tenants.EscapeLike(s)+"%").WhereOr("si.base_code LIKE ?", tenants.EscapeLike(s)+"%")
		})
	}
	if f.Status != "" {
		q = q.Where("si.status = ?", f.Status)
	}
	if f.DepartmentID != uuid.Nil {
		q = q.Where("si.department_id = ?", f.DepartmentID)
	}
	if f.Level != "" {
		q = q.Where("? = ANY(si.levels)", f.Level)
	}
	if f.Cursor != "" {
		name, id, err := decodeNameCursor(f.Cursor)
		if err != nil {
			return nil, problem.Invalid(problem.Field{Location: "query.cursor", Message: "分页游标无效", MessageEn: "invalid cursor"})
		}
		q = q.Where("(si.name, si.id) > (?, ?)", name, id)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	p := &Page{Items: items}
	if len(items) > f.Limit {
		last := items[f.Limit-1]
		p.Items, p.Next = items[:f.Limit], encodeNameCursor(last.Name, last.ID)
	}
	return p, nil
}

// Newest returns every item's newest content (the draft if there is one), by code, for export.
func Newest(ctx context.Context) ([]Item, error) {
	var vs []Version
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&vs)).
		Join("JOIN service_items AS si ON si.tenant_id = siv.tenant_id AND si.id = siv.item_id AND siv.version = coalesce(si.draft_version, si.published_version)").
		OrderExpr("si.impl_code").Scan(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Item, len(vs))
	for i := range vs {
		out[i] = vs[i].Content
	}
	return out, nil
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// Import stores validated items: new codes become drafts, known codes get their draft
// replaced. The caller runs it in one transaction, so one failure stores nothing.
func Import(ctx context.Context, items []Item) (*ImportResult, error) {
	res := &ImportResult{}
	for _, it := range items {
		existing := new(Record)
		err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(existing)).Where("si.impl_code = ?", it.ImplCode).Scan(ctx)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := Create(ctx, it); err != nil {
				return nil, err
			}
			res.Created++
		case err != nil:
			return nil, err
		default:
			if _, err := SaveDraft(ctx, existing.ID, 0, it); err != nil {
				return nil, err
			}
			res.Updated++
		}
	}
	return res, nil
}

func encodeNameCursor(name string, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(id.String() + name))
}

func decodeNameCursor(c string) (string, uuid.UUID, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) < 36 {
		return "", uuid.Nil, tenants.ErrBadCursor
	}
	id, err := uuid.Parse(string(raw[:36]))
	return string(raw[36:]), id, err
}

// AuditNames names catalogue items for the audit log.
func AuditNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	return tenants.ScanNames(ctx, tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Record)(nil))).ColumnExpr("si.id, si.name").Where("si.id IN (?)", bun.In(ids)))
}
