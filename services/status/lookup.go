package status

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
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

// The throttle of the public lookup counts what guessing needs, and nothing a resident does
// right (see Lookup and ByToken):
//
//   - MaxReceiptFailures wrong phone digits for one receipt number within Window lock that
//     receipt's lookup by digits, from every address, until the window ends. Five is enough for
//     typing mistakes and far too few to guess four digits (1 in 10,000 per try, so 1 in 2,000
//     per window). The lock holds the right digits too (otherwise the answer would still tell
//     a guess), so a stranger can lock one receipt's lookup; its resident still has the QR code
//     on every notice, which is never throttled, and is told how long to wait.
//   - MaxAddressFailures failed lookups (unknown receipt numbers, wrong digits, unknown QR
//     tokens) from one client address within Window refuse that address's further failing
//     tries until the window ends. 100 is far beyond a shared address in normal use: a county
//     handles some 200 applications a working day, and even if every one of its residents
//     mistyped on the same carrier-grade NAT address, a 15-minute window sees a handful of
//     wrong tries, not a hundred; a scan of receipt numbers or tokens reaches it in seconds.
//     A lookup that finds its application (right digits, a valid token) is answered whatever
//     the address has done, so a township hall's Wi-Fi or a proxy never locks out a resident
//     because someone else on it mistyped or scanned.
//
// An IPv6 client is counted by its /64, the block one subscriber is given.
const (
	MaxReceiptFailures = 5
	MaxAddressFailures = 100
	Window             = 15 * time.Minute
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

var errNoToken = problem.NotFound("status_not_found", "二维码无效或已过期", "unknown status code")

// throttled is the 429 of a lock that ends at until: the resident is told how many minutes
// to wait (rounded up), and Retry-After says it to a program.
func throttled(byReceipt bool, until, now time.Time) *problem.Error {
	wait := max(until.Sub(now), time.Second)
	minutes := int((wait + time.Minute - 1) / time.Minute)
	e := &problem.Error{Status: http.StatusTooManyRequests, Code: "too_many_tries", RetryAfter: wait}
	if byReceipt {
		e.Message = fmt.Sprintf("该受理编号的查询错误次数过多，请 %d 分钟后再试；也可以扫描通知书上的二维码查看", minutes)
		e.MessageEn = fmt.Sprintf("too many wrong tries for this receipt number; try again in %d minutes, or scan the QR code on the notice", minutes)
	} else {
		e.Message = fmt.Sprintf("本网络查询错误次数过多，请 %d 分钟后再试；也可以扫描通知书上的二维码查看", minutes)
		e.MessageEn = fmt.Sprintf("too many failed lookups from this network; try again in %d minutes, or scan the QR code on the notice", minutes)
	}
	return e
}

// receiptKey and addressKey are the throttle's keys (status_lookups.key).
func receiptKey(receipt string) string { return "receipt:" + receipt }

func addressKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err == nil && a.Is6() && !a.Is4In6() {
		p, _ := a.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + addr
}

// serialize makes the throttle's read-check-count atomic: it holds a transaction-scoped
// advisory lock on the key (tenant and key hashed), so concurrent tries on one key queue, and
// each sees the failures the ones before it committed; without it a burst of parallel wrong
// tries all read the same count and all got an answer. The counts are rows in PostgreSQL, so
// every app process shares them. A try locks its receipt key before its address key, and never
// the other way round, so two tries cannot deadlock.
func serialize(ctx context.Context, key string) error {
	tx, _ := tenants.TxFrom(ctx)
	_, err := tenants.DB(ctx).NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))",
		"status_lookups:"+tx.TenantID().String()+":"+key).Exec(ctx)
	return err
}

// lockedUntil is when key's lock ends, or the zero time if key has tries left in its window.
func lockedUntil(ctx context.Context, key string, limit int, now time.Time) (time.Time, error) {
	var row struct {
		WindowStart time.Time `bun:"window_start"`
		Failures    int       `bun:"failures"`
	}
	err := tenants.DB(ctx).NewSelect().Table("status_lookups").Column("window_start", "failures").
		Where("tenant_id = ? AND key = ? AND window_start > ?", tenants.CurrentID(ctx), key, now.Add(-Window)).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) || err == nil && row.Failures < limit {
		return time.Time{}, nil
	}
	return row.WindowStart.Add(Window), err
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

