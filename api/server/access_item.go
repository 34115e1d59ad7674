package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
)

// AccessItemOut is a list item with its status today.
type AccessItemOut struct {
	access.Item
	Status      string `json:"status" enum:"in_force,pending,withdrawn,expired,lapsed" doc:"lapsed: not re-confirmed (年度确认) by the county's deadline"`
	KindLabel   string `json:"kind_label"`
	Unconfirmed bool   `json:"unconfirmed" doc:"not re-confirmed for this year yet (年度确认)"`
}

func (s *Server) itemOut(it access.Item) AccessItemOut {
	today := s.today()
	now := s.deps.Clock.Now()
	return AccessItemOut{Item: it, Status: it.Status(today, now), KindLabel: it.Kind.Label(), Unconfirmed: it.Unconfirmed(today, now)}
}

type accessListIn struct {
	Kind       string `query:"kind" enum:"duty,assist,certificate,no_certificate,forbidden,"`
	Department string `query:"department_id"`
	InForce    bool   `query:"in_force" doc:"only items in force today"`
}

type accessListOut struct {
	Body struct {
		Items []AccessItemOut `json:"items"`
	}
}

type accessItemIn struct{ Body access.NewItem }

type accessItemOut struct {
	ETag string `header:"ETag"`
	Body struct {
		Item     AccessItemOut    `json:"item"`
		Versions []access.Version `json:"versions"`
	}
}

type accessIDIn struct {
	ID uuid.UUID `path:"id"`
}

type accessEditIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    struct {
		Content access.Content `json:"content"`
		Reason  string         `json:"reason"`
	}
}

type accessWithdrawIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    struct {
		EffectiveFrom workday.Date `json:"effective_from" doc:"the first day the item is off the lists; today withdraws it at once"`
		Reason        string       `json:"reason"`
	}
}

type accessConfirmIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Year int `json:"year"`
	}
}

type communitiesOut struct {
	Body struct {
		Communities []CommunityRef `json:"communities"`
	}
}

// CommunityRef names a village or community.
type CommunityRef struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	Kind string    `json:"kind"`
}

func (s *Server) accessItemRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "list-access-items", Method: http.MethodGet, Path: "/api/v1/access/items", Summary: "准入清单 / The access lists",
		Description: "Every item with its status today; in_force=true for the lists in force.", Tags: tags, Errors: []int{422}},
		staffRoles, func(ctx context.Context, in *accessListIn) (*accessListOut, error) {
			f := access.Filter{Kind: access.Kind(in.Kind)}
			if in.InForce {
				f.On = s.today()
			}
			if in.Department != "" {
				id, err := uuid.Parse(in.Department)
				if err != nil {
					return nil, problem.Invalid(problem.Field{Location: "query.department_id", Message: "部门编号格式有误", MessageEn: "department_id is not a UUID"})
				}
				f.Department = &id
			}
			return withTx(ctx, s, func(ctx context.Context) (out *accessListOut, err error) {
				out = &accessListOut{}
				out.Body.Items = []AccessItemOut{}
				items, err := s.access.List(ctx, f)
				for _, it := range items {
					out.Body.Items = append(out.Body.Items, s.itemOut(it))
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "create-access-item", Method: http.MethodPost, Path: "/api/v1/access/items", Summary: "录入清单事项 / Enter an item",
		Description: "For the county's already adopted lists. New work goes through the admission workflow.", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{422}},
		admins, func(ctx context.Context, in *accessItemIn) (*accessItemOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *accessItemOut, err error) {
				it, err := s.access.Create(ctx, in.Body)
				if err != nil {
					return nil, err
				}
				return s.accessDetail(ctx, it.ID)
			})
		})
	register(s, huma.Operation{OperationID: "get-access-item", Method: http.MethodGet, Path: "/api/v1/access/items/{id}", Summary: "清单事项 / An item with its history",
		Tags: tags, Errors: []int{404}},
		staffRoles, func(ctx context.Context, in *accessIDIn) (*accessItemOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *accessItemOut, err error) {
				return s.accessDetail(ctx, in.ID)
			})
		})
	register(s, huma.Operation{OperationID: "edit-access-item", Method: http.MethodPut, Path: "/api/v1/access/items/{id}", Summary: "修改清单事项 / Edit an item",
		Description: "A new version; the history keeps the old one.", Tags: tags, Errors: []int{404, 412, 422}},
		admins, func(ctx context.Context, in *accessEditIn) (*accessItemOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *accessItemOut, err error) {
				if _, err := s.access.Edit(ctx, in.ID, v, in.Body.Content, in.Body.Reason); err != nil {
					return nil, err
				}
				return s.accessDetail(ctx, in.ID)
			})
		})
	register(s, huma.Operation{OperationID: "withdraw-access-item", Method: http.MethodPost, Path: "/api/v1/access/items/{id}/withdraw", Summary: "撤销清单事项 / Withdraw an item",
		Description: "From a date (today = at once). A dispatch racing the withdrawal is either refused or was made before it took effect.", Tags: tags, Errors: []int{404, 409, 412, 422}},
		admins, func(ctx context.Context, in *accessWithdrawIn) (*accessItemOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *accessItemOut, err error) {
				if _, err := s.access.Withdraw(ctx, in.ID, v, in.Body.EffectiveFrom, in.Body.Reason); err != nil {
					return nil, err
				}
				return s.accessDetail(ctx, in.ID)
			})
		})
	register(s, huma.Operation{OperationID: "confirm-access-item", Method: http.MethodPost, Path: "/api/v1/access/items/{id}/confirm", Summary: "年度确认 / Re-confirm an item for a year",
		Description: "Confirming a lapsed item for this year brings it back on the lists from now (a new version in its history); refused while a request to re-admit it is open.",
		Tags:        tags, Errors: []int{404, 409, 422}},
		admins, func(ctx context.Context, in *accessConfirmIn) (*accessItemOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *accessItemOut, err error) {
				if _, err := s.access.Confirm(ctx, in.ID, in.Body.Year); err != nil {
					return nil, err
				}
				return s.accessDetail(ctx, in.ID)
			})
		})
	register(s, huma.Operation{OperationID: "item-communities", Method: http.MethodGet, Path: "/api/v1/access/items/{id}/communities", Summary: "可交办的村社区 / Communities an item applies to",
		Tags: tags, Errors: []int{404}},
		reviewerRoles, func(ctx context.Context, in *accessIDIn) (*communitiesOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *communitiesOut, err error) {
				out = &communitiesOut{}
				out.Body.Communities = []CommunityRef{}
				us, err := s.access.Communities(ctx, in.ID)
				for _, u := range us {
					out.Body.Communities = append(out.Body.Communities, CommunityRef{ID: u.ID, Name: u.Name, Kind: string(u.Kind)})
				}
				return out, err
			})
		})
}

func (s *Server) accessDetail(ctx context.Context, id uuid.UUID) (*accessItemOut, error) {
	it, vs, err := s.access.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &accessItemOut{ETag: etag(it.Version)}
	out.Body.Item, out.Body.Versions = s.itemOut(*it), vs
	if out.Body.Versions == nil {
		out.Body.Versions = []access.Version{}
	}
	return out, nil
}
