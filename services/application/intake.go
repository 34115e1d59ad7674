package application

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/idno"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// Applicant is the person or organisation applying.
type Applicant struct {
	Kind string
	Name string
	// IDNo is the resident identity number (person) or the unified social credit code (org).
	IDNo  string
	Phone string
	// Contact is the organisation's contact person.
	Contact string
}

// Tick is one line of the materials checklist as the clerk or agent ticks it.
type Tick struct {
	Key      string
	Provided bool
	Note     string
}

// NewApplication is an intake form.
type NewApplication struct {
	ItemID        uuid.UUID
	Applicant     Applicant
	Materials     []Tick
	Authorization *Authorization
	// RequestKey is the form's idempotency key: a retried submission returns the first.
	RequestKey string
}

var (
	phonePattern = regexp.MustCompile(`^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$`)
	keyPattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Intake registers an application: at a township hall's window (township clerk) as 已接件,
// or at a village/community (community worker) as 代办收件 with the resident's authorisation.
func (s *Service) Intake(ctx context.Context, in NewApplication) (*Detail, error) {
	actor, _ := tenants.ActorFrom(ctx)
	today := s.today()
	if in.RequestKey != "" {
		if !keyPattern.MatchString(in.RequestKey) {
			return nil, problem.Invalid(problem.Field{Location: "header.Idempotency-Key", Message: "幂等键须为 8 至 64 位字母数字", MessageEn: "Idempotency-Key must be 8 to 64 letters or digits"})
		}
		prior := new(Application)
		err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(prior)).Where("a.request_key = ?", in.RequestKey).Scan(ctx)
		if err == nil {
			return s.Get(ctx, prior.ID)
		}
		if !isNoRows(err) {
			return nil, err
		}
	}
	unit := &tenants.OrgUnit{ID: actor.OrgUnitID, Kind: actor.OrgKind, Path: actor.OrgPath, ParentID: actor.OrgParentID, Name: actor.OrgName}
	if unit.Kind == "" {
		u, err := tenants.GetOrgUnit(ctx, actor.OrgUnitID)
		if err != nil {
			return nil, err
		}
		unit = u
	}
	var channel string
	var level catalog.Level
	switch unit.Kind {
	case tenants.KindTownship, tenants.KindStreet:
		channel, level = ChannelWindow, catalog.LevelTownship
		if !actor.HasAny(tenants.RoleTownshipClerk) {
			return nil, problem.Forbidden("role_not_allowed", "只有乡镇窗口人员可以窗口收件", "only township clerks receive at the window")
		}
	case tenants.KindVillage, tenants.KindCommunity:
		channel, level = ChannelProxy, catalog.LevelCommunity
		if !actor.HasAny(tenants.RoleCommunityWorker) {
			return nil, problem.Forbidden("role_not_allowed", "只有村（社区）工作者可以代办收件", "only community workers take proxy applications")
		}
	default:
		return nil, problem.Forbidden("unit_cannot_receive", "您所在单位不是乡镇大厅或村（社区），不能收件", "your unit is neither a township hall nor a village/community")
	}

	var c problem.Checker
	ap := &in.Applicant
	// The ID number loses every space, inner ones too: a number pasted in its printed groups
	// is the same number.
	ap.Name, ap.IDNo, ap.Phone = strings.TrimSpace(ap.Name), idno.Clean(ap.IDNo), strings.TrimSpace(ap.Phone)
	n := utf8.RuneCountInString(ap.Name)
	switch ap.Kind {
	case ApplicantPerson:
		c.Check(n >= 2 && n <= 50, "body.applicant.name", "申请人姓名须为 2 至 50 个字", "applicant name must be 2 to 50 characters", ap.Name)
		if ap.IDNo == "" {
			c.Check(false, "body.applicant.id_no", "请填写申请人的身份证号码", "the applicant's identity number is required", nil)
		} else if _, err := idno.Resident(ap.IDNo, s.now().In(clock.Zone)); err != nil {
			c.Check(false, "body.applicant.id_no", "身份证号码有误："+reason(err), "identity number is invalid: "+reasonEn(err), nil)
		}
	case ApplicantOrg:
		c.Check(n >= 2 && n <= 100, "body.applicant.name", "单位名称须为 2 至 100 个字", "organisation name must be 2 to 100 characters", ap.Name)
		if ap.IDNo == "" {
			c.Check(false, "body.applicant.id_no", "请填写单位的统一社会信用代码", "the organisation's unified social credit code is required", nil)
		} else if err := idno.Org(ap.IDNo); err != nil {
			c.Check(false, "body.applicant.id_no", "统一社会信用代码有误："+reason(err), "unified social credit code is invalid: "+reasonEn(err), nil)
		}
		cn := utf8.RuneCountInString(strings.TrimSpace(ap.Contact))
		c.Check(cn >= 2 && cn <= 50, "body.applicant.contact", "请填写经办人姓名", "the organisation's contact person is required", ap.Contact)
	default:
		c.Check(false, "body.applicant.kind", "申请人类型须为个人或单位", "applicant kind must be person or org", ap.Kind)
	}
	c.Check(phonePattern.MatchString(ap.Phone), "body.applicant.phone", "联系电话须为手机号或带区号的固定电话", "phone must be a mobile number or a landline with area code", ap.Phone)
	if channel == ChannelProxy {
		au := in.Authorization
		c.Check(au != nil, "body.authorization", "代办须登记申请人的委托", "a proxy application needs the resident's authorisation", nil)
		if au != nil {
			c.Check(!au.SignedOn.IsZero() && !au.SignedOn.After(today), "body.authorization.signed_on", "委托日期须为今天或以前", "the authorisation date must be today or earlier", au.SignedOn)
			dn := utf8.RuneCountInString(strings.TrimSpace(au.Document))
			c.Check(dn >= 2 && dn <= 200, "body.authorization.document", "请说明委托书（编号或签署情况）", "describe the signed authorisation", au.Document)
		}
	} else if in.Authorization != nil {
		c.Check(false, "body.authorization", "窗口收件不需要代办委托", "a window application has no proxy authorisation", nil)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}

	item, ver, err := catalog.InForce(ctx, in.ItemID)
	if err != nil {
		if p, ok := problem.As(err); ok && p.Status == 404 {
			return nil, problem.Invalid(problem.Field{Location: "body.item_id", Message: "事项不存在", MessageEn: "no such item"})
		}
		return nil, err
	}
	if !ver.Content.Accepts(level) {
		return nil, problem.Conflict("level_not_allowed", "事项「"+item.Name+"」不能在"+level.Label()+"收件", "the item is not received at level "+string(level))
	}
	materials, err := checklist(ver.Content.Materials, in.Materials)
	if err != nil {
		return nil, err
	}

	dept := &tenants.OrgUnit{ID: ver.Content.DepartmentID, Path: item.DepartmentPath, Name: item.DepartmentName}
	if item.DepartmentID != ver.Content.DepartmentID || dept.Path == "" {
		if dept, err = tenants.GetOrgUnit(ctx, ver.Content.DepartmentID); err != nil {
			return nil, err
		}
	}
	cal, st, err := calendarAndSettings(ctx)
	if err != nil {
		return nil, err
	}
	if s.Box == nil {
		return nil, errNoKey
	}
	a := &Application{
		TenantID: actor.TenantID, ID: uuid.New(), ItemID: item.ID, ItemVersion: ver.Version, ItemName: ver.Content.Name,
		Channel: channel, ApplicantKind: ap.Kind, ApplicantName: ap.Name, ApplicantPhone: ap.Phone,
		ApplicantIDSealed: s.Box.Seal(actor.TenantID, ap.IDNo), ApplicantIDBlind: s.Box.Blind(actor.TenantID, ap.IDNo), ApplicantIDMasked: MaskID(ap.IDNo),
		ContactName: strings.TrimSpace(ap.Contact), Materials: materials, DepartmentID: dept.ID, DepartmentPath: dept.Path,
		LegalDays: ver.Content.LegalDays, PromisedDays: ver.Content.PromisedDays, Warning: "normal", Version: 1, Jobs: map[string]Job{},
		ForwardDays: st.ForwardDays, CorrectionDays: st.CorrectionDays,
	}
	me := actor.IdentityID
	a.CreatedBy, a.AssigneeID = &me, &me
	if in.RequestKey != "" {
		a.RequestKey = &in.RequestKey
	}
	if channel == ChannelWindow {
		a.State, a.HallID, a.HallPath = lifecycle.Received, unit.ID, unit.Path
		a.ReceivedOn = stored(today)
	} else {
		hall, err := tenants.GetOrgUnit(ctx, *unit.ParentID)
		if err != nil {
			return nil, err
		}
		a.State, a.HallID, a.HallPath = lifecycle.ProxyReceived, hall.ID, hall.Path
		a.ProxyUnitID, a.ProxyPath = &unit.ID, &unit.Path
		in.Authorization.Agent = actor.Name
		a.Authorization = in.Authorization
		a.ProxyReceived = stored(today)
	}
	recompute(cal, a, nil, today, st)
	if err := schedule(ctx, cal, a, nil, st.YellowDays); err != nil {
		return nil, err
	}
	// With bind parameters (tenants.InsertOne): the widest statement of an intake, parsed and
	// planned once per connection instead of once per intake. Only the two columns the
	// database fills come back, and the conflict arbiter is there only when there is a key to
	// conflict on.
	o := tenants.InsertOptions{Returning: []string{"created_at", "updated_at"}}
	if a.RequestKey != nil {
		o.OnConflict = "(tenant_id, request_key) DO NOTHING"
	}
	inserted, err := tenants.InsertOne(ctx, a, o)
	if err != nil {
		return nil, err
	}
	if !inserted {
		// A concurrent retry of the same form won; its transaction is the one that counts.
		return nil, problem.Conflict("duplicate_submission", "该申请正在提交，请稍后刷新", "this form is being submitted already")
	}
	action := "intake"
	if channel == ChannelProxy {
		action = "proxy_intake"
	}
	e, err := s.record(ctx, a, action, "", a.State, "", map[string]any{"item_version": ver.Version, "materials": ticks(materials)})
	if err != nil {
		return nil, err
	}
	// Everything the page shows is in hand: no need to read it back.
	d := &Detail{Application: *a, Events: []Event{*e}, Item: ver.Content, Today: today, Levels: map[string]string{}}
	d.fill(cal, st, actor)
	if channel == ChannelWindow && unit.Name != "" && dept.Name != "" {
		// The hall is the clerk's own unit and the department came with the item: both named
		// already, no query.
		d.HallName, d.DepartmentName = unit.Name, dept.Name
		return d, nil
	}
	return d, d.nameUnits(ctx)
}

