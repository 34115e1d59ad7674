package supervision

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/tenants"
)

// The platform operator's console (issue 16, item 1). Its reads across counties are the
// deliberate, separately privileged path: the registry through the platform transaction
// (Store.InPlatform: app.platform_scan for the county registry, app.platform_admin for the
// regions), and each county's health in that county's own transaction, one at a time — never
// a query that spans counties' rows. Only region accounts of the platform operator reach it
// (api/server registers these operations for region sessions only).

// CountyLine is a county in the operator's list.
type CountyLine struct {
	ID         uuid.UUID `json:"id"`
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	RegionCode string    `json:"region_code"`
	CityCode   string    `json:"city_code"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
}

// Registry is the operator's overview: the regions and the counties under each city.
type Registry struct {
	Regions  []Region     `json:"regions"`
	Counties []CountyLine `json:"counties"`
}

// Counties lists the regions and every county (suspended ones too) with its city.
func (s *Service) Counties(ctx context.Context) (*Registry, error) {
	out := &Registry{Regions: []Region{}, Counties: []CountyLine{}}
	err := s.Store.InPlatform(ctx, func(ctx context.Context, db bun.IDB) error {
		if err := db.NewSelect().Model(&out.Regions).Order("path").Scan(ctx); err != nil {
			return err
		}
		var ts []tenants.Tenant
		if err := db.NewSelect().Model(&ts).Order("t.code").Scan(ctx); err != nil {
			return err
		}
		for _, t := range ts {
			l := CountyLine{ID: t.ID, Code: t.Code, Name: t.Name, RegionCode: t.RegionCode, Status: t.Status, CreatedAt: t.CreatedAt}
			if t.CityCode != nil {
				l.CityCode = *t.CityCode
			}
			out.Counties = append(out.Counties, l)
		}
		return nil
	})
	return out, err
}

// Health is one county's state as the operator watches it.
type Health struct {
	TenantID     uuid.UUID  `json:"tenant_id"`
	JobBacklog   int        `json:"job_backlog" doc:"jobs waiting to run (available, scheduled, retryable), up to 1000"`
	LastAnchorAt *time.Time `json:"last_anchor_at,omitempty" doc:"when the audit chain's head was last anchored in the locked archive"`
	LastAnchorOK bool       `json:"last_anchor_known" doc:"false when the archive could not be asked or holds no anchor yet"`
	LastSignInAt *time.Time `json:"last_sign_in_at,omitempty"`
	StorageBytes int64      `json:"storage_bytes" doc:"bytes of uploaded materials, notices and archive packages"`
	FeedPending  int        `json:"feed_pending" doc:"changes not yet published to the supervision store"`
	FeedLagSecs  int64      `json:"feed_lag_seconds"`
}

// VaultFor gives a county's view of the archive bucket (nil when MinIO is not configured).
type VaultFor func(tenant uuid.UUID) auditlog.Vault

// CountyHealth reads one county's health in that county's transaction.
func (s *Service) CountyHealth(ctx context.Context, tenantID uuid.UUID, vault VaultFor) (*Health, error) {
	h := &Health{TenantID: tenantID}
	err := s.Store.InTx(ctx, tenantID, func(ctx context.Context) error {
		if _, err := tenants.Current(ctx); err != nil {
			return errNotFound
		}
		db := tenants.DB(ctx)
		if err := db.NewRaw(`SELECT max(at) FROM login_events WHERE tenant_id = ? AND result = 'success'`, tenantID).Scan(ctx, &h.LastSignInAt); err != nil {
			return err
		}
		if err := db.NewRaw(`SELECT
			coalesce((SELECT sum(size) FROM application_files WHERE tenant_id = ?), 0) +
			coalesce((SELECT sum(size) FROM application_notices WHERE tenant_id = ?), 0) +
			coalesce((SELECT sum(size) FROM application_archives WHERE tenant_id = ?), 0)`, tenantID, tenantID, tenantID).Scan(ctx, &h.StorageBytes); err != nil {
			return err
		}
		var lag struct {
			N      int        `bun:"n"`
			Oldest *time.Time `bun:"oldest"`
		}
		if err := db.NewSelect().Table("supervision_outbox").ColumnExpr("count(*) AS n, min(created_at) AS oldest").
			Where("tenant_id = ?", tenantID).Scan(ctx, &lag); err != nil {
			return err
		}
		h.FeedPending = lag.N
		if lag.Oldest != nil {
			h.FeedLagSecs = max(0, int64(s.now().Sub(*lag.Oldest).Seconds()))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if h.JobBacklog, err = s.Store.Backlog(ctx, tenantID); err != nil {
		return nil, err
	}
	if vault != nil {
		if v := vault(tenantID); v != nil {
			a, err := auditlog.NewestAnchor(ctx, v)
			switch {
			case err == nil:
				h.LastAnchorAt, h.LastAnchorOK = &a.AnchoredAt, true
			case errors.Is(err, auditlog.ErrNoAnchor):
			default:
				// The archive is down: the console says "unknown", the rest still shows.
			}
		}
	}
	return h, nil
}
