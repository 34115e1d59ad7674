package workforce_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/workforce"
)

// A day's strength is folded from the effective-dated records, not read off today's
// snapshot: a worker who left in September still counts in August, one hired in June does
// not count in May, and a post change moves the worker between rows from its date on.
func TestStrengthOnFoldsTheRecords(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.hire(t, idA, "李娜", level.Staff, "2020-01-10", 5)
	c := b.hire(t, idB, "张伟", level.Deputy, "2026-06-01", 10)
	b.hire(t, idC, "王芳", level.Staff, "2021-03-01", 5)
	b.must(t, func(ctx context.Context) error {
		if _, err := b.svc.Change(ctx, a.ID, a.RowVersion, workforce.ChangeInput{EffectiveFrom: day("2026-09-01"),
			Fields: workforce.Fields{Status: ptr(workforce.StatusAway)}, Reasoned: workforce.Reasoned{Reason: "离岗", Approver: "组织委员"}}); err != nil {
			return err
		}
		_, err := b.svc.Change(ctx, c.ID, c.RowVersion, workforce.ChangeInput{EffectiveFrom: day("2026-10-15"),
			Fields: workforce.Fields{Post: ptr(level.Head), Level: ptr(12)}, Reasoned: workforce.Reasoned{Reason: "选任", Approver: "组织委员"}})
		return err
	})
	for _, x := range []struct{ on, want string }{
		{"2019-12-31", "[]"},
		{"2026-05-31", "[staff/5:2]"},
		{"2026-08-31", "[deputy/10:1 staff/5:2]"},
		{"2026-09-30", "[deputy/10:1 staff/5:1]"},
		{"2026-10-31", "[head/12:1 staff/5:1]"},
	} {
		b.must(t, func(ctx context.Context) error {
			got, err := workforce.StrengthOn(ctx, day(x.on))
			if err != nil {
				return err
			}
			s := "["
			for i, g := range got {
				if i > 0 {
					s += " "
				}
				s += fmt.Sprintf("%s/%d:%d", g.Post, g.Level, g.Workers)
			}
			if s += "]"; s != x.want {
				t.Errorf("strength on %s: %s, want %s", x.on, s, x.want)
			}
			return nil
		})
	}
}
