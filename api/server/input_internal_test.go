package server

import "testing"

func TestNULInJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, loc string
		found   bool
	}{
		{`{"a":"x"}`, "", false},
		{`{"a":"\\u0000"}`, "", false},
		{`{"a":"\u0000"}`, "body.a", true},
		{`"\u0000"`, "body", true},
		{`{"a":{"b":[1,"x",{"c":"y\u0000"}]}}`, "body.a.b[2].c", true},
		{`{"a":[],"b":{},"c":[[1],["\u0000"]]}`, "body.c[1][0]", true},
		{`{"a":1,"k\u0000":2}`, `body.k\u0000`, true},
		{`{"a":"\u0000"`, "body.a", true},
		{`{"a": tru`, "", false},
	} {
		loc, found := nulInJSON([]byte(tc.in))
		if loc != tc.loc || found != tc.found {
			t.Errorf("nulInJSON(%s) = %q %v, want %q %v", tc.in, loc, found, tc.loc, tc.found)
		}
	}
}
