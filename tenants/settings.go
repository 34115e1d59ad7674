package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// A county's settings live in one row per tenant of a package's settings table (tenant_id is
// the key); a county that never saved them has the package's defaults. GetSettings and
// PutSettings are the one way to read and store such a row, so each package declares only
// its model, its defaults, its checks and its audit summary.

// GetSettings reads the transaction's tenant's row of the settings model T, or defaults when
// the county has none.
func GetSettings[T any](ctx context.Context, defaults T) (*T, error) {
	row := new(T)
	tx, ok := TxFrom(ctx)
	if !ok {
		return nil, errors.New("tenants: GetSettings outside a tenant transaction")
	}
	// Read on every intake and step: with a bind parameter, so its plan is kept (ScanOne).
	table := tx.conn.Dialect().Tables().Get(reflect.TypeFor[T]())
	cols := make([]string, len(table.Fields))
	for i, f := range table.Fields {
		cols[i] = string(f.SQLName)
	}
	err := ScanOne(ctx, row, "SELECT "+strings.Join(cols, ", ")+" FROM "+string(table.SQLName)+" WHERE tenant_id = $1", tx.tenantID)
	if errors.Is(err, sql.ErrNoRows) {
		return &defaults, nil
	}
	return row, err
}

// PutSettings stores row as the transaction's tenant's settings (setting its tenant_id):
// every column is written but the key, updated_at (now()) and columns tagged skipupdate,
// which the package keeps by other means.
func PutSettings[T any](ctx context.Context, row *T) error {
	tx, ok := TxFrom(ctx)
	if !ok {
		return errors.New("tenants: PutSettings outside a tenant transaction")
	}
	table := tx.conn.Dialect().Tables().Get(reflect.TypeFor[T]())
	key, ok := table.FieldMap["tenant_id"]
	if !ok {
		return fmt.Errorf("tenants: settings model %s has no tenant_id", table.TypeName)
	}
	key.Value(reflect.ValueOf(row).Elem()).Set(reflect.ValueOf(tx.TenantID()))
	var set []string
	for _, f := range table.DataFields {
		switch {
		case f.SkipUpdate():
		case f.Name == "updated_at":
			set = append(set, "updated_at = now()")
		default:
			set = append(set, string(f.SQLName)+" = EXCLUDED."+string(f.SQLName))
		}
	}
	_, err := tx.conn.NewInsert().Model(row).On("CONFLICT (tenant_id) DO UPDATE").Set(strings.Join(set, ", ")).Exec(ctx)
	return err
}
