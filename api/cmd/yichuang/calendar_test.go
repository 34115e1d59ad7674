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
