package status

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Throttle limits: this many wrong tries per key (one IP address, one receipt number) within
// the window, then every try is refused until the window has passed. Five is enough for
// typing mistakes and far too few to guess four digits (1 in 10,000) or a 128-bit token.
const (
	MaxFailures = 5
	Window      = 15 * time.Minute
)

// Service answers the public and the staff side of status and ratings.
type Service struct {
	Clock clock.Clock
}

func (s *Service) today() workday.Date { return clock.Today(s.Clock) }

// View is what the public status page shows: the item, where it stands, the due date and the
// next step — nothing personal.
type View struct {
	ReceiptNo   string       `json:"receipt_no"`
	ItemName    string       `json:"item_name"`
	Hall        string       `json:"hall"`
	State       string       `json:"state"`
	StateLabel  string       `json:"state_label"`
	ReceivedOn  workday.Date `json:"received_on"`
	PromisedDue workday.Date `json:"promised_due"`
	Paused      bool         `json:"paused"`
	NextStep    string       `json:"next_step"`
	// Token is returned so the page can rate and reload without re-entering the code.
	Token string `json:"token"`
	// Rating is what the resident may do about 好差评 now.
	Rating RatingState `json:"rating"`
}

// RatingState says whether the resident may rate, and what they already gave.
type RatingState struct {
	CanRate       bool   `json:"can_rate"`
	Round         int    `json:"round" doc:"the round a new rating would be (1, or 2 after rectification)"`
	Given         []int  `json:"given" doc:"scores already given, by round"`
	Rectification string `json:"rectification,omitempty" doc:"the 差评's rectification status, if any"`
}

type app struct {
	bun.BaseModel `bun:"table:applications,alias:a"`

	TenantID    uuid.UUID       `bun:"tenant_id,pk,type:uuid"`
	ID          uuid.UUID       `bun:"id,pk,type:uuid"`
	ItemID      uuid.UUID       `bun:"item_id,type:uuid"`
	ItemName    string          `bun:"item_name"`
	State       lifecycle.State `bun:"state"`
	ReceiptNo   *string         `bun:"receipt_no"`
	Phone       string          `bun:"applicant_phone"`
	HallID      uuid.UUID       `bun:"hall_id,type:uuid"`
	HallName    string          `bun:"hall_name,scanonly"`
	ReceivedOn  workday.Date    `bun:"received_on,type:date,nullzero"`
	PromisedDue workday.Date    `bun:"promised_due,type:date,nullzero"`
	EndedOn     workday.Date    `bun:"ended_on,type:date,nullzero,scanonly"`
	Paused      bool            `bun:"paused"`
	Token       *string         `bun:"status_token"`
	CreatedBy   *uuid.UUID      `bun:"created_by,type:uuid"`
}

const appColumns = "a.tenant_id, a.id, a.item_id, a.item_name, a.state, a.receipt_no, a.applicant_phone, a.hall_id, " +
	"a.received_on, a.promised_due, " + endedOn + " AS ended_on, a.paused, a.status_token, a.created_by"

// A service event (一事一评: one rating per event) ends with 办结 — then 送达 and 归档 — or with
// 不予受理 or 撤回: "a 不予受理 or a withdrawn application is a service event too" (the brief,
// after 国办发〔2019〕51号). endedStates are the states after its end, endedOn its date: the
// decision's day, else the day it closed.
var endedStates = []lifecycle.State{lifecycle.Decided, lifecycle.Delivered, lifecycle.Rejected, lifecycle.Withdrawn, lifecycle.Archived}

const endedOn = "coalesce(a.decided_on, a.closed_on)"

var nextSteps = map[lifecycle.State]string{
	lifecycle.ProxyReceived: "村（社区）代办员将在 3 个工作日内把材料转交乡镇便民服务中心",
	lifecycle.Received:      "窗口正在审查材料，将决定受理、告知补正或不予受理",
	lifecycle.Correcting:    "请按一次性告知书补齐材料后交回窗口",
	lifecycle.Accepted:      "已受理，正在转交主管部门办理",
	lifecycle.Processing:    "主管部门正在办理，请在承诺办结日期前留意通知",
	lifecycle.Paused:        "正在进行特别程序（听证、检验、专家评审等），该期间不计入办理时限",
	lifecycle.Decided:       "已办结，请按通知到窗口领取结果或等待送达；欢迎对本次服务作出评价",
	lifecycle.Delivered:     "结果已送达；欢迎对本次服务作出评价",
	lifecycle.Rejected:      "不予受理，理由见不予受理通知书；如有异议可依法申请行政复议或提起行政诉讼；欢迎对本次服务作出评价",
	lifecycle.Withdrawn:     "申请已撤回，材料已退还；欢迎对本次服务作出评价",
	lifecycle.Archived:      "已办结归档",
}

// ratable is whether the service event has ended: 办结 (送达, 归档), 不予受理 or 撤回.
func (a *app) ratable() bool {
	return slices.Contains(endedStates, a.State) && !a.EndedOn.IsZero()
}

var errNoMatch = problem.NotFound("status_not_found", "未查到办件：请核对受理编号和手机号后四位", "no application matches the receipt number and phone digits")

func throttled() *problem.Error {
	return &problem.Error{Status: 429, Code: "too_many_tries", Message: "尝试次数过多，请 15 分钟后再试", MessageEn: "too many wrong tries; try again in 15 minutes"}
}

