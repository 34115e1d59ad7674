package application

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/workday"
)

// Step-deadline kinds (环节时限): the current back-office step's yellow moment and the day
// after its due date. A moment's key carries the step's number ("stage_red.2"), so that
// completing a step ends its moments — and cancels their jobs — even when the next step falls
// due on the same day.
const (
	KindStageYellow = "stage_yellow"
	KindStageRed    = "stage_red"
)

// Stage is one back-office step of an application (办理环节), copied from its item version
// on 受理. Its limit runs on the same statutory clock as the application's: from the day it
// started, the first day not counted (民法典 art. 201), stopped by the pauses that stop the
// application's clock (行政许可法 art. 45).
type Stage struct {
	Name      string `json:"name"`
	LimitDays int    `json:"limit_days"`
	// StartedOn: the first step starts on the acceptance date, each next one on the day the
	// one before was completed; zero while it has not started.
	StartedOn workday.Date `json:"started_on,omitzero"`
	// DueOn is recomputed like the application's dates while the step runs, and kept as it
	// was when it is completed.
	DueOn       workday.Date `json:"due_on,omitzero"`
	CompletedOn workday.Date `json:"completed_on,omitzero"`
	// Late: completed after its due date.
	Late bool `json:"late,omitempty"`
	// Warning is the running step's level (normal, yellow, red); empty otherwise.
	Warning string `json:"warning,omitempty"`
	// Provisional: the due date was counted through a year with no published schedule.
	Provisional bool `json:"provisional,omitempty"`
}

// Running reports whether the step has started and is not completed.
func (s *Stage) Running() bool { return !s.StartedOn.IsZero() && s.CompletedOn.IsZero() }

// Stages are an application's steps, in order; stored as a JSON array (never null).
type Stages []Stage

// Value stores the steps as a JSON array; no steps is [].
func (ss Stages) Value() (driver.Value, error) {
	if ss == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]Stage(ss))
	return string(b), err
}

// Scan reads the JSON array.
func (ss *Stages) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*ss = nil
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return errors.New("application: stages of an unexpected type")
	}
	var out []Stage
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	*ss = out
	return nil
}

// stagesOf copies the item version's steps onto a newly accepted application.
func stagesOf(item *catalog.Item) Stages {
	if len(item.Stages) == 0 {
		return nil
	}
	out := make(Stages, len(item.Stages))
	for i, s := range item.Stages {
		out[i] = Stage{Name: s.Name, LimitDays: s.LimitDays}
	}
	return out
}

// currentStage is the step running now, with its 1-based number, or nil. A step runs only
// while the application's clock does: after a decision, a withdrawal or a rejection nothing
// is current.
func currentStage(a *Application) (*Stage, int) {
	if !clockRuns(a) {
		return nil, 0
	}
	for i := range a.Stages {
		if a.Stages[i].Running() {
			return &a.Stages[i], i + 1
		}
	}
	return nil, 0
}

// startStages starts the first step on the acceptance date (受理).
func startStages(a *Application, item *catalog.Item) {
	if len(a.Stages) == 0 {
		a.Stages = stagesOf(item)
	}
	if len(a.Stages) > 0 && a.Stages[0].StartedOn.IsZero() && a.AcceptedOn != nil {
		a.Stages[0].StartedOn = date(a.AcceptedOn)
	}
}

// completeStage completes the running step on day and starts the next one on the same day
// (unless next is false: a decision ends the walk). It returns the completed step and the
// next one started, either nil.
func completeStage(a *Application, day workday.Date, next bool) (done, started *Stage) {
	cur, n := currentStage(a)
	if cur == nil {
		return nil, nil
	}
	cur.CompletedOn, cur.Late, cur.Warning = day, day.After(cur.DueOn), ""
	if next && n < len(a.Stages) {
		started = &a.Stages[n]
		started.StartedOn = day
	}
	return cur, started
}

// stageDates recomputes the running step's due date, level and provisional flag as of today,
// with the pauses that stop the application's clock (a pause before the step started stops
// nothing of it: workday.Deadline drops what lies before the start). It reports whether the
// date was counted through an unpublished year.
func stageDates(cal *workday.Calendar, a *Application, pauses []Pause, today workday.Date, yellowDays int) bool {
	cur, _ := currentStage(a)
	if cur == nil {
		return false
	}
	_, promised := limits(a, pauses)
	d := cal.Deadline(workday.Limit{Start: cur.StartedOn, Days: cur.LimitDays, Pauses: promised.Pauses}, today)
	cur.DueOn, cur.Provisional = d.Due, d.Provisional
	// While a pause stops the clock the due date moves out every day, and the application is
	// not warned about (as its own limit is not).
	cur.Warning = workday.Normal.String()
	if !d.Paused {
		cur.Warning = cal.Level(d.Due, today, yellowDays).String()
	}
	return d.Provisional
}

// stageMoment is the step kind and number of a moment key ("stage_red.2" → stage_red, 2),
// or the key itself with 0.
func stageMoment(key string) (string, int) {
	base, num, ok := strings.Cut(key, ".")
	if !ok {
		return key, 0
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return key, 0
	}
	return base, n
}

// stageMoments adds the running step's moments to out.
func stageMoments(a *Application, out map[string]workday.Date) {
	if a.Paused {
		return
	}
	if cur, n := currentStage(a); cur != nil && !cur.DueOn.IsZero() {
		out[KindStageYellow+"."+strconv.Itoa(n)] = cur.DueOn
		out[KindStageRed+"."+strconv.Itoa(n)] = cur.DueOn
	}
}
