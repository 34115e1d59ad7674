package supervision

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/tenants"
)

// A monthly record's version (burden_months, workforce_months; issue 16, item 2).
//
// An application's version comes from its own row (version × 4 + ratings), because every change
// to what is published about it is a write to that row or its ratings. A month is different: its
// figures are computed again from the county's data whenever it is published, and they change
// without any row of theirs changing — a worker's dated change takes effect on its day, the
// current month's head count is "as of today" until the month closes, a payroll month shows the
// workers' current level, a task may be deleted. A version taken from the source rows (their
// newest update) would miss those changes and could even fall when a row goes. So the county
// keeps, per record, the hash of the content it last published and a counter that moves only when
// the hash does (supervision_month_versions, in the county's own tables, beside the pseudonyms'
// secret): the same content keeps its version whenever and however often it is written, any
// change raises it by one, and Republish — which rebuilds the store, not the county's
// bookkeeping — reads the same counters and writes the same versions. The store's rows are
// written only over a lower version (writeMonth), so an older write never replaces a newer one.

// ledgerLine is one record's line in the county's bookkeeping: what it last published (no hash:
// the record is gone) at which version.
type ledgerLine struct {
	bun.BaseModel `bun:"table:supervision_month_versions,alias:mv"`

	TenantID uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	Month    string    `bun:"month,pk"`
	Kind     string    `bun:"kind,pk"`
	Key      string    `bun:"key,pk"`
	Hash     []byte    `bun:"hash,nullzero"`
	Version  int64     `bun:"version"`
}

// monthRecord is a record about to be written: its key within the month and kind, the hash of
// its content, and where its version goes.
type monthRecord struct {
	key     string
	hash    []byte
	version *int64
}

// monthVersions sets each record's version from the county's bookkeeping for month and kind,
// raising it where the content changed, and marks the records no longer there as gone.
func monthVersions(ctx context.Context, tid uuid.UUID, month, kind string, recs []monthRecord) error {
	db := tenants.DB(ctx)
	var lines []ledgerLine
	if err := db.NewSelect().Model(&lines).Where("tenant_id = ? AND month = ? AND kind = ?", tid, month, kind).Scan(ctx); err != nil {
		return err
	}
	old := make(map[string]ledgerLine, len(lines))
	for _, l := range lines {
		old[l.Key] = l
	}
	var changed []ledgerLine
	for _, r := range recs {
		l, ok := old[r.key]
		delete(old, r.key)
		if ok && bytes.Equal(l.Hash, r.hash) {
			*r.version = l.Version
			continue
		}
		*r.version = l.Version + 1
		changed = append(changed, ledgerLine{TenantID: tid, Month: month, Kind: kind, Key: r.key, Hash: r.hash, Version: *r.version})
	}
	for _, l := range old { // what is left was published before and is not there now
		if l.Hash != nil {
			l.Hash, l.Version = nil, l.Version+1
			changed = append(changed, l)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&changed).On("CONFLICT (tenant_id, month, kind, key) DO UPDATE").
		Set("hash = EXCLUDED.hash, version = EXCLUDED.version").Exec(ctx)
	return err
}

// contentHash is the hash of a monthly record's published content: every column but the
// version (and the county, the same for all), the region path included — a county moved to
// another city publishes changed records. Hours are rounded: the burden sums them in the order
// the rows came, and a last-bit difference is not a change.
func contentHash(record any, path string) []byte {
	j, err := json.Marshal(record)
	if err != nil {
		panic(err) // plain structs of numbers and strings
	}
	h := sha256.New()
	h.Write(j)
	h.Write([]byte{0})
	h.Write([]byte(path))
	return h.Sum(nil)
}

// writeMonth writes month's burden and workforce records of the county at their versions: a
// stored row is replaced only by a higher version, and a row no longer there is deleted only
// when its bookkeeping line has moved past it.
func writeMonth(ctx context.Context, tid uuid.UUID, month string, burden []BurdenMonth, work []WorkforceMonth) error {
	db := tenants.DB(ctx)
	recs := make([]monthRecord, len(burden))
	keys := make([]string, len(burden))
	for i := range burden {
		b := burden[i]
		b.Version, b.Hours = 0, math.Round(b.Hours*1e4)/1e4
		keys[i] = b.Community
		recs[i] = monthRecord{key: keys[i], hash: contentHash(b, b.RegionPath), version: &burden[i].Version}
	}
	if err := monthVersions(ctx, tid, month, "burden", recs); err != nil {
		return err
	}
	if len(burden) > 0 {
		if _, err := db.NewInsert().Model(&burden).On("CONFLICT (tenant_id, month, community) DO UPDATE").
			Set(`region_path = EXCLUDED.region_path, version = EXCLUDED.version, tasks = EXCLUDED.tasks, accepted = EXCLUDED.accepted,
				refused = EXCLUDED.refused, intercepted = EXCLUDED.intercepted, hours = EXCLUDED.hours, ledgers = EXCLUDED.ledgers,
				certificates = EXCLUDED.certificates, inspections = EXCLUDED.inspections`).
			Where("sb.version < EXCLUDED.version").Exec(ctx); err != nil {
			return err
		}
	}
	gone := db.NewDelete().TableExpr("supervision.burden_months AS sb").Where("sb.tenant_id = ? AND sb.month = ?", tid, month).
		Where(`sb.version < coalesce((SELECT mv.version FROM supervision_month_versions mv
			WHERE mv.tenant_id = ? AND mv.month = ? AND mv.kind = 'burden' AND mv.key = sb.community), sb.version + 1)`, tid, month)
	if len(keys) > 0 {
		gone = gone.Where("sb.community NOT IN (?)", bun.In(keys))
	}
	if _, err := gone.Exec(ctx); err != nil {
		return err
	}

	recs = make([]monthRecord, len(work))
	keys = make([]string, len(work))
	for i := range work {
		w := work[i]
		w.Version = 0
		keys[i] = fmt.Sprintf("%s/%d", w.Post, w.Level)
		recs[i] = monthRecord{key: keys[i], hash: contentHash(w, w.RegionPath), version: &work[i].Version}
	}
	if err := monthVersions(ctx, tid, month, "workforce", recs); err != nil {
		return err
	}
	if len(work) > 0 {
		if _, err := db.NewInsert().Model(&work).On("CONFLICT (tenant_id, month, post, level) DO UPDATE").
			Set("region_path = EXCLUDED.region_path, version = EXCLUDED.version, workers = EXCLUDED.workers, payroll_fen = EXCLUDED.payroll_fen").
			Where("sw.version < EXCLUDED.version").Exec(ctx); err != nil {
			return err
		}
	}
	gone = db.NewDelete().TableExpr("supervision.workforce_months AS sw").Where("sw.tenant_id = ? AND sw.month = ?", tid, month).
		Where(`sw.version < coalesce((SELECT mv.version FROM supervision_month_versions mv
			WHERE mv.tenant_id = ? AND mv.month = ? AND mv.kind = 'workforce' AND mv.key = sw.post || '/' || sw.level), sw.version + 1)`, tid, month)
	if len(keys) > 0 {
		gone = gone.Where("(sw.post || '/' || sw.level) NOT IN (?)", bun.In(keys))
	}
	_, err := gone.Exec(ctx)
	return err
}
