package workday

import (
	"fmt"
	"testing"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// starts are every day of 2024–2026 but the last month, so that 20 working
// days stay inside the data lunar-go has.
var starts = func() []Date {
	var ds []Date
	for d := dt("2024-01-01"); d.Before(dt("2026-12-01")); d = d.AddDays(1) {
		ds = append(ds, d)
	}
	return ds
}()

var sink Date

func BenchmarkAdd(b *testing.B) {
	c := National()
	for i := 0; b.Loop(); i++ {
		sink = c.Add(starts[i%len(starts)], 20)
	}
}

// BenchmarkAddNaive is the baseline: what Add would be without an index,
// asking lunar-go about each day in turn.
func BenchmarkAddNaive(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		d, n := starts[i%len(starts)], 20
		for n > 0 {
			d = d.AddDays(1)
			working := !weekend(d)
			if h := HolidayUtil.GetHolidayByYmd(d.Year, int(d.Month), d.Day); h != nil {
				working = h.IsWork()
			}
			if working {
				n--
			}
		}
		sink = d
	}
}

func BenchmarkCount(b *testing.B) {
	c := National()
	var n int
	for i := 0; b.Loop(); i++ {
		n += c.Count(starts[i%len(starts)], starts[(i*7)%len(starts)])
	}
	_ = n
}

func BenchmarkDeadline(b *testing.B) {
	c := National()
	var d Deadline
	for i := 0; b.Loop(); i++ {
		s := starts[i%(len(starts)-60)]
		r := s.AddDays(9)
		d = c.Deadline(Limit{Start: s, Days: 20, Extension: 5, Pauses: []Pause{{s.AddDays(3), &r}, {From: s.AddDays(30)}}}, s.AddDays(40))
	}
	sink = d.Due
}

func BenchmarkNational(b *testing.B) {
	for b.Loop() {
		buildNational()
	}
}

func BenchmarkNew(b *testing.B) {
	var os []Closure
	for i := range 20 {
		os = append(os, Closure{Date: dt("2025-03-02").AddDays(i * 17), Working: i%2 == 0, Reason: fmt.Sprint("override ", i)})
	}
	for b.Loop() {
		if _, err := New([]Year{year2028}, os); err != nil {
			b.Fatal(err)
		}
	}
}
