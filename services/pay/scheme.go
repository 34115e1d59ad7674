package pay

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/problem"
)

// Bounds a scheme must keep. The money and coefficient caps are far above any county's
// pay; they exist so that the payroll's int64 arithmetic (base × coefficient × days ×
// permille) can never overflow, whatever an editor types.
const (
	MaxMoney          Money = 1_000_000_000 // 1000 万元
	MaxCoefficient          = 100_000       // 100.000
	MaxYearsPerStep         = 10
	MaxEducationYears       = 20
	MaxPermille             = 3000
	MaxAllowanceName        = 20 // characters, so the sheet's column header stays readable
	MaxLabel                = 50
)

// LevelPay is the monthly pay of level lv (1..18) before the basic/performance split, or
// 0 for a level outside the table.
func (s *Scheme) LevelPay(lv int) Money {
	if lv < 1 || lv > level.Levels {
		return 0
	}
	switch s.Mode {
	case ModeCoefficient:
		if lv > len(s.Coefficients) {
			return 0
		}
		return Money(divRound(int64(s.Base)*int64(s.Coefficients[lv-1]), 1000))
	case ModeAmount:
		if lv > len(s.Amounts) {
			return 0
		}
		return s.Amounts[lv-1]
	}
	return 0
}

// Validate returns every problem with the scheme, so that the editor can mark all the
// fields at once, or nil when the scheme is usable.
func (s *Scheme) Validate() []problem.Field {
	var v validator
	v.check(strings.TrimSpace(s.Label) != "" && utf8.RuneCountInString(s.Label) <= MaxLabel, "body.label",
		fmt.Sprintf("方案名称不能为空，且不超过 %d 个字", MaxLabel),
		fmt.Sprintf("the label must be 1 to %d characters", MaxLabel), s.Label)
	v.rule(&s.Rule)

	switch s.Mode {
	case ModeCoefficient:
		v.check(s.Base > 0 && s.Base <= MaxMoney, "body.base",
			"基数须大于 0 且不超过 1000 万元", "the base must be above 0 and at most 10,000,000 yuan", s.Base)
		if v.check(len(s.Coefficients) == level.Levels, "body.coefficients",
			fmt.Sprintf("须为 %d 个等级各填一个系数", level.Levels),
			fmt.Sprintf("give exactly one coefficient for each of the %d levels", level.Levels), len(s.Coefficients)) {
			ladder(&v, "body.coefficients", s.Coefficients, MaxCoefficient, "系数", "coefficient", "不超过 100", "at most 100")
		}
	case ModeAmount:
		if v.check(len(s.Amounts) == level.Levels, "body.amounts",
			fmt.Sprintf("须为 %d 个等级各填一个金额", level.Levels),
			fmt.Sprintf("give exactly one amount for each of the %d levels", level.Levels), len(s.Amounts)) {
			ladder(&v, "body.amounts", s.Amounts, MaxMoney, "金额", "amount", "不超过 1000 万元", "at most 10,000,000 yuan")
		}
	default:
		v.add("body.mode", "计算方式须为“基数×系数”或“固定金额”", `the mode must be "coefficient" or "amount"`, s.Mode)
	}

	v.check(s.BasicPermille >= 0 && s.BasicPermille <= 1000, "body.basic_permille",
		"基础工资占比须在 0 到 1000‰ 之间", "the basic share must be 0 to 1000 per mille", s.BasicPermille)
	for _, a := range level.Appraisals {
		loc := "body.performance_permille." + string(a)
		p, ok := s.PerformancePermille[a]
		if !v.check(ok, loc, "缺少考核“"+a.Label()+"”的绩效系数", "the performance factor for "+string(a)+" is missing", nil) {
			continue
		}
		v.check(p >= 0 && p <= MaxPermille, loc,
			"绩效系数须在 0 到 3000‰ 之间", "the performance factor must be 0 to 3000 per mille", p)
	}
	for _, k := range unknown(s.PerformancePermille, level.Appraisal.Valid) {
		v.add("body.performance_permille."+string(k), "未知的考核结果", "unknown appraisal result", k)
	}
	v.check(s.NoAppraisalPermille >= 0 && s.NoAppraisalPermille <= MaxPermille, "body.no_appraisal_permille",
		"无考核结果时的绩效系数须在 0 到 3000‰ 之间", "the factor without an appraisal must be 0 to 3000 per mille", s.NoAppraisalPermille)

	seen := make(map[string]int, len(s.Allowances))
	for i, a := range s.Allowances {
		loc := fmt.Sprintf("body.allowances[%d]", i)
		name := strings.TrimSpace(a.Name)
		if v.check(name != "" && utf8.RuneCountInString(a.Name) <= MaxAllowanceName, loc+".name",
			fmt.Sprintf("津贴名称不能为空，且不超过 %d 个字", MaxAllowanceName),
			fmt.Sprintf("the allowance name must be 1 to %d characters", MaxAllowanceName), a.Name) {
			if j, dup := seen[name]; dup {
				v.add(loc+".name", fmt.Sprintf("与第 %d 项津贴重名", j+1),
					fmt.Sprintf("the name repeats allowance %d", j+1), a.Name)
			}
			seen[name] = i
		}
		v.check(a.Fixed >= 0 && a.Fixed <= MaxMoney, loc+".fixed",
			"金额须在 0 到 1000 万元之间", "the amount must be 0 to 10,000,000 yuan", a.Fixed)
		for _, c := range level.Certificates {
			if m, ok := a.ByCertificate[c]; ok {
				v.check(m >= 0 && m <= MaxMoney, loc+".by_certificate."+string(c),
					"金额须在 0 到 1000 万元之间", "the amount must be 0 to 10,000,000 yuan", m)
			}
		}
		for _, k := range unknown(a.ByCertificate, level.Certificate.Valid) {
			v.add(loc+".by_certificate."+string(k), "未知的证书等级", "unknown certificate", k)
		}
	}

	if v.check(s.ProgressionMonth >= time.January && s.ProgressionMonth <= time.December, "body.progression_month",
		"晋级月份须在 1 到 12 之间", "the progression month must be 1 to 12", int(s.ProgressionMonth)) {
		// 29 February is refused: a progression date must come round every year.
		last := Month{2001, s.ProgressionMonth}.Days()
		v.check(s.ProgressionDay >= 1 && s.ProgressionDay <= last, "body.progression_day",
			fmt.Sprintf("晋级日须在 1 到 %d 之间（每年都有的日期）", last),
			fmt.Sprintf("the progression day must be 1 to %d (a date every year has)", last), s.ProgressionDay)
	}
	return v.fields
}

