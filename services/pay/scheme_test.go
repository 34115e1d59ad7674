package pay

import (
	"slices"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/level"
)

func TestSample(t *testing.T) {
	t.Parallel()
	s := Sample()
	if p := s.Validate(); p != nil {
		t.Fatalf("the sample is invalid: %+v", p)
	}
	if !s.Sample || s.Label != "示例方案（仅供参考，非任何地区公布标准）" {
		t.Errorf("the sample is not labelled as one: %q, %v", s.Label, s.Sample)
	}
	for _, c := range []struct {
		lv   int
		want Money
	}{{1, 340000}, {5, 448800}, {12, 639200}, {18, 802400}, {0, 0}, {19, 0}} {
		if got := s.LevelPay(c.lv); got != c.want {
			t.Errorf("sample level %d pays %d, want %d", c.lv, got, c.want)
		}
	}
	// Each call builds its own maps and slices, so one county's edits never reach another's.
	a, b := Sample(), Sample()
	a.Coefficients[0], a.PerformancePermille[level.Excellent], a.Rule.Ranges[level.Head] = 1, 1, level.Range{}
	if b.Coefficients[0] != 1000 || b.PerformancePermille[level.Excellent] != 1200 || b.Rule.Ranges[level.Head].Min != 7 {
		t.Error("Sample shares state between calls")
	}
}

