package tenants

import (
	"context"
	"database/sql"
	"errors"
)

// Lock says how a package locks one of its versioned rows for a change a member asked for
// with the version they last read (If-Match): the row is read FOR UPDATE (or FOR SHARE),
// a row the transaction cannot see is Missing, and one at another version is Stale. Each
// package declares its locks once, beside its model.
type Lock[T any] struct {
	// Where selects the row by its key, e.g. "si.id = ?".
	Where string
	// Version is the row's version.
	Version func(*T) int
	// Missing and Stale are the package's own problems (404 and 412).
	Missing, Stale error
}

// Row locks the row whose key is key FOR UPDATE and checks its version against want (0: the
// caller read none, so any version will do).
func (l Lock[T]) Row(ctx context.Context, key any, want int) (*T, error) {
	return l.RowFor(ctx, "UPDATE", key, want)
}

// RowFor is Row with the lock strength given: "UPDATE" to change the row, "SHARE" to keep it
// as it is while the transaction relies on it.
func (l Lock[T]) RowFor(ctx context.Context, strength string, key any, want int) (*T, error) {
	row := new(T)
	err := DB(ctx).NewSelect().Model(row).Where("?TableAlias.tenant_id = ?", CurrentID(ctx)).Where(l.Where, key).For(strength).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, l.Missing
	}
	if err != nil {
		return nil, err
	}
	if want != 0 && l.Version(row) != want {
		return nil, l.Stale
	}
	return row, nil
}
