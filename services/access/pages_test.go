package access_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// pages reads a task list page by page as a, returning every task in the order read.
// between runs after each page (to dispatch meanwhile).
func (b *testBundle) pages(t *testing.T, a *tenants.Actor, f access.TaskFilter, between func()) []access.Task {
	t.Helper()
	var all []access.Task
	for n := 0; ; n++ {
		if n > 100 {
			t.Fatal("the pages never end")
		}
		var p *access.TaskPage
		if err := b.as(t, a, func(ctx context.Context) (err error) {
			p, err = b.svc.Tasks(ctx, f)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(p.Tasks) > f.Limit || (p.Next != "" && len(p.Tasks) != f.Limit) {
			t.Fatalf("page %d: %d tasks with limit %d, next %q", n, len(p.Tasks), f.Limit, p.Next)
		}
		all = append(all, p.Tasks...)
		if p.Next == "" {
			return all
		}
		f.Cursor = p.Next
		if between != nil {
			between()
		}
	}
}

func ids(ts []access.Task) []uuid.UUID {
	out := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// newestFirst fails unless ts is strictly descending by (created_at, id): the order pages
// continue in, so no task appears twice.
func newestFirst(t *testing.T, what string, ts []access.Task) {
	t.Helper()
	for i := 1; i < len(ts); i++ {
		a, b := ts[i-1], ts[i]
		if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID.String() <= b.ID.String()) {
			t.Fatalf("%s: row %d (%s %s) does not come after row %d (%s %s)", what, i, b.CreatedAt, b.ID, i-1, a.CreatedAt, a.ID)
		}
	}
}

// The task lists page by keyset: every reader's pages (a department's, a community's, the
// county's, with one status or several) hold exactly the tasks of the whole list in the same
// order, with tasks of one instant told apart by id, none twice or missed while others are
// dispatched between pages; a cursor that is not one is a 422 naming query.cursor; another
// county's tasks never show, even with its cursor.
func TestTaskPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	it := b.item(t, "XZ-300", access.KindCertificate, b.deptUnit)
	for range 7 {
		if _, err := b.dispatch(t, b.dept, &it.ID, b.dg.ID, b.xg.ID, b.lj.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Ties: the three tasks of each of the first four dispatches share one instant.
	if err := b.as(t, b.admin, func(ctx context.Context) error {
		_, err := tenants.DB(ctx).NewRaw(`UPDATE community_tasks AS ct SET created_at = f.at
			FROM (SELECT dispatch_id, min(created_at) AS at FROM community_tasks WHERE tenant_id = ? GROUP BY dispatch_id ORDER BY 2 LIMIT 4) AS f
			WHERE ct.tenant_id = ? AND ct.dispatch_id = f.dispatch_id`, b.tenant.ID, b.tenant.ID).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The community answers some: 2 accepted (1 then done), 2 refused, 3 pending.
	var dg []access.Task
	if err := b.as(t, b.worker, func(ctx context.Context) error {
		p, err := b.svc.Tasks(ctx, access.TaskFilter{Limit: 100})
		dg = p.Tasks
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(dg) != 7 {
		t.Fatalf("东关社区 has %d tasks, want 7", len(dg))
	}
	for i, tk := range dg[:4] {
		if err := b.as(t, b.worker, func(ctx context.Context) error {
			got, err := b.svc.Answer(ctx, tk.ID, 0, access.Answer{Accept: i < 2, Reason: "本月已承担同类任务"})
			if err == nil && i == 0 {
				_, err = b.svc.Complete(ctx, tk.ID, got.RowVersion)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}

	whole := func(a *tenants.Actor, f access.TaskFilter) []access.Task {
		f.Limit = 100
		ts := b.pages(t, a, f, nil)
		newestFirst(t, "whole list", ts)
		return ts
	}
	for _, c := range []struct {
		name  string
		who   *tenants.Actor
		f     access.TaskFilter
		count int
	}{
		{"the department's", b.dept, access.TaskFilter{}, 21},
		{"the county's", b.admin, access.TaskFilter{}, 21},
		{"the community's", b.worker, access.TaskFilter{}, 7},
		{"the community's pending", b.worker, access.TaskFilter{Statuses: []access.TaskStatus{access.TaskPending}}, 3},
		{"the community's closed", b.worker, access.TaskFilter{Statuses: []access.TaskStatus{access.TaskRefused, access.TaskDone}}, 3},
		{"the department's open", b.dept, access.TaskFilter{Statuses: []access.TaskStatus{access.TaskAccepted, access.TaskPending, access.TaskPending}}, 18},
		{"the county's refused", b.admin, access.TaskFilter{Statuses: []access.TaskStatus{access.TaskRefused}}, 2},
	} {
		want := whole(c.who, c.f)
		if len(want) != c.count {
			t.Fatalf("%s: %d tasks, want %d", c.name, len(want), c.count)
		}
		for _, limit := range []int{1, 2, 5} {
			f := c.f
			f.Limit = limit
			got := b.pages(t, c.who, f, nil)
			if !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("%s in pages of %d: %v, want %v", c.name, limit, ids(got), ids(want))
			}
		}
		for _, tk := range want {
			if len(c.f.Statuses) > 0 && !slices.Contains(c.f.Statuses, tk.Status) {
				t.Fatalf("%s: a %s task", c.name, tk.Status)
			}
			if tk.ItemName == "" || tk.DepartmentName == "" || tk.CommunityName == "" {
				t.Fatalf("%s: names missing: %+v", c.name, tk)
			}
		}
	}

	// Dispatches between pages sort before the first page: the pages still hold exactly the
	// list as it was when the first was read.
	before := whole(b.dept, access.TaskFilter{})
	got := b.pages(t, b.dept, access.TaskFilter{Limit: 4}, func() {
		if _, err := b.dispatch(t, b.dept, &it.ID, b.dg.ID, b.xg.ID); err != nil {
			t.Fatal(err)
		}
	})
	if !slices.Equal(ids(got), ids(before)) {
		t.Fatalf("pages read while dispatching: %v, want %v", ids(got), ids(before))
	}
	if after := whole(b.dept, access.TaskFilter{}); len(after) != len(before)+2*5 {
		t.Fatalf("after the dispatches: %d tasks, want %d", len(after), len(before)+10)
	}

	// A cursor that is not one: 422 on query.cursor, in Chinese and English.
	for _, bad := range []string{"garbage", "!!", "bm90IGEgY3Vyc29y"} {
		err := b.as(t, b.dept, func(ctx context.Context) error {
			_, err := b.svc.Tasks(ctx, access.TaskFilter{Cursor: bad})
			return err
		})
		p, ok := problem.As(err)
		if !ok || p.Status != 422 || len(p.Fields) != 1 || p.Fields[0].Location != "query.cursor" || p.Fields[0].Message == "" || p.Fields[0].MessageEn == "" {
			t.Fatalf("cursor %q: %v", bad, err)
		}
	}
	err := b.as(t, b.dept, func(ctx context.Context) error {
		_, err := b.svc.Tasks(ctx, access.TaskFilter{Statuses: []access.TaskStatus{"lost"}})
		return err
	})
	if p, ok := problem.As(err); !ok || p.Status != 422 || p.Fields[0].Location != "query.status" {
		t.Fatalf("unknown status: %v", err)
	}

	// Another county: its admin sees only its own tasks, and a cursor from this county's list
	// shows it nothing of this one's.
	o := setup(t)
	oit := o.item(t, "XZ-300", access.KindCertificate, o.deptUnit)
	if _, err := o.dispatch(t, o.dept, &oit.ID, o.dg.ID); err != nil {
		t.Fatal(err)
	}
	mine := map[uuid.UUID]bool{}
	for _, tk := range whole(b.admin, access.TaskFilter{}) {
		mine[tk.ID] = true
	}
	first := b.pages(t, b.admin, access.TaskFilter{Limit: 100}, nil)
	var cursor string
	if err := b.as(t, b.admin, func(ctx context.Context) error {
		p, err := b.svc.Tasks(ctx, access.TaskFilter{Limit: 1})
		cursor = p.Next
		return err
	}); err != nil {
		t.Fatal(err)
	}
	theirs := o.pages(t, o.admin, access.TaskFilter{Limit: 100}, nil)
	if len(theirs) != 1 || mine[theirs[0].ID] || len(first) != len(mine) {
		t.Fatalf("the other county sees %d tasks (%v)", len(theirs), ids(theirs))
	}
	if err := o.as(t, o.admin, func(ctx context.Context) error {
		p, err := o.svc.Tasks(ctx, access.TaskFilter{Cursor: cursor, Limit: 100})
		if err == nil && (len(p.Tasks) > 1 || (len(p.Tasks) == 1 && p.Tasks[0].ID != theirs[0].ID)) {
			t.Fatalf("another county's cursor showed %v", ids(p.Tasks))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
