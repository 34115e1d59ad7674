package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The national calendar needs no database: with DATABASE_URL and APP_DATABASE_URL unset the
// command still answers.
func TestCalendarDueNeedsNoDatabase(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("APP_DATABASE_URL", "")
	cases := []struct {
		args  []string
		first string
	}{
		{[]string{"--from", "2024-09-30", "--days", "1"}, "2024-10-08"},
		{[]string{"--from", "2025-01-27", "--days", "1"}, "2025-02-05"},
		{[]string{"--from", "2026-02-13", "--days", "1"}, "2026-02-14"},
		{[]string{"--from", "2026-05-06", "--days", "0"}, "2026-05-06"},
		{[]string{"--from", "2026-12-07", "--days", "20"}, "2027-01-05"}, // 元旦 2027 (lunar-go v1.4.7)
		{[]string{"--from", "2027-02-04", "--days", "1"}, "2027-02-14"},  // 春节 2027, make-up Sunday
	}
	for _, c := range cases {
		var out bytes.Buffer
		if err := calendarDue(context.Background(), c.args, &out); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if first, _, _ := strings.Cut(out.String(), "\n"); first != c.first {
			t.Errorf("%v: first line %q, want %q", c.args, first, c.first)
		}
	}
	// A known span prints one line; a span into a year with no schedule (2028 as of lunar-go
	// v1.4.7) prints the date counted with the statutory days off and a second line saying
	// it is provisional.
	for _, c := range []struct {
		args        []string
		first       string
		provisional bool
	}{
		{[]string{"--from", "2027-11-01", "--days", "20"}, "2027-11-29", false},
		{[]string{"--from", "2028-01-24", "--days", "1"}, "2028-01-31", true}, // 除夕 to 初三 off
		{[]string{"--from", "2027-12-20", "--days", "20"}, "2028-01-17", true},
	} {
		var out bytes.Buffer
		if err := calendarDue(context.Background(), c.args, &out); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if lines[0] != c.first || (len(lines) == 2) != c.provisional || (c.provisional && !(strings.Contains(lines[1], "暂定") && strings.Contains(lines[1], "2028"))) {
			t.Errorf("%v:\n%s", c.args, out.String())
		}
	}
	var out bytes.Buffer
	if err := calendarDue(context.Background(), []string{"--from", "2026-09-30", "--days", "3", "--explain"}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if lines[0] != "2026-10-10" || len(lines) != 11 || !strings.Contains(lines[10], "调休上班") {
		t.Errorf("explain:\n%s", out.String())
	}
	for _, bad := range [][]string{{"--from", "2026-02-30", "--days", "1"}, {"--from", "2026-02-01", "--days", "-1"}, {"--days", "3"}} {
		if err := calendarDue(context.Background(), bad, &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
