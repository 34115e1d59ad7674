package workforce

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Strength is how many workers of one post and level were in service (在岗) on a day.
type Strength struct {
	Post    level.Post `bun:"post" json:"post"`
	Level   int        `bun:"level" json:"level"`
	Workers int        `bun:"workers" json:"workers"`
}

// StrengthOn counts the county's workers in service on day by post and level, folding each
// worker's effective-dated changes as of that day (Fold) rather than reading the snapshot
// columns, which hold today's record: a past month's figure is then the same whenever it is
// asked (the supervision feed's workforce months, re-published from scratch).
func StrengthOn(ctx context.Context, day workday.Date) ([]Strength, error) {
	var rows []changeRow
	// Every change of the county, in one pass; hired after day are left out by Fold.
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&rows)).Where("wc.effective_from <= ?", day).
		Order("wc.worker_id", "wc.seq").Scan(ctx); err != nil {
		return nil, err
	}
	type key struct {
		post  level.Post
		level int
	}
	counts := map[key]int{}
	count := func(cs []Change) {
		if len(cs) == 0 {
			return
		}
		order(cs)
		if r, ok := Fold(cs, day); ok && r.Status == StatusActive {
			counts[key{r.Post, r.Level}]++
		}
	}
	var (
		cs     []Change
		worker uuid.UUID
	)
	for i := range rows {
		if rows[i].WorkerID != worker {
			count(cs)
			cs, worker = cs[:0], rows[i].WorkerID
		}
		c, err := rows[i].change()
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	count(cs)
	out := make([]Strength, 0, len(counts))
	for k, n := range counts {
		out = append(out, Strength{Post: k.post, Level: k.level, Workers: n})
	}
	slices.SortFunc(out, func(a, b Strength) int {
		if c := cmp.Compare(a.Post, b.Post); c != 0 {
			return c
		}
		return cmp.Compare(a.Level, b.Level)
	})
	return out, nil
}
