package catalog

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/idno"
)

func TestSamples(t *testing.T) {
	t.Parallel()
	s := Samples()
	if len(s) < 18 {
		t.Fatalf("only %d samples", len(s))
	}
	codes, names := map[string]bool{}, map[string]bool{}
	for _, x := range s {
		it := x.Item
		if it.DepartmentID != uuid.Nil {
			t.Errorf("%s: the seeder resolves the department, yet it is set", it.Name)
		}
		d, ok := sampleDepartments[x.Department]
		if !ok {
			t.Errorf("%s: unknown department %q", it.Name, x.Department)
		}
		it.DepartmentID = uuid.New()
		if f := it.Validate(); len(f) > 0 {
			t.Errorf("%s: %+v", it.Name, f)
		}
		if codes[it.ImplCode] || names[it.Name] {
			t.Errorf("%s: implementation code %s or name repeated", it.Name, it.ImplCode)
		}
		codes[it.ImplCode], names[it.Name] = true, true
		// The code names its department, as a county's real codes do.
		if err := idno.Org(it.ImplCode[:18]); err != nil || !strings.HasPrefix(it.ImplCode, d.code) || len(it.BaseCode) != 12 {
			t.Errorf("%s: implementation code %s (%v), base code %s", it.Name, it.ImplCode, err, it.BaseCode)
		}
		if n := utf8.RuneCountInString(it.LegalBasis); n > 200 || !strings.Contains(it.LegalBasis, "《") {
			t.Errorf("%s: legal basis of %d characters cites nothing or too much", it.Name, n)
		}
		if n := len(it.Materials); n < 3 || n > 6 || !it.Accepts(LevelTownship) {
			t.Errorf("%s: %d materials, levels %v", it.Name, n, it.Levels)
		}
	}
	// Fresh values each call: a seeder that edits one result must not change the next.
	s[0].Item.Levels[0], s[0].Item.Materials[0].Name = LevelCounty, "改过"
	if t2 := Samples(); t2[0].Item.Levels[0] == LevelCounty || t2[0].Item.Materials[0].Name == "改过" {
		t.Error("Samples shares slices between calls")
	}
}
