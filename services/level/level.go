// Package level is the 三岗十八级 level rule for community workers: three posts with
// overlapping level ranges, one step per N counted years of service, education counted as
// years, a certificate bump. It is pure Go with no I/O so that the rule tests exhaustively in
// microseconds; a county's variant of it is a Rule inside its pay scheme.
package level

import (
	"fmt"
	"slices"

	"github.com/yichuang/yichuang/services/workday"
)

// Levels is the number of levels in the system (十八级).
const Levels = 18

// Post is one of the three posts (三岗).
type Post string

const (
	Head   Post = "head"   // 正职：书记、主任
	Deputy Post = "deputy" // 副职
	Staff  Post = "staff"  // 其他社区工作者
)

// Posts lists the posts in the order screens show them.
var Posts = []Post{Head, Deputy, Staff}

var postLabels = map[Post]string{Head: "正职", Deputy: "副职", Staff: "其他社区工作者"}

func (p Post) Label() string { return postLabels[p] }
func (p Post) Valid() bool   { _, ok := postLabels[p]; return ok }

// Education is the highest education completed.
type Education string

const (
	EducationNone     Education = "none"     // 高中及以下
	EducationCollege  Education = "college"  // 大专
	EducationBachelor Education = "bachelor" // 本科
	EducationMaster   Education = "master"   // 硕士
	EducationDoctor   Education = "doctor"   // 博士
)

var Educations = []Education{EducationNone, EducationCollege, EducationBachelor, EducationMaster, EducationDoctor}

var educationLabels = map[Education]string{
	EducationNone: "高中及以下", EducationCollege: "大专", EducationBachelor: "本科",
	EducationMaster: "硕士", EducationDoctor: "博士",
}

func (e Education) Label() string { return educationLabels[e] }
func (e Education) Valid() bool   { _, ok := educationLabels[e]; return ok }

// Certificate is the highest social-work certificate held (only the highest counts).
type Certificate string

const (
	CertificateNone         Certificate = "none"
	CertificateJunior       Certificate = "junior"       // 助理社会工作师（初级）
	CertificateIntermediate Certificate = "intermediate" // 社会工作师（中级）
	CertificateSenior       Certificate = "senior"       // 高级社会工作师（高级）
)

var Certificates = []Certificate{CertificateNone, CertificateJunior, CertificateIntermediate, CertificateSenior}

var certificateLabels = map[Certificate]string{
	CertificateNone: "无", CertificateJunior: "初级（助理社会工作师）",
	CertificateIntermediate: "中级（社会工作师）", CertificateSenior: "高级（高级社会工作师）",
}

func (c Certificate) Label() string { return certificateLabels[c] }
func (c Certificate) Valid() bool   { _, ok := certificateLabels[c]; return ok }

// Appraisal is a year's appraisal result (年度考核).
type Appraisal string

const (
	Excellent   Appraisal = "excellent"   // 优秀
	Competent   Appraisal = "competent"   // 称职
	Basic       Appraisal = "basic"       // 基本称职
	Incompetent Appraisal = "incompetent" // 不称职
)

var Appraisals = []Appraisal{Excellent, Competent, Basic, Incompetent}

var appraisalLabels = map[Appraisal]string{Excellent: "优秀", Competent: "称职", Basic: "基本称职", Incompetent: "不称职"}

func (a Appraisal) Label() string { return appraisalLabels[a] }
func (a Appraisal) Valid() bool   { _, ok := appraisalLabels[a]; return ok }

// Range is a post's inclusive level range.
type Range struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Rule is a county's level rule. The zero value is not usable; start from Default.
type Rule struct {
	Ranges           map[Post]Range      `json:"ranges"`
	YearsPerStep     int                 `json:"years_per_step"`
	EducationYears   map[Education]int   `json:"education_years"`
	CertificateSteps map[Certificate]int `json:"certificate_steps"`
	Blocking         []Appraisal         `json:"blocking"`
}

// Default is the common rule (domain README §3): 正职 7–18, 副职 4–15, 其他 1–12; a step
// per 3 years; 本科 3, 硕士 5, 博士 7 years; certificates +1/+2/+3; 不称职 years do not count.
func Default() Rule {
	return Rule{
		Ranges:           map[Post]Range{Head: {7, 18}, Deputy: {4, 15}, Staff: {1, 12}},
		YearsPerStep:     3,
		EducationYears:   map[Education]int{EducationNone: 0, EducationCollege: 0, EducationBachelor: 3, EducationMaster: 5, EducationDoctor: 7},
		CertificateSteps: map[Certificate]int{CertificateNone: 0, CertificateJunior: 1, CertificateIntermediate: 2, CertificateSenior: 3},
		Blocking:         []Appraisal{Incompetent},
	}
}

