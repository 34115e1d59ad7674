package level

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/yichuang/yichuang/services/workday"
)

// Explain is the arithmetic behind r, one step a line, in Chinese with the English term in
// parentheses, so that a worker or an auditor can redo the sum by hand. f and asOf must be
// what r was computed from.
func (r Result) Explain(f Facts, asOf workday.Date) []string {
	lines := []string{
		fmt.Sprintf("岗位 %s（%s）：等级范围 %d–%d", f.Post.Label(), f.Post, r.Range.Min, r.Range.Max),
		fmt.Sprintf("入职 %s，至 %s 满 %d 年（service years）", f.Hired, asOf, r.ServiceYears),
	}
	if len(r.BlockedYears) == 0 {
		lines = append(lines, fmt.Sprintf("不计年限的考核年度：无 → 计入 %d 年（counted years）", r.CountedYears))
	} else if r.ServiceYears >= len(r.BlockedYears) {
		lines = append(lines, fmt.Sprintf("不计年限的考核年度 %s：−%d 年 → 计入 %d 年（counted years）",
			joinYears(r.BlockedYears), len(r.BlockedYears), r.CountedYears))
	} else { // more blocking years than full years: the floor at 0 shows
		lines = append(lines, fmt.Sprintf("不计年限的考核年度 %s：−%d 年 → 计入 max(0, %d − %d) = %d 年（counted years）",
			joinYears(r.BlockedYears), len(r.BlockedYears), r.ServiceYears, len(r.BlockedYears), r.CountedYears))
	}
	lines = append(lines,
		fmt.Sprintf("学历 %s：+%d 年 → %d 年（education credit）", f.Education.Label(), r.EducationYears, r.CountedYears+r.EducationYears),
		fmt.Sprintf("每 %d 年一级：⌊%d ÷ %d⌋ = %d 级（steps）", r.YearsPerStep, r.CountedYears+r.EducationYears, r.YearsPerStep, r.Steps),
		fmt.Sprintf("社工证 %s：+%d 级（certificate bump）", f.Certificate.Label(), r.Bump),
	)
	last := fmt.Sprintf("等级 = min(%d, %d + %d + %d) = %d", r.Range.Max, r.Range.Min, r.Steps, r.Bump, r.Level)
	if r.Capped {
		last += fmt.Sprintf("，已达岗位上限（capped: %d + %d + %d = %d exceeds the post maximum）",
			r.Range.Min, r.Steps, r.Bump, r.Range.Min+r.Steps+r.Bump)
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
