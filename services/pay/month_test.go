package pay

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseMonth(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"2026-11", "1990-01", "2100-12"} {
		m, err := ParseMonth(s)
		if err != nil || m.String() != s {
			t.Errorf("ParseMonth(%q) = %v, %v; want it back unchanged", s, m, err)
		}
	}
	for _, s := range []string{"", "2026-1", "2026-13", "2026-00", "2026/11", "26-11", "2026-11-01", " 2026-11", "+026-11", "2026-1a", "1989-12", "2101-01", "２０２６-11"} {
		if m, err := ParseMonth(s); err == nil {
			t.Errorf("ParseMonth(%q) = %v, want an error", s, m)
		}
	}
}

func TestMonthCalendar(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		m    Month
		days int
	}{
		{Month{2026, time.November}, 30}, {Month{2026, time.December}, 31}, {Month{2026, time.February}, 28},
		{Month{2028, time.February}, 29}, {Month{2000, time.February}, 29}, {Month{2100, time.February}, 28},
	} {
		if got := c.m.Days(); got != c.days {
			t.Errorf("%s has %d days, want %d", c.m, got, c.days)
		}
		// Last must be the day before the next month's first, whatever the month.
		if got, want := c.m.Last(), c.m.Next().First().AddDays(-1); got != want {
			t.Errorf("%s: Last %s, want %s", c.m, got, want)
		}
		if MonthOf(c.m.Last()) != c.m || MonthOf(c.m.First()) != c.m {
			t.Errorf("%s: MonthOf its own first or last day is another month", c.m)
		}
	}
	dec, jan := Month{2026, time.December}, Month{2027, time.January}
	if dec.Next() != jan || jan.Prev() != dec {
		t.Errorf("Next/Prev across the year: %v, %v", dec.Next(), jan.Prev())
	}
	if !dec.Before(jan) || jan.Before(dec) || dec.Before(dec) || !(Month{2026, time.March}).Before(Month{2026, time.April}) {
		t.Error("Before orders months wrongly")
	}
	if got := (Month{2026, time.March}).Label(); got != "2026年3月" {
		t.Errorf("Label = %q", got)
	}
}

func TestMonthText(t *testing.T) {
	t.Parallel()
	// Paid is keyed by Month, so JSON must round-trip it as a map key.
	in := Paid{{2026, time.October}: 458800, {2026, time.September}: 1}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `{"2026-09":1,"2026-10":458800}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var out Paid
	if err := json.Unmarshal(b, &out); err != nil || len(out) != 2 || out[Month{2026, time.October}] != 458800 {
		t.Fatalf("Unmarshal = %v, %v", out, err)
	}
	var d struct{ M Month }
	if err := json.Unmarshal([]byte(`{"M":"2026-13"}`), &d); err == nil {
		t.Error("UnmarshalText accepted month 13")
	}
	if b, _ := json.Marshal(struct{ M Month }{}); string(b) != `{"M":""}` {
		t.Errorf("zero Month marshals as %s", b)
	}
	if err := json.Unmarshal([]byte(`{"M":""}`), &d); err != nil || !d.M.IsZero() {
		t.Errorf("empty text gives %v, %v; want the zero Month", d.M, err)
	}
}
