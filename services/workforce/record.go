// Package workforce keeps community workers' records (三岗十八级): effective-dated changes
// with reason and approver, appraisals, the county's pay schemes, the annual progression
// batch, the monthly payroll, and the roster in Excel. The level rule and the pay arithmetic
// are the pure packages level and pay; this package loads their facts and stores results.
package workforce

import (
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
)

// Status is a worker's employment status.
type Status string

const (
	StatusActive  Status = "active"  // 在岗
	StatusAway    Status = "away"    // 离岗
	StatusRetired Status = "retired" // 退休
)

var statusLabels = map[Status]string{StatusActive: "在岗", StatusAway: "离岗", StatusRetired: "退休"}

func (s Status) Label() string { return statusLabels[s] }
func (s Status) Valid() bool   { _, ok := statusLabels[s]; return ok }

// Record is a worker's record as of one day: the fold of every change dated on or before it.
type Record struct {
	Name          string            `json:"name"`
	Phone         string            `json:"phone,omitempty"`
	OrgUnitID     uuid.UUID         `json:"org_unit_id"`
	Post          level.Post        `json:"post"`
	Title         string            `json:"title,omitempty"`
	Hired         workday.Date      `json:"hired"`
	Education     level.Education   `json:"education,omitempty"`
	Certificate   level.Certificate `json:"certificate,omitempty"`
	CertificateOn workday.Date      `json:"certificate_on,omitempty"`
	Status        Status            `json:"status,omitempty"`
	ContractFrom  workday.Date      `json:"contract_from,omitempty"`
	ContractTo    workday.Date      `json:"contract_to,omitempty"`
	Level         int               `json:"level,omitempty"`
}

// Fields is one change: only the fields it sets. It is stored as jsonb, so a nil pointer is
// "unchanged", never "cleared".
type Fields struct {
	Name          *string            `json:"name,omitempty"`
	Phone         *string            `json:"phone,omitempty"`
	OrgUnitID     *uuid.UUID         `json:"org_unit_id,omitempty"`
	Post          *level.Post        `json:"post,omitempty"`
	Title         *string            `json:"title,omitempty"`
	Hired         *workday.Date      `json:"hired,omitempty"`
	Education     *level.Education   `json:"education,omitempty"`
	Certificate   *level.Certificate `json:"certificate,omitempty"`
	CertificateOn *workday.Date      `json:"certificate_on,omitempty"`
	Status        *Status            `json:"status,omitempty"`
	ContractFrom  *workday.Date      `json:"contract_from,omitempty"`
	ContractTo    *workday.Date      `json:"contract_to,omitempty"`
	Level         *int               `json:"level,omitempty"`
}

// Empty reports whether the change sets nothing.
func (f Fields) Empty() bool { return f == Fields{} }

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// Apply folds f into r.
func (r *Record) Apply(f Fields) {
	set(&r.Name, f.Name)
	set(&r.Phone, f.Phone)
	set(&r.OrgUnitID, f.OrgUnitID)
	set(&r.Post, f.Post)
	set(&r.Title, f.Title)
	set(&r.Hired, f.Hired)
	set(&r.Education, f.Education)
	set(&r.Certificate, f.Certificate)
	set(&r.CertificateOn, f.CertificateOn)
	set(&r.Status, f.Status)
	set(&r.ContractFrom, f.ContractFrom)
	set(&r.ContractTo, f.ContractTo)
	set(&r.Level, f.Level)
}

// Of returns f as a full record's fields (the hire change sets everything).
func (r Record) Fields() Fields {
	return Fields{Name: &r.Name, Phone: &r.Phone, OrgUnitID: &r.OrgUnitID, Post: &r.Post, Title: &r.Title,
		Hired: &r.Hired, Education: &r.Education, Certificate: &r.Certificate, CertificateOn: &r.CertificateOn,
		Status: &r.Status, ContractFrom: &r.ContractFrom, ContractTo: &r.ContractTo, Level: &r.Level}
}

// Kind says what a change was, for the history view and for which rules ran.
type Kind string

const (
	KindHire        Kind = "hire"        // 建档
	KindEdit        Kind = "edit"        // 信息变更
	KindPost        Kind = "post"        // 岗位变动 (level re-mapped)
	KindLevel       Kind = "level"       // 等级调整
	KindStatus      Kind = "status"      // 状态变更
	KindProgression Kind = "progression" // 年度晋级
	KindCertificate Kind = "certificate" // 取得证书
	KindCorrection  Kind = "correction"  // 补录考核后更正等级
)

