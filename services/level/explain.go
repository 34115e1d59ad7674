package level

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/yichuang/yichuang/services/workday"
)

// Explain is the arithmetic behind r, one step a line, all in Chinese (a worker reads it on
// the page; issue 15 item 7: no English in the Chinese UI), so that a worker or an auditor can
// redo the sum by hand. f and asOf must be what r was computed from.
func (r Result) Explain(f Facts, asOf workday.Date) []string {
	lines := []string{
		fmt.Sprintf("岗位 %s：等级范围 %d–%d", f.Post.Label(), r.Range.Min, r.Range.Max),
		fmt.Sprintf("入职 %s，至 %s 满 %d 年（工作年限）", f.Hired, asOf, r.ServiceYears),
	}
	if len(r.BlockedYears) == 0 {
		lines = append(lines, fmt.Sprintf("不计年限的考核年度：无 → 计入 %d 年（计入年限）", r.CountedYears))
	} else if r.ServiceYears >= len(r.BlockedYears) {
		lines = append(lines, fmt.Sprintf("不计年限的考核年度 %s：−%d 年 → 计入 %d 年（计入年限）",
			joinYears(r.BlockedYears), len(r.BlockedYears), r.CountedYears))
	} else { // more blocking years than full years: the floor at 0 shows
		lines = append(lines, fmt.Sprintf("不计年限的考核年度 %s：−%d 年 → %d − %d 不足 0，计入 %d 年（计入年限）",
			joinYears(r.BlockedYears), len(r.BlockedYears), r.ServiceYears, len(r.BlockedYears), r.CountedYears))
	}
	lines = append(lines,
		fmt.Sprintf("学历 %s：+%d 年 → %d 年（学历折算年限）", f.Education.Label(), r.EducationYears, r.CountedYears+r.EducationYears),
		fmt.Sprintf("每 %d 年一级：⌊%d ÷ %d⌋ = %d 级（晋级级数）", r.YearsPerStep, r.CountedYears+r.EducationYears, r.YearsPerStep, r.Steps),
		fmt.Sprintf("社工证 %s：+%d 级（持证加级）", f.Certificate.Label(), r.Bump),
	)
	sum := r.Range.Min + r.Steps + r.Bump
	last := fmt.Sprintf("等级 = %d + %d + %d = %d", r.Range.Min, r.Steps, r.Bump, sum)
	if r.Capped {
		last = fmt.Sprintf("等级 = %d + %d + %d = %d，超过岗位上限 %d → %d 级，已达岗位上限",
			r.Range.Min, r.Steps, r.Bump, sum, r.Range.Max, r.Level)
	} else {
		last += fmt.Sprintf("，不超过岗位上限 %d → %d 级", r.Range.Max, r.Level)
	}
	return append(lines, last)
}

func joinYears(ys []int) string {
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, "、")
}
