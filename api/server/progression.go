package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/services/workforce"
)

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
			return withKey(ctx, s, func(ctx context.Context) (out *batchesOut, err error) {
				out = &batchesOut{}
				out.Body.Batches, err = workforce.Batches(ctx)
				if err != nil {
					return nil, err
				}
				out.Body.NextDate, err = workforce.NextProgressionDate(ctx, s.today())
				if out.Body.Batches == nil {
					out.Body.Batches = []workforce.Batch{}
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "get-progression", Method: http.MethodGet, Path: "/api/v1/progression/{year}", Summary: "晋级名单 / A year's batch",
		Description: "Changed levels first.", Tags: tags, Errors: []int{404}},
		admins, func(ctx context.Context, in *batchYearIn) (*batchOut, error) {
			return withKey(ctx, s, func(ctx context.Context) (out *batchOut, err error) {
				return s.batchDetail(ctx, in.Year)
			})
		})
	register(s, huma.Operation{OperationID: "prepare-progression", Method: http.MethodPost, Path: "/api/v1/progression/{year}", Summary: "生成晋级草稿 / Prepare (or recompute) a batch",
		Description: "Every worker in post on the progression date gets the level the rule gives then; a level never goes down at progression. " +
			"A draft may be recomputed until it is approved. The yearly job prepares it by itself on the date.", Tags: tags, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *batchYearIn) (*batchOut, error) {
			return withKey(ctx, s, func(ctx context.Context) (out *batchOut, err error) {
				if _, err := s.workforce.Prepare(ctx, in.Year); err != nil {
					return nil, err
				}
				return s.batchDetail(ctx, in.Year)
			})
		})
	register(s, huma.Operation{OperationID: "approve-progression", Method: http.MethodPost, Path: "/api/v1/progression/{year}/approve", Summary: "审定晋级 / Approve a batch",
		Description: "Applied at once if its date has come, else by a job on the date. A batch is applied once: approving again is refused.", Tags: tags, Errors: []int{404, 409, 412}},
		admins, func(ctx context.Context, in *approveIn) (*batchOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withKey(ctx, s, func(ctx context.Context) (out *batchOut, err error) {
				if _, err := s.workforce.Approve(ctx, in.Year, v); err != nil {
					return nil, err
				}
				return s.batchDetail(ctx, in.Year)
			})
		})
	register(s, huma.Operation{OperationID: "discard-progression", Method: http.MethodDelete, Path: "/api/v1/progression/{year}", Summary: "删除晋级草稿 / Discard a draft",
		Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{409}},
		admins, func(ctx context.Context, in *batchYearIn) (*struct{}, error) {
			return nil, s.wtx(ctx, func(ctx context.Context) error { return workforce.Discard(ctx, in.Year) })
		})
}
