package tenants

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

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
