package server

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/workforce"
)

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
			return withKey(ctx, s, func(ctx context.Context) (out *runsOut, err error) {
				out = &runsOut{}
				out.Body.Runs, err = workforce.Runs(ctx)
				if out.Body.Runs == nil {
					out.Body.Runs = []workforce.Run{}
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "get-payroll", Method: http.MethodGet, Path: "/api/v1/payroll/{month}", Summary: "月度工资表 / A month's payroll",
		Description: "Lines by township, community and name, with community and township subtotals. Amounts are in fen (0.01 元).", Tags: tags, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *monthIn) (*payrollOut, error) {
			m, err := parseMonth("path.month", in.Month)
			if err != nil {
				return nil, err
			}
			return withKey(ctx, s, func(ctx context.Context) (out *payrollOut, err error) {
				return payrollDetail(ctx, m)
			})
		})
	register(s, huma.Operation{OperationID: "compute-payroll", Method: http.MethodPost, Path: "/api/v1/payroll/{month}", Summary: "计算工资表 / Compute a month's draft",
		Description: "Each worker's pay for the month by days in post, plus arrears (补发/扣回) for every month a final payroll paid differently from what is now due.",
		Tags:        tags, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *monthIn) (*payrollOut, error) {
			m, err := parseMonth("path.month", in.Month)
			if err != nil {
				return nil, err
			}
			return withKey(ctx, s, func(ctx context.Context) (out *payrollOut, err error) {
				if _, err := s.workforce.Compute(ctx, m); err != nil {
					return nil, err
				}
				return payrollDetail(ctx, m)
			})
		})
	register(s, huma.Operation{OperationID: "finalize-payroll", Method: http.MethodPost, Path: "/api/v1/payroll/{month}/finalize", Summary: "工资表定稿 / Finalise a month",
		Description: "Recomputes once more and fixes the month as paid. Months are finalised in order.", Tags: tags, Errors: []int{404, 409, 412, 422}},
		admins, func(ctx context.Context, in *finalizeIn) (*payrollOut, error) {
			m, err := parseMonth("path.month", in.Month)
			if err != nil {
				return nil, err
			}
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withKey(ctx, s, func(ctx context.Context) (out *payrollOut, err error) {
				if _, err := s.workforce.Finalize(ctx, m, v); err != nil {
					return nil, err
				}
				return payrollDetail(ctx, m)
			})
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
