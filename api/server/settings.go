package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/settings"
)

// Settings are the county's local rules.
type Settings struct {
	YellowDays  int `json:"yellow_days" minimum:"0" maximum:"30" doc:"临期提醒：剩余工作日不超过此数时标黄（默认 2）"`
	ForwardDays int `json:"forward_days" minimum:"1" maximum:"30" doc:"代办转交时限，工作日（默认 3）"`
	// The statutory limits are checked by the service, whose refusal cites the article.
	CorrectionDays int `json:"correction_days" minimum:"1" maximum:"1000" doc:"补正告知时限，工作日：1 至 5（默认 5，行政许可法第三十二条；本县只可更严）"`
	MaxExtension   int `json:"max_extension" minimum:"0" maximum:"1000" doc:"一次延期的上限，工作日：0 至 10（默认 10，行政许可法第四十二条；本县只可更严）"`
	// Optional so that a client of the earlier document keeps working: absent keeps the value.
	MaxExtensionUnified *int   `json:"max_extension_unified,omitempty" minimum:"0" maximum:"1000" doc:"统一办理/联合办理/集中办理事项（行政许可法第二十六条）一次延期的上限：0 至 15（默认 15，第四十二条第二款）"`
	DeliveryDays        *int   `json:"delivery_days,omitempty" minimum:"1" maximum:"1000" doc:"准予决定的送达时限，工作日：1 至 10（默认 10，行政许可法第四十四条）"`
	ReceiptPrefix       string `json:"receipt_prefix" maxLength:"12" doc:"受理编号前缀（空则用行政区划代码）"`
}

type settingsOut struct{ Body Settings }

type settingsIn struct{ Body Settings }

func toSettings(st *settings.Settings) Settings {
	return Settings{YellowDays: st.YellowDays, ForwardDays: st.ForwardDays, CorrectionDays: st.CorrectionDays, MaxExtension: st.MaxExtension,
		MaxExtensionUnified: &st.MaxExtensionUnified, DeliveryDays: &st.DeliveryDays, ReceiptPrefix: st.ReceiptPrefix}
}

func (s *Server) settingsRoutes() {
	register(s, huma.Operation{OperationID: "get-settings", Method: http.MethodGet, Path: "/api/v1/settings", Summary: "本县规则设置 / The county's local rules", Tags: []string{"settings"}},
		staffRoles, func(ctx context.Context, _ *struct{}) (*settingsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *settingsOut, err error) {
				out = &settingsOut{}
				st, err := settings.Get(ctx)
				if err == nil {
					out.Body = toSettings(st)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "put-settings", Method: http.MethodPut, Path: "/api/v1/settings", Summary: "修改本县规则 / Change the local rules",
		Description: "Changing the warning threshold recomputes open deadlines through a background job.", Tags: []string{"settings"}, Errors: []int{422}},
		admins, func(ctx context.Context, in *settingsIn) (*settingsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (*settingsOut, error) {
				cur, err := settings.Get(ctx)
				if err != nil {
					return nil, err
				}
				next := settings.Settings{YellowDays: in.Body.YellowDays, ForwardDays: in.Body.ForwardDays, CorrectionDays: in.Body.CorrectionDays,
					MaxExtension: in.Body.MaxExtension, MaxExtensionUnified: cur.MaxExtensionUnified, DeliveryDays: cur.DeliveryDays, ReceiptPrefix: in.Body.ReceiptPrefix}
				if in.Body.MaxExtensionUnified != nil {
					next.MaxExtensionUnified = *in.Body.MaxExtensionUnified
				}
				if in.Body.DeliveryDays != nil {
					next.DeliveryDays = *in.Body.DeliveryDays
				}
				st, err := s.settings.Put(ctx, next)
				if err != nil {
					return nil, err
				}
				return &settingsOut{Body: toSettings(st)}, nil
			})
		})
}
