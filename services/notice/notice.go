// Package notice renders the written notices of one-window acceptance as PDF: 受理通知书,
// 一次性告知书 (补正), 不予受理通知书 (with the remedies) and 办结通知, in Chinese, with a QR
// code linking to the public status page. It is pure rendering (bytes in, bytes out) apart
// from reading the CJK font file; storing and regenerating the PDFs is services/document's.
package notice

import "github.com/yichuang/yichuang/services/workday"

// Kind is which notice.
type Kind string

const (
	KindAccepted   Kind = "accepted"   // 受理通知书
	KindCorrection Kind = "correction" // 一次性告知书（补正材料通知）
	KindRejected   Kind = "rejected"   // 不予受理通知书
	KindDecided    Kind = "decided"    // 办结通知（准予 / 不予）
	// KindExtension tells the applicant the reason of an extension in writing (行政许可法
	// art. 42): 延期通知书.
	KindExtension Kind = "extension"
	// KindSpecialProcedure tells the applicant in writing which special procedure the
	// application needs and the time it takes (art. 45): 特别程序告知书.
	KindSpecialProcedure Kind = "special_procedure"
)

// Material is one line of a notice's materials table.
type Material struct {
	Name     string `json:"name"`
	Form     string `json:"form"` // 原件 / 复印件 / 电子
	Copies   int    `json:"copies"`
	Provided bool   `json:"provided"`
	Note     string `json:"note"`
}

// Notice is everything a notice prints.
type Notice struct {
	Kind          Kind
	County        string // 示范县
	Hall          string // the accepting hall, e.g. 城关镇便民服务中心
	ReceiptNo     string // empty before acceptance (一次性告知书 before acceptance, 不予受理)
	ItemName      string
	ItemCode      string
	ApplicantName string
	// ApplicantIDMasked is the masked ID number; notices never print the full number.
	ApplicantIDMasked string
	ReceivedOn        workday.Date
	AcceptedOn        workday.Date
	IssuedOn          workday.Date
	PromisedDue       workday.Date // committed due date (承诺办结日期)
	LegalDue          workday.Date // statutory due date (法定办结日期)
	Materials         []Material   // received (受理) or required, with Provided marking what was received
	Missing           []Material   // 一次性告知书: everything still missing
	CorrectionDue     workday.Date // 一次性告知书: the date by which to bring them (if any)
	Reason            string       // 不予受理 / 办结 不予 / 延期: the specific reason
	// Provisional: a due date printed was counted through a year whose holiday schedule the
	// State Council has not published yet; the notice says the date may move.
	Provisional   bool
	ExtensionDays int // 延期通知书: the working days added
	// 特别程序告知书: the procedure, the working days it may take, when they run out, and
	// whether the item counts them in the limit (usually not).
	Step        string
	StepDays    int
	StepDue     workday.Date
	StepCounted bool
	Approved    bool   // 办结: 准予 (true) or 不予 (false)
	Clerk       string // the clerk who issued it
	Phone       string // consultation phone (咨询电话), may be empty
	StatusURL   string // the QR code's content: the public status page
}
