// Package settings holds a county's local variants of the national rules. Every value has
// the default the domain brief gives; a county admin changes them, and each change is
// audited.
package settings

import (
	"context"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Settings of one tenant.
type Settings struct {
	bun.BaseModel `bun:"table:tenant_settings,alias:ts"`

	TenantID uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	// YellowDays: an application turns yellow with at most this many working days left.
	YellowDays int `bun:"yellow_days" json:"yellow_days"`
	// ForwardDays: a village forwards a proxy application to the township within this many
	// working days.
	ForwardDays int `bun:"forward_days" json:"forward_days"`
	// CorrectionDays: the hall issues the 一次性告知书 within this many working days of
	// receipt (行政许可法 art. 32: five days), else the application counts as accepted.
	CorrectionDays int `bun:"correction_days" json:"correction_days"`
	// MaxExtension: working days one extension may add (art. 42: ten).
	MaxExtension int `bun:"max_extension" json:"max_extension"`
	// MaxExtensionUnified: the same for an item handled under art. 26 (统一办理, 联合办理,
	// 集中办理), whose extension art. 42 caps at fifteen.
	MaxExtensionUnified int `bun:"max_extension_unified" json:"max_extension_unified"`
	// DeliveryDays: a 准予 decision is served within this many working days (art. 44: ten).
	DeliveryDays int `bun:"delivery_days" json:"delivery_days"`
	// ReceiptPrefix starts every receipt number; empty means the county's region code.
	ReceiptPrefix string `bun:"receipt_prefix" json:"receipt_prefix"`
	// CalendarRev changes whenever the county's calendar does, so cached calendars refresh.
	// Only BumpCalendar moves it (skipupdate keeps Put from writing it back).
	CalendarRev int64     `bun:"calendar_rev,skipupdate" json:"-"`
	UpdatedAt   time.Time `bun:"updated_at,nullzero,default:now()" json:"-"`
}

// The statutory limits the settings mirror (行政许可法). A county may set any value stricter
// than the law, never a looser one.
const (
	LawCorrectionDays      = 5  // art. 32: 一次性告知 within five days of receipt
	LawMaxExtension        = 10 // art. 42: an extension of ten days
	LawMaxExtensionUnified = 15 // art. 42 with art. 26: fifteen for 统一办理/联合办理/集中办理
	LawDeliveryDays        = 10 // art. 44: a 准予 decision served within ten days
)

// Defaults are the national rules.
func Defaults() Settings {
	return Settings{YellowDays: 2, ForwardDays: 3, CorrectionDays: LawCorrectionDays, MaxExtension: LawMaxExtension,
		MaxExtensionUnified: LawMaxExtensionUnified, DeliveryDays: LawDeliveryDays}
}

// ExtensionCap is the most working days one extension may add to an application of an item
// handled (unified) under art. 26 or not: the county's value, which cannot exceed the law's.
func (s *Settings) ExtensionCap(unified bool) int {
	if unified {
		return min(s.MaxExtensionUnified, LawMaxExtensionUnified)
	}
	return min(s.MaxExtension, LawMaxExtension)
}

// Get returns the tenant's settings, the defaults where it has none.
func Get(ctx context.Context) (*Settings, error) {
	return tenants.GetSettings(ctx, Defaults())
}

var prefixPattern = regexp.MustCompile(`^[0-9A-Z]{0,12}$`)

// Validate checks a county admin's values.
func (s *Settings) Validate() error {
	var c problem.Checker
	c.Check(s.YellowDays >= 0 && s.YellowDays <= 30, "body.yellow_days", "临期提醒天数须为 0 至 30 个工作日", "yellow_days must be 0 to 30", s.YellowDays)
	c.Check(s.ForwardDays >= 1 && s.ForwardDays <= 30, "body.forward_days", "代办转交时限须为 1 至 30 个工作日", "forward_days must be 1 to 30", s.ForwardDays)
	c.Check(s.CorrectionDays >= 1 && s.CorrectionDays <= LawCorrectionDays, "body.correction_days",
		"补正告知时限须为 1 至 5 个工作日（行政许可法第三十二条：五日内一次告知，本县只可更严）",
		"correction_days must be 1 to 5: the law (art. 32) allows five working days, and a county may only be stricter", s.CorrectionDays)
	c.Check(s.MaxExtension >= 0 && s.MaxExtension <= LawMaxExtension, "body.max_extension",
		"延期上限须为 0 至 10 个工作日（行政许可法第四十二条：可以延长十日，本县只可更严）",
		"max_extension must be 0 to 10: the law (art. 42) allows ten working days, and a county may only be stricter", s.MaxExtension)
	c.Check(s.MaxExtensionUnified >= 0 && s.MaxExtensionUnified <= LawMaxExtensionUnified, "body.max_extension_unified",
		"统一办理事项的延期上限须为 0 至 15 个工作日（行政许可法第四十二条第二款）",
		"max_extension_unified must be 0 to 15: the law (arts. 26, 42) allows fifteen working days", s.MaxExtensionUnified)
	c.Check(s.DeliveryDays >= 1 && s.DeliveryDays <= LawDeliveryDays, "body.delivery_days",
		"送达时限须为 1 至 10 个工作日（行政许可法第四十四条：十日内送达，本县只可更严）",
		"delivery_days must be 1 to 10: the law (art. 44) allows ten working days, and a county may only be stricter", s.DeliveryDays)
	c.Check(prefixPattern.MatchString(s.ReceiptPrefix), "body.receipt_prefix", "受理编号前缀须为至多 12 位数字或大写字母", "receipt_prefix must be up to 12 digits or capital letters", s.ReceiptPrefix)
	return c.Err()
}

// Service changes the county's rules. OnChange, wired once where the services are built,
// runs in the transaction of every change to what deadlines are computed from: these settings
// or the calendar (package calendar reports its changes through Changed). Application
// reconciles the open deadlines there.
type Service struct {
	OnChange func(ctx context.Context) error
	// OnDays, when set, hears of a calendar change that can move only the working days from
	// to to (inclusive): a closure, an extra working day, a year's schedule. A change that
	// moves the rules themselves still goes to OnChange. Without OnDays, OnChange hears of
	// every change.
	OnDays func(ctx context.Context, from, to workday.Date) error
}

// Changed tells the wired hook that the rules or the calendar changed, in the transaction of
// the change.
func (s *Service) Changed(ctx context.Context) error {
	if s == nil || s.OnChange == nil {
		return nil
	}
	return s.OnChange(ctx)
}

// DaysChanged tells the wired hook that the calendar changed only on the days from to to
// (inclusive), in the transaction of the change.
func (s *Service) DaysChanged(ctx context.Context, from, to workday.Date) error {
	if s != nil && s.OnDays != nil {
		return s.OnDays(ctx, from, to)
	}
	return s.Changed(ctx)
}

// Put stores a county admin's values.
func (s *Service) Put(ctx context.Context, in Settings) (*Settings, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := tenants.PutSettings(ctx, &in); err != nil {
		return nil, err
	}
	if err := tenants.Audit(ctx, tenants.Change{Action: "settings.update", TargetType: "tenant_settings", TargetID: in.TenantID.String(),
		Summary: map[string]any{"yellow_days": in.YellowDays, "forward_days": in.ForwardDays, "correction_days": in.CorrectionDays,
			"max_extension": in.MaxExtension, "max_extension_unified": in.MaxExtensionUnified, "delivery_days": in.DeliveryDays,
			"receipt_prefix": in.ReceiptPrefix}}); err != nil {
		return nil, err
	}
	return &in, s.Changed(ctx)
}

// BumpCalendar marks the tenant's calendar changed and returns the new revision.
func BumpCalendar(ctx context.Context) (int64, error) {
	tx, _ := tenants.TxFrom(ctx)
	d := Defaults()
	d.TenantID = tx.TenantID()
	d.CalendarRev = 1
	var rev int64
	err := tenants.DB(ctx).NewInsert().Model(&d).
		On("CONFLICT (tenant_id) DO UPDATE").Set("calendar_rev = ts.calendar_rev + 1, updated_at = now()").
		Returning("calendar_rev").Scan(ctx, &rev)
	return rev, err
}
