package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/status"
)

type callbackIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    status.CallbackInput
}

func (s *Server) callbackRoutes() {
	register(s, huma.Operation{OperationID: "record-callback", Method: http.MethodPost, Path: "/api/v1/ratings/cases/{id}/callbacks",
		Summary: "记录回访 / Record a callback",
		Description: "Every 差评 is called back (国办发〔2019〕51号). The callback is its own step in the case's history: who called (the caller), " +
			"when (called_at, default now), how, whether the resident was reached, and what was said. The first callback that reaches the " +
			"resident moves a pending case to 整改中 and is what the callback deadline is checked against; 整改完成 needs it.",
		Tags: []string{"status"}, Errors: []int{404, 409, 412, 422}},
		caseRoles, func(ctx context.Context, in *callbackIn) (*caseOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (*caseOut, error) {
				c, err := s.status.Callback(ctx, in.ID, v, in.Body)
				if err != nil {
					return nil, err
				}
				return &caseOut{Body: caseOf(c), ETag: etag(c.RowVersion)}, nil
			})
		})
}
