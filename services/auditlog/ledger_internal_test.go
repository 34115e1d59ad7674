package auditlog

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/tenants"
)

// TestDetailsAreLabelledFields: a row's summary is shown as labelled fields in a reader's
// words, not as JSON.
func TestDetailsAreLabelledFields(t *testing.T) {
	t.Parallel()
	sum := map[string]any{"from": "received", "to": "accepted", "receipt_no": "13082620261205000001", "item": "临时救助申请",
		"max_upload_bytes": []any{float64(20971520), float64(10485760)}, "verified": true, "roles": []any{"county_admin", "township_clerk"}}
	got := map[string]string{}
	var order []string
	for _, d := range details("application.accept", sum) {
		got[d.Label] = d.Value
		order = append(order, d.Label)
	}
	for label, want := range map[string]string{"原状态": "已接件", "新状态": "已受理", "受理编号": "13082620261205000001", "事项": "临时救助申请",
		"上传上限（字节）": "20971520 → 10485760", "verified": "是", "角色": "县级管理员、乡镇窗口人员"} {
		if got[label] != want {
			t.Errorf("%s = %q, want %q (all: %v)", label, got[label], want, got)
		}
	}
	staff := map[string]string{}
	for _, d := range details("staff.create", map[string]any{"scope": "org_subtree", "roles": []any{"township_clerk"}}) {
		staff[d.Label] = d.Value
	}
	if staff["数据范围"] != "本单位及下级" || staff["角色"] != "乡镇窗口人员" {
		t.Errorf("staff.create details: %v", staff)
	}
	if order[0] != "受理编号" || order[1] != "事项" {
		t.Errorf("the receipt number and the item come first: %v", order)
	}
}

// TestDocumentRowsShowTheirApplication: a notice's row is named by the notice and its
// application, and links to the application.
func TestDocumentRowsShowTheirApplication(t *testing.T) {
	t.Parallel()
	app := uuid.New()
	sum := map[string]any{"application_id": app.String(), "kind": "accepted"}
	raw, _ := json.Marshal(sum)
	row := tenants.AuditEvent{Action: "document.notice.generate", TargetType: "application_notice", TargetID: "notices/x.pdf", Summary: raw}
	o := object(row, sum, func(kind, id string) string {
		if kind == "application" && id == app.String() {
			return "13082620261205000001 临时救助申请"
		}
		return ""
	})
	if o.Name != "受理通知书 · 13082620261205000001 临时救助申请" || o.Link != "/applications/"+app.String() || o.KindLabel != "通知书" {
		t.Errorf("notice row object: %+v", o)
	}
	if ActionLabel(row.Action) != "生成通知书" {
		t.Errorf("label %q", ActionLabel(row.Action))
	}
}
