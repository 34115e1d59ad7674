package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// Problem is the RFC 9457 body of every error: a stable machine code, the reason in Chinese
// (message) and English (message_en), and per-field reasons.
type Problem struct {
	Type      string         `json:"type,omitempty" doc:"A URI reference that identifies the problem type"`
	Title     string         `json:"title" doc:"HTTP status text"`
	Status    int            `json:"status" doc:"HTTP status code"`
	Detail    string         `json:"detail,omitempty" doc:"Human-readable explanation (English)"`
	Code      string         `json:"code" doc:"Stable machine-readable error code"`
	Message   string         `json:"message" doc:"原因（中文）"`
	MessageEn string         `json:"message_en" doc:"Reason (English)"`
	RequestID string         `json:"request_id,omitempty" doc:"Request id, for support"`
	Errors    []FieldProblem `json:"errors,omitempty" doc:"Per-field reasons"`
}

// FieldProblem is one field's reason.
type FieldProblem struct {
	Location  string `json:"location" doc:"Where the error is, e.g. body.phone"`
	Message   string `json:"message" doc:"原因（中文）"`
	MessageEn string `json:"message_en" doc:"Reason (English)"`
	Value     any    `json:"value,omitempty"`
}

func (p *Problem) Error() string  { return p.Code + ": " + p.MessageEn }
func (p *Problem) GetStatus() int { return p.Status }
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

var statusText = map[int][3]string{
	http.StatusBadRequest:            {"bad_request", "请求格式有误", "malformed request"},
	http.StatusUnauthorized:          {"unauthenticated", "请先登录", "sign in first"},
	http.StatusForbidden:             {"forbidden", "没有权限执行此操作", "not allowed"},
	http.StatusNotFound:              {"not_found", "记录不存在", "not found"},
	http.StatusMethodNotAllowed:      {"method_not_allowed", "不支持的请求方法", "method not allowed"},
	http.StatusConflict:              {"conflict", "与当前状态冲突", "conflict"},
	http.StatusRequestEntityTooLarge: {"too_large", "请求内容过大", "request too large"},
	http.StatusUnprocessableEntity:   {"invalid_input", "输入有误，请检查标出的字段", "invalid input"},
	http.StatusTooManyRequests:       {"too_many_requests", "请求过于频繁，请稍后再试", "too many requests"},
	http.StatusServiceUnavailable:    {"unavailable", "服务暂不可用，请稍后重试", "service unavailable"},
	http.StatusInternalServerError:   {"internal", "服务器内部错误，请联系管理员并提供请求编号", "internal error"},
}

func newProblem(ctx context.Context, status int, code, zh, en string) *Problem {
	std, known := statusText[status]
	if !known {
		std = [3]string{"http_" + strconv.Itoa(status), http.StatusText(status), http.StatusText(status)}
	}
	if code == "" {
		code = std[0]
	}
	if zh == "" {
		zh, en = std[1], std[2]
	}
	return &Problem{Title: http.StatusText(status), Status: status, Code: code, Message: zh, MessageEn: en, Detail: en, RequestID: tenants.RequestID(ctx)}
}

// installErrors makes every error huma writes a Problem, translating service errors.
func installErrors(logger *slog.Logger) {
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		ctx := context.Background()
		if hctx != nil {
			ctx = hctx.Context()
		}
		for _, err := range errs {
			if p := fromService(ctx, err); p != nil {
				return p
			}
		}
		p := newProblem(ctx, status, "", "", "")
		if status >= 500 {
			logger.ErrorContext(ctx, "request failed", "request_id", p.RequestID, "error", errors.Join(errs...), "msg", msg)
			return p
		}
		if msg != "" && status != http.StatusUnprocessableEntity {
			p.Detail = msg
		}
		for _, err := range errs {
			var d *huma.ErrorDetail
			if errors.As(err, &d) {
				zh := translateDetail(d.Message)
				value := d.Value
				if strings.Contains(strings.ToLower(d.Location), "password") {
					value = nil // never echo a secret back
				}
				if _, whole := value.(map[string]any); whole {
					value = nil // a whole object echoed back may carry an ID number (and says nothing new)
				}
				p.Errors = append(p.Errors, FieldProblem{Location: d.Location, Message: zh, MessageEn: d.Message, Value: value})
			}
		}
		if len(p.Errors) == 1 {
			p.Message = p.Errors[0].Message + "（" + p.Errors[0].Location + "）"
			p.MessageEn = p.Errors[0].MessageEn + " (" + p.Errors[0].Location + ")"
		}
		return p
	}
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return huma.NewErrorWithContext(nil, status, msg, errs...)
	}
}

func fromService(ctx context.Context, err error) *Problem {
	if err == nil {
		return nil
	}
	if pe, ok := problem.As(err); ok {
		p := newProblem(ctx, pe.Status, pe.Code, pe.Message, pe.MessageEn)
		for _, f := range pe.Fields {
			p.Errors = append(p.Errors, FieldProblem{Location: f.Location, Message: f.Message, MessageEn: f.MessageEn, Value: f.Value})
		}
		return p
	}
	if p := outage(ctx, err); p != nil {
		return p
	}
	switch {
	case errors.Is(err, tenants.ErrNotFound):
		return newProblem(ctx, http.StatusNotFound, "", "", "")
	case errors.Is(err, tenants.ErrBadCursor):
		return newProblem(ctx, http.StatusUnprocessableEntity, "invalid_cursor", "分页游标无效", "invalid pagination cursor")
	case errors.Is(err, identity.ErrUnavailable):
		return newProblem(ctx, http.StatusServiceUnavailable, "auth_unavailable", "身份认证服务暂不可用，请稍后重试", "authentication service unavailable")
	}
	return nil
}

var detailPatterns = []struct {
	re *regexp.Regexp
	zh string
}{
	{regexp.MustCompile(`^expected required property (\S+) to be present`), "缺少必填字段 $1"},
	{regexp.MustCompile(`^expected string to match pattern`), "格式不正确"},
	{regexp.MustCompile(`^expected length >= (\d+)`), "长度至少为 $1"},
	{regexp.MustCompile(`^expected length <= (\d+)`), "长度至多为 $1"},
	{regexp.MustCompile(`^expected number >= (\S+)`), "不能小于 $1"},
	{regexp.MustCompile(`^expected number <= (\S+)`), "不能大于 $1"},
	{regexp.MustCompile(`^expected array length >= (\d+)`), "至少选择 $1 项"},
	{regexp.MustCompile(`^expected value to be one of "?(.*?)"?$`), "取值须为以下之一：$1"},
	{regexp.MustCompile(`^unexpected property`), "不允许的字段"},
	{regexp.MustCompile(`^expected string to be RFC 4122 uuid`), "须为 UUID"},
	{regexp.MustCompile(`^expected (string|integer|number|boolean|array|object)`), "类型不正确"},
	{regexp.MustCompile(`^invalid character|^unexpected end of JSON`), "JSON 格式错误"},
}

// translateDetail gives huma's English validation messages a Chinese counterpart.
func translateDetail(en string) string {
	for _, p := range detailPatterns {
		if m := p.re.FindStringSubmatchIndex(en); m != nil {
			return string(p.re.ExpandString(nil, p.zh, en, m))
		}
	}
	return "字段格式不正确：" + strings.TrimSpace(en)
}

// writeProblem writes p outside huma (middleware of the plain mux).
func writeProblem(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	fmt.Fprint(w, mustJSON(p))
}
