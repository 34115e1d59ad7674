package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/tenants"
)

// TestApplicantIDThroughTheAPI (issue 13 item 10): the applicant's ID number is sealed at
// rest, masked in every answer (intake, page, worklist), found by a whole-number search,
// and shown in full only by reveal-id, to the roles that check identity, within their data
// scope, with an audit row each time. Idempotent intake keeps working on top of it.
func TestApplicantIDThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	other := b.newCounty(t)
	itemID := b.publishItem(t, c, "IDNO-"+strings.ToUpper(uuid.NewString()[:8]))
	const number, masked = "11010519491231002X", "110105********002X"
	noFullNumber := func(what string, body map[string]any) {
		t.Helper()
		raw, _ := json.Marshal(body)
		if strings.Contains(string(raw), number) {
			t.Errorf("%s carries the full number: %s", what, raw)
		}
	}

	intake := map[string]any{"item_id": itemID,
		"applicant": map[string]any{"kind": "person", "name": "王秀兰", "id_no": number, "phone": "13912345678"},
		"materials": []map[string]any{{"key": "id", "provided": true}}}
	key := "idno-" + uuid.NewString()[:8]
	status, app, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", intake, "Idempotency-Key", key)
	if status != http.StatusCreated || app["applicant"].(map[string]any)["id_no_masked"] != masked {
		t.Fatalf("intake: %d %v", status, app)
	}
	noFullNumber("the intake answer", app)
	id := app["id"].(string)
	if status, again, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", intake, "Idempotency-Key", key); status != http.StatusCreated || again["id"] != id {
		t.Errorf("retried intake: %d %v, want the first application %s", status, again["id"], id)
	}

	_, page, _ := b.call(t, c.clerk, "GET", "/api/v1/applications/"+id, nil)
	if page["applicant"].(map[string]any)["id_no_masked"] != masked {
		t.Errorf("application page: %v", page["applicant"])
	}
	noFullNumber("the application page", page)
	search := func(q string) []any {
		t.Helper()
		status, list, _ := b.call(t, c.clerk, "GET", "/api/v1/applications?q="+url.QueryEscape(q), nil)
		if status != http.StatusOK {
			t.Fatalf("search %q: %d %v", q, status, list)
		}
		noFullNumber("the worklist", list)
		return list["items"].([]any)
	}
	if items := search(number); len(items) != 1 || items[0].(map[string]any)["id"] != id || items[0].(map[string]any)["applicant_id_no"] != masked {
		t.Errorf("search by the whole number: %v", items)
	}
	if items := search(strings.ToLower(number)); len(items) != 1 {
		t.Errorf("search by the number in lower case: %v", items)
	}
	if items := search(number[:10]); len(items) != 0 {
		t.Errorf("a fragment of the number found %v", items)
	}

	// Sealed at rest: the row as the database owner sees it has no trace of the number.
	var row string
	if err := b.db.Owner.QueryRow(context.Background(), "SELECT row_to_json(a)::text FROM applications a WHERE id = $1", id).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row, number) || !strings.Contains(row, masked) {
		t.Errorf("stored row: %s", row)
	}

	// The full view: the hall's clerk and the county admin; not the community worker, not
	// another county; each look audited.
	reveal := "/api/v1/applications/" + id + "/reveal-id"
	for _, m := range []*member{c.clerk, c.admin} {
		if status, body, _ := b.call(t, m, "POST", reveal, nil); status != http.StatusOK || body["id_number"] != number {
			t.Errorf("reveal: %d %v", status, body)
		}
	}
	if status, body, _ := b.call(t, c.worker, "POST", reveal, nil); status != http.StatusForbidden {
		t.Errorf("community worker reveals: %d %v", status, body)
	}
	if status, body, _ := b.call(t, other.admin, "POST", reveal, nil); status != http.StatusNotFound {
		t.Errorf("another county's admin reveals: %d %v", status, body)
	}
	var reveals []tenants.AuditEvent
	b.db.Ctx(t, c.tenant.ID, func(ctx context.Context) error {
		return tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&reveals)).Where("action = 'application.reveal_id' AND target_id = ?", id).Order("seq").Scan(ctx)
	})
	if len(reveals) != 2 || *reveals[0].ActorID != c.clerk.m.IdentityID || *reveals[1].ActorID != c.admin.m.IdentityID {
		t.Errorf("reveal audit rows: %+v", reveals)
	}
	if _, events, _ := b.call(t, c.admin, "GET", "/api/v1/audit-events?limit=200", nil); strings.Contains(toJSON(events), number) {
		t.Error("the audit log shows the full number")
	}
}

func toJSON(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
