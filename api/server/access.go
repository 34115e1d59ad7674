package server

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

var (
	deptRoles      = []tenants.Role{tenants.RoleDepartmentStaff}
	reviewerRoles  = []tenants.Role{tenants.RoleCountyAdmin, tenants.RoleDepartmentStaff}
	communityRoles = []tenants.Role{tenants.RoleCommunityWorker}
	taskRoles      = []tenants.Role{tenants.RoleCountyAdmin, tenants.RoleDepartmentStaff, tenants.RoleCommunityWorker}
)

func (s *Server) accessRoutes() {
	s.accessItemRoutes()
	s.admissionRoutes()
	s.dispatchRoutes()
}

// AccessItemOut is a list item with its status today.
type AccessItemOut struct {
	access.Item
	Status      string `json:"status" enum:"in_force,pending,withdrawn,expired"`
	KindLabel   string `json:"kind_label"`
	Unconfirmed bool   `json:"unconfirmed" doc:"not re-confirmed for this year yet (年度确认)"`
}

func (s *Server) itemOut(it access.Item) AccessItemOut {
	today := s.today()
	now := s.deps.Clock.Now()
	return AccessItemOut{Item: it, Status: it.Status(today, now), KindLabel: it.Kind.Label(),
		Unconfirmed: it.InForce(today, now) && (it.ConfirmedYear == nil || *it.ConfirmedYear < today.Year)}
}

type accessListIn struct {
	Kind       string `query:"kind" enum:"duty,assist,certificate,no_certificate,forbidden,"`
	Department string `query:"department_id"`
	InForce    bool   `query:"in_force" doc:"only items in force today"`
}

type accessListOut struct {
	Body struct {
		Items []AccessItemOut `json:"items"`
	}
}

type accessItemIn struct{ Body access.NewItem }

type accessItemOut struct {
	ETag string `header:"ETag"`
	Body struct {
		Item     AccessItemOut    `json:"item"`
		Versions []access.Version `json:"versions"`
	}
}

type accessIDIn struct {
	ID uuid.UUID `path:"id"`
}

type accessEditIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    struct {
		Content access.Content `json:"content"`
		Reason  string         `json:"reason"`
	}
}

type accessWithdrawIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    struct {
		EffectiveFrom workday.Date `json:"effective_from" doc:"the first day the item is off the lists; today withdraws it at once"`
		Reason        string       `json:"reason"`
	}
}

type accessConfirmIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Year int `json:"year"`
	}
}

type publicListIn struct {
	County string `path:"county" doc:"county code"`
}

// PublicItem is what the public list shows.
type PublicItem struct {
	Code          string       `json:"code"`
	Kind          string       `json:"kind"`
	KindLabel     string       `json:"kind_label"`
	Name          string       `json:"name"`
	LegalBasis    string       `json:"legal_basis"`
	Department    string       `json:"department"`
	Funding       string       `json:"funding"`
	FundingAmount int64        `json:"funding_amount"`
	EffectiveFrom workday.Date `json:"effective_from"`
}

type publicListOut struct {
	Body struct {
		County string       `json:"county"`
		AsOf   workday.Date `json:"as_of"`
		Items  []PublicItem `json:"items"`
	}
}

type accessSettingsOut struct{ Body *access.Settings }
type accessSettingsIn struct{ Body access.Settings }

