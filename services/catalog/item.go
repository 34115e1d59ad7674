// Package catalog is the county's service catalogue (政务服务事项目录): the items a hall may
// accept, each with its materials, time limits and special steps, versioned so an
// application keeps the version it was accepted under.
package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/problem"
)

// Kind is the item's 事项类型, one of the eight national kinds.
type Kind string

const (
	KindLicensing     Kind = "licensing"      // 行政许可
	KindConfirmation  Kind = "confirmation"   // 行政确认
	KindAdjudication  Kind = "adjudication"   // 行政裁决
	KindPayment       Kind = "payment"        // 行政给付
	KindReward        Kind = "reward"         // 行政奖励
	KindFiling        Kind = "filing"         // 行政备案
	KindOtherPower    Kind = "other_power"    // 其他行政权力
	KindPublicService Kind = "public_service" // 公共服务
)

// Kinds lists the kinds in the order forms show them.
var Kinds = []Kind{KindLicensing, KindConfirmation, KindAdjudication, KindPayment, KindReward, KindFiling, KindOtherPower, KindPublicService}

var kindLabels = map[Kind]string{
	KindLicensing: "行政许可", KindConfirmation: "行政确认", KindAdjudication: "行政裁决", KindPayment: "行政给付",
	KindReward: "行政奖励", KindFiling: "行政备案", KindOtherPower: "其他行政权力", KindPublicService: "公共服务",
}

// Label is the kind's Chinese name.
func (k Kind) Label() string { return kindLabels[k] }

// Valid reports whether k is one of the eight kinds.
func (k Kind) Valid() bool { _, ok := kindLabels[k]; return ok }

// Level is where an application may be received (行使层级).
type Level string

const (
	LevelCounty    Level = "county"    // 县级政务服务中心
	LevelTownship  Level = "township"  // 乡镇（街道）便民服务中心
	LevelCommunity Level = "community" // 村（社区）代办
)

// Levels lists the levels from the top.
var Levels = []Level{LevelCounty, LevelTownship, LevelCommunity}

var levelLabels = map[Level]string{LevelCounty: "县级大厅", LevelTownship: "乡镇大厅", LevelCommunity: "村（社区）代办"}

// Label is the level's Chinese name.
func (l Level) Label() string { return levelLabels[l] }

// Valid reports whether l is a known level.
func (l Level) Valid() bool { _, ok := levelLabels[l]; return ok }

// Form is how a material is handed in.
type Form string

const (
	FormOriginal   Form = "original"   // 原件
	FormCopy       Form = "copy"       // 复印件
	FormElectronic Form = "electronic" // 电子
)

// Forms lists the forms.
var Forms = []Form{FormOriginal, FormCopy, FormElectronic}

var formLabels = map[Form]string{FormOriginal: "原件", FormCopy: "复印件", FormElectronic: "电子"}

// Label is the form's Chinese name.
func (f Form) Label() string { return formLabels[f] }

// Valid reports whether f is a known form.
func (f Form) Valid() bool { _, ok := formLabels[f]; return ok }

// Handling is the item's 办件类型.
type Handling string

const (
	HandlingInstant  Handling = "instant"  // 即办件: finished on the spot
	HandlingPromised Handling = "promised" // 承诺件: finished within the committed working days
)

var handlingLabels = map[Handling]string{HandlingInstant: "即办件", HandlingPromised: "承诺件"}

// Label is the handling type's Chinese name.
func (h Handling) Label() string { return handlingLabels[h] }

// Valid reports whether h is a known handling type.
func (h Handling) Valid() bool { _, ok := handlingLabels[h]; return ok }

// Material is one entry of the item's materials list (办理材料).
type Material struct {
	// Key identifies the material across versions and in an application's checklist.
	Key      string `json:"key"`
	Name     string `json:"name"`
	Form     Form   `json:"form"`
	Copies   int    `json:"copies"`
	Required bool   `json:"required"`
	// Condition says when a non-required material is needed ("申请人委托他人办理的").
	Condition string `json:"condition,omitempty"`
	// Sample is the object key of a filled-in sample file (样表), if any.
	Sample string `json:"sample,omitempty"`
}

