package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/supervision"
)

// 效能监察 (issue 16, item 4): red and yellow cards, the region's rules that raise them, 督办 on
// a card and the county's reply, and the 监察建议书. The region's routes run in the region's
// transaction (the supervision role, its path); the county's in the county's.

type cardListIn struct {
	County string `query:"county" maxLength:"36" doc:"a county's tenant id or code; empty: every county of the region"`
	Status string `query:"status" enum:"open,issued,replied,returned,closed" doc:"empty: every status"`
}

type cardListOut struct {
	Body struct {
		Items []supervision.CardView `json:"items"`
	}
}

type cardRulesOut struct{ Body supervision.CardRules }

type cardRulesIn struct {
	Body struct {
		RedAfterDays      int    `json:"red_after_days" minimum:"1" maximum:"30" doc:"红牌 from this many working days past the limit"`
		RefusalColour     string `json:"refusal_colour" enum:"yellow,red,off"`
		CorrectionsColour string `json:"corrections_colour" enum:"yellow,red,off"`
		CallbackColour    string `json:"callback_colour" enum:"yellow,red,off"`
	}
}

type cardPath struct {
	ID uuid.UUID `path:"id" doc:"the card's id"`
}

type orderIn struct {
	ID   uuid.UUID `path:"id"`
	Body supervision.OrderIn
}

type orderReturnIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Note string `json:"note" minLength:"2" maxLength:"500" doc:"why the reply is sent back"`
	}
}

type orderReplyIn struct {
	ID   uuid.UUID `path:"id"`
	Body supervision.ReplyIn
}

type orderOut struct{ Body *supervision.Order }

type adviceIn struct {
	County string `path:"county" maxLength:"36" doc:"the county's tenant id or code"`
}

