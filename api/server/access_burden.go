package server

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

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

func (s *Server) burdenRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "burden-stats", Method: http.MethodGet, Path: "/api/v1/access/burden", Summary: "减负统计 / Burden statistics",
		Description: "Per community and per department, per month: tasks, hours, interceptions, refusals, ledgers, certificates, inspections; with at, the before/after comparison around that list version.",
		Tags:        tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *burdenIn) (*burdenOut, error) {
			at, err := in.parse()
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *burdenOut, err error) {
				out = &burdenOut{}
				out.Body, err = access.Compute(ctx, in.From, in.To, at, in.Months)
				return out, err
			})
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
