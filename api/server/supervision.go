package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/tenants"
)

// The supervision feed (issue 16, item 2): what a county publishes, as its admin sees it, and
// the region supervisors' reads of the store.

type feedPageIn struct {
	Cursor string `query:"cursor" doc:"next_cursor of the previous page (an application id)"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

func (in *feedPageIn) after() (uuid.UUID, error) {
	if in.Cursor == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(in.Cursor)
	if err != nil {
		return uuid.Nil, problem.Invalid(problem.Field{Location: "query.cursor", Message: "翻页标记无效", MessageEn: "invalid cursor", Value: in.Cursor})
	}
	return id, nil
}

type publishedOut struct{ Body *supervision.Own }

type republishOut struct{ Body *supervision.Published }

type regionCountiesOut struct{ Body *supervision.RegionView }

type regionAppsIn struct {
	Cursor string `query:"cursor" doc:"next_cursor of the previous page (an application id)"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	County string `path:"county" maxLength:"36" doc:"the county's tenant id or code"`
}

type regionAppsOut struct {
	Body struct {
		Items      []supervision.Application `json:"items"`
		NextCursor string                    `json:"next_cursor" doc:"empty on the last page"`
	}
}

func (s *Server) supervisionRoutes() {
	register(s, huma.Operation{OperationID: "list-published", Method: http.MethodGet, Path: "/api/v1/supervision/published",
		Summary: "上报数据 / What the county publishes",
		Description: "The county's records in the supervision store exactly as its city and province read them (applications by id, " +
			"burden and workforce months), and the lag: changes not yet published and the age of the oldest.",
		Tags: []string{"supervision"}, Errors: []int{422}},
		admins, func(ctx context.Context, in *feedPageIn) (*publishedOut, error) {
			after, err := in.after()
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (*publishedOut, error) {
				o, err := s.supervision().Published(ctx, after, in.Limit)
				return &publishedOut{Body: o}, err
			})
		})
	register(s, huma.Operation{OperationID: "republish", Method: http.MethodPost, Path: "/api/v1/supervision/republish",
		Summary:     "重新上报 / Publish the county again from scratch",
		Description: "Deletes the county's rows in the supervision store and publishes every application and month again. Audited.",
		Tags:        []string{"supervision"}},
		admins, func(ctx context.Context, _ *struct{}) (*republishOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (*republishOut, error) {
				p, err := s.supervision().Republish(ctx)
				if err != nil {
					return nil, err
				}
				return &republishOut{Body: p}, tenants.Audit(ctx, tenants.Change{Action: "supervision.republish", TargetType: "tenant",
					TargetID: tenants.CurrentID(ctx).String(), Summary: map[string]any{"applications": p.Applications, "months": p.Months}})
			})
		})
	registerRegion(s, huma.Operation{OperationID: "list-region-counties", Method: http.MethodGet, Path: "/api/v1/region/counties",
		Summary:     "辖区县（区）/ The counties of my region",
		Description: "The counties under the supervisor's city or province and the figures each published; read as the supervision role, which sees the store under the region's path only.",
		Tags:        []string{"supervision"}},
		supervisors, func(ctx context.Context, _ *struct{}) (*regionCountiesOut, error) {
			out := &regionCountiesOut{}
			return out, s.inRegion(ctx, func(ctx context.Context) (err error) {
				out.Body, err = supervision.RegionCounties(ctx)
				return err
			})
		})
	registerRegion(s, huma.Operation{OperationID: "list-region-applications", Method: http.MethodGet, Path: "/api/v1/region/counties/{county}/applications",
		Summary: "县（区）办件 / A county's published applications", Tags: []string{"supervision"}, Errors: []int{404, 422}},
		supervisors, func(ctx context.Context, in *regionAppsIn) (*regionAppsOut, error) {
			after, err := (&feedPageIn{Cursor: in.Cursor}).after()
			if err != nil {
				return nil, err
			}
			out := &regionAppsOut{}
			return out, s.inRegion(ctx, func(ctx context.Context) (err error) {
				county, err := countyRef(in.County)
				if err != nil {
					return err
				}
				out.Body.Items, out.Body.NextCursor, err = supervision.RegionApplications(ctx, county, after, in.Limit)
				return err
			})
		})
}

// supervision is the feed's service (a bare one when the server was built without services,
// for the OpenAPI document).
func (s *Server) supervision() *supervision.Service {
	if s.deps.Services != nil && s.deps.Services.Supervision != nil {
		return s.deps.Services.Supervision
	}
	return &supervision.Service{Store: s.deps.Store}
}

// countyRef reads a county named by its tenant id or code; anything else names no county.
func countyRef(ref string) (uuid.UUID, error) {
	id, err := tenants.ParseRef(ref)
	if err != nil || id == uuid.Nil {
		return uuid.Nil, errNoCounty
	}
	return id, nil
}
