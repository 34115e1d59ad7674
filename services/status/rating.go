package status

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Scores are the five levels of 国办发〔2019〕51号 and GB/T 39734-2020; 1 and 2 are 差评.
var scoreLabels = map[int]string{5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}

// ScoreLabel names a score.
func ScoreLabel(score int) string { return scoreLabels[score] }

// DefaultGoodMinScore is the lowest level counted as 好评 unless the county sets another: of
// the five levels (国办发〔2019〕51号, GB/T 39734-2020) the last two, 不满意 and 非常不满意,
// are 差评, and the first three, 非常满意 · 满意 · 基本满意, commonly count as 好评 (the brief).
const DefaultGoodMinScore = 3

// GoodLevels names the levels counted as 好评 when min is the lowest, best first
// ("非常满意、满意、基本满意").
func GoodLevels(min int) string {
	var out []string
	for s := 5; s >= min && s >= 1; s-- {
		out = append(out, scoreLabels[s])
	}
	return strings.Join(out, "、")
}

// Indicators a resident may tick with a 好评 (非常满意 · 满意 · 基本满意); the national
// evaluation (国办发〔2019〕51号, GB/T 39734-2020) asks about these aspects of the service.
var Indicators = []string{"办事效率高", "服务态度好", "材料精简", "一次办成", "指引清楚", "环境便利"}

// BadIndicators are what a resident may tick with a 差评 (不满意 · 非常不满意): the same
// aspects, worded as the problem, so the rectification case says what went wrong rather than
// repeating praise the resident did not mean.
var BadIndicators = []string{"服务态度差", "办事效率低", "材料反复提交", "多次跑腿", "指引不清", "环境不便"}

// IndicatorsFor are the indicators a rating of the score may tick.
func IndicatorsFor(score int) []string {
	if Bad(score) {
		return BadIndicators
	}
	return Indicators
}

// Bad reports whether a score is a 差评.
func Bad(score int) bool { return score <= 2 }

// Settings are the county's rating rules.
type Settings struct {
	bun.BaseModel `bun:"table:rating_settings,alias:rs"`

	TenantID uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	// DefaultAfterDays: an event still unrated after this many days is rated DefaultScore
	// (Guangdong: 基本满意 after 7 days). Nil is off, the default.
	DefaultAfterDays *int      `bun:"default_after_days" json:"default_after_days" doc:"null = off"`
	DefaultScore     int       `bun:"default_score" json:"default_score" minimum:"3" maximum:"5"`
	CallbackHours    int       `bun:"callback_hours" json:"callback_hours" minimum:"1" maximum:"240" doc:"a 差评 is called back within this many working hours: office hours (9:00–12:00, 13:30–17:30, 7 a day) of the county's working days (Zhejiang: 1 working day = 7)"`
	RectifyDays      int       `bun:"rectify_days" json:"rectify_days" minimum:"1" maximum:"60" doc:"working days to rectify (local rules: 5, 7 or 15)"`
	GoodMinScore     int       `bun:"good_min_score" json:"good_min_score" minimum:"3" maximum:"5" doc:"the lowest level counted as 好评 in the indicators: 3 = 基本满意 and above, the default (of the five levels of 国办发〔2019〕51号 / GB/T 39734-2020, 不满意 and 非常不满意 are 差评 and the first three, 非常满意 · 满意 · 基本满意, commonly count as 好评: the domain brief); 4 = 满意 and above; 5 = 非常满意 only. 差评 levels never count as 好评."`
	UpdatedAt        time.Time `bun:"updated_at,nullzero,default:now()" json:"-"`
}

// DefaultCallbackHours is one working day of the office hours (workday.DefaultOfficeHours):
// a 差评 is called back within 1 working day (the domain brief, after Zhejiang's rule under
// 国办发〔2019〕51号).
const DefaultCallbackHours = 7

// OfficeHours are the hours a callback limit counts in, China time.
var OfficeHours = workday.DefaultOfficeHours(clock.Zone)

// DefaultSettings: no default rating, callback within 1 working day (7 working hours), 5
// working days to rectify, 基本满意 and above count as 好评.
func DefaultSettings() Settings {
	return Settings{DefaultScore: 3, CallbackHours: DefaultCallbackHours, RectifyDays: 5, GoodMinScore: DefaultGoodMinScore}
}

