// Package notify is the in-app notification centre and the SMS outbox. Notifications and
// outbox rows are written in the transaction of the event that causes them, with a dedup key,
// so a job that runs twice notifies once; a job then hands the outbox to an SMS Sender.
package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/tenants"
)

// Notification is one message in a member's notification centre.
type Notification struct {
	bun.BaseModel `bun:"table:notifications,alias:n"`

	TenantID      uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID            uuid.UUID  `bun:"id,pk,type:uuid"`
	RecipientID   uuid.UUID  `bun:"recipient_id,type:uuid"`
	Kind          string     `bun:"kind"`
	ApplicationID *uuid.UUID `bun:"application_id,type:uuid"`
	Title         string     `bun:"title"`
	Body          string     `bun:"body"`
	DedupKey      string     `bun:"dedup_key"`
	CreatedAt     time.Time  `bun:"created_at,nullzero,default:now()"`
	ReadAt        *time.Time `bun:"read_at"`
}

// Outbox is one SMS waiting for the sender.
type Outbox struct {
	bun.BaseModel `bun:"table:sms_outbox,alias:o"`

	TenantID  uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	Phone     string     `bun:"phone"`
	Body      string     `bun:"body"`
	DedupKey  string     `bun:"dedup_key"`
	Status    string     `bun:"status"`
	Attempts  int        `bun:"attempts"`
	LastError *string    `bun:"last_error"`
	CreatedAt time.Time  `bun:"created_at,nullzero,default:now()"`
	SentAt    *time.Time `bun:"sent_at"`
}

// Message is what to tell the recipients.
type Message struct {
	Kind          string
	ApplicationID *uuid.UUID
	Title         string
	Body          string
	// DedupKey identifies the event: the same key never notifies a recipient twice.
	DedupKey string
	// SMS also texts each recipient.
	SMS bool
}

