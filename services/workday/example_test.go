package workday_test

import (
	"fmt"

	"github.com/yichuang/yichuang/services/workday"
)

func Example() {
	c := workday.National()
	mustParse := func(s string) workday.Date {
		d, err := workday.ParseDate(s)
		if err != nil {
			panic(err)
		}
		return d
	}

	// The first working day after 2024-09-30 is after the 国庆 week.
	fmt.Println(c.Add(mustParse("2024-09-30"), 1))
	// 2026-02-14 is a Saturday, but worked before 春节.
	fmt.Println(c.Add(mustParse("2026-02-13"), 1), c.Day(mustParse("2026-02-14")).Kind.Label())

	// Ten working days from 2025-03-03, paused from 03-05 to 03-07 for an
	// expert review, then paused again from 03-14 and not yet resumed.
	resumed := mustParse("2025-03-07")
	l := workday.Limit{
		Start: mustParse("2025-03-03"),
		Days:  10,
		Pauses: []workday.Pause{
			{From: mustParse("2025-03-05"), To: &resumed},
			{From: mustParse("2025-03-14")},
		},
	}
	today := mustParse("2025-03-18")
	d := c.Deadline(l, today)
	fmt.Println(d.Due, d.Paused, d.PausedDays)
	fmt.Println(c.Level(d.Due, today, 3).Label(), "from", c.YellowFrom(d.Due, 3))
	// Output:
	// 2024-10-08
	// 2026-02-14 调休上班
	// 2025-03-21 true 4
	// 临期 from 2025-03-18
}
