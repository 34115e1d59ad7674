package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
)

// calendarDue prints the due date of N working days from a date: the national calendar
// without --tenant (no database needed), the county's with it.
func calendarDue(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("calendar due", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fromText := fs.String("from", "", "start date YYYY-MM-DD (not counted)")
	days := fs.Int("days", -1, "working days (0 = 即办件, due on the start date)")
	explain := fs.Bool("explain", false, "list every day with why it counted or not")
	ref := fs.String("tenant", "", "county code or id: use its calendar (needs the database)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	from, err := workday.ParseDate(*fromText)
	if err != nil {
		return problem.Invalid(problem.Field{Location: "--from", Message: "日期须为 YYYY-MM-DD（1990–2100 年）", MessageEn: "--from must be YYYY-MM-DD between 1990 and 2100"})
	}
	if *days < 0 || *days > 250 {
		return problem.Invalid(problem.Field{Location: "--days", Message: "工作日数须为 0 至 250", MessageEn: "--days must be 0 to 250"})
	}
	cal := workday.National()
	if *ref != "" {
		err := inTenant(ctx, *ref, func(ctx context.Context) (err error) {
			cal, err = calendar.For(ctx)
			return err
		})
		if err != nil {
			return err
		}
	}
	due := cal.Add(from, *days)
	fmt.Fprintln(w, due)
	if cal.Provisional(from, due) {
		var missing []string
		for y := from.AddDays(1).Year; y <= due.Year; y++ {
			if !cal.Known(y) {
				missing = append(missing, strconv.Itoa(y))
			}
		}
		fmt.Fprintf(w, "暂定：%s 年的国务院放假安排尚未公布，已按《全国年节及纪念日放假办法》的法定假日计算，公布后可能变动 / provisional: no official schedule for %s yet; the statutory holidays are off, and the date may move when the schedule is published\n",
			strings.Join(missing, "、"), strings.Join(missing, ", "))
	}
	if *explain {
		for _, st := range cal.Explain(workday.Limit{Start: from, Days: *days}, from) {
			mark := "  "
			if st.Counted {
				mark = strconv.Itoa(st.Ordinal)
			}
			name := st.Name
			if name != "" {
				name = " " + name
			}
			if cal.Day(st.Date).Provisional {
				name += "（暂定）"
			}
			fmt.Fprintf(w, "%s %s %-4s %s%s\n", st.Date, st.Date.Weekday().String()[:3], mark, st.Kind.Label(), name)
		}
	}
	return nil
}

func calendarCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "due" {
		return errors.New("usage: yichuang calendar due --from YYYY-MM-DD --days N [--explain] [--tenant CODE]")
	}
	return calendarDue(ctx, args[1:], os.Stdout)
}
