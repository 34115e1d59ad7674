package server

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workforce"
)

type workerListIn struct {
	OrgUnitID string `query:"org_unit_id" doc:"township or community: its subtree"`
	Q         string `query:"q" maxLength:"50" doc:"姓名片段"`
	Status    string `query:"status" enum:"active,away,retired,"`
	Post      string `query:"post" enum:"head,deputy,staff,"`
	Cursor    string `query:"cursor"`
	Limit     int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type workerListOut struct{ Body workforce.Page }

type workerIn struct{ Body workforce.NewWorker }

type workerOut struct {
	ETag string `header:"ETag"`
	Body *workforce.Worker
}

type workerIDIn struct {
	ID uuid.UUID `path:"id"`
}

type workerDetailOut struct {
	ETag string `header:"ETag"`
	Body *workforce.Detail
}

type workerChangeIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true" doc:"row_version of the worker as last read"`
	Body    workforce.ChangeInput
}

type appraisalIn struct {
	ID   uuid.UUID `path:"id"`
	Body workforce.AppraisalInput
}

type appraisalOut struct {
	Body struct {
		Corrections []workforce.Change `json:"corrections" doc:"levels corrected because an effective progression counted this year differently"`
	}
}

type revealOut struct {
	Body struct {
		IDNumber string `json:"id_number"`
	}
}

type linkIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		IdentityID *uuid.UUID `json:"identity_id,omitempty" required:"false" nullable:"true" doc:"the member's identity; null or absent unlinks"`
	}
}

type exportIn struct {
	FullID bool `query:"full_id" doc:"show full ID numbers (recorded in the audit log)"`
}

type rosterImportOut struct{ Body workforce.ImportResult }

