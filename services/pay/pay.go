// Package pay is the community-worker pay scheme and the monthly payroll arithmetic: a
// level's pay (base × coefficient, or a fixed amount), its basic and performance parts,
// allowances, proration by days in post, and arrears against what earlier finalised
// payrolls paid. It is pure Go with no I/O; services/workforce loads the facts and stores
// the results.
package pay

import (
	"time"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/workday"
)

// Money is an amount in fen (0.01 元). Pay is integer arithmetic so that totals add up to
// the cent in every sheet and export.
type Money int64

// Mode says how a level's monthly pay is set.
type Mode string

const (
	ModeCoefficient Mode = "coefficient" // Base × Coefficients[level-1] / 1000
	ModeAmount      Mode = "amount"      // Amounts[level-1]
)

// Allowance is a monthly allowance paid on top of the level pay: a fixed amount to every
// worker in post, or an amount by the highest certificate held (some counties pay this
// instead of, or besides, the certificate's level bump).
type Allowance struct {
	Name          string                      `json:"name"`
	Fixed         Money                       `json:"fixed"`
	ByCertificate map[level.Certificate]Money `json:"by_certificate,omitempty"`
}

// Scheme is a county's pay scheme, effective from a date (the store keeps the dates). It
// carries the level rule too, because the county adopts both together.
type Scheme struct {
	Label  string     `json:"label"`
	Sample bool       `json:"sample"` // 示例: not from any county's published table
	Rule   level.Rule `json:"rule"`
	Mode   Mode       `json:"mode"`
	Base   Money      `json:"base"`
	// Coefficients are per mille (1000 = 1.000), one per level 1..18.
	Coefficients []int `json:"coefficients"`
	// Amounts are the monthly pay per level 1..18 in ModeAmount.
	Amounts []Money `json:"amounts"`
	// BasicPermille is the basic share of the level pay; the rest is performance pay.
	BasicPermille int `json:"basic_permille"`
	// PerformancePermille scales performance pay by the previous year's appraisal;
	// NoAppraisalPermille applies while that year has no result yet.
	PerformancePermille map[level.Appraisal]int `json:"performance_permille"`
	NoAppraisalPermille int                     `json:"no_appraisal_permille"`
	Allowances          []Allowance             `json:"allowances"`
	// ProgressionMonth and ProgressionDay are the annual progression date (default 1 January).
	ProgressionMonth time.Month `json:"progression_month"`
	ProgressionDay   int        `json:"progression_day"`
}

// Dated is a scheme in force from a date until the next one.
type Dated struct {
	From   workday.Date
	Scheme *Scheme
}

// State is a worker's pay-relevant state from From until the next State's From.
type State struct {
	From        workday.Date
	Active      bool // 在岗; 离岗 and 退休 are paid nothing
	Level       int
	Certificate level.Certificate
}

// Worker is everything payroll reads about one worker.
type Worker struct {
	ID         string
	States     []State // sorted by From
	Appraisals map[int]level.Appraisal
}

// Named is one allowance's amount.
type Named struct {
	Name   string `json:"name"`
	Amount Money  `json:"amount"`
}

// Amounts is what a worker is due for one month.
type Amounts struct {
	Days        int     `json:"days"` // days in post in the month
	Level       int     `json:"level"`
	LevelPay    Money   `json:"level_pay"`
	Basic       Money   `json:"basic"`
	Performance Money   `json:"performance"`
	Allowances  []Named `json:"allowances"`
	Gross       Money   `json:"gross"`
}

// Month is a calendar month.
type Month struct {
	Year  int
	Month time.Month
}