// failFrom answers a failed try from addr: it is counted against the address (and its
// application's receipt, when one is named), and refused with 429 once the address has used
// up its tries, otherwise answered with notFound. The caller holds the receipt key's lock.
func failFrom(ctx context.Context, addr, receipt string, notFound *problem.Error, now time.Time) error {
	ak := addressKey(addr)
	if err := serialize(ctx, ak); err != nil {
		return err
	}
	until, err := lockedUntil(ctx, ak, MaxAddressFailures, now)
	if err != nil {
		return err
	}
	if receipt != "" {
		if err := fail(ctx, receiptKey(receipt), now); err != nil {
			return err
		}
	}
	if !until.IsZero() {
		return &Failure{throttled(false, until, now)}
	}
	if err := fail(ctx, ak, now); err != nil {
		return err
	}
	return &Failure{notFound}
}

// Failure is a refused try: the caller must still commit, so the count persists.
type Failure struct{ Err *problem.Error }

func (s *Service) load(ctx context.Context, where string, args ...any) (*app, error) {
	a := new(app)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(a)).ColumnExpr(appColumns+", h.name AS hall_name").
		Join("JOIN org_units AS h ON h.tenant_id = a.tenant_id AND h.id = a.hall_id").
		Where(where, args...).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

// Lookup finds an application by receipt number and the last four digits of the applicant's
// phone. A receipt whose digits were mistyped MaxReceiptFailures times in the window is
// refused (429, from every address, the right digits too); right digits are answered whatever
// the caller's address has done; a wrong try (an unknown receipt number or wrong digits) is
// counted against the address (and the receipt, when it exists) and refused with 429 instead
// of 404 once the address has MaxAddressFailures. A refused or wrong try returns a *Failure,
// and the caller commits the transaction before answering, so the count is kept.
func (s *Service) Lookup(ctx context.Context, receipt, last4, addr string) (*View, error) {
	var ck problem.Checker
	ck.Check(len(receipt) >= 6 && len(receipt) <= 40, "body.receipt_no", "请输入受理编号", "enter the receipt number", nil)
	ck.Check(len(last4) == 4, "body.phone_last4", "请输入手机号后四位", "enter the phone's last four digits", nil)
	if err := ck.Err(); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	if err := serialize(ctx, receiptKey(receipt)); err != nil {
		return nil, err
	}
	a, err := s.load(ctx, "a.receipt_no = ?", receipt)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, failFrom(ctx, addr, "", errNoMatch, now)
	}
	until, err := lockedUntil(ctx, receiptKey(receipt), MaxReceiptFailures, now)
	if err != nil {
		return nil, err
	}
	if !until.IsZero() {
		return nil, &Failure{throttled(true, until, now)}
	}
	if len(a.Phone) < 4 || subtle.ConstantTimeCompare([]byte(a.Phone[len(a.Phone)-4:]), []byte(last4)) != 1 {
		return nil, failFrom(ctx, addr, receipt, errNoMatch, now)
	}
	return s.view(ctx, a)
}

func (f *Failure) Error() string { return f.Err.Error() }

// ByToken finds an application by its QR token. A valid token is always answered: it is 128
// random bits, so holding one is proof enough. A wrong one counts against the address.
func (s *Service) ByToken(ctx context.Context, token, addr string) (*View, error) {
	a, err := s.byToken(ctx, token, addr)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, a)
}

func (s *Service) byToken(ctx context.Context, token, addr string) (*app, error) {
	if len(token) >= 16 && len(token) <= 64 {
		a, err := s.load(ctx, "a.status_token = ?", token)
		if err != nil || a != nil {
			return a, err
		}
	}
	return nil, failFrom(ctx, addr, "", errNoToken, s.Clock.Now())
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
