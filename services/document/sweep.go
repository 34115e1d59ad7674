package document

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/yichuang/yichuang/tenants"
)

// UploadGrace is how long after its URL expired a presigned upload that was never completed
// is swept: one begun just before the expiry may still be arriving.
const UploadGrace = time.Hour

// SweepArgs clean up a county's presigned uploads that were never completed.
type SweepArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// Kind is River's job kind.
func (SweepArgs) Kind() string { return "document_upload_sweep" }

// Tenant is the job's tenant.
func (a SweepArgs) Tenant() uuid.UUID { return a.TenantID }

// InsertOpts: the documents queue, at most one per county every ten minutes.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 10 * time.Minute}}
}

// sweepBatch bounds one run; the hourly sweep takes the rest.
const sweepBatch = 200

// SweepUploads removes what presigned uploads left behind when their uploader never
// completed them: every stored version of the object (a stray file that nothing refers to and
// no one checked) goes, and the row is flagged rejected with the reason, so the record says
// what happened. Rows a completion holds are skipped; a completed upload is never touched.
func (s *Service) SweepUploads(ctx context.Context) (int, error) {
	if s.Storage == nil {
		return 0, nil
	}
	var files []File
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&files)).
		Where("f.status = ? AND f.channel = ? AND f.expires_at < ?", StatusAwaiting, ChannelPresigned, s.now().Add(-UploadGrace)).
		OrderExpr("f.expires_at").Limit(sweepBatch).For("UPDATE SKIP LOCKED").Scan(ctx)
	if err != nil {
		return 0, err
	}
	docs, err := s.documents(ctx)
	if err != nil {
		return 0, err
	}
	for i := range files {
		f := &files[i]
		removed, err := docs.Purge(ctx, f.ObjectKey)
		if err != nil {
			return i, err
		}
		zh, en := "上传未在有效期内确认，已作废", "the upload was not completed before its URL expired"
		if removed > 0 {
			zh, en = zh+"并删除已上传的文件", en+"; the uploaded bytes were deleted"
		}
		f.flag(StatusRejected, zh, en)
		if _, err := tenants.DB(ctx).NewUpdate().Model(f).Column("status", "reason", "reason_en").WherePK().Exec(ctx); err != nil {
			return i, err
		}
		if err := tenants.Audit(ctx, tenants.Change{Action: "document.upload.expire", TargetType: "application_file", TargetID: f.ID.String(),
			Summary: map[string]any{"application_id": f.ApplicationID, "file_id": f.ID, "material": f.MaterialKey, "versions_deleted": strconv.Itoa(removed)}}); err != nil {
			return i, err
		}
	}
	return len(files), nil
}