// Good reports whether a score counts as 好评 under the county's rule.
func (s Settings) Good(score int) bool { return !Bad(score) && score >= s.GoodMinScore }

// GetSettings returns the county's rules or the defaults.
func GetSettings(ctx context.Context) (*Settings, error) {
	return tenants.GetSettings(ctx, DefaultSettings())
}

// PutSettings stores the county's rules.
func PutSettings(ctx context.Context, in Settings) (*Settings, error) {
	var ck problem.Checker
	ck.Check(in.DefaultAfterDays == nil || (*in.DefaultAfterDays >= 1 && *in.DefaultAfterDays <= 90), "body.default_after_days", "默认评价天数须为 1 至 90", "must be 1 to 90", in.DefaultAfterDays)
	ck.Check(in.DefaultScore >= 3 && in.DefaultScore <= 5, "body.default_score", "默认评价须为 基本满意、满意 或 非常满意", "the default must be 3 to 5", in.DefaultScore)
	ck.Check(in.CallbackHours >= 1 && in.CallbackHours <= 240, "body.callback_hours", "回访时限须为 1 至 240 个工作小时", "must be 1 to 240", in.CallbackHours)
	ck.Check(in.RectifyDays >= 1 && in.RectifyDays <= 60, "body.rectify_days", "整改时限须为 1 至 60 个工作日", "must be 1 to 60", in.RectifyDays)
	ck.Check(in.GoodMinScore >= 3 && in.GoodMinScore <= 5, "body.good_min_score", "计为好评的等级须从 基本满意、满意 或 非常满意 起：不满意、非常不满意 是差评",
		"好评 must start at 3 to 5: 1 and 2 are 差评", in.GoodMinScore)
	if err := ck.Err(); err != nil {
		return nil, err
	}
	if err := tenants.PutSettings(ctx, &in); err != nil {
		return nil, err
	}
	return &in, tenants.Audit(ctx, tenants.Change{Action: "rating_settings.update", TargetType: "rating_settings", TargetID: in.TenantID.String(), Summary: in})
}

// Rating is one rating.
type Rating struct {
	bun.BaseModel `bun:"table:ratings,alias:r"`

	TenantID      uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID            uuid.UUID    `bun:"id,pk,type:uuid" json:"id"`
	ApplicationID uuid.UUID    `bun:"application_id,type:uuid" json:"application_id"`
	Round         int          `bun:"round" json:"round"`
	Score         int          `bun:"score" json:"score"`
	Comment       string       `bun:"comment" json:"comment"`
	Indicators    []string     `bun:"indicators,array" json:"indicators"`
	Source        string       `bun:"source" json:"source" enum:"active,default"`
	ItemID        uuid.UUID    `bun:"item_id,type:uuid" json:"item_id"`
	HallID        uuid.UUID    `bun:"hall_id,type:uuid" json:"hall_id"`
	ClerkID       *uuid.UUID   `bun:"clerk_id,type:uuid" json:"clerk_id"`
	RatedOn       workday.Date `bun:"rated_on,type:date" json:"rated_on"`
	CreatedAt     time.Time    `bun:"created_at,nullzero,default:now()" json:"created_at"`

	ItemName  string `bun:"item_name,scanonly" json:"item_name"`
	ReceiptNo string `bun:"receipt_no,scanonly" json:"receipt_no"`
	// Good is whether the score counts as 好评 under the county's rule (RatingsOf fills it).
	Good bool `bun:"-" json:"good"`
}

// Rectification states (整改).
const (
	RectPending    = "pending"     // 待整改
	RectInProgress = "in_progress" // 整改中
	RectDone       = "done"        // 整改完成
	RectInvalid    = "invalid"     // 无效差评 (after review)
	RectImpossible = "impossible"  // 无法整改 (after review)
	RectOverdue    = "overdue"     // 超期
)

var rectLabels = map[string]string{RectPending: "待整改", RectInProgress: "整改中", RectDone: "整改完成", RectInvalid: "无效差评", RectImpossible: "无法整改", RectOverdue: "超期"}

// RectLabel names a rectification state.
func RectLabel(s string) string { return rectLabels[s] }

