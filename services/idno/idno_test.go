package idno

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var today = time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC)

// withCheck appends the GB 11643 check character, derived here from the standard's
// definition (weights 2^(18-i) mod 11) rather than the package's table, so a wrong table
// cannot agree with itself.
func withCheck(body string) string {
	sum, w := 0, 1
	for i := 16; i >= 0; i-- {
		w = w * 2 % 11
		sum += int(body[i]-'0') * w
	}
	return body + string("0123456789X"[(12-sum%11)%11])
}

// withOrgCheck appends the GB 32100 check character, with weights derived as 3^i mod 31.
func withOrgCheck(body string) string {
	sum, w := 0, 1
	for i := range 17 {
		sum += strings.IndexByte(orgChars, body[i]) * w
		w = w * 3 % 31
	}
	return body + string(orgChars[(31-sum%31)%31])
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestResident(t *testing.T) {
	t.Parallel()
	beijing := time.FixedZone("CST", 8*3600)
	for _, c := range []struct {
		name  string
		in    string
		today time.Time
		want  Person
		err   error
	}{
		{"GB 11643 example", "11010519491231002X", today, Person{"11010519491231002X", date(1949, 12, 31), false, "110105"}, nil},
		{"lowercase x", "11010519491231002x", today, Person{"11010519491231002X", date(1949, 12, 31), false, "110105"}, nil},
		{"Hebei man", withCheck("13082619850612301"), today, Person{withCheck("13082619850612301"), date(1985, 6, 12), true, "130826"}, nil},
		{"Jiangsu woman", withCheck("32058119700101002"), today, Person{withCheck("32058119700101002"), date(1970, 1, 1), false, "320581"}, nil},
		{"29 Feb of a leap year", withCheck("32058120000229451"), today, Person{withCheck("32058120000229451"), date(2000, 2, 29), true, "320581"}, nil},
		{"earliest date", withCheck("13082619000101123"), today, Person{withCheck("13082619000101123"), date(1900, 1, 1), true, "130826"}, nil},
		{"born today", withCheck("13082620250615124"), today, Person{withCheck("13082620250615124"), date(2025, 6, 15), false, "130826"}, nil},
		// 00:30 in Beijing is still the 14th in UTC; the calendar date in the caller's zone counts.
		{"born today in Beijing", withCheck("13082620250615124"), time.Date(2025, 6, 15, 0, 30, 0, 0, beijing), Person{withCheck("13082620250615124"), date(2025, 6, 15), false, "130826"}, nil},

		{"empty", "", today, Person{}, ErrLength},
		{"17 characters", "11010519491231002", today, Person{}, ErrLength},
		{"19 characters", "11010519491231002X1", today, Person{}, ErrLength},
		{"15-digit first generation", "110105491231002", today, Person{}, ErrLength},
		{"full-width digit", "11010519491231002Ｘ", today, Person{}, ErrChars},
		{"letter inside", "1101051949123100AX", today, Person{}, ErrChars},
		{"X inside", "11010519491231X021", today, Person{}, ErrChars},
		{"other check letter", "11010519491231002Y", today, Person{}, ErrChars},
		{"space", "11010519491231 02X", today, Person{}, ErrChars},
		{"region starting 0", withCheck("01010519491231002"), today, Person{}, ErrRegion},
		{"region starting 9", withCheck("91010519491231002"), today, Person{}, ErrRegion},
		{"29 Feb 1900", withCheck("13082619000229123"), today, Person{}, ErrBirth},
		{"29 Feb 2023", withCheck("13082620230229123"), today, Person{}, ErrBirth},
		{"before 1900", withCheck("13082618991231123"), today, Person{}, ErrBirth},
		{"tomorrow", withCheck("13082620250616123"), today, Person{}, ErrBirth},
		{"month 13", withCheck("13082619851301123"), today, Person{}, ErrBirth},
		{"day 0", withCheck("13082619850100123"), today, Person{}, ErrBirth},
		{"31 April", withCheck("13082619850431123"), today, Person{}, ErrBirth},
		{"wrong check", "110105194912310021", today, Person{}, ErrChecksum},
		{"transposed digits", "11010519491231020X", today, Person{}, ErrChecksum},
	} {
		got, err := Resident(c.in, c.today)
		if !errors.Is(err, c.err) || got != c.want {
			t.Errorf("%s: Resident(%q) = %+v, %v; want %+v, %v", c.name, c.in, got, err, c.want, c.err)
		}
	}
}

func TestReasons(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, e := range []*Error{ErrLength, ErrChars, ErrRegion, ErrBirth, ErrChecksum, ErrOrgLength, ErrOrgChars, ErrOrgRegion, ErrOrgChecksum} {
		if e.Reason == "" || e.ReasonEn == "" || seen[e.Reason] || seen[e.ReasonEn] {
			t.Errorf("reason %q / %q is empty or repeated", e.Reason, e.ReasonEn)
		}
		seen[e.Reason], seen[e.ReasonEn] = true, true
	}
	var e *Error
	if _, err := Resident("11010519491231002", today); !errors.As(err, &e) || e.Reason != "身份证号码应为 18 位" {
		t.Errorf("error %v is not the typed *Error with the Chinese reason", err)
	}
}

func TestAge(t *testing.T) {
	t.Parallel()
	leapling := Person{Birth: date(2000, 2, 29)}
	newYearsEve := Person{Birth: date(1949, 12, 31)}
	for _, c := range []struct {
		p    Person
		on   time.Time
		want int
	}{
		{leapling, date(2000, 2, 29), 0},
		{leapling, date(2001, 2, 27), 0},
		{leapling, date(2001, 2, 28), 1}, // 民法典 art. 202
		{leapling, date(2001, 3, 1), 1},
		{leapling, date(2004, 2, 28), 3},
		{leapling, date(2004, 2, 29), 4},
		{leapling, date(2060, 2, 28), 59},
		{leapling, date(2060, 2, 29), 60},
		{leapling, date(2061, 2, 28), 61},
		{leapling, date(2100, 2, 28), 100}, // 2100 is a common year
		{newYearsEve, date(2025, 12, 30), 75},
		{newYearsEve, date(2025, 12, 31), 76},
		{newYearsEve, time.Date(2025, 12, 31, 0, 10, 0, 0, time.FixedZone("CST", 8*3600)), 76},
		{newYearsEve, date(1949, 1, 1), 0},
		{newYearsEve, date(1900, 1, 1), 0},
	} {
		if got := c.p.Age(c.on); got != c.want {
			t.Errorf("born %s, Age(%s) = %d, want %d", c.p.Birth.Format(time.DateOnly), c.on.Format(time.RFC3339), got, c.want)
		}
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"11010519491231002X", "110105********002X"},
		{"11010519491231002x", "110105********002x"},
		{"110105194912310021X", "110105*********021X"},
		{"110105491231002", "***************"},
		{"张三", "**"},
		{"", ""},
	} {
		if got := Mask(c.in); got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOrg(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		in   string
		err  error
	}{
		{"published example", "91350100M000100Y43", nil},
		{"county agency", withOrgCheck("11130826MB0215736"), nil},
		{"company", withOrgCheck("91130826MA0C2B3D4"), nil},
		{"public institution", withOrgCheck("12320581466283940"), nil},
		{"social organisation", withOrgCheck("51130826MJ1234567"), nil},
		{"empty", "", ErrOrgLength},
		{"17 characters", "91350100M000100Y4", ErrOrgLength},
		{"19 characters", "91350100M000100Y431", ErrOrgLength},
		{"letter I", "91350100MI00100Y43", ErrOrgChars},
		{"letter O", "91350100MO00100Y43", ErrOrgChars},
		{"letter S", "91350100MS00100Y43", ErrOrgChars},
		{"letter V", "91350100MV00100Y43", ErrOrgChars},
		{"letter Z", "91350100M000100Y4Z", ErrOrgChars},
		{"lower case", "91350100m000100y43", ErrOrgChars},
		{"full-width", "91350100M000100Y4３", ErrOrgChars},
		{"letter in region", withOrgCheck("9135A100M000100Y4"), ErrOrgRegion},
		{"wrong check", "91350100M000100Y44", ErrOrgChecksum},
		{"transposed", "91350100M000100Y34", ErrOrgChecksum},
	} {
		if err := Org(c.in); !errors.Is(err, c.err) {
			t.Errorf("%s: Org(%q) = %v, want %v", c.name, c.in, err, c.err)
		}
	}
}

func FuzzResident(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", withCheck("32058120000229451"), "110105194912310021", "", "1101051949123100２X", "00000000000000000X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Resident(s, today)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason == "" {
				t.Fatalf("Resident(%q) failed with %v, not a reasoned *Error", s, err)
			}
			return
		}
		if len(p.Number) != 18 || !strings.EqualFold(p.Number, s) {
			t.Fatalf("Resident(%q) accepted as %q", s, p.Number)
		}
		if q, err := Resident(p.Number, today); err != nil || q != p {
			t.Fatalf("accepted %q does not re-validate: %+v, %v", p.Number, q, err)
		}
		if m := Mask(p.Number); len(m) != 18 || m[:6] != p.Number[:6] || m[14:] != p.Number[14:] {
			t.Fatalf("Mask(%q) = %q", p.Number, m)
		}
	})
}

func TestClean(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"110105 19491231 002x":          "11010519491231002X",
		" 110105\u300019491231\t002X\n": "11010519491231002X",
		"91350100M000100Y43":            "91350100M000100Y43",
		"":                              "",
		"   ":                           "",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := Resident(Clean("110105 19491231 002X"), today); err != nil {
		t.Errorf("a grouped valid number is refused after Clean: %v", err)
	}
}
