// Package clock is the time the services and jobs read. Production uses System; tests of
// deadline behaviour inject a Stub (and hand the same Stub to River, so scheduled jobs come
// due when the stubbed time passes them).
package clock

import (
	"sync"
	"time"

	"github.com/yichuang/yichuang/services/workday"
)

// Zone is the counties' civil time. China keeps one zone without daylight saving, so a fixed
// offset is exact and needs no tzdata on the host.
var Zone = time.FixedZone("CST", 8*3600)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the real time.
type System struct{}

// Now is time.Now.
func (System) Now() time.Time { return time.Now() }

// NowOrNil lets River use the database's clock (River's TimeGenerator).
func (System) NowOrNil() *time.Time { return nil }

// Today is the civil date in the counties' zone.
func Today(c Clock) workday.Date { return workday.DateOf(c.Now().In(Zone)) }

// Stub is a settable clock for tests.
type Stub struct {
	mu sync.Mutex
	t  time.Time
}

// NewStub starts at t.
func NewStub(t time.Time) *Stub { return &Stub{t: t} }

// Now returns the stubbed time.
func (s *Stub) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t
}

// NowOrNil returns the stubbed time (River's TimeGenerator).
func (s *Stub) NowOrNil() *time.Time {
	t := s.Now()
	return &t
}

// StubNow sets the time (River's TimeGeneratorWithStub).
func (s *Stub) StubNow(t time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t = t
	return t
}

// Advance moves the stub forward by d.
func (s *Stub) Advance(d time.Duration) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t = s.t.Add(d)
	return s.t
}
