package workday

import (
	"fmt"
	"slices"
)

// Pause is a 特别程序 (expert review, hearing, applicant's supplement…) during
// which the clock stops: the working days in (From, To] do not count. To is
// nil while the case is still paused.
type Pause struct {
	From Date  `json:"from"`
	To   *Date `json:"to,omitempty"`
}

// Limit is a case's time limit (办理时限) in working days.
type Limit struct {
	Start     Date    `json:"start"`               // acceptance (受理) date
	Days      int     `json:"days"`                // statutory or committed days; 0 is 即办件
	Extension int     `json:"extension,omitempty"` // days granted by an approved 延期
	Pauses    []Pause `json:"pauses,omitempty"`
}

// Deadline is when a Limit falls due.
type Deadline struct {
	Due        Date `json:"due"`
	Paused     bool `json:"paused"`      // a pause is still open
	PausedDays int  `json:"paused_days"` // working days the pauses added
	// Provisional is set when the count ran through a year whose official schedule
	// is not known yet (Calendar.Provisional): the date may move when it is published.
	Provisional bool `json:"provisional"`
}

// span is a stretch (from, to] in which the clock stands still.
type span struct{ from, to Date }

// spans returns l's pauses as disjoint spans in order, open ones ending at
// asOf, and whether one is open. A day in two overlapping pauses is one day
// lost, not two; a pause before Start loses only the days after it.
func spans(l Limit, asOf Date) ([]span, bool) {
	if len(l.Pauses) == 0 {
		return nil, false
	}
	ss := make([]span, 0, len(l.Pauses))
	open := false
	for _, p := range l.Pauses {
		s := span{p.From, asOf}
		if p.To != nil {
			s.to = *p.To
		} else {
			open = true
		}
		if s.from.Before(l.Start) {
			s.from = l.Start
		}
		if s.to.After(s.from) {
			ss = append(ss, s)
		}
	}
	slices.SortFunc(ss, func(a, b span) int { return a.from.compare(b.from) })
	out := ss[:0]
	for _, s := range ss {
		if n := len(out); n > 0 && !s.from.After(out[n-1].to) {
			if s.to.After(out[n-1].to) {
				out[n-1].to = s.to
			}
			continue
		}
		out = append(out, s)
	}
	return out, open
}

// Deadline returns when l falls due: the (Days+Extension)-th working day after
// Start, moved out by the working days each pause covers. A pause starting
// after the due date as it stands by then moves nothing: pausing an overdue
// case does not make it timely. A pause starting on the due date moves it to
// the day the case resumes. An open pause counts up to asOf, so the due date
// is the one the case would have if it resumed on asOf.
//
// A period never ends on a day off (民法典 art. 203): a pause resumed on a day off
// with no working days left ends on the next working day, not on the day of
// resumption. Only a limit of 0 days with no pause (即办件) ends on Start itself.
//
// Always Count(Start, Due) == Days + Extension + PausedDays. Deadline panics
// on a negative Days or Extension.
func (c *Calendar) Deadline(l Limit, asOf Date) Deadline {
	d, _ := c.deadline(l, asOf)
	return d
}

// deadline is Deadline with the spans it removed, as Explain shows them.
func (c *Calendar) deadline(l Limit, asOf Date) (Deadline, []span) {
	if l.Days < 0 || l.Extension < 0 {
		panic(fmt.Sprintf("workday: limit of %d days with an extension of %d", l.Days, l.Extension))
	}
	ss, open := spans(l, asOf)
	d := Deadline{Paused: open}
	n, at := l.Days+l.Extension, l.Start
	used := 0
	for _, s := range ss {
		if c.Add(at, n).Before(s.from) {
			break
		}
		n -= c.Count(at, s.from)
		d.PausedDays += c.Count(s.from, s.to)
		at = s.to
		used++
	}
	ss = ss[:used]
	if n == 0 && used > 0 && !c.IsWorkday(at) {
		// Resumed on a day off with nothing left to count: the last day is the next
		// working day (民法典 art. 203), so the pause reaches to it.
		next := c.Add(at, 1)
		d.PausedDays += c.Count(at, next)
		ss[used-1].to, at = next, next
	}
	d.Due = c.Add(at, n)
	d.Provisional = c.Provisional(l.Start, d.Due)
	return d, ss
}

// Level is how close a case is to its due date.
type Level int

const (
	Normal Level = iota
	Yellow       // due within the warning window
	Red          // past due
)

var (
	levelNames  = [...]string{"normal", "yellow", "red"}
	levelLabels = [...]string{"正常", "临期", "超期"}
)

// String is the level's name in JSON and logs.
func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// Label is the level's Chinese name.
func (l Level) Label() string {
	if l < 0 || int(l) >= len(levelLabels) {
		return ""
	}
	return levelLabels[l]
}

// MarshalText writes the level by name.
func (l Level) MarshalText() ([]byte, error) {
	if l < 0 || int(l) >= len(levelNames) {
		return nil, fmt.Errorf("workday: unknown level %d", int(l))
	}
	return []byte(levelNames[l]), nil
}

// UnmarshalText reads a name written by MarshalText.
func (l *Level) UnmarshalText(b []byte) error {
	i := slices.Index(levelNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("workday: unknown level %q", b)
	}
	*l = Level(i)
	return nil
}

// Level returns Red once today is past due, Yellow while at most yellowDays
// working days remain (so the due date itself is Yellow for any
// yellowDays >= 0), else Normal.
func (c *Calendar) Level(due, today Date, yellowDays int) Level {
	switch {
	case today.After(due):
		return Red
	case c.Count(today, due) <= yellowDays:
		return Yellow
	}
	return Normal
}

// YellowFrom returns the first day on which Level(due, day, yellowDays) is
// Yellow, for scheduling the warning; Red starts on due.AddDays(1). It is
// always a working day, unless it is MinYear-01-01 because the window reaches
// back past the range. With yellowDays < 0 a case is never Yellow, and
// YellowFrom returns the day Red starts.
func (c *Calendar) YellowFrom(due Date, yellowDays int) Date {
	i, _ := c.index(due)
	if yellowDays < 0 {
		return due.AddDays(1)
	}
	// Count(d, due) <= yellowDays first holds on the working day whose rank
	// is yellowDays short of due's.
	d, ok := c.nth(c.rank(due)-yellowDays, i)
	if !ok {
		return Date{MinYear, 1, 1}
	}
	return d
}

// Step is one calendar day of an explained Limit.
type Step struct {
	Date    Date   `json:"date"`
	Kind    Kind   `json:"kind"`
	Name    string `json:"name,omitempty"`
	Counted bool   `json:"counted"`
	Ordinal int    `json:"ordinal,omitempty"` // 1..Days+Extension on counted days
	Paused  bool   `json:"paused,omitempty"`
}

// Explain lists every day from the day after Start through the due date
// Deadline gives, saying which days counted and why the others did not. It
// walks day by day, as its answer does; it is for showing a case, not for
// scanning many.
func (c *Calendar) Explain(l Limit, asOf Date) []Step {
	dl, ss := c.deadline(l, asOf)
	due := dl.Due
	var steps []Step
	n := 0
	for d := l.Start.AddDays(1); !d.After(due); d = d.AddDays(1) {
		for len(ss) > 0 && ss[0].to.Before(d) {
			ss = ss[1:]
		}
		info := c.Day(d)
		s := Step{Date: d, Kind: info.Kind, Name: info.Name, Paused: len(ss) > 0 && d.After(ss[0].from)}
		if info.Working && !s.Paused {
			n++
			s.Counted, s.Ordinal = true, n
		}
		steps = append(steps, s)
	}
	return steps
}