func (s *Server) supervisionCardRoutes() {
	registerRegion(s, huma.Operation{OperationID: "list-region-cards", Method: http.MethodGet, Path: "/api/v1/region/cards",
		Summary:     "红黄牌 / The cards of my region's counties",
		Description: "Red and yellow cards raised from what the counties published, with their 督办; read as the supervision role under the region's path.",
		Tags:        []string{"supervision"}, Errors: []int{404, 422}},
		supervisors, func(ctx context.Context, in *cardListIn) (*cardListOut, error) {
			out := &cardListOut{}
			return out, s.inRegion(ctx, func(ctx context.Context) (err error) {
				f := supervision.CardFilter{Status: in.Status}
				if in.County != "" {
					if f.County, err = countyRef(in.County); err != nil {
						return err
					}
				}
				out.Body.Items, err = supervision.RegionCards(ctx, f)
				return err
			})
		})
	registerRegion(s, huma.Operation{OperationID: "get-region-card-rules", Method: http.MethodGet, Path: "/api/v1/region/card-rules",
		Summary: "红黄牌规则 / The card rules in force for my region", Tags: []string{"supervision"}},
		supervisors, func(ctx context.Context, _ *struct{}) (*cardRulesOut, error) {
			out := &cardRulesOut{}
			return out, s.inRegion(ctx, func(ctx context.Context) (err error) {
				out.Body, err = supervision.RegionCardRules(ctx)
				return err
			})
		})
	registerRegion(s, huma.Operation{OperationID: "put-region-card-rules", Method: http.MethodPut, Path: "/api/v1/region/card-rules",
		Summary:     "设置红黄牌规则 / Set my region's card rules",
		Description: "The region's own rules for the counties under it; a region below that sets its own wins for its counties.",
		Tags:        []string{"supervision"}, Errors: []int{422}},
		supervisors, func(ctx context.Context, in *cardRulesIn) (*cardRulesOut, error) {
			out := &cardRulesOut{}
			return out, s.inRegion(ctx, func(ctx context.Context) (err error) {
				out.Body, err = supervision.PutRegionCardRules(ctx, supervision.CardRules{RedAfterDays: in.Body.RedAfterDays,
					RefusalColour: in.Body.RefusalColour, CorrectionsColour: in.Body.CorrectionsColour, CallbackColour: in.Body.CallbackColour})
				return err
			})
		})
	registerRegion(s, huma.Operation{OperationID: "issue-card-order", Method: http.MethodPost, Path: "/api/v1/region/cards/{id}/order",
		Summary: "督办 / Order the county to fix a card", Tags: []string{"supervision"}, Errors: []int{404, 409, 422}},
		supervisors, func(ctx context.Context, in *orderIn) (*orderOut, error) {
			out := &orderOut{}
			return out, s.inRegion(ctx, func(ctx context.Context) (err error) {
				out.Body, err = s.supervision().IssueOrder(ctx, in.ID, in.Body)
				return err
			})
		})
	registerRegion(s, huma.Operation{OperationID: "close-card-order", Method: http.MethodPost, Path: "/api/v1/region/cards/{id}/close",
		Summary: "办结督办 / Close a replied order (and its card)", Tags: []string{"supervision"}, Errors: []int{404, 409}},
		supervisors, func(ctx context.Context, in *cardPath) (*orderOut, error) {
			out := &orderOut{}
			return out, s.inRegion(ctx, func(ctx context.Context) (err error) {
				out.Body, err = s.supervision().CloseOrder(ctx, in.ID)
				return err
			})
		})
	registerRegion(s, huma.Operation{OperationID: "return-card-order", Method: http.MethodPost, Path: "/api/v1/region/cards/{id}/return",
		Summary: "退回督办回复 / Send a reply back", Tags: []string{"supervision"}, Errors: []int{404, 409, 422}},
		supervisors, func(ctx context.Context, in *orderReturnIn) (*orderOut, error) {
			out := &orderOut{}
			return out, s.inRegion(ctx, func(ctx context.Context) (err error) {
				out.Body, err = s.supervision().ReturnOrder(ctx, in.ID, in.Body.Note)
				return err
			})
		})
	registerRegion(s, huma.Operation{OperationID: "get-advice-pdf", Method: http.MethodGet, Path: "/api/v1/region/counties/{county}/advice",
		Summary:     "监察建议书 / The supervision advice to a county (PDF)",
		Description: "The county's cards not yet closed and their orders, numbered and dated by the issuing region.",
		Tags:        []string{"supervision"}, Errors: []int{404},
		Responses: map[string]*huma.Response{"200": {Description: "PDF", Content: map[string]*huma.MediaType{"application/pdf": {}}}}},
		supervisors, func(ctx context.Context, in *adviceIn) (*pdfOut, error) {
			out := &pdfOut{ContentType: "application/pdf", CSP: PDFContentSecurityPolicy}
			return out, s.inRegion(ctx, func(ctx context.Context) error {
				county, err := countyRef(in.County)
				if err != nil {
					return err
				}
				b, name, err := s.supervision().Advice(ctx, county)
				out.Body, out.ContentDisposition = b, inline(name+".pdf")
				return err
			})
		})
	register(s, huma.Operation{OperationID: "list-county-cards", Method: http.MethodGet, Path: "/api/v1/supervision/cards",
		Summary:     "督办事项 / The county's cards and orders",
		Description: "The county's own cards as its region sees them, with each clerk's name resolved here (the region sees a pseudonym).",
		Tags:        []string{"supervision"}, Errors: []int{422}},
		admins, func(ctx context.Context, in *cardListIn) (*cardListOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (*cardListOut, error) {
				out := &cardListOut{}
				var err error
				out.Body.Items, err = supervision.CountyCards(ctx, in.Status)
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "reply-card-order", Method: http.MethodPost, Path: "/api/v1/supervision/cards/{id}/reply",
		Summary:     "回复督办 / Reply to an order",
		Description: "What the county did; refused (422) when it holds an ID number or a phone number. Audited in the county's chain.",
		Tags:        []string{"supervision"}, Errors: []int{404, 409, 422}},
		admins, func(ctx context.Context, in *orderReplyIn) (*orderOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (*orderOut, error) {
				o, err := s.supervision().Reply(ctx, in.ID, in.Body)
				return &orderOut{Body: o}, err
			})
		})
}
