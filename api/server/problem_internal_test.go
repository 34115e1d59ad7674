package server

import (
	"context"
	"testing"
)

func TestTranslateDetail(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"expected required property phone to be present":    "缺少必填字段 phone",
		"expected length >= 10":                             "长度至少为 10",
		"expected string to match pattern ^1[3-9][0-9]{9}$": "格式不正确",
		"expected array length >= 1":                        "至少选择 1 项",
		"expected value to be one of \"a, b\"":              "取值须为以下之一：a, b",
		"something new from huma":                           "字段格式不正确：something new from huma",
	}
	for en, want := range cases {
		if got := translateDetail(en); got != want {
			t.Errorf("translateDetail(%q) = %q, want %q", en, got, want)
		}
	}
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                                    "",
		"a=1; ory_kratos_session=abc; b=2":    "ory_kratos_session=abc",
		"ory_kratos_session=":                 "",
		"ory_kratos_session_other=x":          "",
		"csrf_token_x=1;ory_kratos_session=z": "ory_kratos_session=z",
	}
	for header, want := range cases {
		if got := sessionCookie(header); got != want {
			t.Errorf("sessionCookie(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestNewProblemAlwaysHasCodeAndMessage(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 404, 406, 409, 418, 500, 503} {
		p := newProblem(context.Background(), status, "", "", "")
		if p.Code == "" || p.Message == "" || p.MessageEn == "" || p.Status != status {
			t.Errorf("status %d: %+v", status, p)
		}
	}
	if p := newProblem(context.Background(), 409, "phone_taken", "已占用", "taken"); p.Code != "phone_taken" || p.Message != "已占用" {
		t.Errorf("explicit code and message overridden: %+v", p)
	}
}
