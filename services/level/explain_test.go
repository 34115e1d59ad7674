package level_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/workday"
)

func explain(t *testing.T, f level.Facts, asOf workday.Date) (level.Result, []string) {
	t.Helper()
	res, err := level.Default().Level(f, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return res, res.Explain(f, asOf)
}

func TestExplain(t *testing.T) {
	t.Parallel()
	f := level.Facts{Post: level.Head, Hired: date("2015-03-01"), Education: level.EducationBachelor,
		Certificate: level.CertificateIntermediate, Appraisals: map[int]level.Appraisal{2021: level.Incompetent, 2019: level.Incompetent, 2020: level.Basic}}
	_, got := explain(t, f, date("2026-11-21"))
	want := []string{
		"岗位 正职：等级范围 7–18",
		"入职 2015-03-01，至 2026-11-21 满 11 年（工作年限）",
		"不计年限的考核年度 2019、2021：−2 年 → 计入 9 年（计入年限）",
		"学历 本科：+3 年 → 12 年（学历折算年限）",
		"每 3 年一级：⌊12 ÷ 3⌋ = 4 级（晋级级数）",
		"社工证 中级（社会工作师）：+2 级（持证加级）",
		"等级 = 7 + 4 + 2 = 13，不超过岗位上限 18 → 13 级",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestExplainCapped(t *testing.T) {
	t.Parallel()
	// Staff, 29 February hire: 30 years to 2026-11-21, 2000 and 2026 rated 不称职. 2026 is
	// deducted although its service year (from 2026-03-01, 29 February being absent) runs
	// till 2027-03-01.
	f := level.Facts{Post: level.Staff, Hired: date("1996-02-29"), Education: level.EducationDoctor,
		Certificate: level.CertificateSenior, Appraisals: map[int]level.Appraisal{2000: level.Incompetent, 2026: level.Incompetent}}
	res, got := explain(t, f, date("2026-11-21"))
	if !res.Capped {
		t.Fatalf("not capped: %+v", res)
	}
	want := []string{
		"岗位 其他社区工作者：等级范围 1–12",
		"入职 1996-02-29，至 2026-11-21 满 30 年（工作年限）",
		"不计年限的考核年度 2000、2026：−2 年 → 计入 28 年（计入年限）",
		"学历 博士：+7 年 → 35 年（学历折算年限）",
		"每 3 年一级：⌊35 ÷ 3⌋ = 11 级（晋级级数）",
		"社工证 高级（高级社会工作师）：+3 级（持证加级）",
		"等级 = 1 + 11 + 3 = 15，超过岗位上限 12 → 12 级，已达岗位上限",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// More blocking years than full years: the line shows the floor at 0 so the sum still redoes by hand.
func TestExplainFloor(t *testing.T) {
	t.Parallel()
	f := level.Facts{Post: level.Staff, Hired: date("2025-06-01"), Education: level.EducationDoctor,
		Certificate: level.CertificateNone, Appraisals: map[int]level.Appraisal{2025: level.Incompetent, 2026: level.Incompetent}}
	res, got := explain(t, f, date("2026-02-01"))
	if res.Level != 3 || res.CountedYears != 0 {
		t.Fatalf("%+v", res)
	}
	want := []string{
		"岗位 其他社区工作者：等级范围 1–12",
		"入职 2025-06-01，至 2026-02-01 满 0 年（工作年限）",
		"不计年限的考核年度 2025、2026：−2 年 → 0 − 2 不足 0，计入 0 年（计入年限）",
		"学历 博士：+7 年 → 7 年（学历折算年限）",
		"每 3 年一级：⌊7 ÷ 3⌋ = 2 级（晋级级数）",
		"社工证 无：+0 级（持证加级）",
		"等级 = 1 + 2 + 0 = 3，不超过岗位上限 12 → 3 级",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestExplainNothingBlocked(t *testing.T) {
	t.Parallel()
	f := level.Facts{Post: level.Deputy, Hired: date("2026-01-05"), Education: level.EducationNone, Certificate: level.CertificateNone}
	res, got := explain(t, f, date("2026-11-21"))
	if res.Level != 4 || res.Capped {
		t.Fatalf("%+v", res)
	}
	want := []string{
		"岗位 副职：等级范围 4–15",
		"入职 2026-01-05，至 2026-11-21 满 0 年（工作年限）",
		"不计年限的考核年度：无 → 计入 0 年（计入年限）",
		"学历 高中及以下：+0 年 → 0 年（学历折算年限）",
		"每 3 年一级：⌊0 ÷ 3⌋ = 0 级（晋级级数）",
		"社工证 无：+0 级（持证加级）",
		"等级 = 4 + 0 + 0 = 4，不超过岗位上限 15 → 4 级",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The last line's sum is the level for every combination, so the explanation cannot drift
// from the computation.
func TestExplainEndsWithTheLevel(t *testing.T) {
	t.Parallel()
	for _, p := range level.Posts {
		for _, e := range level.Educations {
			for _, c := range level.Certificates {
				for n := 0; n <= 40; n += 7 {
					f := level.Facts{Post: p, Hired: date("1990-07-01"), Education: e, Certificate: c}
					asOf := workday.DateOf(tm(f.Hired).AddDate(n, 0, 0))
					res, lines := explain(t, f, asOf)
					last := lines[len(lines)-1]
					tail := "→ " + strconv.Itoa(res.Level) + " 级"
					if res.Capped {
						tail += "，已达岗位上限"
					}
					if !strings.HasPrefix(last, "等级 = ") || !strings.HasSuffix(last, tail) {
						t.Errorf("%s/%s/%s %d: %q for %+v", p, e, c, n, last, res)
					}
					// The explanation is shown on the worker's page: Chinese only, no English
					// term in brackets (issue 15 item 7).
					for _, l := range lines {
						if latin.MatchString(l) {
							t.Errorf("%s/%s/%s %d: Latin letters in %q", p, e, c, n, l)
						}
					}
				}
			}
		}
	}
}

var latin = regexp.MustCompile(`[A-Za-z]`)