// Step is a special step (特殊环节): hearing, testing, expert review…; Counted says whether
// its days count towards the limit (they usually do not).
type Step struct {
	Name      string `json:"name"`
	LimitDays int    `json:"limit_days"`
	Counted   bool   `json:"counted"`
}

// Stage is one of the item's back-office steps (办理环节, e.g. 审查 → 决定) with its own limit
// in working days. An accepted application walks them in order: the first starts on 受理,
// each next one on the day the one before is completed, and the decision completes the last.
type Stage struct {
	Name      string `json:"name"`
	LimitDays int    `json:"limit_days"`
}

// MaxStages bounds an item's back-office steps.
const MaxStages = 10

// Item is the content of one version of a service item.
type Item struct {
	BaseCode     string     `json:"base_code"` // 基本编码
	ImplCode     string     `json:"impl_code"` // 实施编码: the item's identity in the county
	Name         string     `json:"name"`
	Kind         Kind       `json:"kind"`
	DepartmentID uuid.UUID  `json:"department_id"` // 实施机关 (an org unit of kind department)
	LegalBasis   string     `json:"legal_basis"`   // 设定和实施依据
	Levels       []Level    `json:"levels"`
	Conditions   string     `json:"conditions"` // 受理条件
	Materials    []Material `json:"materials"`
	Handling     Handling   `json:"handling"`
	LegalDays    int        `json:"legal_days"`    // 法定时限 (working days)
	PromisedDays int        `json:"promised_days"` // 承诺时限 (working days); 0 for 即办件
	Steps        []Step     `json:"steps"`
	// Stages are the back-office steps with their limits (环节时限); none is fine.
	Stages []Stage `json:"stages,omitempty"`
	// Unified: the item is handled under 行政许可法 art. 26 (统一办理, 联合办理 or 集中办理,
	// 45-day limit), so an extension may add fifteen days and is granted by the head of the
	// county government (art. 42).
	Unified       bool   `json:"unified,omitempty"`
	FeeBasis      string `json:"fee_basis"`  // 收费依据; empty when free
	FeeAmount     string `json:"fee_amount"` // e.g. "不收费" or "10元/件"
	Visits        int    `json:"visits"`     // 到现场次数
	ConsultPhone  string `json:"consult_phone"`
	ComplainPhone string `json:"complain_phone"`
}

// Accepts reports whether the item may be received at level l.
func (it *Item) Accepts(l Level) bool {
	for _, x := range it.Levels {
		if x == l {
			return true
		}
	}
	return false
}

// Material returns the material with key k.
func (it *Item) Material(k string) (Material, bool) {
	for _, m := range it.Materials {
		if m.Key == k {
			return m, true
		}
	}
	return Material{}, false
}

var (
	codePattern  = regexp.MustCompile(`^[0-9A-Za-z-]{4,64}$`)
	phonePattern = regexp.MustCompile(`^[0-9-]{7,20}$`)
)

// MaxDays bounds any limit: no statutory limit comes near a working year.
const MaxDays = 250

