package pay

import (
	"fmt"
	"time"

	"github.com/yichuang/yichuang/services/workday"
)

// ParseMonth parses "YYYY-MM" strictly, with the year inside the range workday supports, so
// that a month from a URL never reaches date arithmetic it cannot index.
func ParseMonth(s string) (Month, error) {
	if len(s) != 7 || s[4] != '-' {
		return Month{}, fmt.Errorf("pay: month %q is not in the form YYYY-MM", s)
	}
	var v [2]int
	for i, f := range [2]string{s[:4], s[5:]} {
		for _, c := range []byte(f) {
			if c < '0' || c > '9' {
				return Month{}, fmt.Errorf("pay: month %q is not in the form YYYY-MM", s)
			}
			v[i] = v[i]*10 + int(c-'0')
		}
	}
	switch {
	case v[1] < 1 || v[1] > 12:
		return Month{}, fmt.Errorf("pay: month %q: month %d does not exist", s, v[1])
	case v[0] < workday.MinYear || v[0] > workday.MaxYear:
		return Month{}, fmt.Errorf("pay: month %q: year outside the supported range %d-%d", s, workday.MinYear, workday.MaxYear)
	}
	return Month{v[0], time.Month(v[1])}, nil
}

// MonthOf is the month d falls in.
func MonthOf(d workday.Date) Month { return Month{d.Year, d.Month} }

// String returns "YYYY-MM".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Label is the month as a sheet title writes it: "2026年11月".
func (m Month) Label() string { return fmt.Sprintf("%d年%d月", m.Year, int(m.Month)) }

// IsZero reports whether m is the zero Month.
func (m Month) IsZero() bool { return m == Month{} }

// First is the month's first day.
func (m Month) First() workday.Date { return workday.Date{Year: m.Year, Month: m.Month, Day: 1} }

// Last is the month's last day.
func (m Month) Last() workday.Date { return workday.Date{Year: m.Year, Month: m.Month, Day: m.Days()} }

// Days is the number of days in the month. It is table arithmetic rather than time.Date
// because Due calls it for every worker and month.
func (m Month) Days() int {
	switch m.Month {
	case time.February:
		if y := m.Year; y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// Next is the following month.
func (m Month) Next() Month {
	if m.Month == time.December {
		return Month{m.Year + 1, time.January}
	}
	return Month{m.Year, m.Month + 1}
}

// Prev is the preceding month.
func (m Month) Prev() Month {
	if m.Month == time.January {
		return Month{m.Year - 1, time.December}
	}
	return Month{m.Year, m.Month - 1}
}

// Before reports whether m is earlier than o.
func (m Month) Before(o Month) bool { return m.compare(o) < 0 }

func (m Month) compare(o Month) int {
	if m.Year != o.Year {
		return m.Year - o.Year
	}
	return int(m.Month - o.Month)
}

// MarshalText returns "YYYY-MM", or nothing for the zero Month so that an unset month
// survives a JSON round trip as "" (as workday.Date does).
func (m Month) MarshalText() ([]byte, error) {
	if m.IsZero() {
		return []byte{}, nil
	}
	return []byte(m.String()), nil
}

// UnmarshalText accepts what ParseMonth accepts, and "" for the zero Month.
func (m *Month) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = Month{}
		return nil
	}
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