// Rectification is the case a 差评 opens. Its history, the 回访 among it, is its Steps.
type Rectification struct {
	bun.BaseModel `bun:"table:rectifications,alias:rc"`

	TenantID      uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID            uuid.UUID    `bun:"id,pk,type:uuid" json:"id"`
	RatingID      uuid.UUID    `bun:"rating_id,type:uuid" json:"rating_id"`
	ApplicationID uuid.UUID    `bun:"application_id,type:uuid" json:"application_id"`
	Status        string       `bun:"status" json:"status" enum:"pending,in_progress,done,invalid,impossible,overdue"`
	CallbackDue   time.Time    `bun:"callback_due" json:"callback_due"`
	RectifyDue    workday.Date `bun:"rectify_due,type:date" json:"rectify_due"`
	DoneAt        *time.Time   `bun:"done_at" json:"done_at"`
	Note          string       `bun:"note" json:"note"`
	ReviewNote    string       `bun:"review_note" json:"review_note"`
	ReviewedBy    *uuid.UUID   `bun:"reviewed_by,type:uuid" json:"-"`
	HandlerID     *uuid.UUID   `bun:"handler_id,type:uuid" json:"handler_id"`
	CreatedAt     time.Time    `bun:"created_at,nullzero,default:now()" json:"created_at"`
	RowVersion    int          `bun:"row_version" json:"row_version"`

	Score   int    `bun:"score,scanonly" json:"score"`
	Comment string `bun:"comment,scanonly" json:"comment"`
	// Indicators are the problems the resident ticked with the 差评.
	Indicators []string `bun:"indicators,array,scanonly" json:"indicators"`
	// ApplicantPhone is the resident's phone for the 回访. Personal data: only the case list
	// carries it, and that shows a case only to who handles it (the hall's clerks, the county
	// admins).
	ApplicantPhone string `bun:"applicant_phone,scanonly" json:"applicant_phone"`
	ItemName       string `bun:"item_name,scanonly" json:"item_name"`
	ReceiptNo      string `bun:"receipt_no,scanonly" json:"receipt_no"`
	HallName       string `bun:"hall_name,scanonly" json:"hall_name"`

	// Steps are the case's history, oldest first.
	Steps []Step `bun:"-" json:"steps"`
	// CallbackAt is when the first 回访 that reached the resident took place (from Steps);
	// nil while the callback is owed.
	CallbackAt *time.Time `bun:"-" json:"callback_at"`
}

func ratingState(ctx context.Context, a *app) (RatingState, error) {
	var rs []Rating
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&rs)).Where("application_id = ?", a.ID).Order("round").Scan(ctx); err != nil {
		return RatingState{}, err
	}
	st := RatingState{Given: []int{}}
	for _, r := range rs {
		st.Given = append(st.Given, r.Score)
	}
	var rect string
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Rectification)(nil))).Column("status").Where("application_id = ?", a.ID).Scan(ctx, &rect)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, err
	}
	st.Rectification = rect
	switch {
	case !a.ratable():
	case len(rs) == 0:
		st.CanRate, st.Round = true, 1
	case len(rs) == 1 && rect == RectDone:
		// One re-rating, after the rectification is done.
		st.CanRate, st.Round = true, 2
	}
	return st, nil
}

// RateInput is the resident's rating.
type RateInput struct {
	Score      int      `json:"score" minimum:"1" maximum:"5"`
	Comment    string   `json:"comment,omitempty" maxLength:"500"`
	Indicators []string `json:"indicators,omitempty"`
}

// RectifyArgs check a rectification at its callback deadline and after its rectify deadline.
type RectifyArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	CaseID   uuid.UUID `json:"case_id"`
	Stage    string    `json:"stage" doc:"callback or rectify"`
}

