package tenants

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	pgxuuid "github.com/vgarvardt/pgx-google-uuid/v5"
)

// OpenPool opens the runtime role's pool: the one place the app tier's pools are made, so
// their size is decided here. pool_max_conns in the URL sets it; without it pgx's default
// holds, max(4, cores). Larger pools were measured (2 cores, 8 clients): 16 connections lifted
// intake over 20 counties from 0.56 to 0.64 of pgbench (2026-12-06, before an intake took
// seven round trips), but the worklists' p95 rose by a quarter to a half at 1 million
// applications and to 50-85 ms at 10 million; 5 (2 × cores + 1) still put the admin's red
// worklist at 63 ms p95 at 10 million (37 ms with 4). More backends than cores contend, and
// the clerk's screens matter more than bulk intake. Size it with PostgreSQL's
// max_connections across every process.
func OpenPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		encodeUUIDs(c.TypeMap())
		return nil
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// encodeUUIDs lets pgx send a google/uuid UUID (or a pointer to one) as the 16 bytes it is.
// Without it pgx takes the UUID's driver.Valuer: it formats the UUID as text, fails to
// encode that text as a binary uuid, builds an error with fmt.Errorf, parses the text back
// and only then encodes; every tenant_id, id and actor of every statement went that way, 7%
// of the Go process's CPU in the intake benchmark (2026-12-06). Only the encode side is
// registered: scanning keeps uuid.UUID's own Scan, which leaves the zero UUID for a NULL
// where pgxuuid's scan plan would fail.
func encodeUUIDs(m *pgtype.Map) {
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{pgxuuid.TryWrapUUIDEncodePlan, tryWrapUUIDPointer},
		m.TryWrapEncodePlanFuncs...)
}

// tryWrapUUIDPointer dereferences a *uuid.UUID for pgxuuid's plan: pgx's own dereferencing
// plan stands aside for any driver.Valuer, and *uuid.UUID is one. A nil pointer never gets
// here (pgx writes NULL first).
func tryWrapUUIDPointer(value any) (pgtype.WrappedEncodePlanNextSetter, any, bool) {
	if _, ok := value.(*uuid.UUID); ok {
		return &uuidPointerPlan{}, uuid.UUID{}, true
	}
	return nil, nil, false
}

type uuidPointerPlan struct{ next pgtype.EncodePlan }

func (p *uuidPointerPlan) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *uuidPointerPlan) Encode(value any, buf []byte) ([]byte, error) {
	return p.next.Encode(*value.(*uuid.UUID), buf)
}

// openBunDB is stdlib.OpenDBFromPool with one difference: a query without bind arguments runs
// in pgx's exec mode. bun formats every value into the SQL text, so nearly every statement it
// sends is new text; pgx's default mode would prepare each one (a round trip of its own, a
// plan kept on the server, and the statement cache churning), then run it. Exec mode sends it
// unnamed, in one round trip. River's queries, which carry arguments, keep pgx's statement
// cache.
func openBunDB(pool *pgxpool.Pool) *sql.DB {
	db := sql.OpenDB(execConnector{stdlib.GetPoolConnector(pool)})
	db.SetMaxIdleConns(0) // as OpenDBFromPool: the pool, not database/sql, keeps connections
	return db
}

type execConnector struct{ driver.Connector }

func (c execConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &execConn{dc.(*stdlib.Conn)}, nil
}

// execConn is a stdlib connection whose argument-less queries carry pgx.QueryExecModeExec
// (pgx reads a leading QueryExecMode among the arguments as an option, not a parameter).
type execConn struct{ *stdlib.Conn }

var execMode = []driver.NamedValue{{Ordinal: 1, Value: pgx.QueryExecModeExec}}

func (c *execConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		args = execMode
	}
	return c.Conn.QueryContext(ctx, query, args)
}

// pgxConn is the pgx connection under a database/sql driver connection.
func pgxConn(dc any) (*stdlib.Conn, bool) {
	switch c := dc.(type) {
	case *execConn:
		return c.Conn, true
	case *stdlib.Conn:
		return c, true
	}
	return nil, false
}

// beginOn opens a pgx transaction on the connection under conn, so bun's queries on conn and
// pgx-level calls (River) on the returned transaction run in the same server-side one. begin
// replaces the BEGIN statement ("" for a plain BEGIN): a tenant transaction sends BEGIN and
// its SET LOCAL as one message. Both tenant and region transactions open this way.
func beginOn(ctx context.Context, conn interface{ Raw(func(any) error) error }, begin string) (pgx.Tx, error) {
	var ptx pgx.Tx
	err := conn.Raw(func(dc any) error {
		c, ok := pgxConn(dc)
		if !ok {
			return fmt.Errorf("tenants: unexpected driver connection %T", dc)
		}
		var berr error
		if ptx, berr = c.Conn().BeginTx(ctx, pgx.TxOptions{BeginQuery: begin}); berr != nil && begin != "" {
			// BEGIN may have run without what followed it: leave no transaction open.
			_, _ = c.Conn().Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
		return berr
	})
	return ptx, err
}

// end finishes a transaction beginOn opened, as a deferred call: rolled back on a panic
// (which goes on) or an error, else committed, the commit's error becoming the function's.
// committed (nil for none) says the COMMIT was sent already, in a tenant transaction's last
// batch (Tx.flush); pgx's transaction is then left as it is, its connection idle.
func end(ctx context.Context, ptx pgx.Tx, err *error, committed *bool) {
	if p := recover(); p != nil {
		_ = ptx.Rollback(context.WithoutCancel(ctx))
		panic(p)
	}
	if *err != nil {
		_ = ptx.Rollback(context.WithoutCancel(ctx))
		return
	}
	if committed != nil && *committed {
		return
	}
	*err = ptx.Commit(ctx)
}