// Validate checks the content and fills material keys that are empty. Locations are
// relative to the item ("name", "materials[2].condition") so the API and the Excel import
// can each place them.
func (it *Item) Validate() []problem.Field {
	var c []problem.Field
	check := func(ok bool, loc, zh, en string) {
		if !ok {
			c = append(c, problem.Field{Location: loc, Message: zh, MessageEn: en})
		}
	}
	it.BaseCode, it.ImplCode, it.Name = strings.TrimSpace(it.BaseCode), strings.TrimSpace(it.ImplCode), strings.TrimSpace(it.Name)
	check(codePattern.MatchString(it.BaseCode), "base_code", "基本编码须为 4 至 64 位字母、数字或连字符", "base code must be 4 to 64 letters, digits or hyphens")
	check(codePattern.MatchString(it.ImplCode), "impl_code", "实施编码须为 4 至 64 位字母、数字或连字符", "implementation code must be 4 to 64 letters, digits or hyphens")
	n := utf8.RuneCountInString(it.Name)
	check(n >= 2 && n <= 100, "name", "事项名称须为 2 至 100 个字", "name must be 2 to 100 characters")
	check(it.Kind.Valid(), "kind", "事项类型无效", "unknown item kind")
	check(it.DepartmentID != uuid.Nil, "department_id", "请选择实施机关", "choose the responsible department")
	check(utf8.RuneCountInString(it.LegalBasis) <= 2000, "legal_basis", "设定依据不超过 2000 字", "legal basis must be at most 2000 characters")
	check(strings.TrimSpace(it.LegalBasis) != "", "legal_basis", "请填写设定和实施依据", "legal basis is required")
	check(len(it.Levels) > 0, "levels", "至少选择一个行使层级", "choose at least one level")
	seen := map[Level]bool{}
	for _, l := range it.Levels {
		label := l.Label()
		if label == "" {
			label = string(l)
		}
		check(l.Valid() && !seen[l], "levels", "行使层级无效或重复："+label, "unknown or repeated level: "+string(l))
		seen[l] = true
	}
	check(utf8.RuneCountInString(it.Conditions) <= 2000, "conditions", "受理条件不超过 2000 字", "conditions must be at most 2000 characters")
	check(len(it.Materials) <= 50, "materials", "材料不超过 50 项", "at most 50 materials")
	keys := map[string]bool{}
	for i := range it.Materials {
		m := &it.Materials[i]
		loc := "materials[" + strconv.Itoa(i) + "]"
		m.Name = strings.TrimSpace(m.Name)
		if m.Key == "" {
			m.Key = "m" + strconv.Itoa(i+1)
		}
		for keys[m.Key] {
			m.Key += "x"
		}
		keys[m.Key] = true
		mn := utf8.RuneCountInString(m.Name)
		check(mn >= 2 && mn <= 100, loc+".name", "材料名称须为 2 至 100 个字", "material name must be 2 to 100 characters")
		check(m.Form.Valid(), loc+".form", "材料形式须为原件、复印件或电子", "material form must be original, copy or electronic")
		check(m.Copies >= 0 && m.Copies <= 20, loc+".copies", "份数须为 0 至 20", "copies must be 0 to 20")
		check(m.Required || strings.TrimSpace(m.Condition) != "", loc+".condition", "非必要材料须写明需要提交的情形", "a conditional material needs its condition")
		check(utf8.RuneCountInString(m.Condition) <= 200, loc+".condition", "需要提交的情形不超过 200 字", "condition must be at most 200 characters")
		check(len(m.Sample) <= 200, loc+".sample", "样表文件名过长", "sample key too long")
	}
	check(it.Handling.Valid(), "handling", "办件类型须为即办件或承诺件", "handling must be instant or promised")
	check(it.LegalDays >= 0 && it.LegalDays <= MaxDays, "legal_days", "法定时限须为 0 至 250 个工作日", "legal limit must be 0 to 250 working days")
	check(it.PromisedDays >= 0 && it.PromisedDays <= MaxDays, "promised_days", "承诺时限须为 0 至 250 个工作日", "promised limit must be 0 to 250 working days")
	switch it.Handling {
	case HandlingInstant:
		check(it.PromisedDays == 0, "promised_days", "即办件的承诺时限应为 0", "an instant item has no promised days")
	case HandlingPromised:
		check(it.PromisedDays >= 1, "promised_days", "承诺件的承诺时限至少 1 个工作日", "a promised item needs at least 1 promised day")
		check(it.LegalDays == 0 || it.PromisedDays <= it.LegalDays, "promised_days", "承诺时限不得超过法定时限", "the promised limit may not exceed the legal limit")
	}
	check(len(it.Steps) <= 20, "steps", "特殊环节不超过 20 项", "at most 20 special steps")
	for i, s := range it.Steps {
		loc := "steps[" + strconv.Itoa(i) + "]"
		sn := utf8.RuneCountInString(strings.TrimSpace(s.Name))
		check(sn >= 2 && sn <= 50, loc+".name", "特殊环节名称须为 2 至 50 个字", "step name must be 2 to 50 characters")
		check(s.LimitDays >= 0 && s.LimitDays <= MaxDays, loc+".limit_days", "特殊环节时限须为 0 至 250 个工作日", "step limit must be 0 to 250 working days")
	}
	c = append(c, it.validateStages()...)
	check(utf8.RuneCountInString(it.FeeAmount) <= 100, "fee_amount", "收费标准不超过 100 字", "fee amount must be at most 100 characters")
	check(utf8.RuneCountInString(it.FeeBasis) <= 500, "fee_basis", "收费依据不超过 500 字", "fee basis must be at most 500 characters")
	check(it.Visits >= 0 && it.Visits <= 5, "visits", "到现场次数须为 0 至 5", "visits must be 0 to 5")
	check(it.ConsultPhone == "" || phonePattern.MatchString(it.ConsultPhone), "consult_phone", "咨询电话格式有误", "consultation phone is malformed")
	check(it.ComplainPhone == "" || phonePattern.MatchString(it.ComplainPhone), "complain_phone", "监督投诉电话格式有误", "complaint phone is malformed")
	return c
}