func (RectifyArgs) Kind() string        { return "rating_rectify_check" }
func (a RectifyArgs) Tenant() uuid.UUID { return a.TenantID }
func (RectifyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Rate records the resident's rating through their QR token. A 差评 opens a rectification
// case with its callback and rectification deadlines, kept by jobs.
func (s *Service) Rate(ctx context.Context, token, ip string, in RateInput) (*View, error) {
	a, err := s.byToken(ctx, token, ip)
	if err != nil {
		return nil, err
	}
	var ck problem.Checker
	ck.Check(in.Score >= 1 && in.Score <= 5, "body.score", "请选择 1 至 5 星", "score must be 1 to 5", in.Score)
	ck.Check(len([]rune(in.Comment)) <= 500, "body.comment", "评价内容不超过 500 字", "comment too long", nil)
	for i, ind := range in.Indicators {
		// A 差评 ticks problems, a 好评 what went well: not one from the other list.
		ck.Check(slices.Contains(IndicatorsFor(in.Score), ind), fmt.Sprintf("body.indicators[%d]", i),
			"该评价等级下没有这个评价指标，请重新选择", "the indicator is not one of the score's", ind)
	}
	if err := ck.Err(); err != nil {
		return nil, err
	}
	// Lock the application so two submissions of one rating cannot both pass the check.
	if _, err := tenants.DB(ctx).NewRaw("SELECT 1 FROM applications WHERE tenant_id = ? AND id = ? FOR UPDATE", tenants.CurrentID(ctx), a.ID).Exec(ctx); err != nil {
		return nil, err
	}
	st, err := ratingState(ctx, a)
	if err != nil {
		return nil, err
	}
	if !st.CanRate {
		return nil, problem.Conflict("cannot_rate", "本次服务暂不能评价：办结、不予受理或撤回后方可评价，每次服务评价一次，差评整改完成后可再评价一次",
			"this service cannot be rated now: after it ends (decided, rejected or withdrawn), once, and once more after rectification")
	}
	if in.Indicators == nil {
		in.Indicators = []string{}
	}
	r, err := s.insertRating(ctx, a, st.Round, in, "active")
	if err != nil {
		return nil, err
	}
	if st.Round == 2 {
		// The re-rating is the case's last step; the first rating stays as it was given.
		var caseID uuid.UUID
		if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Rectification)(nil))).Column("id").Where("application_id = ?", a.ID).Scan(ctx, &caseID); err != nil {
			return nil, err
		}
		if err := s.addStep(ctx, caseID, Step{Kind: StepRerated, At: s.Clock.Now(), Note: "整改后再评价：" + ScoreLabel(in.Score)}); err != nil {
			return nil, err
		}
	} else if Bad(in.Score) {
		if err := s.openCase(ctx, a, r); err != nil {
			return nil, err
		}
	}
	return s.view(ctx, a)
}

