package staff_test

import (
	"testing"

	"github.com/yichuang/yichuang/services/staff"
)

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	const phone = "13812345678"
	cases := []struct {
		password string
		want     string // the Chinese reason, "" when accepted
	}{
		{"short1", "密码须为 10 至 72 个字符"},
		{"woaini1314", "密码过于常见，容易被猜中，请换一个"},
		{"WoAiNi1314", "密码过于常见，容易被猜中，请换一个"},
		{"1qaz2wsx3edc", "密码过于常见，容易被猜中，请换一个"},
		{"qwertyuiop", "密码过于常见，容易被猜中，请换一个"},
		{"zzzzzzzzzzzz", "密码过于常见，容易被猜中，请换一个"},
		{"x" + phone, "密码不能包含手机号"},
		{phone + "ab", "密码不能包含手机号"},
		{"Qingshui#River27", ""},
	}
	for _, c := range cases {
		f := staff.CheckPassword("body.password", c.password, phone)
		got := ""
		if f != nil {
			got = f.Message
			if f.Location != "body.password" {
				t.Errorf("%q: field %q", c.password, f.Location)
			}
		}
		if got != c.want {
			t.Errorf("CheckPassword(%q) = %q, want %q", c.password, got, c.want)
		}
	}
	// The Chinese favourites the issue names are on the list, whatever their length.
	for _, p := range []string{"123456", "88888888", "a123456", "woaini1314", "qwerty"} {
		if !staff.IsCommonPassword(p) {
			t.Errorf("%q is not on the list of common passwords", p)
		}
	}
}

func TestOneTimePassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		p, err := staff.OneTimePassword()
		if err != nil {
			t.Fatal(err)
		}
		if f := staff.CheckPassword("body.password", p, "13812345678"); f != nil {
			t.Fatalf("one-time password %q fails the policy: %s", p, f.Message)
		}
		if seen[p] {
			t.Fatalf("one-time password %q repeated", p)
		}
		seen[p] = true
	}
}