func TestLevelPayRounding(t *testing.T) {
	t.Parallel()
	s := Sample()
	s.Base = 333333
	s.Coefficients[0] = 1001 // 333666.333 → 333666
	s.Coefficients[1] = 1500 // 499999.5 → 500000: half rounds up
	if got := s.LevelPay(1); got != 333666 {
		t.Errorf("level 1 = %d, want 333666", got)
	}
	if got := s.LevelPay(2); got != 500000 {
		t.Errorf("level 2 = %d, want 500000", got)
	}
	s.Mode, s.Amounts = ModeAmount, make([]Money, level.Levels)
	s.Amounts[6] = 512345
	if got := s.LevelPay(7); got != 512345 {
		t.Errorf("amount mode level 7 = %d, want 512345", got)
	}
	s.Mode = "percent"
	if got := s.LevelPay(7); got != 0 {
		t.Errorf("unknown mode pays %d", got)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*Scheme)
		want []string // the problem locations, in order
	}{
		{"empty label", func(s *Scheme) { s.Label = "  " }, []string{"body.label"}},
		{"missing post range", func(s *Scheme) { delete(s.Rule.Ranges, level.Deputy) }, []string{"body.rule.ranges.deputy"}},
		{"range min 0", func(s *Scheme) { s.Rule.Ranges[level.Staff] = level.Range{Min: 0, Max: 12} }, []string{"body.rule.ranges.staff"}},
		{"range min above max", func(s *Scheme) { s.Rule.Ranges[level.Head] = level.Range{Min: 9, Max: 8} }, []string{"body.rule.ranges.head"}},
		{"range max 19", func(s *Scheme) { s.Rule.Ranges[level.Head] = level.Range{Min: 7, Max: 19} }, []string{"body.rule.ranges.head"}},
		{"single-level range is fine", func(s *Scheme) { s.Rule.Ranges[level.Head] = level.Range{Min: 18, Max: 18} }, nil},
		{"unknown post", func(s *Scheme) { s.Rule.Ranges["mayor"] = level.Range{Min: 1, Max: 2} }, []string{"body.rule.ranges.mayor"}},
		{"years per step 0", func(s *Scheme) { s.Rule.YearsPerStep = 0 }, []string{"body.rule.years_per_step"}},
		{"years per step 11", func(s *Scheme) { s.Rule.YearsPerStep = 11 }, []string{"body.rule.years_per_step"}},
		{"years per step 10", func(s *Scheme) { s.Rule.YearsPerStep = 10 }, nil},
		{"missing education is 0", func(s *Scheme) { delete(s.Rule.EducationYears, level.EducationCollege) }, nil},
		{"negative education", func(s *Scheme) { s.Rule.EducationYears[level.EducationMaster] = -1 }, []string{"body.rule.education_years.master"}},
		{"education 21", func(s *Scheme) { s.Rule.EducationYears[level.EducationDoctor] = 21 }, []string{"body.rule.education_years.doctor"}},
		{"unknown education", func(s *Scheme) { s.Rule.EducationYears["postdoc"] = 9 }, []string{"body.rule.education_years.postdoc"}},
		{"certificate steps 18", func(s *Scheme) { s.Rule.CertificateSteps[level.CertificateSenior] = 18 }, []string{"body.rule.certificate_steps.senior"}},
		{"negative certificate steps", func(s *Scheme) { s.Rule.CertificateSteps[level.CertificateJunior] = -1 }, []string{"body.rule.certificate_steps.junior"}},
		{"unknown certificate", func(s *Scheme) { s.Rule.CertificateSteps["expert"] = 1 }, []string{"body.rule.certificate_steps.expert"}},
		{"bad blocking", func(s *Scheme) { s.Rule.Blocking = []level.Appraisal{level.Basic, "bad"} }, []string{"body.rule.blocking[1]"}},
		{"unknown mode", func(s *Scheme) { s.Mode = "percent" }, []string{"body.mode"}},
		{"zero base", func(s *Scheme) { s.Base = 0 }, []string{"body.base"}},
		{"huge base", func(s *Scheme) { s.Base = MaxMoney + 1 }, []string{"body.base"}},
		{"17 coefficients", func(s *Scheme) { s.Coefficients = s.Coefficients[:17] }, []string{"body.coefficients"}},
		{"zero coefficient", func(s *Scheme) { s.Coefficients[0] = 0 }, []string{"body.coefficients[0]"}},
		{"decreasing coefficient", func(s *Scheme) { s.Coefficients[3] = s.Coefficients[2] - 1 }, []string{"body.coefficients[3]"}},
		{"equal coefficients are fine", func(s *Scheme) { s.Coefficients[3] = s.Coefficients[2] }, nil},
		{"amounts ignored in coefficient mode", func(s *Scheme) { s.Amounts = []Money{-1} }, nil},
		{"amount mode needs 18", func(s *Scheme) { s.Mode, s.Amounts = ModeAmount, nil }, []string{"body.amounts"}},
		{"amount mode", func(s *Scheme) { s.Mode, s.Base, s.Coefficients, s.Amounts = ModeAmount, 0, nil, ladderOf(300000) }, nil},
		{"amount mode zero and decreasing", func(s *Scheme) {
			s.Mode, s.Amounts = ModeAmount, ladderOf(300000)
			s.Amounts[0], s.Amounts[9] = 0, s.Amounts[8]-1
		}, []string{"body.amounts[0]", "body.amounts[9]"}},
		{"basic permille 1001", func(s *Scheme) { s.BasicPermille = 1001 }, []string{"body.basic_permille"}},
		{"basic permille -1", func(s *Scheme) { s.BasicPermille = -1 }, []string{"body.basic_permille"}},
		{"basic permille 1000", func(s *Scheme) { s.BasicPermille = 1000 }, nil},
		{"performance 3001", func(s *Scheme) { s.PerformancePermille[level.Excellent] = 3001 }, []string{"body.performance_permille.excellent"}},
		{"performance missing", func(s *Scheme) { delete(s.PerformancePermille, level.Basic) }, []string{"body.performance_permille.basic"}},
		{"performance unknown", func(s *Scheme) { s.PerformancePermille["good"] = 1000 }, []string{"body.performance_permille.good"}},
		{"no appraisal -1", func(s *Scheme) { s.NoAppraisalPermille = -1 }, []string{"body.no_appraisal_permille"}},
		{"no appraisal 3000", func(s *Scheme) { s.NoAppraisalPermille = 3000 }, nil},
		{"allowance unnamed", func(s *Scheme) { s.Allowances[0].Name = " " }, []string{"body.allowances[0].name"}},
		{"allowance name 21 characters", func(s *Scheme) {
			s.Allowances[0].Name = "一二三四五六七八九十一二三四五六七八九十一"
		}, []string{"body.allowances[0].name"}},
		{"allowance name 20 characters", func(s *Scheme) { s.Allowances[0].Name = "一二三四五六七八九十一二三四五六七八九十" }, nil},
		{"allowance duplicate", func(s *Scheme) {
			s.Allowances = append(s.Allowances, Allowance{Name: "岗位津贴"}, Allowance{Name: "交通通讯补贴 "})
		}, []string{"body.allowances[2].name"}},
		{"allowance negative", func(s *Scheme) { s.Allowances[0].Fixed = -1 }, []string{"body.allowances[0].fixed"}},
		{"allowance by certificate", func(s *Scheme) {
			s.Allowances[0].ByCertificate = map[level.Certificate]Money{level.CertificateJunior: 20000, level.CertificateSenior: -5, "phd": 1}
		}, []string{"body.allowances[0].by_certificate.senior", "body.allowances[0].by_certificate.phd"}},
		{"progression month 13", func(s *Scheme) { s.ProgressionMonth = 13 }, []string{"body.progression_month"}},
		{"progression 29 February", func(s *Scheme) { s.ProgressionMonth, s.ProgressionDay = time.February, 29 }, []string{"body.progression_day"}},
		{"progression 28 February", func(s *Scheme) { s.ProgressionMonth, s.ProgressionDay = time.February, 28 }, nil},
		{"progression 31 April", func(s *Scheme) { s.ProgressionMonth, s.ProgressionDay = time.April, 31 }, []string{"body.progression_day"}},
		{"progression day 0", func(s *Scheme) { s.ProgressionDay = 0 }, []string{"body.progression_day"}},
		{"every problem at once", func(s *Scheme) {
			s.Rule.YearsPerStep, s.BasicPermille, s.Coefficients[17] = 0, 2000, 0
		}, []string{"body.rule.years_per_step", "body.coefficients[17]", "body.basic_permille"}},
	}
	for _, c := range cases {
		s := Sample()
		c.edit(&s)
		var got []string
		for _, p := range s.Validate() {
			got = append(got, p.Location)
			if p.Message == "" || p.MessageEn == "" {
				t.Errorf("%s: %s has no message in one language: %+v", c.name, p.Location, p)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: problems at %q, want %q", c.name, got, c.want)
		}
	}
}

func ladderOf(from Money) []Money {
	a := make([]Money, level.Levels)
	for i := range a {
		a[i] = from + Money(i)*20000
	}
	return a
}
