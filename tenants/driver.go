package tenants

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// OpenPool opens the runtime role's pool: the one place the app tier's pools are made, so
// their size is decided here. pool_max_conns in the URL sets it; without it pgx's default
// holds, max(4, cores). A default of 16 was measured (2026-12-06, 2 cores, 8 clients): intake
// over 20 counties rose from 0.56 to 0.64 of pgbench, but the worklists' p95 rose by a
// quarter to a half at 1 million applications (first page 32.6 -> 41.5 ms, p99 43.9 -> 88.2)
// and reached 50-85 ms at 10 million: more backends than cores contend, and the clerk's
// screens matter more than bulk intake. Size it with PostgreSQL's max_connections across
// every process.
func OpenPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, cfg)
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
func end(ctx context.Context, ptx pgx.Tx, err *error) {
	if p := recover(); p != nil {
		_ = ptx.Rollback(context.WithoutCancel(ctx))
		panic(p)
	}
	if *err != nil {
		_ = ptx.Rollback(context.WithoutCancel(ctx))
		return
	}
	*err = ptx.Commit(ctx)
}