// Change is one stored change.
type Change struct {
	Seq           int          `json:"seq"`
	EffectiveFrom workday.Date `json:"effective_from"`
	Kind          Kind         `json:"kind"`
	Fields        Fields       `json:"fields"`
	Reason        string       `json:"reason"`
	Approver      string       `json:"approver"`
	BatchID       *uuid.UUID   `json:"batch_id,omitempty"`
	RecordedBy    *uuid.UUID   `json:"recorded_by,omitempty"`
	RecordedAt    time.Time    `json:"recorded_at"`
}

// order sorts changes the way they fold: by effective date, then by the order recorded.
func order(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		if c := compareDate(a.EffectiveFrom, b.EffectiveFrom); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
}

func compareDate(a, b workday.Date) int {
	switch {
	case a.Before(b):
		return -1
	case a.After(b):
		return 1
	}
	return 0
}

// Fold is the record as of day from changes sorted by order. ok is false before the first
// change (the worker was not yet on the books).
func Fold(cs []Change, day workday.Date) (r Record, ok bool) {
	for _, c := range cs {
		if c.EffectiveFrom.After(day) {
			break
		}
		r.Apply(c.Fields)
		ok = true
	}
	return r, ok
}

// NextAfter is the first change date after day, or the zero Date.
func NextAfter(cs []Change, day workday.Date) workday.Date {
	for _, c := range cs {
		if c.EffectiveFrom.After(day) {
			return c.EffectiveFrom
		}
	}
	return workday.Date{}
}

// checkFields validates the fields a change sets, against the scheme's level rule.
func checkFields(f Fields, rule level.Rule, prefix string) []problem.Field {
	var c problem.Checker
	if f.Name != nil {
		n := len([]rune(*f.Name))
		c.Check(n >= 1 && n <= 50, prefix+"name", "姓名须为 1 至 50 个字", "name must be 1 to 50 characters", *f.Name)
	}
	if f.Phone != nil {
		c.Check(*f.Phone == "" || validPhone(*f.Phone), prefix+"phone", "手机号须为 11 位、以 1 开头", "phone must be an 11-digit mainland mobile number", *f.Phone)
	}
	if f.Post != nil {
		c.Check(f.Post.Valid(), prefix+"post", "岗位须为 正职、副职 或 其他社区工作者", "post must be head, deputy or staff", *f.Post)
	}
	if f.Title != nil {
		c.Check(len([]rune(*f.Title)) <= 20, prefix+"title", "职务不超过 20 个字", "title must be at most 20 characters", *f.Title)
	}
	if f.Hired != nil {
		c.Check(!f.Hired.IsZero(), prefix+"hired", "入职日期必填", "hire date is required", "")
	}
	if f.Education != nil {
		c.Check(f.Education.Valid(), prefix+"education", "学历须为 高中及以下、大专、本科、硕士 或 博士", "education must be none, college, bachelor, master or doctor", *f.Education)
	}
	if f.Certificate != nil {
		c.Check(f.Certificate.Valid(), prefix+"certificate", "社工证等级须为 无、初级、中级 或 高级", "certificate must be none, junior, intermediate or senior", *f.Certificate)
	}
	if f.Status != nil {
		c.Check(f.Status.Valid(), prefix+"status", "状态须为 在岗、离岗 或 退休", "status must be active, away or retired", *f.Status)
	}
	if f.ContractFrom != nil && f.ContractTo != nil && !f.ContractFrom.IsZero() && !f.ContractTo.IsZero() {
		c.Check(!f.ContractTo.Before(*f.ContractFrom), prefix+"contract_to", "合同结束日期不能早于开始日期", "contract end is before its start", f.ContractTo.String())
	}
	if f.Level != nil {
		c.Check(*f.Level >= 1 && *f.Level <= level.Levels, prefix+"level", "等级须为 1 至 18", "level must be 1 to 18", *f.Level)
	}
	return c.Fields()
}

// checkRecord validates a whole record after a change: the level must lie in the post's range.
func checkRecord(r Record, rule level.Rule, prefix string) []problem.Field {
	var c problem.Checker
	if rg, ok := rule.Ranges[r.Post]; ok && r.Level != 0 {
		c.Check(r.Level >= rg.Min && r.Level <= rg.Max, prefix+"level",
			"等级不在"+r.Post.Label()+"的等级范围（"+itoa(rg.Min)+"–"+itoa(rg.Max)+"）内",
			"level is outside the post's range "+itoa(rg.Min)+"-"+itoa(rg.Max), r.Level)
	}
	c.Check(r.ContractTo.IsZero() || r.ContractFrom.IsZero() || !r.ContractTo.Before(r.ContractFrom), prefix+"contract_to",
		"合同结束日期不能早于开始日期", "contract end is before its start", r.ContractTo.String())
	return c.Fields()
}

func validPhone(s string) bool {
	if len(s) != 11 || s[0] != '1' || s[1] < '3' {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
