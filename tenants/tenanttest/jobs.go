package tenanttest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Job is a job of args type T as River lists it.
type Job[T river.JobArgs] struct {
	*rivertype.JobRow
	Args T
}

// Jobs lists the jobs of T's kind in any state, oldest first, that keep selects (nil keeps
// all), through River's own API (JobList): tests assert on jobs as River's do, never on its
// tables.
func Jobs[T river.JobArgs](t testing.TB, db *DB, keep func(Job[T]) bool) []Job[T] {
	t.Helper()
	var kind T
	params := river.NewJobListParams().Kinds(kind.Kind()).
		States(rivertype.JobStates()...).OrderBy(river.JobListOrderByID, river.SortOrderAsc).First(10000)
	res, err := db.River.JobList(context.Background(), params)
	if err != nil {
		t.Fatalf("list %s jobs: %v", kind.Kind(), err)
	}
	var out []Job[T]
	for _, row := range res.Jobs {
		j := Job[T]{JobRow: row}
		if err := json.Unmarshal(row.EncodedArgs, &j.Args); err != nil {
			t.Fatalf("job %d args: %v", row.ID, err)
		}
		if keep == nil || keep(j) {
			out = append(out, j)
		}
	}
	return out
}

// PgbenchJobInsert is the statement a pgbench baseline runs for the job a step enqueues: River's
// own table, spelled here beside the migrations that create it, and nowhere else.
const PgbenchJobInsert = `INSERT INTO river.river_job (args, kind, max_attempts, priority, queue, state, scheduled_at)
  VALUES ('{}', 'bench_placeholder', 25, 1, 'bench', 'scheduled', now() + interval '7 days');`
