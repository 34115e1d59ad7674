package tenants

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Prepared is a read statement that each pool connection prepares once, under Name, and runs
// with EXECUTE afterwards: PostgreSQL then keeps its plan instead of planning it on every
// request. Its parameters are uuids only ($1, $2, ...) and it returns at most one row of
// one json column.
type Prepared struct {
	Name string
	SQL  string
}

// ReadOnce runs stmt in a read-only transaction of tenantID in ONE round trip: BEGIN READ
// ONLY, SET LOCAL app.tenant_id (as InTx does, for the same reasons), EXECUTE and COMMIT
// go to the server as a single simple-protocol message. It is for reads on every request
// (the session check), where InTx's four round trips (begin, two reads, commit) were most of
// what PostgreSQL and the process spent on a small request. It returns the json of the row,
// or nil when there is none.
//
// Only uuids are formatted into the message, and a uuid.UUID prints as hex and dashes only.
func (s *Store) ReadOnce(ctx context.Context, tenantID uuid.UUID, stmt Prepared, args ...uuid.UUID) ([]byte, error) {
	if tenantID == uuid.Nil {
		return nil, errors.New("tenants: read without a tenant")
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	// pgx keeps the connection's prepared statements: after the first time this is no
	// round trip at all.
	if _, err := conn.Conn().Prepare(ctx, stmt.Name, stmt.SQL); err != nil {
		return nil, err
	}
	var q strings.Builder
	q.WriteString("BEGIN READ ONLY; SET LOCAL app.tenant_id = '")
	q.WriteString(tenantID.String())
	q.WriteString("'; EXECUTE ")
	q.WriteString(stmt.Name)
	q.WriteString("(")
	for i, a := range args {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("'" + a.String() + "'")
	}
	q.WriteString("); COMMIT")
	res, err := conn.Conn().PgConn().Exec(ctx, q.String()).ReadAll()
	if err != nil {
		// An error inside the message leaves its transaction aborted: end it, so the
		// connection goes back to the pool clean (the pool closes one that is not).
		_, _ = conn.Conn().PgConn().Exec(context.WithoutCancel(ctx), "ROLLBACK").ReadAll()
		return nil, err
	}
	if len(res) != 4 {
		return nil, errors.New("tenants: ReadOnce: unexpected results")
	}
	if len(res[2].Rows) == 0 || res[2].Rows[0][0] == nil {
		return nil, nil
	}
	return res[2].Rows[0][0], nil // ReadAll copied it out of the connection's buffer
}

// ScanOne runs query, with $1, $2, ... bind parameters, in ctx's tenant transaction and
// scans its first row into the bun model dest; sql.ErrNoRows when there is none. bun puts
// every value into the SQL text, so each statement it sends is new to PostgreSQL, which
// parses and plans it again; a statement sent with bind parameters is prepared once per
// connection by pgx's statement cache and its plan kept. It is for the reads made on every
// write of a clerk (the item in force, the county's settings), where planning was a
// large part of what PostgreSQL spent.
func ScanOne(ctx context.Context, dest any, query string, args ...any) error {
	tx, ok := TxFrom(ctx)
	if !ok {
		return errors.New("tenants: ScanOne outside a tenant transaction")
	}
	// The *sql.Conn under bun's connection: database/sql hands the arguments to the driver
	// (bun's own QueryContext would format them into the text).
	rows, err := tx.conn.Conn.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	return tx.store.db.ScanRow(ctx, rows, dest)
}

// ExecOne runs a write with $1, $2, ... bind parameters in ctx's tenant transaction, for
// the same reason as ScanOne: the statements every step of an application sends.
func ExecOne(ctx context.Context, query string, args ...any) error {
	tx, ok := TxFrom(ctx)
	if !ok {
		return errors.New("tenants: ExecOne outside a tenant transaction")
	}
	_, err := tx.conn.Conn.ExecContext(ctx, query, args...)
	return err
}

// ExecAtCommit leaves a write with $1, $2, ... bind parameters for the end of ctx's tenant
// transaction: it is sent with the audit rows and the COMMIT in one pipelined batch (one
// round trip, see Tx.flush), before any audit row. For a write whose rows the transaction
// does not read again and whose failure needs no handling beyond the transaction's: an
// error fails the commit, and nothing is kept. FlushWrites (or FlushAudit) sends it
// earlier, for a reader.
// The arguments are encoded when it is sent: the caller does not change them afterwards.
func ExecAtCommit(ctx context.Context, query string, args ...any) error {
	tx, ok := TxFrom(ctx)
	if !ok {
		return errors.New("tenants: ExecAtCommit outside a tenant transaction")
	}
	tx.mu.Lock()
	tx.later = append(tx.later, laterExec{sql: query, args: args})
	tx.mu.Unlock()
	return nil
}

// FlushWrites sends the writes ExecAtCommit left in ctx's transaction now (one round trip,
// none when there are none), without the audit rows: a reader of the rows they write calls
// it first, as one that reads the audit chain calls FlushAudit. A transaction that registers
// an application and then acts on it (the demo seed) numbers the second event after the
// first this way.
func FlushWrites(ctx context.Context) error {
	tx, ok := TxFrom(ctx)
	if !ok {
		return errors.New("tenants: FlushWrites outside a tenant transaction")
	}
	tx.mu.Lock()
	later := tx.later
	tx.later = nil
	tx.mu.Unlock()
	if len(later) == 0 {
		return nil
	}
	_, err := tx.sendBatch(ctx, later, nil, false)
	return err
}

// laterExec is a write left for the transaction's end (ExecAtCommit).
type laterExec struct {
	sql  string
	args []any
}

// InsertOne inserts the bun model row (a pointer to a struct) with bind parameters, as
// bun's own insert would write it: a nil pointer, or a zero value tagged nullzero or with
// a default, is left to the column's default; jsonb columns are marshalled; arrays of
// string types go as text arrays. o.Returning names columns to read back into the row (the
// ones the database fills); inserted is false when a conflict clause took no row. bun's insert puts every value into the SQL text, so the wide
// INSERT of an intake was new text for PostgreSQL to parse and plan each time; this one is
// prepared once per connection. TestInsertOneWritesWhatBunWrites holds it to bun's.
func InsertOne(ctx context.Context, row any, o InsertOptions) (inserted bool, err error) {
	tx, ok := TxFrom(ctx)
	if !ok {
		return false, errors.New("tenants: InsertOne outside a tenant transaction")
	}
	strct := reflect.ValueOf(row).Elem()
	table := tx.conn.Dialect().Tables().Get(strct.Type())
	var cols, params []string
	var args []any
	for _, f := range table.Fields {
		if f.Tag.HasOption("scanonly") {
			continue
		}
		if (f.IsPtr && f.HasNilValue(strct)) || (f.HasZeroValue(strct) && (f.NullZero || f.SQLDefault != "")) {
			continue // DEFAULT
		}
		v := f.Value(strct)
		var arg any
		switch {
		case v.Type().Implements(valuerType):
			arg = v.Interface() // its own Value, as bun uses it
		case f.UserSQLType == "jsonb" || f.UserSQLType == "json":
			// As bun: a nil slice or map is the json null, not SQL's NULL.
			raw, err := json.Marshal(v.Interface())
			if err != nil {
				return false, fmt.Errorf("tenants: InsertOne %s: %w", f.Name, err)
			}
			arg = string(raw)
		case (v.Kind() == reflect.Map || v.Kind() == reflect.Slice) && v.IsNil():
			arg = nil // bun writes NULL
		case f.Tag.HasOption("array") && v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
			s := make([]string, v.Len())
			for i := range s {
				s[i] = v.Index(i).String()
			}
			arg = s
		case v.Kind() == reflect.String:
			arg = v.String() // named string types as plain text
		default:
			arg = v.Interface()
		}
		cols = append(cols, string(f.SQLName))
		args = append(args, arg)
		params = append(params, "$"+strconv.Itoa(len(args)))
	}
	q := "INSERT INTO " + string(table.SQLName) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(params, ", ") + ")"
	if o.OnConflict != "" {
		q += " ON CONFLICT " + o.OnConflict
	}
	if len(o.Returning) == 0 {
		res, err := tx.conn.Conn.ExecContext(ctx, q, args...)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n > 0, err
	}
	rows, err := tx.conn.Conn.QueryContext(ctx, q+" RETURNING "+strings.Join(o.Returning, ", "), args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err() // ON CONFLICT ... DO NOTHING took no row
	}
	return true, tx.store.db.ScanRow(ctx, rows, row)
}

var valuerType = reflect.TypeFor[driver.Valuer]()

// InsertOptions are InsertOne's: a conflict clause after ON CONFLICT (such as
// "(tenant_id, request_key) DO NOTHING") and the columns to read back.
type InsertOptions struct {
	OnConflict string
	Returning  []string
}
