package supervision

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/tenants"
)

// Lag is how far the county's store is behind its own transactions.
type Lag struct {
	Pending      int        `json:"pending" doc:"outbox rows not yet published"`
	OldestAt     *time.Time `json:"oldest_at,omitempty" doc:"when the oldest unpublished change was made"`
	Seconds      int64      `json:"seconds" doc:"age of the oldest unpublished change; 0 when everything is published"`
	PublishedSeq int64      `json:"published_seq"`
	PublishedAt  *time.Time `json:"published_at,omitempty"`
}

// Own is what the county of ctx publishes, as the store holds it: the county admin reads the
// store itself (under the county's own policy), not a copy computed again.
type Own struct {
	Lag          Lag              `json:"lag"`
	Applications []Application    `json:"applications"`
	Next         string           `json:"next_cursor"`
	Burden       []BurdenMonth    `json:"burden"`
	Workforce    []WorkforceMonth `json:"workforce"`
}

// Published pages through the county's published applications (by id) and lists its months.
func (s *Service) Published(ctx context.Context, after uuid.UUID, limit int) (*Own, error) {
	db, tid := tenants.DB(ctx), tenants.CurrentID(ctx)
	out := &Own{Applications: []Application{}, Burden: []BurdenMonth{}, Workforce: []WorkforceMonth{}}
	var lag struct {
		N      int        `bun:"n"`
		Oldest *time.Time `bun:"oldest"`
	}
	if err := db.NewSelect().Table("supervision_outbox").ColumnExpr("count(*) AS n, min(created_at) AS oldest").
		Where("tenant_id = ?", tid).Scan(ctx, &lag); err != nil {
		return nil, err
	}
	out.Lag.Pending, out.Lag.OldestAt = lag.N, lag.Oldest
	if lag.Oldest != nil {
		out.Lag.Seconds = int64(s.now().Sub(*lag.Oldest).Seconds())
		if out.Lag.Seconds < 0 {
			out.Lag.Seconds = 0
		}
	}
	c := new(County)
	if err := db.NewSelect().Model(c).Where("tenant_id = ?", tid).Scan(ctx); err == nil {
		out.Lag.PublishedSeq, out.Lag.PublishedAt = c.PublishedSeq, c.PublishedAt
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	q := db.NewSelect().Model(&out.Applications).Where("sa.tenant_id = ?", tid).Order("sa.id").Limit(int64(limit + 1))
	if after != uuid.Nil {
		q = q.Where("sa.id > ?", after)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	if len(out.Applications) > limit {
		out.Applications = out.Applications[:limit]
		out.Next = out.Applications[limit-1].ID.String()
	}
	if err := db.NewSelect().Model(&out.Burden).Where("sb.tenant_id = ?", tid).Order("sb.month DESC", "sb.community").Limit(500).Scan(ctx); err != nil {
		return nil, err
	}
	if err := db.NewSelect().Model(&out.Workforce).Where("sw.tenant_id = ?", tid).Order("sw.month DESC", "sw.post", "sw.level").Limit(500).Scan(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// CountySummary is one county's figures as its region's supervisor sees them, from the store.
type CountySummary struct {
	TenantID     uuid.UUID  `json:"tenant_id" bun:"tenant_id"`
	Code         string     `json:"code" bun:"code"`
	Name         string     `json:"name" bun:"name"`
	RegionCode   string     `json:"region_code" bun:"region_code"`
	Applications int        `json:"applications" bun:"applications"`
	Decided      int        `json:"decided" bun:"decided"`
	OnTime       int        `json:"on_time" bun:"on_time"`
	Overdue      int        `json:"overdue" bun:"overdue" doc:"running applications past their due date (warning red)"`
	Yellow       int        `json:"yellow" bun:"yellow"`
	Rated        int        `json:"rated" bun:"rated"`
	Good         int        `json:"good" bun:"good" doc:"ratings of 3 (基本满意) or better"`
	Corrections  int        `json:"corrections" bun:"corrections"`
	PublishedAt  *time.Time `json:"published_at,omitempty" bun:"published_at"`
}

// RegionView is a region supervisor's page: the counties under their region and the figures
// each has published.
type RegionView struct {
	Region   Region          `json:"region"`
	Counties []CountySummary `json:"counties"`
}

// RegionCounties is the supervisor's overview, in the region transaction of ctx: the store's
// policy limits every row to the region's path, whatever the query asks.
func RegionCounties(ctx context.Context) (*RegionView, error) {
	rt, ok := tenants.RegionFrom(ctx)
	if !ok {
		return nil, errors.New("supervision: RegionCounties outside a region transaction")
	}
	db := tenants.RegionDB(ctx)
	out := &RegionView{Counties: []CountySummary{}}
	if err := db.NewSelect().Model(&out.Region).Where("code = ?", rt.Code).Scan(ctx); err != nil {
		return nil, err
	}
	err := db.NewRaw(`
		SELECT c.tenant_id, c.code, c.name, c.region_code, c.published_at,
		       count(a.id) AS applications,
		       count(a.decided_on) AS decided,
		       count(*) FILTER (WHERE a.on_time) AS on_time,
		       count(*) FILTER (WHERE a.warning = 'red' AND a.decided_on IS NULL) AS overdue,
		       count(*) FILTER (WHERE a.warning = 'yellow' AND a.decided_on IS NULL) AS yellow,
		       count(a.rating) AS rated,
		       count(*) FILTER (WHERE a.rating >= 3) AS good,
		       coalesce(sum(a.corrections), 0) AS corrections
		FROM supervision.counties c
		LEFT JOIN supervision.applications a ON a.tenant_id = c.tenant_id
		WHERE c.region_path LIKE ?
		GROUP BY c.tenant_id, c.code, c.name, c.region_code, c.published_at
		ORDER BY c.region_code, c.code`, tenants.EscapeLike(rt.Path)+"%").Scan(ctx, &out.Counties)
	return out, err
}

// RegionApplications pages through one county's published applications, for a supervisor of
// its region; a county outside the region is not found (the policy hides it).
func RegionApplications(ctx context.Context, county uuid.UUID, after uuid.UUID, limit int) ([]Application, string, error) {
	rt, ok := tenants.RegionFrom(ctx)
	if !ok {
		return nil, "", errors.New("supervision: RegionApplications outside a region transaction")
	}
	db := tenants.RegionDB(ctx)
	if ok, err := db.NewSelect().Model((*County)(nil)).Where("tenant_id = ? AND region_path LIKE ?", county, tenants.EscapeLike(rt.Path)+"%").Exists(ctx); err != nil {
		return nil, "", err
	} else if !ok {
		return nil, "", errNotFound
	}
	out := []Application{}
	q := db.NewSelect().Model(&out).Where("sa.tenant_id = ? AND sa.region_path LIKE ?", county, tenants.EscapeLike(rt.Path)+"%").
		Order("sa.id").Limit(int64(limit + 1))
	if after != uuid.Nil {
		q = q.Where("sa.id > ?", after)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID.String()
	}
	return out, next, nil
}
