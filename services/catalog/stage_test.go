package catalog

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// 环节时限 (issue 16 item 3). 行政许可法 art. 42: the decision is made within the limit, so an
// item's back-office steps must fit inside its own limit — the committed one (承诺时限), else
// the statutory one (法定时限). Every refusal names the field, in Chinese and English.
func TestStagesValidate(t *testing.T) {
	t.Parallel()
	base := func() Item {
		return Item{BaseCode: "000517006000", ImplCode: "TEST-STAGES-1", Name: "临时救助申请", Kind: KindPayment, DepartmentID: uuid.New(),
			LegalBasis: "《社会救助暂行办法》", Levels: []Level{LevelTownship}, Handling: HandlingPromised, LegalDays: 20, PromisedDays: 10}
	}
	ten := make([]Stage, 11)
	for i := range ten {
		ten[i] = Stage{Name: "环节" + string(rune('A'+i)), LimitDays: 1}
	}
	for _, c := range []struct {
		name   string
		edit   func(*Item)
		loc    string // "" when valid
		reason string
	}{
		{"none", func(*Item) {}, "", ""},
		{"exactly the committed limit", func(it *Item) { it.Stages = []Stage{{"审查", 6}, {"决定", 4}} }, "", ""},
		{"over the committed limit", func(it *Item) { it.Stages = []Stage{{"审查", 7}, {"决定", 4}} }, "stages", "第四十二条"},
		// Without a committed limit (refused for a promised item on its own field), the
		// statutory one bounds the steps.
		{"over the statutory limit of an item with no promise", func(it *Item) {
			it.PromisedDays = 0
			it.Stages = []Stage{{"审查", 21}}
		}, "stages", "办理时限 20 个工作日"},
		{"an instant item", func(it *Item) { it.Handling, it.PromisedDays = HandlingInstant, 0; it.Stages = []Stage{{"审查", 1}} }, "stages", "即办件"},
		{"empty name", func(it *Item) { it.Stages = []Stage{{" ", 3}} }, "stages[0].name", "1 至 20"},
		{"long name", func(it *Item) { it.Stages = []Stage{{strings.Repeat("审", 21), 3}} }, "stages[0].name", "1 至 20"},
		{"name with the cell's separator", func(it *Item) { it.Stages = []Stage{{"审查:初审", 3}} }, "stages[0].name", "冒号"},
		{"repeated name", func(it *Item) { it.Stages = []Stage{{"审查", 3}, {"审查", 3}} }, "stages[1].name", "重复"},
		{"zero days", func(it *Item) { it.Stages = []Stage{{"审查", 0}} }, "stages[0].limit_days", "1 至 250"},
		{"eleven steps", func(it *Item) { it.Stages = ten; it.PromisedDays = 20 }, "stages", "10 个"},
	} {
		it := base()
		c.edit(&it)
		fields := it.Validate()
		if c.loc == "" {
			if len(fields) != 0 {
				t.Errorf("%s: %+v, want valid", c.name, fields)
			}
			continue
		}
		found := false
		for _, f := range fields {
			if f.Location == c.loc && strings.Contains(f.Message, c.reason) && f.MessageEn != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %+v, want %s mentioning %q", c.name, fields, c.loc, c.reason)
		}
	}
}

// The workbook's cell: "审查:5;决定:3", full-width separators too, and back.
func TestStagesCell(t *testing.T) {
	t.Parallel()
	got, err := ParseStages(" 审查：5；决定:3; ")
	if err != nil || len(got) != 2 || got[0] != (Stage{"审查", 5}) || got[1] != (Stage{"决定", 3}) {
		t.Fatalf("parsed %+v, %v", got, err)
	}
	if s := FormatStages(got); s != "审查:5;决定:3" {
		t.Errorf("formatted %q", s)
	}
	for _, bad := range []string{"审查", "审查:五", ":"} {
		if _, err := ParseStages(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if ss, err := ParseStages(""); err != nil || len(ss) != 0 {
		t.Errorf("empty cell: %+v, %v", ss, err)
	}
}
