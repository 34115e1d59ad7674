package workday

import (
	"testing"
	"time"
)

// naiveAdd is the reference: walk day by day, counting the days working says
// are working.
func naiveAdd(working func(Date) bool, from Date, n int) Date {
	d, step := from, 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if working(d) {
			n--
		}
	}
	return d
}

func naiveCount(working func(Date) bool, a, b Date) int {
	n := 0
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		if working(d) {
			n++
		}
	}
	return n
}

var tenantOverrides = []Closure{
	{Date: dt("2025-03-12"), Reason: "防汛闭馆"},
	{Date: dt("2025-03-15"), Working: true, Reason: "集中办件日"},
	{Date: dt("2025-10-04"), Working: true, Reason: "国庆值守"},
	{Date: dt("2027-02-08"), Working: true, Reason: "春节值守"},
	{Date: dt("2027-02-15"), Reason: "本县民俗节"},
	{Date: dt("1995-05-06"), Working: true, Reason: "旧制周六"},
	{Date: dt("2099-12-31"), Reason: "世纪末"},
}

// tenant is the reference for the calendar New builds from year2028 and
// tenantOverrides, read straight from the inputs and lunar-go.
func tenant(d Date) bool {
	for _, o := range tenantOverrides {
		if o.Date == d {
			return o.Working
		}
	}
	if d.Year != year2028.Year {
		return lunar(d)
	}
	for _, m := range year2028.Makeups {
		if m == d {
			return true
		}
	}
	for _, h := range year2028.Holidays {
		if !d.Before(h.From) && !d.After(h.To) {
			return false
		}
	}
	return !weekend(d)
}

var fuzzFirst = dt("1991-06-01")

// span of start dates: with |n| <= 300 the answer stays well inside the range.
const fuzzSpan = 108 * 365

func FuzzAdd(f *testing.F) {
	off := func(s string) uint32 {
		return uint32(dt(s).In(time.UTC).Sub(fuzzFirst.In(time.UTC)).Hours() / 24)
	}
	for _, s := range []struct {
		from string
		n    int16
	}{
		{"2024-09-30", 1}, {"2026-02-13", 1}, {"2025-01-27", 1}, {"2025-02-07", 1},
		{"2024-10-01", 0}, {"2024-10-12", -1}, {"2024-12-31", 1}, {"2025-01-02", -251},
		{"2026-12-31", 20}, {"2027-02-05", 2}, {"2025-03-10", 4}, {"2025-10-03", -3},
		{"2001-12-28", 2}, {"2015-09-02", 3}, {"2012-04-27", 5}, {"2099-06-01", 300},
		{"1991-06-01", -300}, {"2024-02-29", 300},
	} {
		f.Add(off(s.from), s.n, false)
		f.Add(off(s.from), s.n, true)
	}
	county, err := New([]Year{year2028}, tenantOverrides)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, o uint32, n16 int16, isTenant bool) {
		t.Parallel()
		from, n := fuzzFirst.AddDays(int(o%fuzzSpan)), int(n16)%301
		c, working := National(), lunar
		if isTenant {
			c, working = county, tenant
		}
		got := c.Add(from, n)
		if want := naiveAdd(working, from, n); got != want {
			t.Fatalf("Add(%v, %d) = %v, the naive walk says %v", from, n, got, want)
		}
		switch {
		case n == 0 && got != from:
			t.Fatalf("Add(%v, 0) = %v", from, got)
		case n > 0 && !got.After(from), n < 0 && !got.Before(from):
			t.Fatalf("Add(%v, %d) = %v goes the wrong way", from, n, got)
		case n != 0 && !c.IsWorkday(got):
			t.Fatalf("Add(%v, %d) = %v is not a working day", from, n, got)
		case !c.Add(from, n+1).After(got):
			t.Fatalf("Add(%v, %d) = %v, with one more %v", from, n, got, c.Add(from, n+1))
		case n >= 0 && c.Count(from, got) != n:
			t.Fatalf("Count(%v, Add(%v, %d) = %v) = %d", from, from, n, got, c.Count(from, got))
		case n < 0 && c.Count(got, from) != -n-1+btoi(c.IsWorkday(from)):
			t.Fatalf("Count(Add(%v, %d) = %v, %v) = %d", from, n, got, from, c.Count(got, from))
		}
		to := from.AddDays(n)
		if got, want := c.Count(from, to), naiveCount(working, from, to); got != want {
			t.Fatalf("Count(%v, %v) = %d, the naive walk says %d", from, to, got, want)
		}
	})
}
