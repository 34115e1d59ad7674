// Package application is the life of an application (办件): intake at a window or by a
// village proxy, the decisions at the window, the department's handling, delivery and
// archiving, with the statutory deadlines kept on the working-day calendar and warned
// about by jobs. The transitions themselves are the table in package lifecycle.
package application

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/workday"
)

// Service carries what the operations need besides the transaction in ctx.
type Service struct {
	Clock clock.Clock
	// Box seals applicants' ID numbers (YC_DATA_KEY). Without it intake, ID search and the
	// full view are refused (503) rather than storing or comparing numbers in the clear.
	Box *secret.Box
	// AfterStep, when set, runs in each step's transaction once the row and its timeline
	// event are written: services that follow the lifecycle (documents: the notices a step
	// issues, the archive package) enqueue their work there, so it exists exactly when the
	// step does. They depend on this package, so it cannot call them by name.
	AfterStep func(ctx context.Context, a *Application, action lifecycle.Action, e *Event) error
	// ReconcileBatch is how many applications each transaction of a reconciliation reads;
	// 0 is ReconcileBatch (tests make it small to cross batch boundaries).
	ReconcileBatch int
	// ReconcileRest is how long the sweep rests after each batch, as a share of the time the
	// batch took (0 is ReconcileRest; negative: no rest). On the hall's own machine the sweep
	// then takes at most about half of a core, and a clerk's step between its batches does not
	// queue behind it; a sweep of 50,000 open applications still ends within minutes of its
	// hour (issue 14, item 3).
	ReconcileRest float64
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

func (s *Service) today() workday.Date { return workday.DateOf(s.now().In(clock.Zone)) }

// Applicant kinds.
const (
	ApplicantPerson = "person"
	ApplicantOrg    = "org"
)

// Channels.
const (
	ChannelWindow = "window"
	ChannelProxy  = "proxy"
)

// Material is one line of the application's checklist, copied from the item's version.
type Material struct {
	catalog.Material
	Provided bool `json:"provided"`
	// Problem is set by a correction notice: missing or incorrect.
	Problem string `json:"problem,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Authorization is the resident's 委托 of a proxy agent.
type Authorization struct {
	SignedOn workday.Date `json:"signed_on"`
	// Document describes the signed authorisation (委托书编号, 签字按手印…).
	Document string `json:"document"`
	Agent    string `json:"agent"`
}

// Correction is the 一次性告知书: everything missing or incorrect, in one notice.
type Correction struct {
	NotifiedOn workday.Date      `json:"notified_on"`
	Late       bool              `json:"late"`
	Items      []CorrectionEntry `json:"items"`
	// Repeat marks a later notice, which may only question materials the applicant changed
	// after the one before (行政许可法 art. 32: 一次告知); supervisors count them.
	Repeat bool `json:"repeat,omitempty"`
	// Changed are the materials the applicant brought or changed when answering this notice:
	// the only ones a later notice may question again.
	Changed []string `json:"changed,omitempty"`
}

// CorrectionEntry is one material to bring or fix.
type CorrectionEntry struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Problem string `json:"problem"`
	Note    string `json:"note,omitempty"`
}

// Application is the row.
type Application struct {
	bun.BaseModel `bun:"table:applications,alias:a"`

	TenantID      uuid.UUID       `bun:"tenant_id,pk,type:uuid"`
	ID            uuid.UUID       `bun:"id,pk,type:uuid"`
	ItemID        uuid.UUID       `bun:"item_id,type:uuid"`
	ItemVersion   int             `bun:"item_version"`
	ItemName      string          `bun:"item_name"`
	State         lifecycle.State `bun:"state"`
	Channel       string          `bun:"channel"`
	ReceiptNo     *string         `bun:"receipt_no"`
	ApplicantKind string          `bun:"applicant_kind"`
	ApplicantName string          `bun:"applicant_name"`
	// The applicant's ID number (身份证号码 or 统一社会信用代码) is stored sealed (services/secret,
	// bound to the tenant), with its blind index for exact search and the masked form that
	// lists, notices and archive packages print. The full number is read only by RevealID,
	// which audits it.
	ApplicantIDSealed []byte         `bun:"applicant_id_sealed" json:"-"`
	ApplicantIDBlind  []byte         `bun:"applicant_id_blind" json:"-"`
	ApplicantIDMasked string         `bun:"applicant_id_masked"`
	ApplicantPhone    string         `bun:"applicant_phone"`
	ContactName       string         `bun:"contact_name"`
	Materials         []Material     `bun:"materials,type:jsonb"`
	Authorization     *Authorization `bun:"authorization_info,type:jsonb"`
	HallID            uuid.UUID      `bun:"hall_id,type:uuid"`
	HallPath          string         `bun:"hall_path"`
	ProxyUnitID       *uuid.UUID     `bun:"proxy_unit_id,type:uuid"`
	ProxyPath         *string        `bun:"proxy_path"`
	DepartmentID      uuid.UUID      `bun:"department_id,type:uuid"`
	DepartmentPath    string         `bun:"department_path"`
	Routed            bool           `bun:"routed"`
	AssigneeID        *uuid.UUID     `bun:"assignee_id,type:uuid"`
	CreatedBy         *uuid.UUID     `bun:"created_by,type:uuid"`
	RequestKey        *string        `bun:"request_key"`
	ProxyReceived     *time.Time     `bun:"proxy_received_on,type:date"`
	ForwardDue        *time.Time     `bun:"forward_due,type:date"`
	ForwardDays       int            `bun:"forward_days"`
	ReceivedOn        *time.Time     `bun:"received_on,type:date"`
	CorrectionDays    int            `bun:"correction_days"`
	CorrectionDue     *time.Time     `bun:"correction_due,type:date"`
	Correction        *Correction    `bun:"correction,type:jsonb"`
	// CorrectionCount counts the 补正 notices; RepeatCorrections those after the first.
	CorrectionCount   int `bun:"correction_count"`
	RepeatCorrections int `bun:"repeat_corrections"`
	// CompleteOn is the day the materials became complete after an in-time correction notice:
	// the acceptance date (art. 32). ReceivedOn stays the day they were first received.
	CompleteOn     *time.Time `bun:"complete_on,type:date"`
	AcceptedOn     *time.Time `bun:"accepted_on,type:date"`
	LegalDays      int        `bun:"legal_days"`
	PromisedDays   int        `bun:"promised_days"`
	ExtensionDays  int        `bun:"extension_days"`
	LegalDue       *time.Time `bun:"legal_due,type:date"`
	PromisedDue    *time.Time `bun:"promised_due,type:date"`
	Paused         bool       `bun:"paused"`
	Warning        string     `bun:"warning"`
	Decision       *string    `bun:"decision"`
	DecisionReason *string    `bun:"decision_reason"`
	DecidedOn      *time.Time `bun:"decided_on,type:date"`
	// DecisionDays are the working days from acceptance to the decision, counted when it is
	// made; the statistics' rollup sums them (migration 20261205000010).
	DecisionDays   *int    `bun:"decision_days"`
	DeliveryMethod *string `bun:"delivery_method"`
	// DeliveryDue: a 准予 decision is served within ten working days (art. 44).
	DeliveryDue *time.Time `bun:"delivery_due,type:date"`
	DeliveredOn *time.Time `bun:"delivered_on,type:date"`
	// Provisional: a running due date was counted through a year whose holiday schedule is
	// not known yet, so it may move when the State Council publishes it.
	Provisional bool           `bun:"provisional"`
	ClosedOn    *time.Time     `bun:"closed_on,type:date"`
	CloseReason *string        `bun:"close_reason"`
	Jobs        map[string]Job `bun:"jobs,type:jsonb"`
	// Stages are the back-office steps (环节时限) copied from the item version on 受理.
	Stages    Stages    `bun:"stages,type:jsonb"`
	Version   int       `bun:"version"`
	CreatedAt time.Time `bun:"created_at,nullzero,default:now()"`
	UpdatedAt time.Time `bun:"updated_at,nullzero,default:now()"`
}

// Job remembers a scheduled deadline job, so a reschedule can cancel it.
type Job struct {
	ID  int64        `json:"id"`
	Due workday.Date `json:"due"`
}

// Event is one line of the timeline.
type Event struct {
	bun.BaseModel `bun:"table:application_events,alias:e"`

	TenantID      uuid.UUID       `bun:"tenant_id,pk,type:uuid"`
	ApplicationID uuid.UUID       `bun:"application_id,pk,type:uuid"`
	Seq           int             `bun:"seq,pk"`
	At            time.Time       `bun:"at"`
	ActorID       *uuid.UUID      `bun:"actor_id,type:uuid"`
	ActorName     string          `bun:"actor_name"`
	Action        string          `bun:"action"`
	FromState     lifecycle.State `bun:"from_state"`
	ToState       lifecycle.State `bun:"to_state"`
	Note          string          `bun:"note"`
	Data          map[string]any  `bun:"data,type:jsonb"`
}

// Pause is a 特别程序 span (行政许可法 art. 45).
type Pause struct {
	bun.BaseModel `bun:"table:application_pauses,alias:p"`

	TenantID      uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	ApplicationID uuid.UUID `bun:"application_id,pk,type:uuid"`
	Seq           int       `bun:"seq,pk"`
	// Step is the procedure: one art. 45 names (lifecycle.SpecialProcedures) or one of the
	// item's special steps.
	Step   string `bun:"step"`
	Reason string `bun:"reason"`
	// Counted: the item counts this step in the limit, so the clock does not stop.
	Counted bool `bun:"counted"`
	// LimitDays is the time the step may take (working days), told to the applicant in
	// writing; StepDue is when it runs out, and a job warns the day after.
	LimitDays    int        `bun:"limit_days"`
	StepDue      *time.Time `bun:"step_due,type:date"`
	FromDate     time.Time  `bun:"from_date,type:date"`
	ToDate       *time.Time `bun:"to_date,type:date"`
	ResumeReason *string    `bun:"resume_reason"`
}

// date converts a stored date (UTC midnight) to a civil date; nil stays zero.
func date(t *time.Time) workday.Date {
	if t == nil {
		return workday.Date{}
	}
	return workday.DateOf(*t)
}

// stored converts a civil date to what a date column stores; zero is NULL.
func stored(d workday.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := d.In(time.UTC)
	return &t
}

// Today is the civil date of the service's clock.
func (s *Service) Today() workday.Date { return s.today() }
