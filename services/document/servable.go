package document

import (
	"context"
	"errors"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/storage"
)

var errObjectMissing = problem.Conflict("object_missing", "文件在存储中找不到，请联系管理员", "the stored file is missing; tell the administrator")

// servable checks that the stored version a download link will point to can be served now:
// MinIO answers (else storage.ErrUnavailable, a 503) and the version is there. A presigned
// link is signed locally, so without this check a link handed out while MinIO is down would
// simply not open.
func servable(ctx context.Context, t *storage.Tenant, key, version string) error {
	_, err := t.Stat(ctx, key, version)
	if errors.Is(err, storage.ErrNotFound) {
		return errObjectMissing
	}
	return err
}