// clerkOf is who served the resident: whoever decided at the window to accept it or not
// (受理 / 不予受理), else who took it in.
func clerkOf(ctx context.Context, a *app) (*uuid.UUID, error) {
	var id uuid.UUID
	err := tenants.DB(ctx).NewSelect().Table("application_events").Column("actor_id").
		Where("tenant_id = ? AND application_id = ? AND action IN ('accept', 'reject') AND actor_id IS NOT NULL", tenants.CurrentID(ctx), a.ID).Order("seq").Limit(1).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return a.CreatedBy, nil
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

func (s *Service) insertRating(ctx context.Context, a *app, round int, in RateInput, source string) (*Rating, error) {
	clerk, err := clerkOf(ctx, a)
	if err != nil {
		return nil, err
	}
	tx, _ := tenants.TxFrom(ctx)
	r := &Rating{TenantID: tx.TenantID(), ID: uuid.New(), ApplicationID: a.ID, Round: round, Score: in.Score, Comment: in.Comment,
		Indicators: in.Indicators, Source: source, ItemID: a.ItemID, HallID: a.HallID, ClerkID: clerk, RatedOn: s.today()}
	res, err := tenants.DB(ctx).NewInsert().Model(r).On("CONFLICT (tenant_id, application_id, round) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert rating: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, problem.Conflict("already_rated", "本次服务已评价", "this service was already rated")
	}
	return r, tenants.Audit(ctx, tenants.Change{Action: "rating.create", TargetType: "application", TargetID: a.ID.String(),
		Summary: map[string]any{"round": round, "score": in.Score, "source": source}})
}

func (s *Service) openCase(ctx context.Context, a *app, r *Rating) error {
	st, err := GetSettings(ctx)
	if err != nil {
		return err
	}
	cal, err := calendar.For(ctx)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	c := &Rectification{TenantID: r.TenantID, ID: uuid.New(), RatingID: r.ID, ApplicationID: a.ID, Status: RectPending,
		CallbackDue: cal.AddWorkingHours(now, time.Duration(st.CallbackHours)*time.Hour, OfficeHours), RectifyDue: cal.Add(s.today(), st.RectifyDays),
		HandlerID: r.ClerkID, CreatedAt: now, RowVersion: 1}
	if _, err := tenants.DB(ctx).NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("open rectification: %w", err)
	}
	note := "评价：" + ScoreLabel(r.Score)
	if len(r.Indicators) > 0 {
		// The history keeps what the resident said went wrong, beside the score.
		note += "；问题：" + strings.Join(r.Indicators, "、")
	}
	if err := s.addStep(ctx, c.ID, Step{Kind: StepOpened, At: now, Note: note}); err != nil {
		return err
	}
	for stage, at := range map[string]time.Time{"callback": c.CallbackDue, "rectify": c.RectifyDue.AddDays(1).In(clock.Zone)} {
		if _, err := tenants.Enqueue(ctx, RectifyArgs{TenantID: c.TenantID, CaseID: c.ID, Stage: stage}, &river.InsertOpts{ScheduledAt: at}); err != nil {
			return err
		}
	}
	to, err := hallStaff(ctx, a.HallID, r.ClerkID)
	if err != nil {
		return err
	}
	_, err = notify.Send(ctx, to, notify.Message{Kind: "rating", ApplicationID: &a.ID, Title: "收到差评，请及时回访整改：" + a.ItemName,
		Body: fmt.Sprintf("评价：%s。%s%s 请在 %s 前回访，%s 前完成整改。", ScoreLabel(r.Score), problems(r.Indicators), r.Comment,
			c.CallbackDue.In(clock.Zone).Format("2006-01-02 15:04"), c.RectifyDue),
		DedupKey: "rating-bad:" + r.ID.String(), SMS: true})
	return err
}

// problems names the indicators a 差评 ticked, for the hall's message.
func problems(ind []string) string {
	if len(ind) == 0 {
		return ""
	}
	return "问题：" + strings.Join(ind, "、") + "。"
}

// hallStaff are the clerk and the hall's clerks and the county admins.
func hallStaff(ctx context.Context, hall uuid.UUID, clerk *uuid.UUID) ([]uuid.UUID, error) {
	return tenants.ActiveMembers(ctx, tenants.Reach{Role: tenants.RoleCountyAdmin},
		tenants.Reach{Role: tenants.RoleTownshipClerk, Units: []uuid.UUID{hall}}, tenants.Reach{Identity: clerk})
}

var errCaseNotFound = problem.NotFound("rectification_not_found", "找不到该整改记录", "rectification case not found")

// lockCase locks a case the actor may handle: a county admin any, a township clerk their hall's.
func lockCase(ctx context.Context, id uuid.UUID, rowVersion int) (*Rectification, *tenants.Actor, error) {
	a, _ := tenants.ActorFrom(ctx)
	c := new(Rectification)
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(c)).Where("rc.id = ?", id).For("UPDATE OF rc")
	if a == nil || !a.HasAny(tenants.RoleCountyAdmin) {
		if a == nil {
			return nil, nil, errCaseNotFound
		}
		q = q.Join("JOIN applications AS ap ON ap.tenant_id = rc.tenant_id AND ap.id = rc.application_id").Where("ap.hall_id = ?", a.OrgUnitID)
	}
	err := q.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errCaseNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	if rowVersion != 0 && c.RowVersion != rowVersion {
		return nil, nil, problem.Stale("该整改记录", "the case")
	}
	return c, a, nil
}

// CaseAction closes a rectification case. The 回访 is not one of these: it is recorded as its
// own step (Callback), and 整改完成 needs one that reached the resident.
type CaseAction struct {
	Action string `json:"action" enum:"complete,invalid,impossible" doc:"整改完成 (only after a recorded 回访 that reached the resident) / 无效差评 / 无法整改 (the last two by a county admin after review)"`
	Note   string `json:"note"`
}

