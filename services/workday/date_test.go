package workday

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want Date
		err  string
	}{
		{in: "2024-02-29", want: Date{2024, time.February, 29}},
		{in: "1990-01-01", want: Date{1990, time.January, 1}},
		{in: "2100-12-31", want: Date{2100, time.December, 31}},
		{in: "2025-02-29", err: "February 2025 has no day 29"},
		{in: "2100-02-29", err: "February 2100 has no day 29"},
		{in: "2024-04-31", err: "April 2024 has no day 31"},
		{in: "2024-00-10", err: "month 0 does not exist"},
		{in: "2024-13-01", err: "month 13 does not exist"},
		{in: "2024-01-00", err: "has no day 0"},
		{in: "1989-12-31", err: "year outside the supported range 1990-2100"},
		{in: "2101-01-01", err: "year outside"},
		{in: "", err: `"" is not in the form YYYY-MM-DD`},
		{in: "2024-1-01", err: "not in the form"},
		{in: "2024/01/01", err: "not in the form"},
		{in: "2024-01-01T00:00:00Z", err: "not in the form"},
		{in: " 2024-01-01", err: "not in the form"},
		{in: "2024-0a-01", err: "not in the form"},
		{in: "+024-01-01", err: "not in the form"},
		{in: "２０２4-01-01", err: "not in the form"},
	} {
		got, err := ParseDate(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseDate(%q) = %v, %v; want error %q", tt.in, got, err, tt.err)
		case tt.err == "" && got.String() != tt.in:
			t.Errorf("ParseDate(%q).String() = %q", tt.in, got)
		}
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	d := dt("2024-02-28")
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "2024-02-28"}, {1, "2024-02-29"}, {2, "2024-03-01"}, {-59, "2023-12-31"}, {366, "2025-02-28"}} {
		if got := d.AddDays(tt.n); got != dt(tt.want) {
			t.Errorf("AddDays(%d) = %v, want %s", tt.n, got, tt.want)
		}
	}
	if !d.Before(dt("2024-02-29")) || !d.Before(dt("2024-03-01")) || !d.Before(dt("2025-01-01")) || d.Before(d) ||
		!d.After(dt("2024-02-27")) || !d.After(dt("2024-01-30")) || !d.After(dt("2023-12-31")) || d.After(d) {
		t.Error("Before/After")
	}
	if d.Weekday() != time.Wednesday || dt("2026-02-14").Weekday() != time.Saturday {
		t.Errorf("Weekday = %v", d.Weekday())
	}
	if d.IsZero() || !(Date{}).IsZero() {
		t.Error("IsZero")
	}
	shanghai := time.FixedZone("CST", 8*3600)
	if got := d.In(shanghai); got.Format(time.RFC3339) != "2024-02-28T00:00:00+08:00" {
		t.Errorf("In = %v", got)
	}
	instant := time.Date(2024, time.December, 31, 16, 30, 0, 0, time.UTC) // 00:30 on New Year's Day in China
	if DateOf(instant) != dt("2024-12-31") || DateOf(instant.In(shanghai)) != dt("2025-01-01") {
		t.Errorf("DateOf: %v, %v", DateOf(instant), DateOf(instant.In(shanghai)))
	}
	for _, y := range []int{2023, 2024, 2100} {
		for i, d := 0, (Date{y, time.January, 1}); d.Year == y; i, d = i+1, d.AddDays(1) {
			if d.yday() != i || fromYday(y, i) != d {
				t.Fatalf("%v: yday %d, fromYday(%d) = %v", d, d.yday(), i, fromYday(y, i))
			}
		}
	}
}

func TestDateJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Due   Date  `json:"due"`
		Unset Date  `json:"unset"`
		Opt   *Date `json:"opt,omitempty"`
		Zero  Date  `json:"zero,omitzero"`
	}
	b, err := json.Marshal(doc{Due: dt("2026-02-14")})
	if err != nil || string(b) != `{"due":"2026-02-14","unset":""}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil || back != (doc{Due: dt("2026-02-14")}) {
		t.Errorf("Unmarshal = %+v, %v", back, err)
	}
	for _, in := range []string{`{"due":"2026-2-14"}`, `{"due":"2026-02-30"}`, `{"due":20260214}`} {
		if err := json.Unmarshal([]byte(in), &back); err == nil {
			t.Errorf("Unmarshal(%s) accepted", in)
		}
	}
	l := Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-05"), at("2025-03-07")}, {From: dt("2025-03-14")}}}
	b, err = json.Marshal(l)
	want := `{"start":"2025-03-03","days":10,"pauses":[{"from":"2025-03-05","to":"2025-03-07"},{"from":"2025-03-14"}]}`
	if err != nil || string(b) != want {
		t.Errorf("Marshal(Limit) = %s, %v", b, err)
	}
	var y Year
	if err := json.Unmarshal([]byte(`{"year":2027,"holidays":[{"name":"元旦节","from":"2027-01-01","to":"2027-01-03"}],"makeups":["2027-02-14"]}`), &y); err != nil ||
		y.Holidays[0].To != dt("2027-01-03") || y.Makeups[0] != dt("2027-02-14") {
		t.Errorf("Unmarshal(Year) = %+v, %v", y, err)
	}
}
