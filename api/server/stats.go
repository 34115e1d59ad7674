package server

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/stats"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

type statsIn struct {
	From string `query:"from" required:"true" doc:"YYYY-MM-DD"`
	To   string `query:"to" required:"true" doc:"YYYY-MM-DD"`
}

type statsOut struct{ Body stats.Report }

func (s *Server) statsRange(in *statsIn) (workday.Date, workday.Date, error) {
	from, err := parseDate("query.from", in.From)
	if err != nil {
		return from, from, err
	}
	to, err := parseDate("query.to", in.To)
	if err != nil {
		return from, to, err
	}
	if to.Before(from) || to.Year-from.Year > 5 {
		return from, to, problem.Invalid(problem.Field{Location: "query.to", Message: "结束日期须不早于开始日期，且跨度不超过五年", MessageEn: "to must not precede from, and the span is at most five years"})
	}
	return from, to, nil
}

func (s *Server) statsRoutes() {
	register(s, huma.Operation{OperationID: "application-stats", Method: http.MethodGet, Path: "/api/v1/stats/applications", Summary: "办件统计 / Application statistics",
		Description: "Volume by item, township and month; on-time rate; overdue count; average working days from acceptance to decision.", Tags: []string{"stats"}, Errors: []int{422}},
		admins, func(ctx context.Context, in *statsIn) (*statsOut, error) {
			from, to, err := s.statsRange(in)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *statsOut, err error) {
				out = &statsOut{}
				r, err := stats.Compute(ctx, from, to, s.apps.Today())
				if err == nil {
					out.Body = *r
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "export-application-stats", Method: http.MethodGet, Path: "/api/v1/stats/applications/export", Summary: "导出办件统计（Excel）/ Export statistics",
		Tags: []string{"stats"}, Errors: []int{422}, Responses: map[string]*huma.Response{"200": {Description: "xlsx workbook", Content: map[string]*huma.MediaType{xlsxMIME: {}}}}},
		admins, func(ctx context.Context, in *statsIn) (*fileOut, error) {
			from, to, err := s.statsRange(in)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			err = s.inTx(ctx, func(ctx context.Context) error {
				r, err := stats.Compute(ctx, from, to, s.apps.Today())
				if err != nil {
					return err
				}
				t, err := tenants.Current(ctx)
				if err != nil {
					return err
				}
				return stats.Excel(&buf, r, t.Name)
			})
			if err != nil {
				return nil, err
			}
			return &fileOut{ContentType: xlsxMIME, ContentDisposition: attachment("办件统计.xlsx"), Body: buf.Bytes()}, nil
		})
}
