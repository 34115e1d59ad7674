package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workforce"
	"github.com/yichuang/yichuang/tenants"
)

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

func (s *Server) levelRoutes() {
	tags := []string{"workforce"}
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
			return withTx(ctx, s, func(ctx context.Context) (out *levelOut, err error) {
				out = &levelOut{}
				sc, err := workforce.SchemeOn(ctx, asOf)
				if err != nil {
					return nil, err
				}
				res, err := sc.Body.Rule.Level(f, asOf)
				if err != nil {
					return nil, err
				}
				out.Body.Result, out.Body.Explanation, out.Body.Scheme = res, res.Explain(f, asOf), sc.Label
				return out, nil
			})
		})
}
