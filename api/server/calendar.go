package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
)

// CalendarStep is one calendar day of an explanation.
type CalendarStep struct {
	Date    string `json:"date"`
	Kind    string `json:"kind" enum:"workday,weekend,holiday,makeup,local_closure,local_workday"`
	Label   string `json:"label" doc:"工作日 / 周末 / 法定节假日 …"`
	Name    string `json:"name" doc:"holiday name or local reason"`
	Counted bool   `json:"counted"`
	Ordinal int    `json:"ordinal" doc:"1..N for counted days, 0 otherwise"`
	Paused  bool   `json:"paused"`
}

func toSteps(steps []workday.Step) []CalendarStep {
	out := make([]CalendarStep, 0, len(steps))
	for _, st := range steps {
		out = append(out, CalendarStep{Date: st.Date.String(), Kind: st.Kind.String(), Label: st.Kind.Label(), Name: st.Name,
			Counted: st.Counted, Ordinal: st.Ordinal, Paused: st.Paused})
	}
	return out
}

type dueIn struct {
	From    string `query:"from" required:"true" doc:"start date (not counted), YYYY-MM-DD"`
	Days    int    `query:"days" minimum:"0" maximum:"250" doc:"working days; 0 = 即办件 (due on the start date)"`
	Explain bool   `query:"explain" doc:"list every calendar day with why it counted or not"`
}

type dueOut struct {
	Body struct {
		From  string `json:"from"`
		Days  int    `json:"days"`
		Due   string `json:"due"`
		Known bool   `json:"known" doc:"false when a year in the span has no official schedule yet"`
		// Provisional is !Known under the name the rest of the API uses.
		Provisional bool           `json:"provisional" doc:"暂定：跨入国务院尚未公布放假安排的年度，按法定节假日计算，公布后可能变动"`
		Steps       []CalendarStep `json:"steps,omitempty"`
	}
}

// CalendarDay is one day of a year view.
type CalendarDay struct {
	Date    string `json:"date"`
	Working bool   `json:"working"`
	Kind    string `json:"kind" enum:"workday,weekend,holiday,makeup,local_closure,local_workday"`
	Label   string `json:"label"`
	Name    string `json:"name"`
	// Provisional: the year's schedule is not published; only the statutory days are off.
	Provisional bool `json:"provisional"`
}

type yearIn struct {
	Year int `query:"year" minimum:"1990" maximum:"2100" required:"true"`
}

type yearOut struct {
	Body struct {
		Year  int           `json:"year"`
		Known bool          `json:"known"`
		Days  []CalendarDay `json:"days"`
	}
}

// CalendarOverride is a county's single-day change.
type CalendarOverride struct {
	Date    string `json:"date"`
	Working bool   `json:"working" doc:"true: an extra working day; false: a closure"`
	Reason  string `json:"reason"`
}

// HolidayBlock is a holiday of an entered year.
type HolidayBlock struct {
	Name string `json:"name" minLength:"1" maxLength:"20"`
	From string `json:"from" doc:"YYYY-MM-DD"`
	To   string `json:"to" doc:"YYYY-MM-DD"`
}

// CalendarYear is a whole year entered by the county.
type CalendarYear struct {
	Year     int            `json:"year"`
	Holidays []HolidayBlock `json:"holidays"`
	Makeups  []string       `json:"makeups" doc:"make-up working days, YYYY-MM-DD"`
}

type overridesOut struct {
	Body struct {
		Days  []CalendarOverride `json:"days"`
		Years []CalendarYear     `json:"years"`
	}
}

type overridePutIn struct {
	Date string `path:"date" doc:"YYYY-MM-DD"`
	Body struct {
		Working bool   `json:"working"`
		Reason  string `json:"reason" minLength:"1" maxLength:"100"`
	}
}

type datePath struct {
	Date string `path:"date" doc:"YYYY-MM-DD"`
}

type yearPutIn struct {
	Year int `path:"year" minimum:"1990" maximum:"2100"`
	Body struct {
		Holidays []HolidayBlock `json:"holidays" maxItems:"30"`
		Makeups  []string       `json:"makeups" maxItems:"30"`
	}
}

type yearPath struct {
	Year int `path:"year" minimum:"1990" maximum:"2100"`
}

