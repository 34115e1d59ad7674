// Package workday is the statutory working-day clock (法定工作日) behind every
// time limit the hall promises: when a case is due, how much a pause
// (特别程序) or an extension moves it, and when a case turns 临期 or 超期.
//
// The national schedule comes from lunar-go's HolidayUtil, read once into a
// per-year bitmap of working days with per-year running totals, so that
// Add, Count, Deadline, Level and YellowFrom cost the same for 1 or 1000
// working days. A county's own closures, extra working days and years
// entered ahead of any library release sit on top in a Calendar from New.
//
// Every Calendar covers MinYear-01-01..MaxYear-12-31. Its methods panic on a
// date outside that range, or one that no calendar has (2025-02-30): such a
// date can only come from code, as ParseDate refuses it.
package workday

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// Kind says why a day is, or is not, a working day.
type Kind int

const (
	Workday       Kind = iota // 工作日: Monday to Friday
	Weekend                   // 周末
	Holiday                   // 法定节假日, including the weekend days inside a block
	MakeupWorkday             // 调休上班: a weekend day worked to lengthen a block
	LocalClosure              // 本县闭馆: the county closed on a day it would work
	LocalWorkday              // 本县加班: the county works a day it would not
)

var (
	kindNames  = [...]string{"workday", "weekend", "holiday", "makeup", "local_closure", "local_workday"}
	kindLabels = [...]string{"工作日", "周末", "法定节假日", "调休上班", "本县闭馆", "本县加班"}
)

// Label is the kind's Chinese name, as screens show it.
func (k Kind) Label() string {
	if k < 0 || int(k) >= len(kindLabels) {
		return ""
	}
	return kindLabels[k]
}

