package signin

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/yichuang/yichuang/tenants"
)

// book is where the sessions and the login log of a transaction's accounts are kept: a
// county's tables for a county's transaction (tenants.InTx), or the region's in schema
// supervision for a region account's (tenants.InRegion), which may not touch a county's
// tables at all. Every statement names its owner (tenant_id or region_code) with a value.
type book struct {
	db               bun.IDB
	county           bool
	activity, events schema.QueryWithArgs
	key              bun.Ident
	owner            any
}

func bookOf(ctx context.Context) book {
	if tx, ok := tenants.TxFrom(ctx); ok {
		return book{db: tx.DB(), county: true, activity: bun.SafeQuery("session_activity"), events: bun.SafeQuery("login_events"),
			key: bun.Ident("tenant_id"), owner: tx.TenantID()}
	}
	if r, ok := tenants.RegionFrom(ctx); ok {
		return book{db: tenants.RegionDB(ctx), activity: bun.SafeQuery("supervision.region_session_activity"),
			events: bun.SafeQuery("supervision.region_login_events"), key: bun.Ident("region_code"), owner: r.Code}
	}
	panic("signin: outside a county's or a region's transaction")
}