// serialize makes the throttle's read-check-count atomic: it holds a transaction-scoped
// advisory lock per key (tenant and key hashed), so concurrent tries on one key queue, and
// each sees the failures the ones before it committed. Without it a burst of parallel wrong
// tries all read the same count and all got an answer. Keys are locked in a fixed order, so
// two tries sharing two keys cannot deadlock.
func serialize(ctx context.Context, keys ...string) error {
	tx, _ := tenants.TxFrom(ctx)
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	for _, k := range slices.Compact(sorted) {
		if _, err := tenants.DB(ctx).NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))",
			"status_lookups:"+tx.TenantID().String()+":"+k).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// blocked reports whether key has used up its tries in the current window.
func blocked(ctx context.Context, key string, now time.Time) (bool, error) {
	var failures int
	err := tenants.DB(ctx).NewSelect().Table("status_lookups").Column("failures").
		Where("key = ? AND window_start > ?", key, now.Add(-Window)).Scan(ctx, &failures)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return failures >= MaxFailures, err
}

// fail counts a wrong try against key, starting a new window when the old one has passed.
func fail(ctx context.Context, key string, now time.Time) error {
	tx, _ := tenants.TxFrom(ctx)
	_, err := tenants.DB(ctx).NewRaw(`INSERT INTO status_lookups (tenant_id, key, window_start, failures) VALUES (?, ?, ?, 1)
		ON CONFLICT (tenant_id, key) DO UPDATE SET
		  failures = CASE WHEN status_lookups.window_start > ? THEN status_lookups.failures + 1 ELSE 1 END,
		  window_start = CASE WHEN status_lookups.window_start > ? THEN status_lookups.window_start ELSE EXCLUDED.window_start END`,
		tx.TenantID(), key, now, now.Add(-Window), now.Add(-Window)).Exec(ctx)
	return err
}

// ErrThrottled marks a refused try; the caller must still commit, so the count persists.
type Failure struct{ Err *problem.Error }

func (s *Service) load(ctx context.Context, where string, args ...any) (*app, error) {
	a := new(app)
	err := tenants.DB(ctx).NewSelect().Model(a).ColumnExpr(appColumns+", h.name AS hall_name").
		Join("JOIN org_units AS h ON h.tenant_id = a.tenant_id AND h.id = a.hall_id").
		Where(where, args...).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

// Lookup finds an application by receipt number and the last four digits of the applicant's
// phone. A wrong try counts against the IP address and the receipt number; the error it
// returns is then a *Failure, and the caller commits the transaction before answering, so the
// count is kept.
func (s *Service) Lookup(ctx context.Context, receipt, last4, ip string) (*View, error) {
	now := s.Clock.Now()
	keys := []string{"ip:" + ip, "receipt:" + receipt}
	if err := serialize(ctx, keys...); err != nil {
		return nil, err
	}
	for _, k := range keys {
		if b, err := blocked(ctx, k, now); err != nil {
			return nil, err
		} else if b {
			return nil, &Failure{throttled()}
		}
	}
	var ck problem.Checker
	ck.Check(len(receipt) >= 6 && len(receipt) <= 40, "body.receipt_no", "请输入受理编号", "enter the receipt number", nil)
	ck.Check(len(last4) == 4, "body.phone_last4", "请输入手机号后四位", "enter the phone's last four digits", nil)
	if err := ck.Err(); err != nil {
		return nil, err
	}
	a, err := s.load(ctx, "a.receipt_no = ?", receipt)
	if err != nil {
		return nil, err
	}
	if a == nil || len(a.Phone) < 4 || subtle.ConstantTimeCompare([]byte(a.Phone[len(a.Phone)-4:]), []byte(last4)) != 1 {
		for _, k := range keys {
			if err := fail(ctx, k, now); err != nil {
				return nil, err
			}
		}
		return nil, &Failure{errNoMatch}
	}
	return s.view(ctx, a)
}

func (f *Failure) Error() string { return f.Err.Error() }

// ByToken finds an application by its QR token; a wrong token counts against the IP address.
func (s *Service) ByToken(ctx context.Context, token, ip string) (*View, error) {
	a, err := s.byToken(ctx, token, ip)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, a)
}

func (s *Service) byToken(ctx context.Context, token, ip string) (*app, error) {
	now := s.Clock.Now()
	key := "ip:" + ip
	if err := serialize(ctx, key); err != nil {
		return nil, err
	}
	if b, err := blocked(ctx, key, now); err != nil {
		return nil, err
	} else if b {
		return nil, &Failure{throttled()}
	}
	var a *app
	var err error
	if len(token) >= 16 && len(token) <= 64 {
		if a, err = s.load(ctx, "a.status_token = ?", token); err != nil {
			return nil, err
		}
	}
	if a == nil {
		if err := fail(ctx, key, now); err != nil {
			return nil, err
		}
		return nil, &Failure{problem.NotFound("status_not_found", "二维码无效或已过期", "unknown status code")}
	}
	return a, nil
}

func (s *Service) view(ctx context.Context, a *app) (*View, error) {
	// Only the first view writes the token: a lookup is otherwise a read.
	var token string
	if a.Token != nil {
		token = *a.Token
	} else {
		var err error
		if token, err = Token(ctx, a.ID); err != nil {
			return nil, err
		}
	}
	var err error
	v := &View{ItemName: a.ItemName, Hall: a.HallName, State: string(a.State), StateLabel: a.State.Label(), ReceivedOn: a.ReceivedOn,
		PromisedDue: a.PromisedDue, Paused: a.Paused, NextStep: nextSteps[a.State], Token: token}
	if a.ReceiptNo != nil {
		v.ReceiptNo = *a.ReceiptNo
	}
	v.Rating, err = ratingState(ctx, a)
	return v, err
}
