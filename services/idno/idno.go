// Package idno checks the identity numbers a hall copies from papers: the resident
// identity number (公民身份号码, GB 11643-1999) and the unified social credit code
// (统一社会信用代码, GB 32100-2015). It catches typos before an application is accepted; it
// cannot tell whether a number was ever issued.
package idno

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Clean is a number as a clerk pastes it made checkable: every space (also the full-width
// space of a Chinese input method, tabs and line breaks) removed and letters upper-cased.
// Cards and copies print the number in groups ("110105 19491231 0015"), so grouping spaces
// are formatting, not typos; Resident and Org themselves stay strict.
func Clean(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
}

// Error says why a number was refused. The reasons never reveal the expected check
// character: a hall must re-read the card, not let the system patch a typo.
type Error struct {
	Reason   string // Chinese, shown to staff
	ReasonEn string
}

func (e *Error) Error() string { return "idno: " + e.ReasonEn }

// The reasons, exported so callers can tell them apart with errors.Is.
var (
	ErrLength   = &Error{"身份证号码应为 18 位", "identity number must be 18 characters"}
	ErrChars    = &Error{"身份证号码应为 17 位数字加 1 位数字或 X", "identity number must be 17 digits and a digit or X"}
	ErrRegion   = &Error{"身份证号码的地区码不正确", "identity number has an invalid region code"}
	ErrBirth    = &Error{"身份证号码中的出生日期不正确", "identity number has an invalid birth date"}
	ErrChecksum = &Error{"身份证号码校验码不正确", "identity number check character is wrong"}

	ErrOrgLength   = &Error{"统一社会信用代码应为 18 位", "unified social credit code must be 18 characters"}
	ErrOrgChars    = &Error{"统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）", "unified social credit code may only contain digits and capital letters other than I, O, Z, S, V"}
	ErrOrgRegion   = &Error{"统一社会信用代码的第 3 至 8 位应为行政区划码", "unified social credit code positions 3 to 8 must be a region code"}
	ErrOrgChecksum = &Error{"统一社会信用代码校验码不正确", "unified social credit code check character is wrong"}
)

// Person is what a valid resident identity number says about its holder.
type Person struct {
	Number string    // upper-case X
	Birth  time.Time // UTC midnight
	Male   bool
	Region string // the six-digit administrative division at registration
}

var (
	residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	earliest        = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Resident checks an 18-character resident identity number. today bounds the birth date
// (born today is fine) and is read as a calendar date in its own location. The number
// is not trimmed: stray spaces mean the input needs a look.
func Resident(s string, today time.Time) (Person, error) {
	if utf8.RuneCountInString(s) != 18 {
		return Person{}, ErrLength
	}
	// 18 runes of which some are multi-byte are bad characters, not a bad length.
	if len(s) != 18 || !digits(s[:17]) || !(isDigit(s[17]) || s[17] == 'X' || s[17] == 'x') {
		return Person{}, ErrChars
	}
	s = strings.ToUpper(s)
	if s[0] < '1' || s[0] > '8' {
		return Person{}, ErrRegion
	}
	y, m, d := atoi(s[6:10]), atoi(s[10:12]), atoi(s[12:14])
	birth := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	ty, tm, td := today.Date()
	if birth.Year() != y || int(birth.Month()) != m || birth.Day() != d ||
		birth.Before(earliest) || birth.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return Person{}, ErrBirth
	}
	sum := 0
	for i, w := range residentWeights {
		sum += int(s[i]-'0') * w
	}
	if "10X98765432"[sum%11] != s[17] {
		return Person{}, ErrChecksum
	}
	return Person{Number: s, Birth: birth, Male: (s[16]-'0')%2 == 1, Region: s[:6]}, nil
}

// Age is the holder's age in full years on the calendar date of on (read in on's own
// location); before the birth date it is 0. A year counted from 29 February ends on
// 28 February in a common year (民法典 art. 202: the month's last day when it has no
// corresponding day), so a leap-day birth turns a year older then.
func (p Person) Age(on time.Time) int {
	y, m, d := on.Date()
	age := y - p.Birth.Year()
	bm, bd := p.Birth.Month(), p.Birth.Day()
	if bm == time.February && bd == 29 && !(y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		bd = 28
	}
	if m < bm || m == bm && d < bd {
		age--
	}
	return max(age, 0)
}

// Mask hides the birth date and sequence of a number for lists and logs, keeping the
// region and the last four so staff can still tell people apart: 110105********123X.
// Anything shorter than 18 characters is hidden entirely: it is no valid number, and
// keeping ten of its characters could show most of it.
func Mask(number string) string {
	r := []rune(number)
	if len(r) < 18 {
		return strings.Repeat("*", len(r))
	}
	for i := 6; i < len(r)-4; i++ {
		r[i] = '*'
	}
	return string(r)
}

// orgChars are the code's 31 characters in value order; the position is the value.
const orgChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var orgWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Org checks an 18-character unified social credit code. Lower case is refused rather
// than folded because the caller keeps what it passed in, and codes are compared as
// stored. The authority and type characters are not checked against the current lists:
// new authorities (A, N) have been added since the standard, and a stale list would
// refuse real codes.
func Org(s string) error {
	if utf8.RuneCountInString(s) != 18 {
		return ErrOrgLength
	}
	if len(s) != 18 {
		return ErrOrgChars
	}
	sum := 0
	for i := range 18 {
		v := strings.IndexByte(orgChars, s[i])
		if v < 0 {
			return ErrOrgChars
		}
		if i < 17 {
			sum += v * orgWeights[i]
		}
	}
	if !digits(s[2:8]) {
		return ErrOrgRegion
	}
	if orgChars[(31-sum%31)%31] != s[17] {
		return ErrOrgChecksum
	}
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi reads a string already known to be digits.
func atoi(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
