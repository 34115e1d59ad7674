package pay

import (
	"time"

	"github.com/yichuang/yichuang/services/level"
)

// SampleLabel is the sample scheme's label. No public source gives a full eighteen-level
// table (domain README §3), so the label says plainly that the numbers are invented.
const SampleLabel = "示例方案（仅供参考，非任何地区公布标准）"

// Sample is the scheme a new county starts from and edits. Its base is Benxi's published
// 2022 base (3400 元); the coefficients (1.000 rising by 0.080 a level) are illustrative.
// It pays no certificate allowance because the rule's certificate bump already rewards
// certificates, and paying both would reward them twice.
func Sample() Scheme {
	coef := make([]int, level.Levels)
	for i := range coef {
		coef[i] = 1000 + 80*i
	}
	return Scheme{
		Label:         SampleLabel,
		Sample:        true,
		Rule:          level.Default(),
		Mode:          ModeCoefficient,
		Base:          340000,
		Coefficients:  coef,
		BasicPermille: 800,
		PerformancePermille: map[level.Appraisal]int{
			level.Excellent: 1200, level.Competent: 1000, level.Basic: 800, level.Incompetent: 0,
		},
		NoAppraisalPermille: 1000,
		Allowances:          []Allowance{{Name: "交通通讯补贴", Fixed: 10000}},
		ProgressionMonth:    time.January,
		ProgressionDay:      1,
	}
}