// Facts are what the rule reads about one worker.
type Facts struct {
	Post        Post
	Hired       workday.Date
	Education   Education
	Certificate Certificate
	// Appraisals maps a year to its result; years without an entry count as served.
	Appraisals map[int]Appraisal
}

// Result is the level and every number that led to it, for --explain and history screens.
type Result struct {
	Level          int   `json:"level"`
	Range          Range `json:"range"`
	ServiceYears   int   `json:"service_years"`   // full years from hire to as-of
	BlockedYears   []int `json:"blocked_years"`   // blocking years from the hire year to the as-of year
	CountedYears   int   `json:"counted_years"`   // service − blocked, never below 0
	EducationYears int   `json:"education_years"` // credit for education
	Steps          int   `json:"steps"`           // floor((counted + education) / years per step)
	YearsPerStep   int   `json:"years_per_step"`
	Bump           int   `json:"bump"`   // certificate steps
	Capped         bool  `json:"capped"` // min + steps + bump exceeded the post maximum
}

// FullYears is the number of completed years from from to to, by anniversary: the n-th year
// completes on the day a period of n years from from ends (民法典 art. 202: the day that
// corresponds to from, or the month's last day when there is none). A 29 February start
// therefore completes its years on 28 February in common years.
func FullYears(from, to workday.Date) int {
	if to.Before(from) {
		return 0
	}
	n := to.Year - from.Year
	if to.Before(from.AddYears(n)) {
		n--
	}
	return n
}

// Level computes the level as of asOf by the rule as stated: service years are the full
// years from the hire date to asOf (by anniversary, FullYears) minus the number of years
// rated blocking; steps = ⌊(service years + education credit years) / years per step⌋;
// level = min(post max, post min + steps + certificate bump). Every blocking year y with
// hire year ≤ y ≤ asOf's year is subtracted, and counted years never go below 0; years
// outside that range are ignored.
//
// The consequence in plain words: a year rated 不称职 is deducted as soon as the rating
// exists, so a rating recorded before that year's anniversary can lower the level until the
// anniversary adds the year back (staff hired 2015-03-01, 不称职 in 2019: level 2 on
// 2018-12-31, 1 on 2019-01-01, 2 again on 2019-03-01). Appraisals are entered after the year
// ends, so in practice the deduction meets the following anniversary.
func (r Rule) Level(f Facts, asOf workday.Date) (Result, error) {
	rg, ok := r.Ranges[f.Post]
	switch {
	case !ok:
		return Result{}, fmt.Errorf("level: unknown post %q", f.Post)
	case !f.Education.Valid():
		return Result{}, fmt.Errorf("level: unknown education %q", f.Education)
	case !f.Certificate.Valid():
		return Result{}, fmt.Errorf("level: unknown certificate %q", f.Certificate)
	case f.Hired.IsZero():
		return Result{}, fmt.Errorf("level: no hire date")
	case asOf.Before(f.Hired):
		return Result{}, fmt.Errorf("level: as-of date %s is before the hire date %s", asOf, f.Hired)
	case r.YearsPerStep < 1:
		return Result{}, fmt.Errorf("level: years per step must be at least 1")
	}
	res := Result{Range: rg, YearsPerStep: r.YearsPerStep, ServiceYears: FullYears(f.Hired, asOf)}
	for y, a := range f.Appraisals {
		if y >= f.Hired.Year && y <= asOf.Year && slices.Contains(r.Blocking, a) {
			res.BlockedYears = append(res.BlockedYears, y)
		}
	}
	slices.Sort(res.BlockedYears)
	res.CountedYears = max(0, res.ServiceYears-len(res.BlockedYears))
	res.EducationYears = r.EducationYears[f.Education]
	res.Steps = (res.CountedYears + res.EducationYears) / r.YearsPerStep
	res.Bump = r.CertificateSteps[f.Certificate]
	res.Level = rg.Min + res.Steps + res.Bump
	if res.Level > rg.Max {
		res.Level, res.Capped = rg.Max, true
	}
	return res, nil
}

// Remap is the level after a post change: kept when it lies inside the new post's range,
// else the nearest bound of that range (a deputy at 15 becoming staff drops to 12; a staff
// member at 2 becoming head rises to 7).
func (r Rule) Remap(level int, to Post) (int, error) {
	rg, ok := r.Ranges[to]
	if !ok {
		return 0, fmt.Errorf("level: unknown post %q", to)
	}
	return min(max(level, rg.Min), rg.Max), nil
}