// Send notifies each recipient (members of the tenant) once per dedup key and returns how
// many new notifications it wrote.
func Send(ctx context.Context, recipients []uuid.UUID, m Message) (int, error) {
	if len(recipients) == 0 {
		return 0, nil
	}
	tx, _ := tenants.TxFrom(ctx)
	rows := make([]Notification, 0, len(recipients))
	seen := map[uuid.UUID]bool{}
	for _, r := range recipients {
		if seen[r] {
			continue
		}
		seen[r] = true
		rows = append(rows, Notification{TenantID: tx.TenantID(), ID: uuid.New(), RecipientID: r, Kind: m.Kind,
			ApplicationID: m.ApplicationID, Title: m.Title, Body: m.Body, DedupKey: m.DedupKey})
	}
	res, err := tenants.DB(ctx).NewInsert().Model(&rows).On("CONFLICT (tenant_id, recipient_id, dedup_key) DO NOTHING").Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if !m.SMS || n == 0 {
		return int(n), nil
	}
	phones, err := tenants.Phones(ctx, recipients)
	if err != nil {
		return 0, err
	}
	out := make([]Outbox, 0, len(phones))
	for _, p := range phones {
		out = append(out, Outbox{TenantID: tx.TenantID(), ID: uuid.New(), Phone: p, Body: "【一窗】" + m.Title + "：" + m.Body, DedupKey: m.DedupKey, Status: "pending"})
	}
	if len(out) > 0 {
		if _, err := tenants.DB(ctx).NewInsert().Model(&out).On("CONFLICT (tenant_id, phone, dedup_key) DO NOTHING").Exec(ctx); err != nil {
			return 0, err
		}
		if _, err := tenants.Enqueue(ctx, DeliverArgs{TenantID: tx.TenantID()}, nil); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}

// Delivery is one message to its recipients.
type Delivery struct {
	To []uuid.UUID
	Message
}

// SendMany is Send for many messages at once, in one statement (a reconciliation's warnings,
// most of them told already): each recipient hears of each dedup key once, and a message that
// reached anyone new is texted as Send texts it. It returns how many new notifications it
// wrote.
func SendMany(ctx context.Context, ds []Delivery) (int, error) {
	tx, _ := tenants.TxFrom(ctx)
	var rows []Notification
	for _, d := range ds {
		seen := map[uuid.UUID]bool{}
		for _, r := range d.To {
			if seen[r] {
				continue
			}
			seen[r] = true
			rows = append(rows, Notification{TenantID: tx.TenantID(), ID: uuid.New(), RecipientID: r, Kind: d.Kind,
				ApplicationID: d.ApplicationID, Title: d.Title, Body: d.Body, DedupKey: d.DedupKey})
		}
	}
	if len(rows) == 0 {
		return 0, nil
	}
	var fresh []string
	if _, err := tenants.DB(ctx).NewInsert().Model(&rows).On("CONFLICT (tenant_id, recipient_id, dedup_key) DO NOTHING").
		Returning("dedup_key").Exec(ctx, &fresh); err != nil {
		return 0, err
	}
	told := map[string]bool{}
	for _, k := range fresh {
		told[k] = true
	}
	var out []Outbox
	for _, d := range ds {
		if !d.SMS || !told[d.DedupKey] {
			continue
		}
		phones, err := tenants.Phones(ctx, d.To)
		if err != nil {
			return 0, err
		}
		for _, p := range phones {
			out = append(out, Outbox{TenantID: tx.TenantID(), ID: uuid.New(), Phone: p, Body: "【一窗】" + d.Title + "：" + d.Body, DedupKey: d.DedupKey, Status: "pending"})
		}
	}
	if len(out) > 0 {
		if _, err := tenants.DB(ctx).NewInsert().Model(&out).On("CONFLICT (tenant_id, phone, dedup_key) DO NOTHING").Exec(ctx); err != nil {
			return 0, err
		}
		if _, err := tenants.Enqueue(ctx, DeliverArgs{TenantID: tx.TenantID()}, nil); err != nil {
			return 0, err
		}
	}
	return len(fresh), nil
}

// Page is a page of a member's notifications, newest first.
type Page struct {
	Items  []Notification
	Next   string
	Unread int
}

// Inbox lists the notifications of recipient.
func Inbox(ctx context.Context, recipient uuid.UUID, unreadOnly bool, cursor string, limit int) (*Page, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var items []Notification
	q := tenants.DB(ctx).NewSelect().Model(&items).Where("n.tenant_id = ? AND n.recipient_id = ?", tenants.CurrentID(ctx), recipient).
		OrderExpr("n.created_at DESC, n.id DESC").Limit(int64(limit + 1))
	if unreadOnly {
		q = q.Where("n.read_at IS NULL")
	}
	if cursor != "" {
		at, id, err := tenants.DecodeCursor(cursor)
		if err != nil {
			return nil, err
		}
		q = q.Where("(n.created_at, n.id) < (?, ?)", at, id)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	p := &Page{Items: items}
	if len(items) > limit {
		last := items[limit-1]
		p.Items, p.Next = items[:limit], tenants.EncodeCursor(last.CreatedAt, last.ID)
	}
	n, err := tenants.DB(ctx).NewSelect().Model((*Notification)(nil)).Where("tenant_id = ? AND recipient_id = ? AND read_at IS NULL", tenants.CurrentID(ctx), recipient).Count(ctx)
	p.Unread = int(n)
	return p, err
}

// MarkRead marks one notification (id) or all of the recipient's (uuid.Nil) as read.
func MarkRead(ctx context.Context, recipient, id uuid.UUID) (int, error) {
	q := tenants.DB(ctx).NewUpdate().Model((*Notification)(nil)).Set("read_at = now()").
		Where("tenant_id = ? AND recipient_id = ? AND read_at IS NULL", tenants.CurrentID(ctx), recipient)
	if id != uuid.Nil {
		q = q.Where("id = ?", id)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Sender sends one text message. A gateway (Aliyun, Tencent Cloud, a province's platform) is
// an implementation of this; the product ships LogSender.
type Sender interface {
	Send(ctx context.Context, phone, body string) error
}

// LogSender writes messages to the log instead of a gateway.
type LogSender struct{ Logger *slog.Logger }

// Send logs the message, with the number masked.
func (s LogSender) Send(ctx context.Context, phone, body string) error {
	l := s.Logger
	if l == nil {
		l = slog.Default()
	}
	masked := phone
	if len(phone) == 11 {
		masked = phone[:3] + "****" + phone[7:]
	}
	l.InfoContext(ctx, "sms", "phone", masked, "body", body)
	return nil
}

// DeliverArgs asks for the tenant's pending SMS to be sent.
type DeliverArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// Kind is River's job kind. Delivery jobs are not unique: parallel ones share the outbox
// through SKIP LOCKED, and a message written while one runs is never left without a job.
func (DeliverArgs) Kind() string { return "sms_deliver" }

// Tenant is the job's tenant.
func (a DeliverArgs) Tenant() uuid.UUID { return a.TenantID }

// MaxAttempts before an outbox row is marked failed.
const MaxAttempts = 5

// Deliver sends up to limit pending messages. It runs in the tenant transaction, locking the
// rows it sends (SKIP LOCKED, so parallel runs share the work); a message whose commit is lost
// after sending may be sent again, the usual at-least-once of an outbox.
func Deliver(ctx context.Context, s Sender, limit int) (int, error) {
	var rows []Outbox
	if err := tenants.DB(ctx).NewSelect().Model(&rows).Where("o.tenant_id = ? AND o.status = 'pending'", tenants.CurrentID(ctx)).OrderExpr("o.created_at").
		Limit(int64(limit)).For("UPDATE SKIP LOCKED").Scan(ctx); err != nil {
		return 0, err
	}
	sent := 0
	for i := range rows {
		o := &rows[i]
		o.Attempts++
		q := tenants.DB(ctx).NewUpdate().Model(o).WherePK()
		if err := s.Send(ctx, o.Phone, o.Body); err != nil {
			msg := err.Error()
			o.LastError = &msg
			if o.Attempts >= MaxAttempts {
				o.Status = "failed"
			}
			if _, err := q.Column("attempts", "last_error", "status").Exec(ctx); err != nil {
				return sent, err
			}
			continue
		}
		now := time.Now()
		o.Status, o.SentAt = "sent", &now
		if _, err := q.Column("attempts", "status", "sent_at").Exec(ctx); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}