// caseOpen is whether the hall still has work on a case.
func caseOpen(status string) bool {
	return status == RectPending || status == RectInProgress || status == RectOverdue
}

// Act applies a step to a case.
func (s *Service) Act(ctx context.Context, id uuid.UUID, rowVersion int, in CaseAction) (*Rectification, error) {
	var ck problem.Checker
	ck.Check(in.Action == StepComplete || in.Action == StepInvalid || in.Action == StepImpossible, "body.action",
		"未知的操作：回访请用“记录回访”", "unknown step: a callback is recorded as its own step", in.Action)
	n := len([]rune(in.Note))
	ck.Check(n >= 2 && n <= 1000, "body.note", "请填写说明（2 至 1000 字）", "a note of 2 to 1000 characters is required", in.Note)
	if err := ck.Err(); err != nil {
		return nil, err
	}
	c, a, err := lockCase(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	if err := loadSteps(ctx, c); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	open := caseOpen(c.Status)
	switch {
	case in.Action == StepComplete && open && c.CallbackAt == nil:
		// Closing never stands in for the callback (国办发〔2019〕51号: every 差评 is called back).
		return nil, problem.Conflict("callback_required", "尚未回访评价人：须先记录回访（谁、何时、联系结果、沟通内容），方可整改完成",
			"the resident has not been called back: record the callback before closing the case as rectified")
	case in.Action == StepComplete && open:
		c.Status, c.DoneAt, c.Note = RectDone, &now, in.Note
	case (in.Action == StepInvalid || in.Action == StepImpossible) && open:
		if !a.HasAny(tenants.RoleCountyAdmin) {
			return nil, problem.Forbidden("review_by_admin", "认定无效差评或无法整改须由县级管理员审核", "only a county admin may rule a rating invalid or impossible to rectify")
		}
		c.Status, c.ReviewNote, c.ReviewedBy = in.Action, in.Note, &a.IdentityID
	default:
		return nil, problem.Conflict("case_step_not_allowed", "当前状态（"+RectLabel(c.Status)+"）下不能执行该操作", "the step is not allowed in the case's state")
	}
	c.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(c).Column("status", "done_at", "note", "review_note", "reviewed_by", "row_version").
		WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	if err := s.addStep(ctx, c.ID, Step{Kind: in.Action, ActorID: &a.IdentityID, ActorName: a.Name, At: now, Note: in.Note}); err != nil {
		return nil, err
	}
	if err := loadSteps(ctx, c); err != nil {
		return nil, err
	}
	return c, tenants.Audit(ctx, tenants.Change{Action: "rectification." + in.Action, TargetType: "rectification", TargetID: id.String(), Summary: map[string]any{"status": c.Status}})
}

// CheckCase runs at a case's callback and rectify deadlines: an uncalled case warns, an
// unfinished one becomes overdue. A case that moved on is left alone.
func (s *Service) CheckCase(ctx context.Context, args RectifyArgs) error {
	c := new(Rectification)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(c)).Where("rc.id = ?", args.CaseID).For("UPDATE").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var hall uuid.UUID
	if err := tenants.DB(ctx).NewSelect().Table("applications").Column("hall_id").Where("tenant_id = ? AND id = ?", tenants.CurrentID(ctx), c.ApplicationID).Scan(ctx, &hall); err != nil {
		return err
	}
	to, err := hallStaff(ctx, hall, c.HandlerID)
	if err != nil {
		return err
	}
	if err := loadSteps(ctx, c); err != nil {
		return err
	}
	switch {
	case args.Stage == "callback":
		// Kept against the recorded callback, not the case's state: a case closed as 整改完成
		// has one, and a 回访 recorded after the limit is late however the case ends. Only a
		// 差评 ruled invalid or impossible on review before the limit owes none.
		body := callbackOverdue(c)
		if body == "" {
			return nil
		}
		_, err = notify.Send(ctx, to, notify.Message{Kind: "rating", ApplicationID: &c.ApplicationID, Title: "差评回访已超时", Body: body,
			DedupKey: "rating-callback:" + c.ID.String(), SMS: true})
		return err
	case args.Stage == "rectify" && (c.Status == RectPending || c.Status == RectInProgress) && s.today().After(c.RectifyDue):
		c.Status = RectOverdue
		c.RowVersion++
		if _, err := tenants.DB(ctx).NewUpdate().Model(c).Column("status", "row_version").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := s.addStep(ctx, c.ID, Step{Kind: StepOverdue, At: s.Clock.Now(), Note: "整改期限 " + c.RectifyDue.String() + " 已过"}); err != nil {
			return err
		}
		if err := tenants.Audit(ctx, tenants.Change{Action: "rectification.overdue", TargetType: "rectification", TargetID: c.ID.String()}); err != nil {
			return err
		}
		_, err = notify.Send(ctx, to, notify.Message{Kind: "rating", ApplicationID: &c.ApplicationID, Title: "差评整改已超期", Body: "整改期限 " + c.RectifyDue.String() + " 已过。",
			DedupKey: "rating-overdue:" + c.ID.String()})
		return err
	}
	return nil
}

