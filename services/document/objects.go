package document

import (
	"context"
	"errors"

	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/tenants"
)

// ObjectReport is what CheckObjects found for one county.
type ObjectReport struct {
	// Referenced counts the rows that pin an object version: uploaded, verified or tampered
	// files, rendered notices, archive packages.
	Referenced int `json:"referenced"`
	// Present counts those whose pinned version MinIO holds.
	Present int `json:"present"`
	// Covered counts pinned versions whose bytes are not the newest of their key: overwritten
	// or deleted (a delete marker) after the row was written, as after a point-in-time
	// restore. A newest version that is a copy of the pinned one (storage.Same) is not.
	Covered int `json:"covered"`
	// Promoted counts the covered documents made the newest again (restore mode).
	Promoted int `json:"promoted"`
	// Missing lists "key@version" of pinned versions MinIO does not hold.
	Missing []string `json:"missing"`
}

// CheckObjects checks, for the county in ctx, that every object version its rows pin exists
// in MinIO, and, with promote, makes each covered document version the newest again
// (storage.Tenant.Promote). It is the object half of a point-in-time restore
// (infra/scripts/backup.sh, `yichuang documents check --restore`): the restored rows name the
// versions as they were at the restore point, and the versioned buckets still hold them.
// Archive packages are only checked: they sit under an object lock and are always read by
// their version id. Rows without a version id point at nothing yet (an upload not made, a
// notice not rendered: its job, restored with the database, renders it again).
func (s *Service) CheckObjects(ctx context.Context, promote bool) (*ObjectReport, error) {
	docs, err := s.documents(ctx)
	if err != nil {
		return nil, err
	}
	arch, err := s.archive(ctx)
	if err != nil {
		return nil, err
	}
	var refs []struct {
		Bucket    string `bun:"bucket"`
		ObjectKey string `bun:"object_key"`
		VersionID string `bun:"version_id"`
	}
	tenant := tenants.CurrentID(ctx)
	err = tenants.DB(ctx).NewRaw(`
		SELECT 'documents' AS bucket, object_key, version_id FROM application_files
		 WHERE tenant_id = ? AND version_id IS NOT NULL AND status IN (?, ?, ?)
		UNION ALL
		SELECT 'documents', object_key, version_id FROM application_notices WHERE tenant_id = ? AND version_id IS NOT NULL
		UNION ALL
		SELECT 'archive', object_key, version_id FROM application_archives WHERE tenant_id = ?
		ORDER BY 1, 2`, tenant, StatusUploaded, StatusVerified, StatusTampered, tenant, tenant).Scan(ctx, &refs)
	if err != nil {
		return nil, err
	}
	rep := &ObjectReport{Missing: []string{}}
	for _, r := range refs {
		rep.Referenced++
		t := docs
		if r.Bucket == "archive" {
			t = arch
		}
		pinned, err := t.Stat(ctx, r.ObjectKey, r.VersionID)
		if errors.Is(err, storage.ErrNotFound) {
			rep.Missing = append(rep.Missing, r.ObjectKey+"@"+r.VersionID)
			continue
		} else if err != nil {
			return nil, err
		}
		rep.Present++
		newest, err := t.Stat(ctx, r.ObjectKey, "")
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, err
		}
		if err == nil && storage.Same(newest, pinned) { // the pinned version, or its copy by an earlier restore
			continue
		}
		rep.Covered++
		if promote && r.Bucket == "documents" {
			if _, err := t.Promote(ctx, r.ObjectKey, r.VersionID); err != nil {
				return nil, err
			}
			rep.Promoted++
		}
	}
	return rep, nil
}
