package server

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/services/workforce"
	"github.com/yichuang/yichuang/tenants"
)

var selfService = []tenants.Role{tenants.RoleCommunityWorker}

func (s *Server) workforceRoutes() {
	s.workerRoutes()
	s.schemeRoutes()
	s.progressionRoutes()
	s.payrollRoutes()
}

// needsKey refuses workforce operations on a server started without YC_DATA_KEY, rather than
// storing ID numbers without their encryption.
func (s *Server) needsKey() error {
	if s.workforce.Box == nil {
		return problem.Unavailable("data_key_missing", "服务器未配置数据加密密钥（YC_DATA_KEY），暂不能处理社区工作者档案", "the server has no YC_DATA_KEY; worker records are unavailable")
	}
	return nil
}

func (s *Server) wtx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := s.needsKey(); err != nil {
		return err
	}
	return s.inTx(ctx, fn)
}

// ---- workers

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

type levelIn struct {
	Post                string `query:"post" required:"true" enum:"head,deputy,staff"`
	Hired               string `query:"hired" required:"true" doc:"YYYY-MM-DD"`
	Education           string `query:"education" enum:"none,college,bachelor,master,doctor," default:"none"`
	Certificate         string `query:"certificate" enum:"none,junior,intermediate,senior," default:"none"`
	AsOf                string `query:"as_of" doc:"YYYY-MM-DD; today if empty"`
	UnsatisfactoryYears string `query:"unsatisfactory_years" doc:"comma-separated years rated 不称职"`
}

