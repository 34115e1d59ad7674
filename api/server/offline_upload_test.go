package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// keyedUpload streams body as a material's file with an Idempotency-Key, as the offline
// queue (frontend/src/features/offline/sender.ts) does.
func (b *docBundle) keyedUpload(t *testing.T, m *member, app, material, key string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/api/v1/applications/"+app+"/files?material="+material, bytes.NewReader(body))
	req.Header.Set("Content-Type", "image/jpeg")
	req.Header.Set("X-Session-Token", m.token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	out := map[string]any{}
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// TestOfflineUploadsAreIdempotent: a community worker's phone that sent a proxy application
// from its offline queue sends the 委托书 photo and the materials' photos with one
// Idempotency-Key per file. A retry — after a lost answer, or twice at once — finds the file
// the first attempt registered: one row, one verification. The 委托书 has a key of its own
// (authorization) on a proxy application and on no other.
func TestOfflineUploadsAreIdempotent(t *testing.T) {
	t.Parallel()
	b := setupDocs(t)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "OFFLINE-"+strings.ToUpper(uuid.NewString()[:8]))
	status, app, _ := b.call(t, c.worker, "POST", "/api/v1/applications", map[string]any{"item_id": itemID,
		"applicant":     map[string]any{"kind": "person", "name": "王秀兰", "id_no": "11010519491231002X", "phone": "13912345678"},
		"materials":     []map[string]any{{"key": "id", "provided": true}},
		"authorization": map[string]any{"signed_on": "2026-09-28", "document": "委托书已签字按手印"}}, "Idempotency-Key", uuid.NewString())
	if status != http.StatusCreated {
		t.Fatalf("proxy intake: %d %v", status, app)
	}
	id := app["id"].(string)
	count := func(material string) int {
		_, docs, _ := b.call(t, c.worker, "GET", "/api/v1/applications/"+id+"/documents", nil)
		n := 0
		for _, f := range docs["files"].([]any) {
			if f.(map[string]any)["material_key"] == material {
				n++
			}
		}
		return n
	}

	// The 委托书 photo, sent twice with its key: the same file, once.
	photo, key := randomJPEG(40<<10), uuid.NewString()
	status, first := b.keyedUpload(t, c.worker, id, "authorization", key, photo)
	if status != http.StatusCreated || first["id"] != key || first["sha256"] != hexSum(photo) || first["filename"] != "代办委托书.jpg" {
		t.Fatalf("authorisation photo: %d %v", status, first)
	}
	status, again := b.keyedUpload(t, c.worker, id, "authorization", key, photo)
	if status != http.StatusCreated || again["id"] != key {
		t.Fatalf("the retry: %d %v", status, again)
	}
	if n := count("authorization"); n != 1 {
		t.Fatalf("%d files for the 委托书 after a retry, want 1", n)
	}
	waitFor(t, "the 委托书 photo to be verified", func() bool { return b.fileStatus(t, c.worker, id, key) == "verified" })

	// A material's photo sent four times at once with one key: one file.
	scan, key2 := randomJPEG(120<<10), uuid.NewString()
	var wg sync.WaitGroup
	ids := make([]any, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, f := b.keyedUpload(t, c.worker, id, "id", key2, scan)
			if st != http.StatusCreated {
				t.Errorf("concurrent upload %d: %d %v", i, st, f)
			}
			ids[i] = f["id"]
		}()
	}
	wg.Wait()
	for i, got := range ids {
		if got != key2 {
			t.Errorf("concurrent upload %d answered file %v, want %s", i, got, key2)
		}
	}
	if n := count("id"); n != 1 {
		t.Fatalf("%d files for the material after 4 concurrent sends with one key, want 1", n)
	}

	// A key is one file: reused for another material it is refused; it must be a UUID.
	status, body := b.keyedUpload(t, c.worker, id, "hukou", key, photo)
	wantProblem(t, "a key reused for another material", status, body, 409, "idempotency_key_reused", "")
	status, body = b.keyedUpload(t, c.worker, id, "hukou", "not-a-uuid", photo)
	wantProblem(t, "a key that is no UUID", status, body, 422, "", "header.Idempotency-Key")
	// Without a key every upload is a new file, as before.
	for range 2 {
		if st, f := b.raw(t, c.worker, "/api/v1/applications/"+id+"/files?material=hukou", "image/jpeg", scan); st != http.StatusCreated {
			t.Fatalf("unkeyed upload: %d %v", st, f)
		}
	}
	if n := count("hukou"); n != 2 {
		t.Fatalf("%d unkeyed files, want 2", n)
	}

	// A window application has no 委托书.
	window := b.windowIntake(t, c, itemID)
	status, body = b.raw(t, c.clerk, "/api/v1/applications/"+window["id"].(string)+"/files?material=authorization", "image/jpeg", photo)
	wantProblem(t, "a 委托书 on a window application", status, body, 422, "", "query.material")
}
