package signin

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/tenants"
)

// Results of a login event.
const (
	ResultSuccess     = "success"
	ResultFailure     = "failure"
	ResultLocked      = "locked"    // refused: the account was locked
	ResultThrottled   = "throttled" // refused: too many attempts (account in flight, or address)
	ResultIdleTimeout = "idle_timeout"
	ResultEnded       = "ended" // the user ended the session from 我的会话
)

// Results lists every result, for the API's enum.
var Results = []string{ResultSuccess, ResultFailure, ResultLocked, ResultThrottled, ResultIdleTimeout, ResultEnded}

// Event is one row of a county's login log.
type Event struct {
	bun.BaseModel `bun:"table:login_events,alias:le"`

	TenantID   uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID         uuid.UUID  `bun:"id,pk,type:uuid" json:"id"`
	At         time.Time  `bun:"at" json:"at"`
	Phone      string     `bun:"phone" json:"phone"`
	IdentityID *uuid.UUID `bun:"identity_id,type:uuid" json:"identity_id"`
	Name       string     `bun:"name" json:"name"`
	Address    string     `bun:"address" json:"address"`
	UserAgent  string     `bun:"user_agent" json:"user_agent"`
	Result     string     `bun:"result" json:"result"`
}

// clean makes text from a request safe to store: valid UTF-8, no NUL, at most n characters.
func clean(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n])
	}
	return s
}

// Record writes e to the login log of the transaction's book (a county's, or a region's).
func Record(ctx context.Context, e Event) error {
	b := bookOf(ctx)
	if e.ID == uuid.Nil {
		e.ID = uuid.New()
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC()
	e.Phone, e.Name, e.Address, e.UserAgent = clean(e.Phone, 32), clean(e.Name, 50), clean(e.Address, 64), clean(e.UserAgent, 300)
	_, err := b.db.NewRaw(`INSERT INTO ? (?, id, at, phone, identity_id, name, address, user_agent, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.events, b.key, b.owner, e.ID, e.At, e.Phone, e.IdentityID, e.Name, e.Address, e.UserAgent, e.Result).Exec(ctx)
	return err
}

// Query filters the login log.
type Query struct {
	Phone  string
	Result string
	Cursor string
	Limit  int
}

// Page is one page of the log, newest first.
type Page struct {
	Items      []Event
	NextCursor string
}

// List reads the login log of the tenant in ctx, newest first.
func List(ctx context.Context, q Query) (*Page, error) {
	var items []Event
	sel := tenants.DB(ctx).NewSelect().Model(&items).Where("le.tenant_id = ?", tenants.CurrentID(ctx)).OrderExpr("le.at DESC, le.id DESC").Limit(int64(q.Limit + 1))
	if q.Phone != "" {
		sel = sel.Where("le.phone = ?", q.Phone)
	}
	if q.Result != "" {
		sel = sel.Where("le.result = ?", q.Result)
	}
	if q.Cursor != "" {
		at, id, err := tenants.DecodeCursor(q.Cursor)
		if err != nil {
			return nil, err
		}
		sel = sel.Where("(le.at, le.id) < (?, ?)", at, id)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, err
	}
	p := &Page{Items: items}
	if len(items) > q.Limit {
		p.Items = items[:q.Limit]
		last := p.Items[q.Limit-1]
		p.NextCursor = tenants.EncodeCursor(last.At, last.ID)
	}
	return p, nil
}

// RegionEvent is one row of the region accounts' login log.
type RegionEvent struct {
	Event
	RegionCode string `bun:"region_code" json:"region_code"`
}

// ListRegion reads the login log of the region accounts of the region transaction in ctx and
// of the regions below it (the store's policy), newest first.
func ListRegion(ctx context.Context, q Query) ([]RegionEvent, string, error) {
	if _, ok := tenants.RegionFrom(ctx); !ok {
		panic("signin: ListRegion outside a region transaction")
	}
	var items []RegionEvent
	sel := tenants.RegionDB(ctx).NewSelect().TableExpr("supervision.region_login_events AS le").
		ColumnExpr("le.region_code, le.id, le.at, le.phone, le.identity_id, le.name, le.address, le.user_agent, le.result").
		OrderExpr("le.at DESC, le.id DESC").Limit(int64(q.Limit + 1))
	if q.Phone != "" {
		sel = sel.Where("le.phone = ?", q.Phone)
	}
	if q.Result != "" {
		sel = sel.Where("le.result = ?", q.Result)
	}
	if q.Cursor != "" {
		at, id, err := tenants.DecodeCursor(q.Cursor)
		if err != nil {
			return nil, "", err
		}
		sel = sel.Where("(le.at, le.id) < (?, ?)", at, id)
	}
	if err := sel.Scan(ctx, &items); err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > q.Limit {
		items = items[:q.Limit]
		last := items[q.Limit-1]
		next = tenants.EncodeCursor(last.At, last.ID)
	}
	return items, next, nil
}