func (s *Server) calendarRoutes() {
	register(s, huma.Operation{OperationID: "calendar-due", Method: http.MethodGet, Path: "/api/v1/calendar/due", Summary: "计算到期日 / Due date after N working days",
		Description: "The N-th working day strictly after `from` on the county's calendar (national schedule plus local changes).", Tags: []string{"calendar"}, Errors: []int{422}},
		anyMember, func(ctx context.Context, in *dueIn) (*dueOut, error) {
			from, err := parseDate("query.from", in.From)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *dueOut, err error) {
				out = &dueOut{}
				cal, err := calendar.For(ctx)
				if err != nil {
					return nil, err
				}
				due := cal.Add(from, in.Days)
				out.Body.From, out.Body.Days, out.Body.Due = from.String(), in.Days, due.String()
				out.Body.Provisional = cal.Provisional(from, due)
				out.Body.Known = !out.Body.Provisional
				if in.Explain {
					out.Body.Steps = toSteps(cal.Explain(workday.Limit{Start: from, Days: in.Days}, from))
				}
				return out, nil
			})
		})
	register(s, huma.Operation{OperationID: "calendar-year", Method: http.MethodGet, Path: "/api/v1/calendar/days", Summary: "年度日历 / Every day of a year",
		Tags: []string{"calendar"}, Errors: []int{422}},
		anyMember, func(ctx context.Context, in *yearIn) (*yearOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *yearOut, err error) {
				out = &yearOut{}
				cal, err := calendar.For(ctx)
				if err != nil {
					return nil, err
				}
				out.Body.Year, out.Body.Known = in.Year, cal.Known(in.Year)
				for d := (workday.Date{Year: in.Year, Month: time.January, Day: 1}); d.Year == in.Year; d = d.AddDays(1) {
					info := cal.Day(d)
					out.Body.Days = append(out.Body.Days, CalendarDay{Date: d.String(), Working: info.Working, Kind: info.Kind.String(), Label: info.Kind.Label(),
						Name: info.Name, Provisional: info.Provisional})
				}
				return out, nil
			})
		})
	register(s, huma.Operation{OperationID: "calendar-overrides", Method: http.MethodGet, Path: "/api/v1/calendar/overrides", Summary: "本县日历调整 / The county's calendar changes",
		Tags: []string{"calendar"}},
		admins, func(ctx context.Context, _ *struct{}) (*overridesOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *overridesOut, err error) {
				out = &overridesOut{}
				out.Body.Days, out.Body.Years = []CalendarOverride{}, []CalendarYear{}
				days, years, err := calendar.Overrides(ctx)
				for _, d := range days {
					out.Body.Days = append(out.Body.Days, CalendarOverride{Date: workday.DateOf(d.Day).String(), Working: d.Working, Reason: d.Reason})
				}
				for _, y := range years {
					cy := CalendarYear{Year: y.Year, Holidays: []HolidayBlock{}, Makeups: []string{}}
					for _, h := range y.Holidays {
						cy.Holidays = append(cy.Holidays, HolidayBlock{Name: h.Name, From: h.From.String(), To: h.To.String()})
					}
					for _, m := range y.Makeups {
						cy.Makeups = append(cy.Makeups, m.String())
					}
					out.Body.Years = append(out.Body.Years, cy)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "calendar-set-day", Method: http.MethodPut, Path: "/api/v1/calendar/overrides/{date}", Summary: "设置本县调整日 / Close or open one day",
		Description: "Applies at once to new computations; open deadlines are recomputed by a background job.", Tags: []string{"calendar"}, DefaultStatus: http.StatusNoContent, Errors: []int{422}},
		admins, func(ctx context.Context, in *overridePutIn) (*struct{}, error) {
			d, err := parseDate("path.date", in.Date)
			if err != nil {
				return nil, err
			}
			return nil, s.inTx(ctx, func(ctx context.Context) error {
				return s.calendar.SetDay(ctx, d, in.Body.Working, in.Body.Reason)
			})
		})
	register(s, huma.Operation{OperationID: "calendar-delete-day", Method: http.MethodDelete, Path: "/api/v1/calendar/overrides/{date}", Summary: "删除本县调整日 / Remove a day's change",
		Tags: []string{"calendar"}, DefaultStatus: http.StatusNoContent, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *datePath) (*struct{}, error) {
			d, err := parseDate("path.date", in.Date)
			if err != nil {
				return nil, err
			}
			return nil, s.inTx(ctx, func(ctx context.Context) error { return s.calendar.DeleteDay(ctx, d) })
		})
	register(s, huma.Operation{OperationID: "calendar-put-year", Method: http.MethodPut, Path: "/api/v1/calendar/years/{year}", Summary: "录入年度放假安排 / Enter a year's official schedule",
		Description: "For a year the State Council has published but the built-in data lacks. Replaces the built-in data for that year.", Tags: []string{"calendar"}, DefaultStatus: http.StatusNoContent, Errors: []int{422}},
		admins, func(ctx context.Context, in *yearPutIn) (*struct{}, error) {
			var hs []workday.Block
			var c problem.Checker
			for i, h := range in.Body.Holidays {
				from, err1 := workday.ParseDate(h.From)
				to, err2 := workday.ParseDate(h.To)
				c.Check(err1 == nil && err2 == nil, "body.holidays["+strconv.Itoa(i)+"]", "日期格式须为 YYYY-MM-DD", "dates must be YYYY-MM-DD", h)
				hs = append(hs, workday.Block{Name: h.Name, From: from, To: to})
			}
			var ms []workday.Date
			for i, m := range in.Body.Makeups {
				d, err := workday.ParseDate(m)
				c.Check(err == nil, "body.makeups["+strconv.Itoa(i)+"]", "日期格式须为 YYYY-MM-DD", "dates must be YYYY-MM-DD", m)
				ms = append(ms, d)
			}
			if err := c.Err(); err != nil {
				return nil, err
			}
			return nil, s.inTx(ctx, func(ctx context.Context) error {
				return s.calendar.PutYear(ctx, in.Year, hs, ms)
			})
		})
	register(s, huma.Operation{OperationID: "calendar-delete-year", Method: http.MethodDelete, Path: "/api/v1/calendar/years/{year}", Summary: "删除录入的年度安排 / Remove an entered year",
		Tags: []string{"calendar"}, DefaultStatus: http.StatusNoContent, Errors: []int{404}},
		admins, func(ctx context.Context, in *yearPath) (*struct{}, error) {
			return nil, s.inTx(ctx, func(ctx context.Context) error { return s.calendar.DeleteYear(ctx, in.Year) })
		})
}