// String is the kind's name in JSON and logs.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// MarshalText writes the kind by name so that stored explanations survive a
// reordering of the constants.
func (k Kind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("workday: unknown kind %d", int(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText reads a name written by MarshalText.
func (k *Kind) UnmarshalText(b []byte) error {
	i := slices.Index(kindNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("workday: unknown kind %q", b)
	}
	*k = Kind(i)
	return nil
}

func (k Kind) working() bool { return k == Workday || k == MakeupWorkday || k == LocalWorkday }

// DayInfo is one day as a calendar sees it.
type DayInfo struct {
	Date    Date `json:"date"`
	Working bool `json:"working"`
	Kind    Kind `json:"kind"`
	// Name is the holiday a Holiday or MakeupWorkday belongs to (春节, 国庆节),
	// or the reason of a local override.
	Name string `json:"name,omitempty"`
	// Provisional is set on every day of a year whose official schedule is not
	// known yet: only the fixed statutory days are off (see Statutory).
	Provisional bool `json:"provisional,omitempty"`
}

// Closure is a county's override of a single day: Working false closes the
// hall on a day it would work (a flood, a local holiday), Working true opens
// it on a day it would not.
type Closure struct {
	Date    Date   `json:"date"`
	Working bool   `json:"working"`
	Reason  string `json:"reason"`
}

// Block is one holiday (假期) of an entered Year: the days off from From
// through To, weekends included. (It would be called Holiday, but the Kind
// constant has that name.)
type Block struct {
	Name string `json:"name"`
	From Date   `json:"from"`
	To   Date   `json:"to"`
}

// Year is a whole year's schedule as a county admin enters it from the State
// Council's notice, for years no library release has yet. It replaces the
// library's data for that year: weekends are off, weekdays on, then Holidays
// close days and Makeups open them. Every date lies inside Year; a day of a
// block that spills into the year before or after (New Year from 12-31) is
// entered there, or as a Closure.
type Year struct {
	Year     int     `json:"year"`
	Holidays []Block `json:"holidays"`
	Makeups  []Date  `json:"makeups"`
}

const nYears = MaxYear - MinYear + 1

// year is one calendar year's index. It is never changed once built, so a
// county's Calendar shares every year it does not override with National.
type year struct {
	known bool
	n     int       // working days in the year
	work  [6]uint64 // bit i%64 of work[i/64]: day-of-year i is a working day
	pre   [6]int    // working days in the words before work[j]
	marks []mark    // the days that are not what their weekday says, by yday
}

type mark struct {
	yday int
	kind Kind
	name string
}

// newYear indexes year y. When marks share a day the later one wins, which is
// how county overrides, appended last, beat the schedule.
func newYear(y int, known bool, ms []mark) *year {
	slices.SortStableFunc(ms, func(a, b mark) int { return a.yday - b.yday })
	out := ms[:0]
	for i, m := range ms {
		if i+1 < len(ms) && ms[i+1].yday == m.yday {
			continue
		}
		out = append(out, m)
	}
	yr := &year{known: known, marks: slices.Clip(out)}
	wd := int(Date{y, time.January, 1}.Weekday())
	j := 0
	for i := range 365 + btoi(leap(y)) {
		w := time.Weekday((wd + i) % 7)
		ok := w != time.Saturday && w != time.Sunday
		if j < len(out) && out[j].yday == i {
			ok = out[j].kind.working()
			j++
		}
		if ok {
			yr.work[i>>6] |= 1 << (i & 63)
		}
	}
	for k, w := range yr.work {
		yr.pre[k] = yr.n
		yr.n += bits.OnesCount64(w)
	}
	return yr
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (y *year) working(i int) bool { return y.work[i>>6]>>(i&63)&1 == 1 }

// rank is the number of working days among days 0..i of the year.
func (y *year) rank(i int) int {
	return y.pre[i>>6] + bits.OnesCount64(y.work[i>>6]&(2<<(i&63)-1))
}

// nth is the day of the year of its k-th working day, 1 <= k <= y.n.
func (y *year) nth(k int) int {
	j := 0
	for j < len(y.pre)-1 && y.pre[j+1] < k {
		j++
	}
	// Halve the word until one bit is left: the bit's index is the answer.
	w, k, i := y.work[j], k-y.pre[j]-1, 0
	for s := 32; s > 0; s >>= 1 {
		if c := bits.OnesCount64(w & (1<<s - 1)); k >= c {
			k -= c
			w >>= s
			i += s
		}
	}
	return j<<6 + i
}

// Calendar answers working-day questions for one county (or, from National,
// for the country). It is immutable and safe for concurrent use.
type Calendar struct {
	years [nYears]*year
	cum   [nYears + 1]int // working days from MinYear-01-01 up to each year
}

var national = sync.OnceValue(buildNational)

func buildNational() *Calendar {
	c := new(Calendar)
	for i := range c.years {
		y := MinYear + i
		var ms []mark
		known := false
		for e := HolidayUtil.GetHolidaysByYear(y).Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			d, err := ParseDate(h.GetDay())
			if err != nil || d.Year != y {
				panic(fmt.Sprintf("workday: lunar-go gives %q for %d: %v", h.GetDay(), y, err))
			}
			k := Holiday
			if h.IsWork() {
				// lunar-go also marks a few ordinary weekdays as 调休
				// (2012-05-02, 2012-10-08); they were worked anyway.
				if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
					continue
				}
				k = MakeupWorkday
			}
			ms = append(ms, mark{d.yday(), k, h.GetName()})
			// A year counts as known only from its own holidays: lunar-go
			// files the make-up days of late December (2001-12-29 for New
			// Year 2002) under the year before.
			known = known || strings.HasPrefix(h.GetTarget(), strconv.Itoa(y))
		}
		if !known && y >= StatutoryFrom {
			// No schedule yet: the days the law itself fixes are off all the same, and
			// Known(y) stays false so that every date counted through y is provisional.
			ms = append(ms, statutoryMarks(y)...)
		}
		c.years[i] = newYear(y, known, ms)
	}
	c.total()
	return c
}

// National returns the calendar of the national schedule as lunar-go knows it.
// It is built on first use; lunar-go's HolidayUtil.Fix, if anyone calls it,
// must run before that.
func National() *Calendar { return national() }

func (c *Calendar) total() {
	for i, y := range c.years {
		c.cum[i+1] = c.cum[i] + y.n
	}
}

// New returns the national calendar with a county's entered years and
// single-day overrides on top. The overrides apply last. It reports every
// invalid entry, each by name.
func New(years []Year, overrides []Closure) (*Calendar, error) {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("workday: "+format, a...)) }
	in := func(d Date, y int) bool { return d.exists() && d.Year == y }

	c := *National()
	seen := make(map[int]bool)
	for _, y := range years {
		if y.Year < MinYear || y.Year > MaxYear {
			bad("year %d is outside the supported range %d-%d", y.Year, MinYear, MaxYear)
			continue
		}
		if seen[y.Year] {
			bad("year %d is entered twice", y.Year)
			continue
		}
		seen[y.Year] = true
		n := len(errs)
		var ms []mark
		hs := slices.Clone(y.Holidays)
		slices.SortFunc(hs, func(a, b Block) int { return a.From.compare(b.From) })
		for i, h := range hs {
			switch {
			case strings.TrimSpace(h.Name) == "":
				bad("year %d: holiday %v..%v has no name", y.Year, h.From, h.To)
			case !in(h.From, y.Year) || !in(h.To, y.Year):
				bad("year %d: holiday %s %v..%v is not inside %d", y.Year, h.Name, h.From, h.To, y.Year)
			case h.To.Before(h.From):
				bad("year %d: holiday %s %v..%v ends before it starts", y.Year, h.Name, h.From, h.To)
			case i > 0 && !h.From.After(hs[i-1].To):
				p := hs[i-1]
				bad("year %d: holiday %s %v..%v overlaps %s %v..%v", y.Year, h.Name, h.From, h.To, p.Name, p.From, p.To)
			default:
				for d := h.From; !d.After(h.To); d = d.AddDays(1) {
					ms = append(ms, mark{d.yday(), Holiday, h.Name})
				}
			}
		}
		for i, d := range y.Makeups {
			switch {
			case !in(d, y.Year):
				bad("year %d: make-up day %v is not inside %d", y.Year, d, y.Year)
			case slices.Contains(y.Makeups[:i], d):
				bad("year %d: make-up day %v is entered twice", y.Year, d)
			default:
				for _, h := range hs {
					if !d.Before(h.From) && !d.After(h.To) {
						bad("year %d: make-up day %v is inside holiday %s %v..%v", y.Year, d, h.Name, h.From, h.To)
					}
				}
				ms = append(ms, mark{d.yday(), MakeupWorkday, ""})
			}
		}
		if len(errs) == n {
			c.years[y.Year-MinYear] = newYear(y.Year, true, ms)
		}
	}

	local := make(map[int][]mark)
	days := make(map[Date]bool)
	for _, o := range overrides {
		switch {
		case !o.Date.exists() || o.Date.Year < MinYear || o.Date.Year > MaxYear:
			bad("override %v (%s) is not a date in %d-%d", o.Date, o.Reason, MinYear, MaxYear)
		case strings.TrimSpace(o.Reason) == "":
			bad("override %v has no reason", o.Date)
		case days[o.Date]:
			bad("override %v (%s): the day is overridden twice", o.Date, o.Reason)
		default:
			days[o.Date] = true
			k := LocalClosure
			if o.Working {
				k = LocalWorkday
			}
			local[o.Date.Year] = append(local[o.Date.Year], mark{o.Date.yday(), k, o.Reason})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for y, ms := range local {
		old := c.years[y-MinYear]
		c.years[y-MinYear] = newYear(y, old.known, append(slices.Clone(old.marks), ms...))
	}
	c.total()
	return &c, nil
}

// index panics on dates the calendar does not cover; see the package doc.
func (c *Calendar) index(d Date) (int, int) {
	if d.Year < MinYear || d.Year > MaxYear || !d.exists() {
		panic(fmt.Sprintf("workday: %v is not a date in the supported range %d-01-01..%d-12-31", d, MinYear, MaxYear))
	}
	return d.Year - MinYear, d.yday()
}

// rank is the number of working days from MinYear-01-01 through d.
func (c *Calendar) rank(d Date) int {
	i, yd := c.index(d)
	return c.cum[i] + c.years[i].rank(yd)
}

// nth returns the k-th working day from MinYear-01-01, or false if there is
// none in range. Most answers lie in year i; others are found by a binary
// search of the yearly totals.
func (c *Calendar) nth(k, i int) (Date, bool) {
	if k < 1 || k > c.cum[nYears] {
		return Date{}, false
	}
	if k <= c.cum[i] || k > c.cum[i+1] {
		i = sort.Search(nYears, func(j int) bool { return c.cum[j+1] >= k })
	}
	return fromYday(MinYear+i, c.years[i].nth(k-c.cum[i])), true
}

// Day tells whether d is a working day and why.
func (c *Calendar) Day(d Date) DayInfo {
	i, yd := c.index(d)
	y := c.years[i]
	info := DayInfo{Date: d, Working: y.working(yd), Provisional: !y.known}
	if j, ok := slices.BinarySearchFunc(y.marks, yd, func(m mark, t int) int { return m.yday - t }); ok {
		info.Kind, info.Name = y.marks[j].kind, y.marks[j].name
	} else if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		info.Kind = Weekend
	}
	return info
}

// IsWorkday reports whether the hall works on d.
func (c *Calendar) IsWorkday(d Date) bool {
	i, yd := c.index(d)
	return c.years[i].working(yd)
}

// Known reports whether the official schedule of year is known, from lunar-go
// or entered by the county. An unknown year is still computed, with weekends
// and the fixed statutory days off (Statutory), but a due date in it may move
// when the State Council publishes the year, so screens say so (Provisional).
func (c *Calendar) Known(year int) bool {
	return year >= MinYear && year <= MaxYear && c.years[year-MinYear].known
}

// Provisional reports whether a date counted over the days (from, to] depends
// on a year whose schedule is not known: it may move when the State Council
// publishes that year. An empty span depends on no year.
func (c *Calendar) Provisional(from, to Date) bool {
	if !to.After(from) {
		return false
	}
	for y := from.AddDays(1).Year; y <= to.Year; y++ {
		if !c.Known(y) {
			return true
		}
	}
	return false
}

// Add returns the n-th working day strictly after from; from itself when n
// is 0 (即办件, even on a holiday); and for n < 0 the |n|-th working day
// strictly before from. It panics when the answer lies outside the range.
func (c *Calendar) Add(from Date, n int) Date {
	i, yd := c.index(from)
	if n == 0 {
		return from
	}
	k := c.cum[i] + c.years[i].rank(yd) + n
	if n < 0 {
		// rank counts from itself; going back, from does not count.
		k -= btoi(c.years[i].working(yd)) - 1
	}
	d, ok := c.nth(k, i)
	if !ok {
		panic(fmt.Sprintf("workday: %v %+d working days is outside the supported range %d-01-01..%d-12-31", from, n, MinYear, MaxYear))
	}
	return d
}

// Count returns the number of working days in (a, b]: the days a limit
// counts if it starts on a and ends on b. It is 0 when b is not after a.
func (c *Calendar) Count(a, b Date) int {
	if !b.After(a) {
		return 0
	}
	return c.rank(b) - c.rank(a)
}
