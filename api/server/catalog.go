package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// MaterialSpec is a material of an item.
type MaterialSpec struct {
	Key       string `json:"key,omitempty" maxLength:"40" doc:"stable key; filled in when empty"`
	Name      string `json:"name" doc:"材料名称"`
	Form      string `json:"form" enum:"original,copy,electronic" doc:"原件 / 复印件 / 电子"`
	Copies    int    `json:"copies" doc:"份数"`
	Required  bool   `json:"required" doc:"必要材料"`
	Condition string `json:"condition,omitempty" doc:"非必要材料需要提交的情形"`
	Sample    string `json:"sample,omitempty" doc:"样表文件"`
}

// SpecialStep is a special step of an item.
type SpecialStep struct {
	Name      string `json:"name"`
	LimitDays int    `json:"limit_days"`
	Counted   bool   `json:"counted" doc:"是否计入办理时限"`
}

// StageSpec is a back-office step of an item (办理环节) with its limit.
type StageSpec struct {
	Name      string `json:"name" maxLength:"40" doc:"环节名称（1 至 20 个字），如 审查、决定"`
	LimitDays int    `json:"limit_days" doc:"环节时限（工作日，至少 1）"`
}

// ItemBody is the content of one version of a service item.
type ItemBody struct {
	BaseCode      string         `json:"base_code" doc:"基本编码"`
	ImplCode      string         `json:"impl_code" doc:"实施编码（县内唯一）"`
	Name          string         `json:"name" doc:"事项名称"`
	Kind          string         `json:"kind" enum:"licensing,confirmation,adjudication,payment,reward,filing,other_power,public_service" doc:"事项类型"`
	DepartmentID  uuid.UUID      `json:"department_id" doc:"实施机关"`
	LegalBasis    string         `json:"legal_basis" doc:"设定和实施依据"`
	Levels        []string       `json:"levels" doc:"行使层级：county, township, community"`
	Conditions    string         `json:"conditions" doc:"受理条件"`
	Materials     []MaterialSpec `json:"materials" maxItems:"50"`
	Handling      string         `json:"handling" enum:"instant,promised" doc:"即办件 / 承诺件"`
	LegalDays     int            `json:"legal_days" doc:"法定时限（工作日）"`
	PromisedDays  int            `json:"promised_days" doc:"承诺时限（工作日）"`
	Steps         []SpecialStep  `json:"steps" maxItems:"20" doc:"特殊环节"`
	Stages        []StageSpec    `json:"stages,omitempty" maxItems:"20" doc:"办理环节及其时限（至多 10 个，合计不超过承诺时限，无承诺时限时不超过法定时限）"`
	Unified       bool           `json:"unified,omitempty" doc:"统一办理/联合办理/集中办理（行政许可法第二十六条）：延期至多 15 个工作日，由县政府负责人批准"`
	FeeBasis      string         `json:"fee_basis"`
	FeeAmount     string         `json:"fee_amount"`
	Visits        int            `json:"visits" doc:"到现场次数"`
	ConsultPhone  string         `json:"consult_phone"`
	ComplainPhone string         `json:"complain_phone"`
}

func fromItem(it *catalog.Item) ItemBody {
	b := ItemBody{BaseCode: it.BaseCode, ImplCode: it.ImplCode, Name: it.Name, Kind: string(it.Kind), DepartmentID: it.DepartmentID,
		LegalBasis: it.LegalBasis, Levels: []string{}, Conditions: it.Conditions, Materials: []MaterialSpec{}, Handling: string(it.Handling),
		LegalDays: it.LegalDays, PromisedDays: it.PromisedDays, Steps: []SpecialStep{}, FeeBasis: it.FeeBasis, FeeAmount: it.FeeAmount,
		Visits: it.Visits, ConsultPhone: it.ConsultPhone, ComplainPhone: it.ComplainPhone, Unified: it.Unified}
	for _, l := range it.Levels {
		b.Levels = append(b.Levels, string(l))
	}
	for _, m := range it.Materials {
		b.Materials = append(b.Materials, MaterialSpec{Key: m.Key, Name: m.Name, Form: string(m.Form), Copies: m.Copies, Required: m.Required, Condition: m.Condition, Sample: m.Sample})
	}
	for _, st := range it.Steps {
		b.Steps = append(b.Steps, SpecialStep{Name: st.Name, LimitDays: st.LimitDays, Counted: st.Counted})
	}
	for _, st := range it.Stages {
		b.Stages = append(b.Stages, StageSpec{Name: st.Name, LimitDays: st.LimitDays})
	}
	return b
}