func (s *Server) workerRoutes() {
	tags := []string{"workforce"}
	register(s, huma.Operation{OperationID: "list-workers", Method: http.MethodGet, Path: "/api/v1/workers", Summary: "社区工作者花名册 / Roster",
		Description: "By community, then name. ID numbers are masked. Keyset pagination: pass next back as cursor.", Tags: tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *workerListIn) (*workerListOut, error) {
			f := workforce.Filter{Query: in.Q, Status: workforce.Status(in.Status), Post: level.Post(in.Post), Cursor: in.Cursor, Limit: in.Limit}
			if in.OrgUnitID != "" {
				id, err := uuid.Parse(in.OrgUnitID)
				if err != nil {
					return nil, problem.Invalid(problem.Field{Location: "query.org_unit_id", Message: "单位编号格式有误", MessageEn: "org_unit_id is not a UUID", Value: in.OrgUnitID})
				}
				f.OrgUnitID = &id
			}
			return withKey(ctx, s, func(ctx context.Context) (out *workerListOut, err error) {
				out = &workerListOut{}
				p, err := workforce.List(ctx, f)
				if err == nil {
					out.Body = *p
				}
				if out.Body.Workers == nil {
					out.Body.Workers = []workforce.Worker{}
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "create-worker", Method: http.MethodPost, Path: "/api/v1/workers", Summary: "建档 / Put a worker on the books",
		Description: "The ID number is checked (GB 11643), encrypted at rest and masked everywhere else; gender and birth date come from it. " +
			"Level 0 or absent: computed with the county's rule as of today.", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *workerIn) (*workerOut, error) {
			return withKey(ctx, s, func(ctx context.Context) (out *workerOut, err error) {
				out = &workerOut{}
				out.Body, err = s.workforce.Hire(ctx, in.Body)
				if err == nil {
					out.ETag = etag(out.Body.RowVersion)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "get-worker", Method: http.MethodGet, Path: "/api/v1/workers/{id}", Summary: "档案详情 / A worker's record",
		Description: "The record today, its history (newest first, each change with its fields before and after), appraisals, the level the rule gives today with the arithmetic, and pay lines.",
		Tags:        tags, Errors: []int{404}},
		admins, func(ctx context.Context, in *workerIDIn) (*workerDetailOut, error) {
			return withKey(ctx, s, func(ctx context.Context) (out *workerDetailOut, err error) {
				out = &workerDetailOut{}
				out.Body, err = s.workforce.Describe(ctx, in.ID, false)
				if err == nil {
					out.ETag = etag(out.Body.Worker.RowVersion)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "change-worker", Method: http.MethodPost, Path: "/api/v1/workers/{id}/changes", Summary: "档案变更 / Record a change",
		Description: "Effective-dated, with reason and approver; only the fields given change. A post change without a level re-maps the level: " +
			"kept inside the new post's range, else that range's nearest bound. A backdated change shows in every later month (and in the next payroll's arrears).",
		Tags: tags, Errors: []int{404, 412, 422}},
		admins, func(ctx context.Context, in *workerChangeIn) (*workerOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withKey(ctx, s, func(ctx context.Context) (out *workerOut, err error) {
				out = &workerOut{}
				out.Body, err = s.workforce.Change(ctx, in.ID, v, in.Body)
				if err == nil {
					out.ETag = etag(out.Body.RowVersion)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "record-appraisal", Method: http.MethodPost, Path: "/api/v1/workers/{id}/appraisals", Summary: "录入年度考核 / Record an appraisal",
		Description: "The newest entry for a year is its result. A result for a year an effective progression already counted re-runs that progression for the worker and corrects the level from its date.",
		Tags:        tags, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *appraisalIn) (*appraisalOut, error) {
			return withKey(ctx, s, func(ctx context.Context) (out *appraisalOut, err error) {
				out = &appraisalOut{}
				out.Body.Corrections, err = s.workforce.RecordAppraisal(ctx, in.ID, in.Body)
				if out.Body.Corrections == nil {
					out.Body.Corrections = []workforce.Change{}
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "reveal-worker-id", Method: http.MethodPost, Path: "/api/v1/workers/{id}/reveal-id", Summary: "查看完整身份证号 / Reveal the ID number",
		Description: "Recorded in the audit log.", Tags: tags, Errors: []int{404}},
		admins, func(ctx context.Context, in *workerIDIn) (*revealOut, error) {
			return withKey(ctx, s, func(ctx context.Context) (out *revealOut, err error) {
				out = &revealOut{}
				out.Body.IDNumber, err = s.workforce.RevealID(ctx, in.ID)
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "link-worker-identity", Method: http.MethodPut, Path: "/api/v1/workers/{id}/identity", Summary: "关联登录账号 / Link a sign-in",
		Description: "Links the worker to a member's account so they can see their own record, levels and pay.", Tags: tags, Errors: []int{404, 409, 422}},
		admins, func(ctx context.Context, in *linkIn) (*workerOut, error) {
			return withKey(ctx, s, func(ctx context.Context) (out *workerOut, err error) {
				out = &workerOut{}
				out.Body, err = s.workforce.LinkIdentity(ctx, in.ID, in.Body.IdentityID)
				if err == nil {
					out.ETag = etag(out.Body.RowVersion)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "export-roster", Method: http.MethodGet, Path: "/api/v1/workers/export.xlsx", Summary: "导出花名册 / Export the roster",
		Description: "The import template with every worker as of today. ID numbers are masked unless full_id is set (audited).", Tags: tags,
		Responses: map[string]*huma.Response{"200": {Description: "Excel workbook", Content: map[string]*huma.MediaType{xlsxMIME: {}}}}},
		admins, func(ctx context.Context, in *exportIn) (*fileOut, error) {
			var buf bytes.Buffer
			if err := s.wtx(ctx, func(ctx context.Context) error { return s.workforce.Export(ctx, &buf, in.FullID) }); err != nil {
				return nil, err
			}
			return &fileOut{ContentType: xlsxMIME, ContentDisposition: attachment("社区工作者花名册.xlsx"), Body: buf.Bytes()}, nil
		})
	register(s, huma.Operation{OperationID: "import-roster", Method: http.MethodPost, Path: "/api/v1/workers/import", Summary: "导入花名册 / Import a roster",
		Description: "Every row is checked; if any row is wrong nothing is imported and the 422 lists each problem with its row and column (in `errors[].value`).",
		Tags:        tags, Errors: []int{413, 422, 429}, MaxBodyBytes: workforce.MaxRosterBytes},
		admins, func(ctx context.Context, in *importIn) (*rosterImportOut, error) {
			release, err := s.imports.Enter()
			if err != nil {
				return nil, err
			}
			defer release()
			return withKey(ctx, s, func(ctx context.Context) (out *rosterImportOut, err error) {
				out = &rosterImportOut{}
				res, rowErrs, err := s.workforce.Import(ctx, bytes.NewReader(in.RawBody))
				if err != nil {
					return nil, err
				}
				if len(rowErrs) > 0 {
					fields := make([]problem.Field, 0, len(rowErrs))
					for _, re := range rowErrs {
						fields = append(fields, problem.Field{Location: "file", Message: "第 " + strconv.Itoa(re.Row) + " 行“" + re.Column + "”：" + re.Reason,
							MessageEn: "row " + strconv.Itoa(re.Row) + ": " + re.ReasonEn, Value: map[string]any{"row": re.Row, "column": re.Column}})
					}
					e := problem.Invalid(fields...)
					e.Message, e.MessageEn = importErrorsSummary(len(rowErrs), "人员")
					return out, e
				}
				out.Body = *res
				return out, nil
			})
		})
	register(s, huma.Operation{OperationID: "my-worker-record", Method: http.MethodGet, Path: "/api/v1/me/worker", Summary: "我的档案 / My record",
		Description: "A community worker's own record, level history and paid (final) payroll lines — nobody else's.", Tags: tags, Errors: []int{404}},
		selfService, func(ctx context.Context, _ *struct{}) (*workerDetailOut, error) {
			return withKey(ctx, s, func(ctx context.Context) (out *workerDetailOut, err error) {
				out = &workerDetailOut{}
				out.Body, err = s.workforce.Mine(ctx)
				return out, err
			})
		})
}
