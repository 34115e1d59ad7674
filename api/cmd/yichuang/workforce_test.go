package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/problem"
)

func TestWorkforceLevelFirstLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args  []string
		first string
	}{
		// 11 years − 2 + 本科 3 = 12 → 4 steps; 7 + 4 + 中级 2 = 13
		{[]string{"--post", "head", "--hired", "2015-03-01", "--education", "bachelor", "--certificate", "intermediate",
			"--as-of", "2026-11-21", "--unsatisfactory-years", "2019,2021"}, "13"},
		// Defaults none/none: 11 years → 3 steps; 7 + 3 = 10
		{[]string{"--post", "head", "--hired", "2015-03-01", "--as-of", "2026-11-21"}, "10"},
		// 0 years: the post minimum
		{[]string{"--post", "staff", "--hired", "2026-11-21", "--as-of", "2026-11-21"}, "1"},
		// 29 February hire: 2 years on 2019-02-28, 3 on 2019-03-01
		// 民法典 art. 202: a leap-day hire's third year ends on 28 February 2019.
		{[]string{"--post", "staff", "--hired", "2016-02-29", "--as-of", "2019-02-27"}, "1"},
		{[]string{"--post", "staff", "--hired", "2016-02-29", "--as-of", "2019-02-28"}, "2"},
		// 30 years + 博士 7 = 37 → 12 steps; 4 + 12 + 3 = 19, capped at 15
		{[]string{"--post", "deputy", "--hired", "1996-01-01", "--education", "doctor", "--certificate", "senior", "--as-of", "2026-01-01"}, "15"},
		// 2026 is deducted at once, though its service year (from 2026-03-01) runs till
		// 2027-03-01: 10 years − 1 = 9, + 硕士 5 = 14 → 4 steps; 1 + 4 + 初级 1 = 6
		{[]string{"--post", "staff", "--hired", "2016-03-01", "--education", "master", "--certificate", "junior",
			"--as-of", "2026-11-21", "--unsatisfactory-years", " 2026 "}, "6"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		if err := workforceLevel(c.args, &out); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if first, _, _ := strings.Cut(out.String(), "\n"); first != c.first {
			t.Errorf("%v: first line %q, want %q", c.args, first, c.first)
		}
		if n := strings.Count(out.String(), "\n"); n != 1 {
			t.Errorf("%v: %d lines without --explain:\n%s", c.args, n, out.String())
		}
	}
}

// Without --as-of the level is today's in China.
func TestWorkforceLevelDefaultsToToday(t *testing.T) {
	t.Parallel()
	f := level.Facts{Post: level.Deputy, Education: level.EducationBachelor, Certificate: level.CertificateNone}
	f.Hired = clock.Today(clock.System{}).AddDays(-365 * 7)
	want := func() string {
		res, err := level.Default().Level(f, clock.Today(clock.System{}))
		if err != nil {
			t.Fatal(err)
		}
		return strconv.Itoa(res.Level)
	}
	before := want()
	var out bytes.Buffer
	if err := workforceLevel([]string{"--post", "deputy", "--hired", f.Hired.String(), "--education", "bachelor"}, &out); err != nil {
		t.Fatal(err)
	}
	// Midnight may pass between the calls.
	if got := strings.TrimSpace(out.String()); got != before && got != want() {
		t.Errorf("level %q, want %q", got, before)
	}
}