func (b *ItemBody) item() catalog.Item {
	it := catalog.Item{BaseCode: b.BaseCode, ImplCode: b.ImplCode, Name: b.Name, Kind: catalog.Kind(b.Kind), DepartmentID: b.DepartmentID,
		LegalBasis: b.LegalBasis, Conditions: b.Conditions, Handling: catalog.Handling(b.Handling), LegalDays: b.LegalDays,
		PromisedDays: b.PromisedDays, FeeBasis: b.FeeBasis, FeeAmount: b.FeeAmount, Visits: b.Visits, ConsultPhone: b.ConsultPhone, ComplainPhone: b.ComplainPhone,
		Unified: b.Unified}
	for _, l := range b.Levels {
		it.Levels = append(it.Levels, catalog.Level(l))
	}
	for _, m := range b.Materials {
		it.Materials = append(it.Materials, catalog.Material{Key: m.Key, Name: m.Name, Form: catalog.Form(m.Form), Copies: m.Copies, Required: m.Required, Condition: m.Condition, Sample: m.Sample})
	}
	for _, st := range b.Steps {
		it.Steps = append(it.Steps, catalog.Step{Name: st.Name, LimitDays: st.LimitDays, Counted: st.Counted})
	}
	for _, st := range b.Stages {
		it.Stages = append(it.Stages, catalog.Stage{Name: st.Name, LimitDays: st.LimitDays})
	}
	return it
}

// ItemSummary is a row of the catalogue.
type ItemSummary struct {
	ID               uuid.UUID `json:"id"`
	ImplCode         string    `json:"impl_code"`
	BaseCode         string    `json:"base_code"`
	Name             string    `json:"name"`
	Kind             string    `json:"kind"`
	KindLabel        string    `json:"kind_label"`
	DepartmentID     uuid.UUID `json:"department_id"`
	Levels           []string  `json:"levels"`
	Handling         string    `json:"handling" enum:"instant,promised"`
	Status           string    `json:"status" enum:"draft,published,retired"`
	PublishedVersion *int      `json:"published_version" nullable:"true"`
	DraftVersion     *int      `json:"draft_version" nullable:"true"`
	RowVersion       int       `json:"row_version" doc:"send as If-Match when changing the item"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func toItemSummary(r *catalog.Record) ItemSummary {
	out := ItemSummary{ID: r.ID, ImplCode: r.ImplCode, BaseCode: r.BaseCode, Name: r.Name, Kind: string(r.Kind), KindLabel: r.Kind.Label(),
		DepartmentID: r.DepartmentID, Levels: []string{}, Handling: string(r.Handling), Status: string(r.Status),
		PublishedVersion: r.PublishedVersion, DraftVersion: r.DraftVersion, RowVersion: r.RowVersion, UpdatedAt: r.UpdatedAt}
	for _, l := range r.Levels {
		out.Levels = append(out.Levels, string(l))
	}
	return out
}

// ItemVersionInfo lists a version.
type ItemVersionInfo struct {
	Version     int        `json:"version"`
	State       string     `json:"state" enum:"draft,published,superseded"`
	CreatedAt   time.Time  `json:"created_at"`
	PublishedAt *time.Time `json:"published_at" nullable:"true"`
}

// ItemDetail is an item with its draft, its published version and its history.
type ItemDetail struct {
	ItemSummary
	Draft     *ItemBody         `json:"draft,omitempty"`
	Published *ItemBody         `json:"published,omitempty"`
	Versions  []ItemVersionInfo `json:"versions"`
}

type itemListIn struct {
	Q            string    `query:"q" maxLength:"50" doc:"名称片段或编码前缀"`
	Status       string    `query:"status" enum:"draft,published,retired,"`
	DepartmentID uuid.UUID `query:"department_id"`
	Level        string    `query:"level" enum:"county,township,community,"`
	Cursor       string    `query:"cursor"`
	Limit        int       `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type itemListOut struct {
	Body struct {
		Items      []ItemSummary `json:"items"`
		NextCursor string        `json:"next_cursor"`
	}
}

type itemIn struct{ Body ItemBody }

type itemOut struct {
	ETag string `header:"ETag"`
	Body ItemDetail
}

type itemChangeIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true" doc:"row_version of the item as last read"`
}

type itemDraftIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true" doc:"row_version of the item as last read"`
	Body    ItemBody
}

type itemVersionIn struct {
	ID      uuid.UUID `path:"id"`
	Version int       `path:"version" minimum:"1"`
}

type itemVersionOut struct{ Body ItemBody }

type importOut struct {
	Body catalog.ImportResult
}

func (s *Server) itemDetail(ctx context.Context, id uuid.UUID) (*itemOut, error) {
	r, vs, err := catalog.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &itemOut{ETag: etag(r.RowVersion), Body: ItemDetail{ItemSummary: toItemSummary(r), Versions: []ItemVersionInfo{}}}
	for i := range vs {
		v := &vs[i]
		out.Body.Versions = append(out.Body.Versions, ItemVersionInfo{Version: v.Version, State: string(v.State), CreatedAt: v.CreatedAt, PublishedAt: v.PublishedAt})
		b := fromItem(&v.Content)
		switch v.State {
		case catalog.VersionDraft:
			out.Body.Draft = &b
		case catalog.VersionPublished:
			out.Body.Published = &b
		}
	}
	return out, nil
}

func (s *Server) catalogRoutes() {
	register(s, huma.Operation{OperationID: "list-items", Method: http.MethodGet, Path: "/api/v1/items", Summary: "事项目录 / Search the service catalogue",
		Tags: []string{"catalogue"}, Errors: []int{422}},
		staffRoles, func(ctx context.Context, in *itemListIn) (*itemListOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *itemListOut, err error) {
				out = &itemListOut{}
				out.Body.Items = []ItemSummary{}
				p, err := catalog.Search(ctx, catalog.Filter{Q: in.Q, Status: catalog.Status(in.Status), DepartmentID: in.DepartmentID,
					Level: catalog.Level(in.Level), Cursor: in.Cursor, Limit: in.Limit})
				if err != nil {
					return nil, err
				}
				for i := range p.Items {
					out.Body.Items = append(out.Body.Items, toItemSummary(&p.Items[i]))
				}
				out.Body.NextCursor = p.Next
				return out, nil
			})
		})
	register(s, huma.Operation{OperationID: "create-item", Method: http.MethodPost, Path: "/api/v1/items", Summary: "新增事项（草稿）/ Add an item as a draft",
		Tags: []string{"catalogue"}, DefaultStatus: http.StatusCreated, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *itemIn) (*itemOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *itemOut, err error) {
				r, err := catalog.Create(ctx, in.Body.item())
				if err != nil {
					return nil, err
				}
				return s.itemDetail(ctx, r.ID)
			})
		})
	register(s, huma.Operation{OperationID: "get-item", Method: http.MethodGet, Path: "/api/v1/items/{id}", Summary: "事项详情 / An item with its versions",
		Tags: []string{"catalogue"}, Errors: []int{404}},
		staffRoles, func(ctx context.Context, in *idPath) (*itemOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *itemOut, err error) {
				return s.itemDetail(ctx, in.ID)
			})
		})
	register(s, huma.Operation{OperationID: "save-item-draft", Method: http.MethodPut, Path: "/api/v1/items/{id}/draft", Summary: "保存草稿 / Save the item's draft",
		Description: "Starts a new version from the published one if there is no draft. Publishing makes it the version new applications use.",
		Tags:        []string{"catalogue"}, Errors: []int{404, 409, 412, 422}},
		admins, func(ctx context.Context, in *itemDraftIn) (*itemOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *itemOut, err error) {
				if _, err := catalog.SaveDraft(ctx, in.ID, v, in.Body.item()); err != nil {
					return nil, err
				}
				return s.itemDetail(ctx, in.ID)
			})
		})
	change := func(id, path, summary string, fn func(ctx context.Context, id uuid.UUID, v int) (*catalog.Record, error)) {
		register(s, huma.Operation{OperationID: id, Method: http.MethodPost, Path: path, Summary: summary, Tags: []string{"catalogue"}, Errors: []int{404, 409, 412, 422}},
			admins, func(ctx context.Context, in *itemChangeIn) (*itemOut, error) {
				v, err := ifMatch(in.IfMatch)
				if err != nil {
					return nil, err
				}
				return withTx(ctx, s, func(ctx context.Context) (out *itemOut, err error) {
					if _, err := fn(ctx, in.ID, v); err != nil {
						return nil, err
					}
					return s.itemDetail(ctx, in.ID)
				})
			})
	}
	change("publish-item", "/api/v1/items/{id}/publish", "发布 / Publish the draft", catalog.Publish)
	change("retire-item", "/api/v1/items/{id}/retire", "停用 / Retire the item", catalog.Retire)
	register(s, huma.Operation{OperationID: "get-item-version", Method: http.MethodGet, Path: "/api/v1/items/{id}/versions/{version}", Summary: "事项某一版本 / One version of an item",
		Tags: []string{"catalogue"}, Errors: []int{404}},
		staffRoles, func(ctx context.Context, in *itemVersionIn) (*itemVersionOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *itemVersionOut, err error) {
				out = &itemVersionOut{}
				v, err := catalog.GetVersion(ctx, in.ID, in.Version)
				if err == nil {
					out.Body = fromItem(&v.Content)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "export-items", Method: http.MethodGet, Path: "/api/v1/items/export", Summary: "导出事项目录（Excel）/ Export the catalogue",
		Tags: []string{"catalogue"}, Responses: map[string]*huma.Response{"200": {Description: "xlsx workbook", Content: map[string]*huma.MediaType{xlsxMIME: {}}}}},
		admins, func(ctx context.Context, _ *struct{}) (*fileOut, error) {
			var buf bytes.Buffer
			err := s.inTx(ctx, func(ctx context.Context) error {
				items, err := catalog.Newest(ctx)
				if err != nil {
					return err
				}
				names, _, err := departments(ctx)
				if err != nil {
					return err
				}
				return catalog.ExportExcel(&buf, items, func(id uuid.UUID) string { return names[id] })
			})
			if err != nil {
				return nil, err
			}
			return &fileOut{ContentType: xlsxMIME, ContentDisposition: attachment("事项目录.xlsx"), Body: buf.Bytes()}, nil
		})
	register(s, huma.Operation{OperationID: "import-items", Method: http.MethodPost, Path: "/api/v1/items/import", Summary: "导入事项目录（Excel）/ Import the catalogue",
		Description: "New implementation codes become drafts; known ones get their draft replaced. Every row is checked first: " +
			"if any row is wrong, nothing is imported and the 422 lists each problem with its sheet, row and column (in `errors[].value`).",
		Tags: []string{"catalogue"}, Errors: []int{413, 422, 429}, MaxBodyBytes: catalog.MaxImportBytes},
		admins, func(ctx context.Context, in *importIn) (*importOut, error) {
			release, err := s.imports.Enter()
			if err != nil {
				return nil, err
			}
			defer release()
			return withTx(ctx, s, func(ctx context.Context) (out *importOut, err error) {
				out = &importOut{}
				_, ids, err := departments(ctx)
				if err != nil {
					return nil, err
				}
				items, rowErrs, err := catalog.ImportExcel(bytes.NewReader(in.RawBody), func(name string) (uuid.UUID, bool) {
					id, ok := ids[strings.TrimSpace(name)]
					return id, ok
				})
				if err != nil {
					return nil, err
				}
				if len(rowErrs) > 0 {
					fields := make([]problem.Field, 0, len(rowErrs))
					for _, re := range rowErrs {
						fields = append(fields, problem.Field{Location: "file", Message: re.Reason, MessageEn: re.ReasonEn,
							Value: map[string]any{"sheet": re.Sheet, "row": re.Row, "column": re.Column}})
					}
					e := problem.Invalid(fields...)
					e.Message, e.MessageEn = importErrorsSummary(len(rowErrs), "事项")
					return out, e
				}
				res, err := catalog.Import(ctx, items)
				if err == nil {
					out.Body = *res
				}
				return out, err
			})
		})
}

// departments maps the county's departments both ways.
func departments(ctx context.Context) (map[uuid.UUID]string, map[string]uuid.UUID, error) {
	units, err := tenants.OrgUnitsOfKind(ctx, tenants.KindDepartment)
	if err != nil {
		return nil, nil, err
	}
	names, ids := map[uuid.UUID]string{}, map[string]uuid.UUID{}
	for _, u := range units {
		names[u.ID], ids[u.Name] = u.Name, u.ID
	}
	return names, ids, nil
}