type levelOut struct {
	Body struct {
		Result      level.Result `json:"result"`
		Explanation []string     `json:"explanation"`
		Scheme      string       `json:"scheme" doc:"the scheme whose rule was used"`
	}
}

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
			out := &workerListOut{}
			err := s.wtx(ctx, func(ctx context.Context) error {
				p, err := workforce.List(ctx, f)
				if err == nil {
					out.Body = *p
				}
				return err
			})
			if out.Body.Workers == nil {
				out.Body.Workers = []workforce.Worker{}
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "create-worker", Method: http.MethodPost, Path: "/api/v1/workers", Summary: "建档 / Put a worker on the books",
		Description: "The ID number is checked (GB 11643), encrypted at rest and masked everywhere else; gender and birth date come from it. " +
			"Level 0 or absent: computed with the county's rule as of today.", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *workerIn) (*workerOut, error) {
			out := &workerOut{}
			err := s.wtx(ctx, func(ctx context.Context) (err error) {
				out.Body, err = s.workforce.Hire(ctx, in.Body)
				return err
			})
			if err == nil {
				out.ETag = etag(out.Body.RowVersion)
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-worker", Method: http.MethodGet, Path: "/api/v1/workers/{id}", Summary: "档案详情 / A worker's record",
		Description: "The record today, its history (newest first, each change with its fields before and after), appraisals, the level the rule gives today with the arithmetic, and pay lines.",
		Tags:        tags, Errors: []int{404}},
		admins, func(ctx context.Context, in *workerIDIn) (*workerDetailOut, error) {
			out := &workerDetailOut{}
			err := s.wtx(ctx, func(ctx context.Context) (err error) {
				out.Body, err = s.workforce.Describe(ctx, in.ID, false)
				return err
			})
			if err == nil {
				out.ETag = etag(out.Body.Worker.RowVersion)
			}
			return out, err
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
			out := &workerOut{}
			err = s.wtx(ctx, func(ctx context.Context) (err error) {
				out.Body, err = s.workforce.Change(ctx, in.ID, v, in.Body)
				return err
			})
			if err == nil {
				out.ETag = etag(out.Body.RowVersion)
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "record-appraisal", Method: http.MethodPost, Path: "/api/v1/workers/{id}/appraisals", Summary: "录入年度考核 / Record an appraisal",
		Description: "The newest entry for a year is its result. A result for a year an effective progression already counted re-runs that progression for the worker and corrects the level from its date.",
		Tags:        tags, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *appraisalIn) (*appraisalOut, error) {
			out := &appraisalOut{}
			err := s.wtx(ctx, func(ctx context.Context) (err error) {
				out.Body.Corrections, err = s.workforce.RecordAppraisal(ctx, in.ID, in.Body)
				return err
			})
			if out.Body.Corrections == nil {
				out.Body.Corrections = []workforce.Change{}
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "reveal-worker-id", Method: http.MethodPost, Path: "/api/v1/workers/{id}/reveal-id", Summary: "查看完整身份证号 / Reveal the ID number",
		Description: "Recorded in the audit log.", Tags: tags, Errors: []int{404}},
		admins, func(ctx context.Context, in *workerIDIn) (*revealOut, error) {
			out := &revealOut{}
			err := s.wtx(ctx, func(ctx context.Context) (err error) {
				out.Body.IDNumber, err = s.workforce.RevealID(ctx, in.ID)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "link-worker-identity", Method: http.MethodPut, Path: "/api/v1/workers/{id}/identity", Summary: "关联登录账号 / Link a sign-in",
		Description: "Links the worker to a member's account so they can see their own record, levels and pay.", Tags: tags, Errors: []int{404, 409, 422}},
		admins, func(ctx context.Context, in *linkIn) (*workerOut, error) {
			out := &workerOut{}
			err := s.wtx(ctx, func(ctx context.Context) (err error) {
				out.Body, err = s.workforce.LinkIdentity(ctx, in.ID, in.Body.IdentityID)
				return err
			})
			if err == nil {
				out.ETag = etag(out.Body.RowVersion)
			}
			return out, err
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
		Tags:        tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *importIn) (*rosterImportOut, error) {
			out := &rosterImportOut{}
			err := s.wtx(ctx, func(ctx context.Context) error {
				res, rowErrs, err := s.workforce.Import(ctx, bytes.NewReader(in.RawBody))
				if err != nil {
					return err
				}
				if len(rowErrs) > 0 {
					fields := make([]problem.Field, 0, len(rowErrs))
					for _, re := range rowErrs {
						fields = append(fields, problem.Field{Location: "file", Message: "第 " + strconv.Itoa(re.Row) + " 行“" + re.Column + "”：" + re.Reason,
							MessageEn: "row " + strconv.Itoa(re.Row) + ": " + re.ReasonEn, Value: map[string]any{"row": re.Row, "column": re.Column}})
					}
					e := problem.Invalid(fields...)
					e.Message, e.MessageEn = "文件有 "+strconv.Itoa(len(rowErrs))+" 处错误，未导入任何人员", "the file has errors; nothing was imported"
					return e
				}
				out.Body = *res
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "my-worker-record", Method: http.MethodGet, Path: "/api/v1/me/worker", Summary: "我的档案 / My record",
		Description: "A community worker's own record, level history and paid (final) payroll lines — nobody else's.", Tags: tags, Errors: []int{404}},
		selfService, func(ctx context.Context, _ *struct{}) (*workerDetailOut, error) {
			out := &workerDetailOut{}
			err := s.wtx(ctx, func(ctx context.Context) (err error) {
				out.Body, err = s.workforce.Mine(ctx)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "compute-level", Method: http.MethodGet, Path: "/api/v1/workforce/level", Summary: "等级计算器 / Level calculator",
		Description: "The county's level rule (the scheme in force on as_of) applied to the given facts, with the arithmetic.", Tags: tags, Errors: []int{422}},
		append([]tenants.Role{tenants.RoleCountyAdmin}, selfService...), func(ctx context.Context, in *levelIn) (*levelOut, error) {
			hired, err := parseDate("query.hired", in.Hired)
			if err != nil {
				return nil, err
			}
			asOf := s.today()
			if in.AsOf != "" {
				if asOf, err = parseDate("query.as_of", in.AsOf); err != nil {
					return nil, err
				}
			}
			f := level.Facts{Post: level.Post(in.Post), Hired: hired, Education: level.Education(in.Education), Certificate: level.Certificate(in.Certificate),
				Appraisals: map[int]level.Appraisal{}}
			if f.Education == "" {
				f.Education = level.EducationNone
			}
			if f.Certificate == "" {
				f.Certificate = level.CertificateNone
			}
			for _, y := range strings.Split(in.UnsatisfactoryYears, ",") {
				if y = strings.TrimSpace(y); y == "" {
					continue
				}
				n, err := strconv.Atoi(y)
				if err != nil || n < hired.Year || n > asOf.Year {
					return nil, problem.Invalid(problem.Field{Location: "query.unsatisfactory_years", Message: "考核年度须为入职年度至计算日期年度之间的四位年份", MessageEn: "years must lie between the hire year and the as-of year", Value: y})
				}
				f.Appraisals[n] = level.Incompetent
			}
			if asOf.Before(hired) {
				return nil, problem.Invalid(problem.Field{Location: "query.as_of", Message: "计算日期不能早于入职日期", MessageEn: "as_of is before the hire date", Value: in.AsOf})
			}
			out := &levelOut{}
			err = s.inTx(ctx, func(ctx context.Context) error {
				sc, err := workforce.SchemeOn(ctx, asOf)
				if err != nil {
					return err
				}
				res, err := sc.Body.Rule.Level(f, asOf)
				if err != nil {
					return err
				}
				out.Body.Result, out.Body.Explanation, out.Body.Scheme = res, res.Explain(f, asOf), sc.Label
				return nil
			})
			return out, err
		})
}

// ---- pay schemes

type schemesOut struct {
	Body struct {
		Schemes []workforce.StoredScheme `json:"schemes" doc:"by effective date; the built-in sample alone (stored=false) while the county has entered none"`
		Sample  pay.Scheme               `json:"sample" doc:"the shipped sample scheme (示例), to start from"`
	}
}

type schemeIn struct {
	EffectiveFrom string `path:"effective_from" doc:"YYYY-MM-DD"`
	Body          pay.Scheme
}

type schemeDateIn struct {
	EffectiveFrom string `path:"effective_from" doc:"YYYY-MM-DD"`
}

type schemeOut struct{ Body *workforce.StoredScheme }

func (s *Server) schemeRoutes() {
	tags := []string{"workforce"}
	register(s, huma.Operation{OperationID: "list-pay-schemes", Method: http.MethodGet, Path: "/api/v1/pay-schemes", Summary: "薪酬方案 / Pay schemes", Tags: tags},
		admins, func(ctx context.Context, _ *struct{}) (*schemesOut, error) {
			out := &schemesOut{}
			out.Body.Sample = pay.Sample()
			err := s.inTx(ctx, func(ctx context.Context) (err error) {
				out.Body.Schemes, err = workforce.Schemes(ctx)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "put-pay-scheme", Method: http.MethodPut, Path: "/api/v1/pay-schemes/{effective_from}", Summary: "保存薪酬方案 / Save a pay scheme",
		Description: "The scheme (level rule, pay per level, split, allowances, progression date) in force from effective_from until the next one. " +
			"A scheme dated in a month already paid takes effect through the next payroll's arrears.", Tags: tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *schemeIn) (*schemeOut, error) {
			from, err := parseDate("path.effective_from", in.EffectiveFrom)
			if err != nil {
				return nil, err
			}
			out := &schemeOut{}
			err = s.inTx(ctx, func(ctx context.Context) (err error) {
				out.Body, err = workforce.PutScheme(ctx, from, in.Body)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "delete-pay-scheme", Method: http.MethodDelete, Path: "/api/v1/pay-schemes/{effective_from}", Summary: "删除薪酬方案 / Delete a pay scheme",
		Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *schemeDateIn) (*struct{}, error) {
			from, err := parseDate("path.effective_from", in.EffectiveFrom)
			if err != nil {
				return nil, err
			}
			return nil, s.inTx(ctx, func(ctx context.Context) error { return workforce.DeleteScheme(ctx, from) })
		})
}

// ---- progression

type batchesOut struct {
	Body struct {
		Batches []workforce.Batch `json:"batches"`
		// NextDate is when this year's progression takes effect under the scheme in force.
		NextDate workday.Date `json:"next_date"`
	}
}

type batchYearIn struct {
	Year int `path:"year" minimum:"1990" maximum:"2100"`
}

type batchOut struct {
	ETag string `header:"ETag"`
	Body struct {
		Batch *workforce.Batch `json:"batch"`
		Lines []workforce.Line `json:"lines"`
	}
}

type approveIn struct {
	Year    int    `path:"year" minimum:"1990" maximum:"2100"`
	IfMatch string `header:"If-Match" required:"true" doc:"row_version of the batch as last read"`
}

func (s *Server) batchDetail(ctx context.Context, year int) (*batchOut, error) {
	out := &batchOut{}
	b, lines, err := workforce.BatchOf(ctx, year)
	if err != nil {
		return nil, err
	}
	out.Body.Batch, out.Body.Lines, out.ETag = b, lines, etag(b.RowVersion)
	if out.Body.Lines == nil {
		out.Body.Lines = []workforce.Line{}
	}
	return out, nil
}

func (s *Server) progressionRoutes() {
	tags := []string{"workforce"}
	register(s, huma.Operation{OperationID: "list-progressions", Method: http.MethodGet, Path: "/api/v1/progression", Summary: "年度晋级 / Progression batches", Tags: tags},
		admins, func(ctx context.Context, _ *struct{}) (*batchesOut, error) {
			out := &batchesOut{}
			err := s.wtx(ctx, func(ctx context.Context) (err error) {
				out.Body.Batches, err = workforce.Batches(ctx)
				if err != nil {
					return err
				}
				out.Body.NextDate, err = workforce.NextProgressionDate(ctx, s.today())
				return err
			})
			if out.Body.Batches == nil {
				out.Body.Batches = []workforce.Batch{}
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-progression", Method: http.MethodGet, Path: "/api/v1/progression/{year}", Summary: "晋级名单 / A year's batch",
		Description: "Changed levels first.", Tags: tags, Errors: []int{404}},
		admins, func(ctx context.Context, in *batchYearIn) (out *batchOut, err error) {
			err = s.wtx(ctx, func(ctx context.Context) (err error) { out, err = s.batchDetail(ctx, in.Year); return err })
			return out, err
		})
	register(s, huma.Operation{OperationID: "prepare-progression", Method: http.MethodPost, Path: "/api/v1/progression/{year}", Summary: "生成晋级草稿 / Prepare (or recompute) a batch",
		Description: "Every worker in post on the progression date gets the level the rule gives then; a level never goes down at progression. " +
			"A draft may be recomputed until it is approved. The yearly job prepares it by itself on the date.", Tags: tags, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *batchYearIn) (out *batchOut, err error) {
			err = s.wtx(ctx, func(ctx context.Context) error {
				if _, err := s.workforce.Prepare(ctx, in.Year); err != nil {
					return err
				}
				out, err = s.batchDetail(ctx, in.Year)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "approve-progression", Method: http.MethodPost, Path: "/api/v1/progression/{year}/approve", Summary: "审定晋级 / Approve a batch",
		Description: "Applied at once if its date has come, else by a job on the date. A batch is applied once: approving again is refused.", Tags: tags, Errors: []int{404, 409, 412}},
		admins, func(ctx context.Context, in *approveIn) (out *batchOut, err error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			err = s.wtx(ctx, func(ctx context.Context) error {
				if _, err := s.workforce.Approve(ctx, in.Year, v); err != nil {
					return err
				}
				out, err = s.batchDetail(ctx, in.Year)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "discard-progression", Method: http.MethodDelete, Path: "/api/v1/progression/{year}", Summary: "删除晋级草稿 / Discard a draft",
		Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{409}},
		admins, func(ctx context.Context, in *batchYearIn) (*struct{}, error) {
			return nil, s.wtx(ctx, func(ctx context.Context) error { return workforce.Discard(ctx, in.Year) })
		})
}

// ---- payroll

type runsOut struct {
	Body struct {
		Runs []workforce.Run `json:"runs"`
	}
}

type monthIn struct {
	Month string `path:"month" doc:"YYYY-MM"`
}

type payrollOut struct {
	ETag string `header:"ETag"`
	Body *workforce.Payroll
}

type finalizeIn struct {
	Month   string `path:"month" doc:"YYYY-MM"`
	IfMatch string `header:"If-Match" required:"true" doc:"row_version of the run as last read"`
}

func parseMonth(loc, v string) (pay.Month, error) {
	m, err := pay.ParseMonth(v)
	if err != nil {
		return m, problem.Invalid(problem.Field{Location: loc, Message: "月份格式须为 YYYY-MM", MessageEn: "month must be YYYY-MM", Value: v})
	}
	return m, nil
}

func payrollDetail(ctx context.Context, m pay.Month) (*payrollOut, error) {
	p, err := workforce.PayrollOf(ctx, m)
	if err != nil {
		return nil, err
	}
	if p.Lines == nil {
		p.Lines = []workforce.PayLine{}
	}
	if p.Subtotals == nil {
		p.Subtotals = []workforce.Subtotal{}
	}
	return &payrollOut{ETag: etag(p.Run.RowVersion), Body: p}, nil
}

func (s *Server) payrollRoutes() {
	tags := []string{"workforce"}
	register(s, huma.Operation{OperationID: "list-payrolls", Method: http.MethodGet, Path: "/api/v1/payroll", Summary: "工资表 / Payroll months", Tags: tags},
		admins, func(ctx context.Context, _ *struct{}) (*runsOut, error) {
			out := &runsOut{}
			err := s.wtx(ctx, func(ctx context.Context) (err error) {
				out.Body.Runs, err = workforce.Runs(ctx)
				return err
			})
			if out.Body.Runs == nil {
				out.Body.Runs = []workforce.Run{}
			}
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-payroll", Method: http.MethodGet, Path: "/api/v1/payroll/{month}", Summary: "月度工资表 / A month's payroll",
		Description: "Lines by township, community and name, with community and township subtotals. Amounts are in fen (0.01 元).", Tags: tags, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *monthIn) (out *payrollOut, err error) {
			m, err := parseMonth("path.month", in.Month)
			if err != nil {
				return nil, err
			}
			err = s.wtx(ctx, func(ctx context.Context) (err error) { out, err = payrollDetail(ctx, m); return err })
			return out, err
		})
	register(s, huma.Operation{OperationID: "compute-payroll", Method: http.MethodPost, Path: "/api/v1/payroll/{month}", Summary: "计算工资表 / Compute a month's draft",
		Description: "Each worker's pay for the month by days in post, plus arrears (补发/扣回) for every month a final payroll paid differently from what is now due.",
		Tags:        tags, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *monthIn) (out *payrollOut, err error) {
			m, err := parseMonth("path.month", in.Month)
			if err != nil {
				return nil, err
			}
			err = s.wtx(ctx, func(ctx context.Context) error {
				if _, err := s.workforce.Compute(ctx, m); err != nil {
					return err
				}
				out, err = payrollDetail(ctx, m)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "finalize-payroll", Method: http.MethodPost, Path: "/api/v1/payroll/{month}/finalize", Summary: "工资表定稿 / Finalise a month",
		Description: "Recomputes once more and fixes the month as paid. Months are finalised in order.", Tags: tags, Errors: []int{404, 409, 412, 422}},
		admins, func(ctx context.Context, in *finalizeIn) (out *payrollOut, err error) {
			m, err := parseMonth("path.month", in.Month)
			if err != nil {
				return nil, err
			}
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			err = s.wtx(ctx, func(ctx context.Context) error {
				if _, err := s.workforce.Finalize(ctx, m, v); err != nil {
					return err
				}
				out, err = payrollDetail(ctx, m)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "discard-payroll", Method: http.MethodDelete, Path: "/api/v1/payroll/{month}", Summary: "删除工资表草稿 / Discard a draft",
		Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *monthIn) (*struct{}, error) {
			m, err := parseMonth("path.month", in.Month)
			if err != nil {
				return nil, err
			}
			return nil, s.wtx(ctx, func(ctx context.Context) error { return workforce.DiscardRun(ctx, m) })
		})
	register(s, huma.Operation{OperationID: "export-payroll", Method: http.MethodGet, Path: "/api/v1/payroll/{month}/export.xlsx", Summary: "导出工资表 / Export for the finance office",
		Description: "Title, header, one row per worker with masked ID numbers, 小计 per community, 合计 per township, 总计, signature line; A4 landscape.",
		Tags:        tags, Errors: []int{404, 422}, Responses: map[string]*huma.Response{"200": {Description: "Excel workbook", Content: map[string]*huma.MediaType{xlsxMIME: {}}}}},
		admins, func(ctx context.Context, in *monthIn) (*fileOut, error) {
			m, err := parseMonth("path.month", in.Month)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			if err := s.wtx(ctx, func(ctx context.Context) error { return workforce.PayrollExcel(ctx, m, &buf) }); err != nil {
				return nil, err
			}
			return &fileOut{ContentType: xlsxMIME, ContentDisposition: attachment("社区工作者工资表" + m.String() + ".xlsx"), Body: buf.Bytes()}, nil
		})
}

func (s *Server) today() workday.Date { return clock.Today(s.deps.Clock) }