// checklist copies the version's materials and applies the ticks; a tick for a material the
// version does not list is an error.
func checklist(ms []catalog.Material, ticks []Tick) ([]Material, error) {
	out := make([]Material, len(ms))
	for i, m := range ms {
		out[i] = Material{Material: m}
	}
	return out, applyTicks(out, ticks)
}

func applyTicks(ms []Material, ticks []Tick) error {
	var c problem.Checker
	for i, t := range ticks {
		found := false
		for j := range ms {
			if ms[j].Key == t.Key {
				ms[j].Provided, ms[j].Note = t.Provided, strings.TrimSpace(t.Note)
				if t.Provided {
					ms[j].Problem = ""
				}
				found = true
			}
		}
		c.Check(found, "body.materials["+itoa(i)+"].key", "该事项没有这项材料："+t.Key, "the item lists no material "+t.Key, t.Key)
		c.Check(utf8.RuneCountInString(t.Note) <= 200, "body.materials["+itoa(i)+"].note", "备注不超过 200 字", "note must be at most 200 characters", nil)
	}
	return c.Err()
}

func complete(ms []Material) bool {
	for _, m := range ms {
		if m.Required && !m.Provided {
			return false
		}
	}
	return true
}

func ticks(ms []Material) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		out[m.Key] = m.Provided
	}
	return out
}

func reason(err error) string {
	var e *idno.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return err.Error()
}

func reasonEn(err error) string {
	var e *idno.Error
	if errors.As(err, &e) {
		return e.ReasonEn
	}
	return err.Error()
}
