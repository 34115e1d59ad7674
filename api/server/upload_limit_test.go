package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestPresignedUploadObeysTheSizeLimit is issue 13's attack: a presigned PUT stored 25 MB
// against the county's 20 MB limit (MinIO only checked the signature). The upload is now a
// form POST under a policy MinIO enforces — exactly the declared size, itself within the
// limit — so 25 MB is refused by MinIO and nothing stays stored.
func TestPresignedUploadObeysTheSizeLimit(t *testing.T) {
	t.Parallel()
	b := setupDocs(t)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "LIMIT-"+strings.ToUpper(uuid.NewString()[:8]))
	app := b.windowIntake(t, c, itemID)
	id := app["id"].(string)
	if _, s, _ := b.call(t, c.clerk, "GET", "/api/v1/document-settings", nil); s["max_upload_mb"] != float64(20) {
		t.Fatalf("default limit: %v", s)
	}
	big := randomJPEG(25 << 20)

	// Declaring the truth is refused before any URL is handed out.
	status, body, _ := b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads",
		map[string]any{"material": "id", "content_type": "image/jpeg", "size": len(big), "sha256": hexSum(big)})
	wantProblem(t, "declaring 25 MB", status, body, 413, "file_too_large", "body.size")

	// Declaring less — 1 MB, or the full 20 MB — and sending 25 MB: MinIO refuses it.
	for _, declared := range []int{1 << 20, 20 << 20} {
		status, ticket, _ := b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads",
			map[string]any{"material": "id", "content_type": "image/jpeg", "size": declared, "sha256": hexSum(big[:declared])})
		if status != http.StatusCreated || ticket["method"] != "POST" {
			t.Fatalf("begin upload of %d bytes: %d %v", declared, status, ticket)
		}
		if got := postForm(t, ticket, big); got >= 200 && got < 300 {
			t.Errorf("MinIO stored 25 MB declared as %d bytes: %d", declared, got)
		}
		upload := ticket["upload_id"].(string)
		var key string
		if err := b.db.Owner.QueryRow(context.Background(), "SELECT object_key FROM application_files WHERE id = $1", upload).Scan(&key); err != nil {
			t.Fatal(err)
		}
		if v, err := b.storage.Documents(c.tenant.ID).Versions(context.Background(), key); err != nil || len(v) != 0 {
			t.Errorf("the refused upload left %d versions in MinIO (%v)", len(v), err)
		}
		status, body, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads/"+upload+"/complete", nil)
		wantProblem(t, "completing a refused upload", status, body, 409, "upload_missing", "")
	}
}
