package application_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/tenants"
)

// tenants.InsertOne writes an application row exactly as bun's insert writes it: the same
// struct, once through each, gives the same row but for its id (a window intake and a proxy
// intake, so pointers, dates, jsonb and defaults are all on both sides).
func TestInsertOneWritesWhatBunWrites(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, who := range []*tenants.Actor{b.clerk, b.worker} {
		d := b.intake(t, who, "id")
		if err := b.as(t, b.admin, func(ctx context.Context) error {
			viaBun, viaInsertOne := d.Application, d.Application
			viaBun.ID, viaInsertOne.ID = uuid.New(), uuid.New()
			viaBun.CreatedAt, viaBun.UpdatedAt = d.CreatedAt, d.UpdatedAt
			if _, err := tenants.DB(ctx).NewInsert().Model(&viaBun).Exec(ctx); err != nil {
				return err
			}
			if _, err := tenants.InsertOne(ctx, &viaInsertOne, tenants.InsertOptions{}); err != nil {
				return err
			}
			var rows []string
			if err := tenants.DB(ctx).NewRaw(`SELECT (to_jsonb(a) - 'id' - 'created_at' - 'updated_at')::text FROM applications a
				WHERE a.tenant_id = ? AND a.id IN (?, ?) ORDER BY a.id = ?`, b.tenant.ID, viaBun.ID, viaInsertOne.ID, viaBun.ID).Scan(ctx, &rows); err != nil {
				return err
			}
			if len(rows) != 2 || rows[0] != rows[1] {
				t.Errorf("%s: InsertOne wrote\n%s\nbun wrote\n%v", who.Name, rows[0], rows[1:])
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}