// Cases lists rectification cases, open ones first: a county admin all, a clerk their hall's.
func (s *Service) Cases(ctx context.Context) ([]Rectification, error) {
	a, _ := tenants.ActorFrom(ctx)
	var cs []Rectification
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&cs)).
		ColumnExpr("rc.*, r.score, r.comment, r.indicators, ap.applicant_phone, ap.item_name, coalesce(ap.receipt_no, '') AS receipt_no, h.name AS hall_name").
		Join("JOIN ratings AS r ON r.tenant_id = rc.tenant_id AND r.id = rc.rating_id").
		Join("JOIN applications AS ap ON ap.tenant_id = rc.tenant_id AND ap.id = rc.application_id").
		Join("JOIN org_units AS h ON h.tenant_id = ap.tenant_id AND h.id = ap.hall_id").
		OrderExpr("rc.status IN ('pending', 'in_progress', 'overdue') DESC, rc.created_at DESC").Limit(500)
	if a == nil || !a.HasAny(tenants.RoleCountyAdmin) {
		if a == nil {
			return nil, nil
		}
		q = q.Where("ap.hall_id = ?", a.OrgUnitID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	ptrs := make([]*Rectification, len(cs))
	for i := range cs {
		ptrs[i] = &cs[i]
	}
	return cs, loadSteps(ctx, ptrs...)
}

// DefaultUnrated rates, by the county's rule, service events (办结, 不予受理, 撤回) still
// unrated the configured days after they ended (source 'default'); off unless the county
// sets it.
func (s *Service) DefaultUnrated(ctx context.Context) (int, error) {
	st, err := GetSettings(ctx)
	if err != nil || st.DefaultAfterDays == nil {
		return 0, err
	}
	var apps []app
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&apps)).ColumnExpr(appColumns).
		Where("a.state IN (?) AND "+endedOn+" <= ?", bun.In(endedStates), s.today().AddDays(-*st.DefaultAfterDays)).
		Where("NOT EXISTS (SELECT 1 FROM ratings r WHERE r.tenant_id = a.tenant_id AND r.application_id = a.id)").Limit(5000).Scan(ctx); err != nil {
		return 0, err
	}
	for i := range apps {
		if _, err := s.insertRating(ctx, &apps[i], 1, RateInput{Score: st.DefaultScore, Indicators: []string{}}, "default"); err != nil {
			return 0, err
		}
	}
	return len(apps), nil
}

// SweepArgs run the default-rating rule.
type SweepArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

func (SweepArgs) Kind() string        { return "rating_sweep" }
func (a SweepArgs) Tenant() uuid.UUID { return a.TenantID }
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 10 * time.Minute}}
}

// RatingsOf lists the ratings of services a member gave (the workforce record shows them).
func RatingsOf(ctx context.Context, identity uuid.UUID) ([]Rating, error) {
	var rs []Rating
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&rs)).ColumnExpr("r.*, ap.item_name, coalesce(ap.receipt_no, '') AS receipt_no").
		Join("JOIN applications AS ap ON ap.tenant_id = r.tenant_id AND ap.id = r.application_id").
		Where("r.clerk_id = ?", identity).Order("r.created_at DESC").Limit(200).Scan(ctx)
	if err != nil {
		return nil, err
	}
	st, err := GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		rs[i].Good = st.Good(rs[i].Score)
	}
	return rs, nil
}