func TestWorkforceLevelExplain(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := workforceLevel([]string{"--post", "head", "--hired", "2015-03-01", "--education", "bachelor", "--certificate", "intermediate",
		"--as-of", "2026-11-21", "--unsatisfactory-years", "2021,2019", "--explain"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := `13
岗位 正职：等级范围 7–18
入职 2015-03-01，至 2026-11-21 满 11 年（工作年限）
不计年限的考核年度 2019、2021：−2 年 → 计入 9 年（计入年限）
学历 本科：+3 年 → 12 年（学历折算年限）
每 3 年一级：⌊12 ÷ 3⌋ = 4 级（晋级级数）
社工证 中级（社会工作师）：+2 级（持证加级）
等级 = 7 + 4 + 2 = 13，不超过岗位上限 18 → 13 级
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}

	out.Reset()
	err = workforceLevel([]string{"--post", "deputy", "--hired", "1996-01-01", "--education", "doctor", "--certificate", "senior",
		"--as-of", "2026-01-01", "--explain"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if lines[0] != "15" || lines[len(lines)-1] != "等级 = 4 + 12 + 3 = 19，超过岗位上限 15 → 15 级，已达岗位上限" {
		t.Errorf("capped explain:\n%s", out.String())
	}
}

func TestWorkforceLevelBadInput(t *testing.T) {
	t.Parallel()
	base := map[string]string{"--post": "head", "--hired": "2015-03-01", "--as-of": "2026-11-21"}
	cases := []struct {
		set      map[string]string
		location string
		mention  string // a piece of the English reason
	}{
		{map[string]string{"--post": ""}, "--post", "head, deputy or staff"},
		{map[string]string{"--post": "manager"}, "--post", "head, deputy or staff"},
		{map[string]string{"--post": "Head"}, "--post", "head, deputy or staff"},
		{map[string]string{"--hired": ""}, "--hired", "YYYY-MM-DD"},
		{map[string]string{"--hired": "2015-02-29"}, "--hired", "YYYY-MM-DD"},
		{map[string]string{"--hired": "2015/03/01"}, "--hired", "YYYY-MM-DD"},
		{map[string]string{"--hired": "1989-12-31"}, "--hired", "1990 and 2100"},
		{map[string]string{"--education": "phd"}, "--education", "bachelor"},
		{map[string]string{"--education": ""}, "--education", "bachelor"},
		{map[string]string{"--certificate": "expert"}, "--certificate", "intermediate"},
		{map[string]string{"--as-of": "2026-13-01"}, "--as-of", "YYYY-MM-DD"},
		{map[string]string{"--as-of": "2015-02-28"}, "--as-of", "before the hire date"},
		{map[string]string{"--unsatisfactory-years": "19"}, "--unsatisfactory-years", "4-digit year"},
		{map[string]string{"--unsatisfactory-years": "02019"}, "--unsatisfactory-years", "4-digit year"},
		{map[string]string{"--unsatisfactory-years": "2019;2021"}, "--unsatisfactory-years", "4-digit year"},
		{map[string]string{"--unsatisfactory-years": "2019,,2021"}, "--unsatisfactory-years", "4-digit year"},
		{map[string]string{"--unsatisfactory-years": "2019,"}, "--unsatisfactory-years", "4-digit year"},
		{map[string]string{"--unsatisfactory-years": "-201"}, "--unsatisfactory-years", "4-digit year"},
		{map[string]string{"--unsatisfactory-years": "2014"}, "--unsatisfactory-years", "outside the hire year 2015 to the as-of year 2026"},
		{map[string]string{"--unsatisfactory-years": "2019,2027"}, "--unsatisfactory-years", "2027 is outside"},
		{map[string]string{"--unsatisfactory-years": "2019,2019"}, "--unsatisfactory-years", "twice"},
	}
	for _, c := range cases {
		var args []string
		for _, k := range []string{"--post", "--hired", "--as-of", "--education", "--certificate", "--unsatisfactory-years"} {
			v, ok := c.set[k]
			if !ok {
				v, ok = base[k]
			}
			if ok {
				args = append(args, k+"="+v)
			}
		}
		var out bytes.Buffer
		err := workforceLevel(args, &out)
		p, ok := problem.As(err)
		if !ok {
			t.Errorf("%v: %v, want a problem", args, err)
			continue
		}
		if p.Status != 422 || len(p.Fields) != 1 || p.Fields[0].Location != c.location ||
			p.Fields[0].Message == "" || !strings.Contains(p.Fields[0].MessageEn, c.mention) {
			t.Errorf("%v: %+v, want %s mentioning %q", args, p, c.location, c.mention)
		}
		if out.Len() != 0 {
			t.Errorf("%v: wrote %q", args, out.String())
		}
	}

	// A stray argument, e.g. a year list without its flag, is refused rather than dropped.
	_, ok := problem.As(workforceLevel([]string{"--post", "head", "--hired", "2015-03-01", "2019,2021"}, &bytes.Buffer{}))
	if !ok {
		t.Error("stray argument accepted")
	}
	if err := workforceLevel([]string{"--post", "head", "--hired", "2015-03-01", "--grade", "3"}, &bytes.Buffer{}); err == nil {
		t.Error("unknown flag accepted")
	}
	if err := workforceCmd(context.Background(), []string{"levels"}); err == nil || !strings.Contains(err.Error(), "workforce level") {
		t.Errorf("unknown subcommand: %v", err)
	}
}