// Limit is the item's own limit in working days: the committed one (承诺时限), else the
// statutory one (法定时限); 0 when it has neither.
func (it *Item) Limit() int {
	if it.PromisedDays > 0 {
		return it.PromisedDays
	}
	return it.LegalDays
}

// validateStages checks the back-office steps: 1–20 characters each, a limit of at least one
// working day, at most MaxStages, names unique, and together within the item's limit — the
// whole decision must come within it (行政许可法 art. 42), so its steps must fit inside it.
func (it *Item) validateStages() []problem.Field {
	var c []problem.Field
	check := func(ok bool, loc, zh, en string) {
		if !ok {
			c = append(c, problem.Field{Location: loc, Message: zh, MessageEn: en})
		}
	}
	if len(it.Stages) == 0 {
		it.Stages = nil
		return nil
	}
	check(len(it.Stages) <= MaxStages, "stages", "办理环节不超过 10 个", "at most 10 back-office steps")
	sum, names := 0, map[string]bool{}
	for i := range it.Stages {
		s := &it.Stages[i]
		loc := "stages[" + strconv.Itoa(i) + "]"
		s.Name = strings.TrimSpace(s.Name)
		n := utf8.RuneCountInString(s.Name)
		check(n >= 1 && n <= 20, loc+".name", "环节名称须为 1 至 20 个字", "step name must be 1 to 20 characters")
		check(!strings.ContainsAny(s.Name, ":;：；"), loc+".name", "环节名称不能含冒号或分号", "a step name may not contain a colon or semicolon")
		check(s.Name == "" || !names[s.Name], loc+".name", "环节名称重复："+s.Name, "repeated step name: "+s.Name)
		names[s.Name] = true
		check(s.LimitDays >= 1 && s.LimitDays <= MaxDays, loc+".limit_days", "环节时限须为 1 至 250 个工作日", "a step's limit must be 1 to 250 working days")
		if s.LimitDays > 0 {
			sum += s.LimitDays
		}
	}
	if limit := it.Limit(); it.Handling == HandlingInstant || limit == 0 {
		check(false, "stages", "即办件当场办结，不设办理环节", "an instant item is decided on the spot and has no back-office steps")
	} else {
		check(sum <= limit, "stages", fmt.Sprintf("各环节时限合计 %d 个工作日，超过本事项的办理时限 %d 个工作日（行政许可法第四十二条：须在时限内作出决定）", sum, limit),
			fmt.Sprintf("the steps' limits add up to %d working days, more than the item's limit of %d (art. 42: the decision comes within the limit)", sum, limit))
	}
	return c
}