func (v *validator) rule(r *level.Rule) {
	for _, p := range level.Posts {
		loc := "body.rule.ranges." + string(p)
		rg, ok := r.Ranges[p]
		if !v.check(ok, loc, "缺少“"+p.Label()+"”的等级范围", "the level range for "+string(p)+" is missing", nil) {
			continue
		}
		v.check(rg.Min >= 1 && rg.Min <= rg.Max && rg.Max <= level.Levels, loc,
			fmt.Sprintf("等级范围须满足 1 ≤ 最低 ≤ 最高 ≤ %d", level.Levels),
			fmt.Sprintf("the range must satisfy 1 <= min <= max <= %d", level.Levels), rg)
	}
	for _, k := range unknown(r.Ranges, level.Post.Valid) {
		v.add("body.rule.ranges."+string(k), "未知的岗位", "unknown post", k)
	}
	v.check(r.YearsPerStep >= 1 && r.YearsPerStep <= MaxYearsPerStep, "body.rule.years_per_step",
		fmt.Sprintf("晋级年限须在 1 到 %d 年之间", MaxYearsPerStep),
		fmt.Sprintf("years per step must be 1 to %d", MaxYearsPerStep), r.YearsPerStep)
	for _, e := range level.Educations {
		if y, ok := r.EducationYears[e]; ok {
			v.check(y >= 0 && y <= MaxEducationYears, "body.rule.education_years."+string(e),
				fmt.Sprintf("学历折算年限须在 0 到 %d 年之间", MaxEducationYears),
				fmt.Sprintf("education years must be 0 to %d", MaxEducationYears), y)
		}
	}
	for _, k := range unknown(r.EducationYears, level.Education.Valid) {
		v.add("body.rule.education_years."+string(k), "未知的学历", "unknown education", k)
	}
	for _, c := range level.Certificates {
		if n, ok := r.CertificateSteps[c]; ok {
			v.check(n >= 0 && n <= level.Levels-1, "body.rule.certificate_steps."+string(c),
				fmt.Sprintf("证书晋级数须在 0 到 %d 级之间", level.Levels-1),
				fmt.Sprintf("certificate steps must be 0 to %d", level.Levels-1), n)
		}
	}
	for _, k := range unknown(r.CertificateSteps, level.Certificate.Valid) {
		v.add("body.rule.certificate_steps."+string(k), "未知的证书等级", "unknown certificate", k)
	}
	for i, a := range r.Blocking {
		v.check(a.Valid(), fmt.Sprintf("body.rule.blocking[%d]", i), "未知的考核结果", "unknown appraisal result", a)
	}
}

// ladder checks a per-level table: every entry positive and capped, and no level paid
// less than the one below it.
func ladder[T int | Money](v *validator, loc string, xs []T, most T, zh, en, mostZh, mostEn string) {
	for i, x := range xs {
		l := fmt.Sprintf("%s[%d]", loc, i)
		if !v.check(x > 0 && x <= most, l,
			fmt.Sprintf("第 %d 级%s须大于 0 且%s", i+1, zh, mostZh),
			fmt.Sprintf("the level %d %s must be above 0 and %s", i+1, en, mostEn), x) {
			continue
		}
		if i > 0 && xs[i-1] > 0 {
			v.check(x >= xs[i-1], l,
				fmt.Sprintf("第 %d 级%s不能低于第 %d 级", i+1, zh, i),
				fmt.Sprintf("the level %d %s must not be below level %d's", i+1, en, i), x)
		}
	}
}

// unknown lists m's keys that valid refuses, sorted so that the problems come in a stable
// order.
func unknown[K ~string, V any](m map[K]V, valid func(K) bool) []K {
	var ks []K
	for k := range m {
		if !valid(k) {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

type validator struct{ fields []problem.Field }

func (v *validator) add(loc, zh, en string, value any) {
	v.fields = append(v.fields, problem.Field{Location: loc, Message: zh, MessageEn: en, Value: value})
}

// check records a problem unless ok, and returns ok so that dependent checks can be
// skipped rather than reported twice.
func (v *validator) check(ok bool, loc, zh, en string, value any) bool {
	if !ok {
		v.add(loc, zh, en, value)
	}
	return ok
}
