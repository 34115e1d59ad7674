package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

type publicListIn struct {
	County string `path:"county" doc:"county code"`
}

// PublicItem is what the public list shows.
type PublicItem struct {
	Code          string       `json:"code"`
	Kind          string       `json:"kind"`
	KindLabel     string       `json:"kind_label"`
	Name          string       `json:"name"`
	LegalBasis    string       `json:"legal_basis"`
	Department    string       `json:"department"`
	Funding       string       `json:"funding"`
	FundingAmount int64        `json:"funding_amount"`
	EffectiveFrom workday.Date `json:"effective_from"`
}

type publicListOut struct {
	Body struct {
		County string       `json:"county"`
		AsOf   workday.Date `json:"as_of"`
		Items  []PublicItem `json:"items"`
	}
}

func (s *Server) accessListRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "public-access-list", Method: http.MethodGet, Path: "/api/v1/public/{county}/access-list",
		Summary: "公开清单 / The lists in force (public)", Description: "No sign-in. The county's access lists in force today.", Tags: tags, Errors: []int{404}},
		nil, func(ctx context.Context, in *publicListIn) (*publicListOut, error) {
			out := &publicListOut{}
			out.Body.AsOf = s.today()
			err := s.inCounty(ctx, in.County, func(ctx context.Context, t *tenants.Tenant) error {
				out.Body.County = t.Name
				items, err := s.access.List(ctx, access.Filter{On: s.today()})
				for _, it := range items {
					out.Body.Items = append(out.Body.Items, PublicItem{Code: it.Code, Kind: string(it.Kind), KindLabel: it.Kind.Label(), Name: it.Name,
						LegalBasis: it.LegalBasis, Department: it.DepartmentName, Funding: string(it.Funding), FundingAmount: it.FundingAmount, EffectiveFrom: it.EffectiveFrom})
				}
				return err
			})
			if out.Body.Items == nil {
				out.Body.Items = []PublicItem{}
			}
			return out, err
		})
}
