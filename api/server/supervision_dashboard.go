package server

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/supervision"
)

// The supervision dashboards (issue 16, item 5): a region supervisor's over their province or
// city and every unit below it, a county admin's over their townships and items; each with
// its Excel workbook (a sheet per table).

type dashboardPeriodIn struct {
	From      string `query:"from" doc:"first month (YYYY-MM); default eleven months before to" maxLength:"7"`
	To        string `query:"to" doc:"last month (YYYY-MM); default this month" maxLength:"7"`
	RankBy    string `query:"rank_by" enum:"on_time_rate,good_rate,avg_days,overdue,received" doc:"the ranking's indicator; default on_time_rate"`
	ListsFrom string `query:"lists_from" maxLength:"7" doc:"the month the access lists took effect (YYYY-MM): the burden before and after it"`
	Township  string `query:"township" maxLength:"100" doc:"a township of the county: its items"`
}

// regionDashboardIn repeats the period's fields: huma reads the parameters of a struct's own
// fields, not of an embedded one's.
type regionDashboardIn struct {
	From      string `query:"from" doc:"first month (YYYY-MM); default eleven months before to" maxLength:"7"`
	To        string `query:"to" doc:"last month (YYYY-MM); default this month" maxLength:"7"`
	RankBy    string `query:"rank_by" enum:"on_time_rate,good_rate,avg_days,overdue,received" doc:"the ranking's indicator; default on_time_rate"`
	ListsFrom string `query:"lists_from" maxLength:"7" doc:"the month the access lists took effect (YYYY-MM): the burden before and after it"`
	Township  string `query:"township" maxLength:"100" doc:"a township of the county (with county): its items"`
	Region    string `query:"region" maxLength:"6" doc:"a province or city of the reader's region (its code); default the reader's own"`
	County    string `query:"county" maxLength:"36" doc:"a county of the region (tenant id)"`
}

func (in *dashboardPeriodIn) query(s *Server) (supervision.DashboardQuery, error) {
	q := supervision.DashboardQuery{From: in.From, To: in.To, RankBy: in.RankBy, ListsFrom: in.ListsFrom, Township: in.Township}
	return q, q.Check(s.deps.Clock.Now().In(clock.Zone))
}

func (in *regionDashboardIn) query(s *Server) (supervision.DashboardQuery, error) {
	p := dashboardPeriodIn{From: in.From, To: in.To, RankBy: in.RankBy, ListsFrom: in.ListsFrom, Township: in.Township}
	q, err := p.query(s)
	if err != nil {
		return q, err
	}
	q.Region = in.Region
	if in.County != "" {
		id, err := uuid.Parse(in.County)
		if err != nil {
			return q, errNoCounty
		}
		q.County = id
	}
	return q, nil
}

type dashboardOut struct{ Body *supervision.Dashboard }

var xlsxResponse = map[string]*huma.Response{"200": {Description: "xlsx workbook", Content: map[string]*huma.MediaType{xlsxMIME: {}}}}

func (s *Server) supervisionDashboardRoutes() {
	registerRegion(s, huma.Operation{OperationID: "get-region-dashboard", Method: http.MethodGet, Path: "/api/v1/region/dashboard",
		Summary: "监察看板 / A region's dashboard",
		Description: "Totals, months, and the child units ranked by an indicator (province → cities → counties → townships → items), " +
			"the access lists' burden and the workforce by level, for the reader's region or a unit of it; a unit outside it is not found.",
		Tags: []string{"supervision"}, Errors: []int{404, 422}},
		supervisors, func(ctx context.Context, in *regionDashboardIn) (*dashboardOut, error) {
			q, err := in.query(s)
			if err != nil {
				return nil, err
			}
			out := &dashboardOut{}
			return out, s.inRegion(ctx, func(ctx context.Context) (err error) {
				out.Body, err = supervision.RegionDashboard(ctx, q)
				return err
			})
		})
	registerRegion(s, huma.Operation{OperationID: "export-region-dashboard", Method: http.MethodGet, Path: "/api/v1/region/dashboard/export",
		Summary: "导出监察看板（Excel）/ Export a region's dashboard", Tags: []string{"supervision"}, Errors: []int{404, 422}, Responses: xlsxResponse},
		supervisors, func(ctx context.Context, in *regionDashboardIn) (*fileOut, error) {
			q, err := in.query(s)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			err = s.inRegion(ctx, func(ctx context.Context) error {
				d, err := supervision.RegionDashboard(ctx, q)
				if err != nil {
					return err
				}
				return supervision.DashboardExcel(&buf, d)
			})
			if err != nil {
				return nil, err
			}
			return &fileOut{ContentType: xlsxMIME, ContentDisposition: attachment("监察看板.xlsx"), Body: buf.Bytes()}, nil
		})
	register(s, huma.Operation{OperationID: "get-county-dashboard", Method: http.MethodGet, Path: "/api/v1/supervision/dashboard",
		Summary:     "本县看板 / The county's dashboard",
		Description: "The county's own figures in the supervision store, as its city and province see them: its townships, or a township's items.",
		Tags:        []string{"supervision"}, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *dashboardPeriodIn) (*dashboardOut, error) {
			q, err := in.query(s)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (*dashboardOut, error) {
				d, err := supervision.CountyDashboard(ctx, q)
				return &dashboardOut{Body: d}, err
			})
		})
	register(s, huma.Operation{OperationID: "export-county-dashboard", Method: http.MethodGet, Path: "/api/v1/supervision/dashboard/export",
		Summary: "导出本县看板（Excel）/ Export the county's dashboard", Tags: []string{"supervision"}, Errors: []int{404, 422}, Responses: xlsxResponse},
		admins, func(ctx context.Context, in *dashboardPeriodIn) (*fileOut, error) {
			q, err := in.query(s)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			err = s.inTx(ctx, func(ctx context.Context) error {
				d, err := supervision.CountyDashboard(ctx, q)
				if err != nil {
					return err
				}
				return supervision.DashboardExcel(&buf, d)
			})
			if err != nil {
				return nil, err
			}
			return &fileOut{ContentType: xlsxMIME, ContentDisposition: attachment("本县看板.xlsx"), Body: buf.Bytes()}, nil
		})
}
