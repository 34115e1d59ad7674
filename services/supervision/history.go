package supervision

// The history of a 督办 (card_order_events, migration 20261205000041): each step appended in
// the transaction that takes it, numbered and hash-chained per card by the database, never
// changed. card_orders holds the order as it stands; the history keeps what each round said, so
// a reply the supervisor sent back stays on record, and a supervisor's actions are as
// tamper-evident as a county's (VerifyOrderHistory).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/tenants"
)

// The steps of an order.
const (
	EventIssued   = "issued"
	EventReplied  = "replied"
	EventReturned = "returned"
	EventClosed   = "closed"
)

// EventLabels name the steps.
var EventLabels = map[string]string{EventIssued: "督办", EventReplied: "县（区）回复", EventReturned: "退回", EventClosed: "办结"}

// OrderEvent is one step of an order.
type OrderEvent struct {
	bun.BaseModel `bun:"table:supervision.card_order_events,alias:oe"`

	TenantID   uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	CardID     uuid.UUID  `bun:"card_id,pk,type:uuid" json:"-"`
	Seq        int        `bun:"seq,pk" json:"seq"`
	RegionPath string     `bun:"region_path" json:"-"`
	At         time.Time  `bun:"at" json:"at"`
	Action     string     `bun:"action" json:"action" enum:"issued,replied,returned,closed"`
	ActorKind  string     `bun:"actor_kind" json:"actor_kind" enum:"region,county"`
	Actor      string     `bun:"actor" json:"actor" doc:"the region's or the county's code"`
	ActorName  string     `bun:"-" json:"actor_name" doc:"the region's or the county's name"`
	Account    *uuid.UUID `bun:"account,type:uuid" json:"-"`
	Body       *string    `bun:"body" json:"body,omitempty" doc:"the instruction, the reply or the return note"`
	DueOn      *time.Time `bun:"due_on,type:date" json:"due_on,omitempty" format:"date"`
	PrevHash   []byte     `bun:"prev_hash" json:"-"`
	Hash       []byte     `bun:"hash" json:"-"`
}

// regionStep is a step a region takes on o, by the supervisor signed in (when there is one).
func regionStep(ctx context.Context, o *Order, rt *tenants.RegionTx, action string, body *string, due *time.Time, at time.Time) OrderEvent {
	e := OrderEvent{TenantID: o.TenantID, CardID: o.CardID, RegionPath: o.RegionPath, At: at, Action: action,
		ActorKind: "region", Actor: rt.Code, Body: body, DueOn: due}
	if a, ok := tenants.ActorFrom(ctx); ok && a.RegionCode != "" && a.IdentityID != uuid.Nil {
		id := a.IdentityID
		e.Account = &id
	}
	return e
}

// appendStep appends e to o's history (the database numbers and chains it) and reloads the
// history into o.
func appendStep(ctx context.Context, o *Order, e OrderEvent) error {
	db := orderDB(ctx)
	if _, err := db.NewInsert().Model(&e).ExcludeColumn("seq", "prev_hash", "hash").Exec(ctx); err != nil {
		return err
	}
	orders := []Order{*o}
	if err := loadHistory(ctx, db, []uuid.UUID{o.TenantID}, orders); err != nil {
		return err
	}
	o.History = orders[0].History
	return nil
}

// orderDB is the transaction of ctx: a region's, or the county's.
func orderDB(ctx context.Context) bun.IDB {
	if _, ok := tenants.RegionFrom(ctx); ok {
		return tenants.RegionDB(ctx)
	}
	return tenants.DB(ctx)
}

// loadHistory fills each order's History in one read.
func loadHistory(ctx context.Context, db bun.IDB, tenantIDs []uuid.UUID, orders []Order) error {
	if len(orders) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(orders))
	for i, o := range orders {
		ids[i] = o.CardID
	}
	var events []OrderEvent
	if err := db.NewSelect().Model(&events).Where("oe.tenant_id IN (?) AND oe.card_id IN (?)", bun.In(tenantIDs), bun.In(ids)).
		Order("oe.tenant_id", "oe.card_id", "oe.seq").Scan(ctx); err != nil {
		return err
	}
	names, err := actorNames(ctx, db, tenantIDs, events)
	if err != nil {
		return err
	}
	byCard := map[[2]uuid.UUID][]OrderEvent{}
	for _, e := range events {
		e.ActorName = names[e.ActorKind+":"+e.Actor]
		k := [2]uuid.UUID{e.TenantID, e.CardID}
		byCard[k] = append(byCard[k], e)
	}
	for i := range orders {
		orders[i].History = byCard[[2]uuid.UUID{orders[i].TenantID, orders[i].CardID}]
		if orders[i].History == nil {
			orders[i].History = []OrderEvent{}
		}
	}
	return nil
}

// actorNames names the regions and counties that took the steps, keyed "kind:code".
func actorNames(ctx context.Context, db bun.IDB, tenantIDs []uuid.UUID, events []OrderEvent) (map[string]string, error) {
	out := map[string]string{}
	var codes []string
	for _, e := range events {
		if e.ActorKind == "region" && !slices.Contains(codes, e.Actor) {
			codes = append(codes, e.Actor)
		}
	}
	if len(codes) > 0 {
		var regions []struct{ Code, Name string }
		if err := db.NewSelect().Table("supervision.regions").Column("code", "name").Where("code IN (?)", bun.In(codes)).Scan(ctx, &regions); err != nil {
			return nil, err
		}
		for _, r := range regions {
			out["region:"+r.Code] = r.Name
		}
	}
	var counties []struct{ Code, Name string }
	if err := db.NewSelect().Table("supervision.counties").Column("code", "name").Where("tenant_id IN (?)", bun.In(tenantIDs)).Scan(ctx, &counties); err != nil {
		return nil, err
	}
	for _, c := range counties {
		out["county:"+c.Code] = c.Name
	}
	return out, nil
}

// eventBytes are the bytes a step's hash covers: what supervision.card_order_event_bytes writes.
func eventBytes(e OrderEvent) []byte {
	opt := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	account, due := "", ""
	if e.Account != nil {
		account = e.Account.String()
	}
	if e.DueOn != nil {
		due = e.DueOn.Format("2006-01-02")
	}
	return []byte(strings.Join([]string{e.TenantID.String(), e.CardID.String(), fmt.Sprint(e.Seq),
		e.At.UTC().Format("2006-01-02T15:04:05.000000Z"), e.Action, e.ActorKind, e.Actor, account, opt(e.Body), due}, "\x1f"))
}

// VerifyOrderHistory checks one order's steps, oldest first: numbered from 1 without a gap, each
// chained to the one before, each hash the hash of its fields. It names the first step that
// fails, so a row changed or removed behind the application's back is found.
func VerifyOrderHistory(steps []OrderEvent) error {
	var prev []byte
	for i, e := range steps {
		if e.Seq != i+1 {
			return fmt.Errorf("supervision: step %d of the order of card %s is numbered %d", i+1, e.CardID, e.Seq)
		}
		if !bytes.Equal(e.PrevHash, prev) {
			return fmt.Errorf("supervision: step %d of the order of card %s does not follow step %d", e.Seq, e.CardID, e.Seq-1)
		}
		sum := sha256.Sum256(append(append([]byte{}, prev...), eventBytes(e)...))
		if !bytes.Equal(e.Hash, sum[:]) {
			return fmt.Errorf("supervision: step %d of the order of card %s was changed after it was written", e.Seq, e.CardID)
		}
		prev = e.Hash
	}
	return nil
}