func (s *Server) accessItemRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "public-access-list", Method: http.MethodGet, Path: "/api/v1/public/{county}/access-list",
		Summary: "公开清单 / The lists in force (public)", Description: "No sign-in. The county's access lists in force today.", Tags: tags, Errors: []int{404}},
		nil, func(ctx context.Context, in *publicListIn) (*publicListOut, error) {
			out := &publicListOut{}
			out.Body.AsOf = s.today()
			err := s.inCounty(ctx, in.County, func(ctx context.Context, t *tenants.Tenant) error {
				out.Body.County = t.Name
				items, err := s.access.List(ctx, access.Filter{On: s.today()})
				for _, it := range items {
					out.Body.Items = append(out.Body.Items, PublicItem{Code: it.Code, Kind: string(it.Kind), KindLabel: it.Kind.Label(), Name: it.Name,
						LegalBasis: it.LegalBasis, Department: it.DepartmentName, Funding: string(it.Funding), FundingAmount: it.FundingAmount, EffectiveFrom: it.EffectiveFrom})
				}
				return err
			})
			if out.Body.Items == nil {
				out.Body.Items = []PublicItem{}
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "list-access-items", Method: http.MethodGet, Path: "/api/v1/access/items", Summary: "准入清单 / The access lists",
		Description: "Every item with its status today; in_force=true for the lists in force.", Tags: tags, Errors: []int{422}},
		staffRoles, func(ctx context.Context, in *accessListIn) (*accessListOut, error) {
			f := access.Filter{Kind: access.Kind(in.Kind)}
			if in.InForce {
				f.On = s.today()
			}
			if in.Department != "" {
				id, err := uuid.Parse(in.Department)
				if err != nil {
					return nil, problem.Invalid(problem.Field{Location: "query.department_id", Message: "部门编号格式有误", MessageEn: "department_id is not a UUID"})
				}
				f.Department = &id
			}
			out := &accessListOut{}
			out.Body.Items = []AccessItemOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				items, err := s.access.List(ctx, f)
				for _, it := range items {
					out.Body.Items = append(out.Body.Items, s.itemOut(it))
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "create-access-item", Method: http.MethodPost, Path: "/api/v1/access/items", Summary: "录入清单事项 / Enter an item",
		Description: "For the county's already adopted lists. New work goes through the admission workflow.", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{422}},
		admins, func(ctx context.Context, in *accessItemIn) (out *accessItemOut, err error) {
			err = s.inTx(ctx, func(ctx context.Context) error {
				it, err := s.access.Create(ctx, in.Body)
				if err != nil {
					return err
				}
				out, err = s.accessDetail(ctx, it.ID)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-access-item", Method: http.MethodGet, Path: "/api/v1/access/items/{id}", Summary: "清单事项 / An item with its history",
		Tags: tags, Errors: []int{404}},
		staffRoles, func(ctx context.Context, in *accessIDIn) (out *accessItemOut, err error) {
			err = s.inTx(ctx, func(ctx context.Context) (err error) { out, err = s.accessDetail(ctx, in.ID); return err })
			return out, err
		})
	register(s, huma.Operation{OperationID: "edit-access-item", Method: http.MethodPut, Path: "/api/v1/access/items/{id}", Summary: "修改清单事项 / Edit an item",
		Description: "A new version; the history keeps the old one.", Tags: tags, Errors: []int{404, 412, 422}},
		admins, func(ctx context.Context, in *accessEditIn) (out *accessItemOut, err error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			err = s.inTx(ctx, func(ctx context.Context) error {
				if _, err := s.access.Edit(ctx, in.ID, v, in.Body.Content, in.Body.Reason); err != nil {
					return err
				}
				out, err = s.accessDetail(ctx, in.ID)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "withdraw-access-item", Method: http.MethodPost, Path: "/api/v1/access/items/{id}/withdraw", Summary: "撤销清单事项 / Withdraw an item",
		Description: "From a date (today = at once). A dispatch racing the withdrawal is either refused or was made before it took effect.", Tags: tags, Errors: []int{404, 409, 412, 422}},
		admins, func(ctx context.Context, in *accessWithdrawIn) (out *accessItemOut, err error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			err = s.inTx(ctx, func(ctx context.Context) error {
				if _, err := s.access.Withdraw(ctx, in.ID, v, in.Body.EffectiveFrom, in.Body.Reason); err != nil {
					return err
				}
				out, err = s.accessDetail(ctx, in.ID)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "confirm-access-item", Method: http.MethodPost, Path: "/api/v1/access/items/{id}/confirm", Summary: "年度确认 / Re-confirm an item for a year",
		Tags: tags, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *accessConfirmIn) (out *accessItemOut, err error) {
			err = s.inTx(ctx, func(ctx context.Context) error {
				if _, err := s.access.Confirm(ctx, in.ID, in.Body.Year); err != nil {
					return err
				}
				out, err = s.accessDetail(ctx, in.ID)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "access-scope-units", Method: http.MethodGet, Path: "/api/v1/access/scope-units",
		Summary: "适用范围可选单位 / Units an item's scope may name", Description: "The county, its townships and streets, and their villages and communities: what an application's scope chooses from.",
		Tags: tags}, reviewerRoles, func(ctx context.Context, _ *struct{}) (*orgListOut, error) {
		out := &orgListOut{}
		out.Body.Items = []OrgUnit{}
		err := s.inTx(ctx, func(ctx context.Context) error {
			us, err := access.ScopeUnits(ctx)
			for i := range us {
				out.Body.Items = append(out.Body.Items, toOrgUnit(&us[i]))
			}
			return err
		})
		return out, err
	})
	register(s, huma.Operation{OperationID: "get-access-settings", Method: http.MethodGet, Path: "/api/v1/access/settings", Summary: "准入规则设置 / Admission settings", Tags: tags},
		admins, func(ctx context.Context, _ *struct{}) (out *accessSettingsOut, err error) {
			out = &accessSettingsOut{}
			err = s.inTx(ctx, func(ctx context.Context) (err error) { out.Body, err = access.GetSettings(ctx); return err })
			return out, err
		})
	register(s, huma.Operation{OperationID: "put-access-settings", Method: http.MethodPut, Path: "/api/v1/access/settings", Summary: "保存准入规则设置 / Save admission settings",
		Tags: tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *accessSettingsIn) (out *accessSettingsOut, err error) {
			out = &accessSettingsOut{}
			err = s.inTx(ctx, func(ctx context.Context) (err error) { out.Body, err = access.PutSettings(ctx, in.Body); return err })
			return out, err
		})
}

func (s *Server) accessDetail(ctx context.Context, id uuid.UUID) (*accessItemOut, error) {
	it, vs, err := s.access.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &accessItemOut{ETag: etag(it.Version)}
	out.Body.Item, out.Body.Versions = s.itemOut(*it), vs
	if out.Body.Versions == nil {
		out.Body.Versions = []access.Version{}
	}
	return out, nil
}

// ---- admission

// RequestOut is a request with its stage's label.
type RequestOut struct {
	access.Request
	StatusLabel string `json:"status_label"`
}

type requestsOut struct {
	Body struct {
		Requests []RequestOut `json:"requests"`
	}
}

type applyIn struct{ Body access.Application }

type requestOut struct {
	ETag string `header:"ETag"`
	Body struct {
		Request RequestOut    `json:"request"`
		Steps   []access.Step `json:"steps"`
	}
}

type decideIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    access.Decision
}

type resubmitIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    access.Application
}

func (s *Server) requestDetail(ctx context.Context, id uuid.UUID) (*requestOut, error) {
	r, steps, err := s.access.RequestOf(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &requestOut{ETag: etag(r.RowVersion)}
	out.Body.Request, out.Body.Steps = RequestOut{Request: *r, StatusLabel: r.Status.Label()}, steps
	return out, nil
}

func (s *Server) admissionRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "list-admissions", Method: http.MethodGet, Path: "/api/v1/access/requests", Summary: "准入申请 / Admission requests",
		Description: "A department sees its own; the reviewing departments and county admins see all.", Tags: tags},
		reviewerRoles, func(ctx context.Context, _ *struct{}) (*requestsOut, error) {
			out := &requestsOut{}
			out.Body.Requests = []RequestOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				rs, err := s.access.Requests(ctx)
				for _, r := range rs {
					out.Body.Requests = append(out.Body.Requests, RequestOut{Request: r, StatusLabel: r.Status.Label()})
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "apply-admission", Method: http.MethodPost, Path: "/api/v1/access/requests", Summary: "申请准入 / Apply to add an item",
		Description: "By a county department, with the legal basis, scope, expected hours and funding, at least the county's apply-ahead working days before the requested start.",
		Tags:        tags, DefaultStatus: http.StatusCreated, Errors: []int{403, 422}},
		deptRoles, func(ctx context.Context, in *applyIn) (out *requestOut, err error) {
			err = s.inTx(ctx, func(ctx context.Context) error {
				r, err := s.access.Apply(ctx, in.Body)
				if err != nil {
					return err
				}
				out, err = s.requestDetail(ctx, r.ID)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-admission", Method: http.MethodGet, Path: "/api/v1/access/requests/{id}", Summary: "准入申请详情 / A request with its steps",
		Tags: tags, Errors: []int{404}},
		reviewerRoles, func(ctx context.Context, in *accessIDIn) (out *requestOut, err error) {
			err = s.inTx(ctx, func(ctx context.Context) (err error) { out, err = s.requestDetail(ctx, in.ID); return err })
			return out, err
		})
	register(s, huma.Operation{OperationID: "decide-admission", Method: http.MethodPost, Path: "/api/v1/access/requests/{id}/decide", Summary: "审核 / Decide the current step",
		Description: "民政审核 by the civil-affairs department (or a county admin), 合法性审查 by the legal department (or a county admin), 联席会议审定 by a county admin. " +
			"Approving the joint meeting starts the public notice; its end makes the item effective (a job).", Tags: tags, Errors: []int{403, 404, 409, 412, 422}},
		reviewerRoles, func(ctx context.Context, in *decideIn) (out *requestOut, err error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			err = s.inTx(ctx, func(ctx context.Context) error {
				if _, err := s.access.Decide(ctx, in.ID, v, in.Body); err != nil {
					return err
				}
				out, err = s.requestDetail(ctx, in.ID)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "resubmit-admission", Method: http.MethodPost, Path: "/api/v1/access/requests/{id}/resubmit", Summary: "修改后重新提交 / Resubmit a returned request",
		Tags: tags, Errors: []int{403, 404, 409, 412, 422}},
		deptRoles, func(ctx context.Context, in *resubmitIn) (out *requestOut, err error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			err = s.inTx(ctx, func(ctx context.Context) error {
				if _, err := s.access.Resubmit(ctx, in.ID, v, in.Body); err != nil {
					return err
				}
				out, err = s.requestDetail(ctx, in.ID)
				return err
			})
			return out, err
		})
}

// ---- dispatch, tasks, burden

type dispatchIn struct {
	IdempotencyKey string `header:"Idempotency-Key" doc:"a UUID; a retry with the same key returns the first answer"`
	Body           access.DispatchInput
}

type dispatchOut struct {
	Body struct {
		Tasks []access.Task `json:"tasks"`
	}
}

type tasksIn struct {
	Status string `query:"status" enum:"pending,accepted,refused,done,"`
}

type tasksOut struct {
	Body struct {
		Tasks []access.Task `json:"tasks"`
	}
}

type answerIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    access.Answer
}

type taskOut struct {
	ETag string `header:"ETag"`
	Body *access.Task
}

type completeIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
}

type interceptionsOut struct {
	Body struct {
		Interceptions []access.Interception `json:"interceptions"`
	}
}

type communitiesOut struct {
	Body struct {
		Communities []CommunityRef `json:"communities"`
	}
}

// CommunityRef names a village or community.
type CommunityRef struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	Kind string    `json:"kind"`
}

type burdenIn struct {
	From   string `query:"from" required:"true" doc:"YYYY-MM"`
	To     string `query:"to" required:"true" doc:"YYYY-MM"`
	At     string `query:"at" doc:"a list version's date (YYYY-MM-DD) for the before/after comparison"`
	Months int    `query:"months" minimum:"1" maximum:"24" default:"3"`
}

type burdenOut struct{ Body *access.Report }

func (in *burdenIn) parse() (workday.Date, error) {
	for loc, v := range map[string]string{"query.from": in.From, "query.to": in.To} {
		if _, err := parseMonth(loc, v); err != nil {
			return workday.Date{}, err
		}
	}
	if in.From > in.To {
		return workday.Date{}, problem.Invalid(problem.Field{Location: "query.to", Message: "结束月份不能早于开始月份", MessageEn: "to is before from"})
	}
	return optDate("query.at", in.At)
}

func (s *Server) dispatchRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "dispatch-task", Method: http.MethodPost, Path: "/api/v1/access/dispatch", Summary: "交办任务 / Dispatch a task to communities",
		Description: "Refused with 409 and recorded as an interception when the task is not tied to an item in force that day, is a certificate on the 不得出具 list, " +
			"comes from a department that is not the item's, is on the 不得承担 list, or names a community outside the item's scope.",
		Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{403, 409, 422}},
		deptRoles, func(ctx context.Context, in *dispatchIn) (*dispatchOut, error) {
			key := uuid.New()
			if in.IdempotencyKey != "" {
				k, err := uuid.Parse(in.IdempotencyKey)
				if err != nil {
					return nil, problem.Invalid(problem.Field{Location: "header.Idempotency-Key", Message: "Idempotency-Key 须为 UUID", MessageEn: "Idempotency-Key must be a UUID"})
				}
				key = k
			}
			var res *access.Dispatched
			// The interception is committed before the 409 is answered: the refusal is evidence.
			err := s.inTx(ctx, func(ctx context.Context) (err error) { res, err = s.access.Dispatch(ctx, key, in.Body); return err })
			if err != nil {
				return nil, err
			}
			if res.Refusal != nil {
				return nil, res.Refusal.Problem()
			}
			out := &dispatchOut{}
			out.Body.Tasks = res.Tasks
			return out, nil
		})
	register(s, huma.Operation{OperationID: "item-communities", Method: http.MethodGet, Path: "/api/v1/access/items/{id}/communities", Summary: "可交办的村社区 / Communities an item applies to",
		Tags: tags, Errors: []int{404}},
		reviewerRoles, func(ctx context.Context, in *accessIDIn) (*communitiesOut, error) {
			out := &communitiesOut{}
			out.Body.Communities = []CommunityRef{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				us, err := s.access.Communities(ctx, in.ID)
				for _, u := range us {
					out.Body.Communities = append(out.Body.Communities, CommunityRef{ID: u.ID, Name: u.Name, Kind: string(u.Kind)})
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "list-tasks", Method: http.MethodGet, Path: "/api/v1/access/tasks", Summary: "交办任务 / Tasks",
		Description: "A community sees its own tasks, a department those it dispatched, a county admin all.", Tags: tags, Errors: []int{422}},
		taskRoles, func(ctx context.Context, in *tasksIn) (*tasksOut, error) {
			out := &tasksOut{}
			err := s.inTx(ctx, func(ctx context.Context) (err error) {
				out.Body.Tasks, err = s.access.Tasks(ctx, access.TaskFilter{Status: access.TaskStatus(in.Status)})
				return err
			})
			if out.Body.Tasks == nil {
				out.Body.Tasks = []access.Task{}
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "answer-task", Method: http.MethodPost, Path: "/api/v1/access/tasks/{id}/answer", Summary: "接收或拒绝 / Accept or refuse a task",
		Description: "Accepting starts the working-day deadline; refusing needs a reason.", Tags: tags, Errors: []int{404, 409, 412, 422}},
		communityRoles, func(ctx context.Context, in *answerIn) (*taskOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			out := &taskOut{}
			err = s.inTx(ctx, func(ctx context.Context) (err error) {
				out.Body, err = s.access.Answer(ctx, in.ID, v, in.Body)
				return err
			})
			if err == nil {
				out.ETag = etag(out.Body.RowVersion)
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "complete-task", Method: http.MethodPost, Path: "/api/v1/access/tasks/{id}/complete", Summary: "办结 / Complete a task",
		Tags: tags, Errors: []int{404, 409, 412}},
		communityRoles, func(ctx context.Context, in *completeIn) (*taskOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			out := &taskOut{}
			err = s.inTx(ctx, func(ctx context.Context) (err error) { out.Body, err = s.access.Complete(ctx, in.ID, v); return err })
			if err == nil {
				out.ETag = etag(out.Body.RowVersion)
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "list-interceptions", Method: http.MethodGet, Path: "/api/v1/access/interceptions", Summary: "拦截记录 / Intercepted dispatches",
		Description: "A department sees its own, a county admin all.", Tags: tags},
		reviewerRoles, func(ctx context.Context, _ *struct{}) (*interceptionsOut, error) {
			out := &interceptionsOut{}
			err := s.inTx(ctx, func(ctx context.Context) (err error) {
				out.Body.Interceptions, err = s.access.Interceptions(ctx)
				return err
			})
			if out.Body.Interceptions == nil {
				out.Body.Interceptions = []access.Interception{}
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "burden-stats", Method: http.MethodGet, Path: "/api/v1/access/burden", Summary: "减负统计 / Burden statistics",
		Description: "Per community and per department, per month: tasks, hours, interceptions, refusals, ledgers, certificates, inspections; with at, the before/after comparison around that list version.",
		Tags:        tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *burdenIn) (*burdenOut, error) {
			at, err := in.parse()
			if err != nil {
				return nil, err
			}
			out := &burdenOut{}
			err = s.inTx(ctx, func(ctx context.Context) (err error) {
				out.Body, err = access.Compute(ctx, in.From, in.To, at, in.Months)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "export-burden", Method: http.MethodGet, Path: "/api/v1/access/burden.xlsx", Summary: "导出减负统计 / Export burden statistics",
		Tags: tags, Errors: []int{422}, Responses: map[string]*huma.Response{"200": {Description: "Excel workbook", Content: map[string]*huma.MediaType{xlsxMIME: {}}}}},
		admins, func(ctx context.Context, in *burdenIn) (*fileOut, error) {
			at, err := in.parse()
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			err = s.inTx(ctx, func(ctx context.Context) error {
				r, err := access.Compute(ctx, in.From, in.To, at, in.Months)
				if err != nil {
					return err
				}
				t, err := tenants.Current(ctx)
				if err != nil {
					return err
				}
				return access.Excel(&buf, r, t.Name)
			})
			if err != nil {
				return nil, err
			}
			return &fileOut{ContentType: xlsxMIME, ContentDisposition: attachment("社区工作负担统计" + in.From + "至" + in.To + ".xlsx"), Body: buf.Bytes()}, nil
		})
}
