// Package supervision is the upward feed (issue 16, item 2) and the regions above counties
// (item 1): what each county publishes into the supervision store, who reads it (city and
// province supervisors, each in their own region), and the platform operator's console.
//
// The feed is de-identified by construction: the store's tables have no column for a name,
// an ID number, a phone number or free text, and a clerk appears only as an HMAC of their
// identity under a secret the county keeps (supervision_keys). A trigger writes an outbox row
// in the transaction of every change the feed carries (applications, their pauses and
// ratings; the access lists' tasks and interceptions; workers and payroll runs); the
// publishing job drains the outbox in seq order, re-reading each record's current state, so
// a record is published at its newest state whatever order transactions committed in, and
// running a batch twice writes the same rows (idempotent). An application's version is its
// own version (one per step) times four plus its ratings (at most two): the same on
// re-publication, and never lower for a later state.
package supervision

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/services/workforce"
	"github.com/yichuang/yichuang/tenants"
)

// Service publishes and reads the feed.
type Service struct {
	Store      *tenants.Store
	Clock      clock.Clock
	Identities Identities
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

// County is a county's line in the store: where it sits and how far it has published.
type County struct {
	bun.BaseModel `bun:"table:supervision.counties,alias:sc"`

	TenantID     uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"tenant_id"`
	RegionPath   string     `bun:"region_path" json:"region_path"`
	Code         string     `bun:"code" json:"code"`
	Name         string     `bun:"name" json:"name"`
	RegionCode   string     `bun:"region_code" json:"region_code"`
	PublishedSeq int64      `bun:"published_seq" json:"published_seq"`
	PublishedAt  *time.Time `bun:"published_at" json:"published_at,omitempty"`
	// MonthsThrough is the last month published as a whole; Publish writes it and every month
	// since again when the month has turned.
	MonthsThrough *string `bun:"months_through" json:"months_through,omitempty"`
}

// Application is one application as the store holds it. Every column is listed in
// PublishedColumns; none may carry a person.
type Application struct {
	bun.BaseModel `bun:"table:supervision.applications,alias:sa"`

	TenantID    uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"tenant_id"`
	ID          uuid.UUID  `bun:"id,pk,type:uuid" json:"id"`
	RegionPath  string     `bun:"region_path" json:"-"`
	Version     int64      `bun:"version" json:"version"`
	ItemCode    string     `bun:"item_code" json:"item_code"`
	ItemName    string     `bun:"item_name" json:"item_name"`
	Township    string     `bun:"township" json:"township"`
	Channel     string     `bun:"channel" json:"channel"`
	ReceivedOn  *time.Time `bun:"received_on,type:date" json:"received_on,omitempty" format:"date"`
	AcceptedOn  *time.Time `bun:"accepted_on,type:date" json:"accepted_on,omitempty" format:"date"`
	DueOn       *time.Time `bun:"due_on,type:date" json:"due_on,omitempty" format:"date"`
	DecidedOn   *time.Time `bun:"decided_on,type:date" json:"decided_on,omitempty" format:"date"`
	DeliveredOn *time.Time `bun:"delivered_on,type:date" json:"delivered_on,omitempty" format:"date"`
	State       string     `bun:"state" json:"state"`
	Warning     string     `bun:"warning" json:"warning"`
	OnTime      *bool      `bun:"on_time" json:"on_time,omitempty"`
	Corrections int        `bun:"corrections" json:"corrections"`
	Pauses      int        `bun:"pauses" json:"pauses"`
	Extensions  int        `bun:"extensions" json:"extensions"`
	Rating      *int       `bun:"rating" json:"rating,omitempty"`
	ClerkRef    string     `bun:"clerk_ref" json:"clerk_ref"`
	StepFeed
	// The facts the cards need (cards.go): the department's name, whether a 不予受理 lacks a
	// stated reason, a 差评's callback deadline and whether the callback came late.
	Department      string     `bun:"department" json:"department"`
	RefusalUnstated bool       `bun:"refusal_unstated" json:"refusal_unstated"`
	CallbackDueOn   *time.Time `bun:"callback_due_on,type:date" json:"callback_due_on,omitempty" format:"date"`
	CallbackLate    bool       `bun:"callback_late" json:"callback_late"`
	// DecisionDays are the working days from acceptance to the decision, on the county's calendar.
	DecisionDays *int `bun:"decision_days" json:"decision_days,omitempty"`
}

// StepFeed is the back-office step part of a published application (环节时限): the running
// step's name (catalogue data; empty when none), due date and warning level (as Warning), and how
// many steps were completed after their due date.
type StepFeed struct {
	StepName    string     `bun:"step_name" json:"step_name"`
	StepDueOn   *time.Time `bun:"step_due_on,type:date" json:"step_due_on,omitempty" format:"date"`
	StepWarning string     `bun:"step_warning" json:"step_warning"`
	StepsLate   int        `bun:"steps_late" json:"steps_late"`
}

// stepSQL reads StepFeed from an application row a (its stages array, services/application):
// a step runs from its start to its completion while the application's clock runs.
const stepSQL = `coalesce(cur.name, '') AS step_name, cur.due_on AS step_due_on, coalesce(cur.warning, 'normal') AS step_warning,
		       (SELECT count(*) FROM jsonb_array_elements(a.stages) s WHERE s->>'late' = 'true') AS steps_late`

const stepJoin = `LEFT JOIN LATERAL (SELECT s->>'name' AS name, (s->>'due_on')::date AS due_on, s->>'warning' AS warning
		FROM jsonb_array_elements(a.stages) s
		WHERE a.state IN ('accepted', 'processing', 'paused') AND s->>'started_on' IS NOT NULL AND s->>'completed_on' IS NULL LIMIT 1) cur ON true`

const stepSet = `, step_name = EXCLUDED.step_name, step_due_on = EXCLUDED.step_due_on, step_warning = EXCLUDED.step_warning, steps_late = EXCLUDED.steps_late`

// BurdenMonth is one community's burden statistics for a month (the access lists).
type BurdenMonth struct {
	bun.BaseModel `bun:"table:supervision.burden_months,alias:sb"`

	TenantID     uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	Month        string    `bun:"month,pk" json:"month"`
	Community    string    `bun:"community,pk" json:"community"`
	RegionPath   string    `bun:"region_path" json:"-"`
	Version      int64     `bun:"version" json:"version" doc:"raised whenever the record's content changes; the same on re-publication (monthVersions)"`
	Tasks        int       `bun:"tasks" json:"tasks"`
	Accepted     int       `bun:"accepted" json:"accepted"`
	Refused      int       `bun:"refused" json:"refused"`
	Intercepted  int       `bun:"intercepted" json:"intercepted"`
	Hours        float64   `bun:"hours" json:"hours"`
	Ledgers      int       `bun:"ledgers" json:"ledgers"`
	Certificates int       `bun:"certificates" json:"certificates"`
	Inspections  int       `bun:"inspections" json:"inspections"`
}

// WorkforceMonth counts a month's community workers of one post and level and what the
// month's payroll paid them (fen).
type WorkforceMonth struct {
	bun.BaseModel `bun:"table:supervision.workforce_months,alias:sw"`

	TenantID   uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	Month      string    `bun:"month,pk" json:"month"`
	Post       string    `bun:"post,pk" json:"post"`
	Level      int       `bun:"level,pk" json:"level"`
	RegionPath string    `bun:"region_path" json:"-"`
	Version    int64     `bun:"version" json:"version" doc:"raised whenever the record's content changes; the same on re-publication (monthVersions)"`
	Workers    int       `bun:"workers" json:"workers"`
	PayrollFen int64     `bun:"payroll_fen" json:"payroll_fen"`
}

// PublishArgs drain one county's outbox.
type PublishArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// Kind is River's job kind.
func (PublishArgs) Kind() string { return "supervision_publish" }

// Tenant is the county whose outbox the job drains.
func (a PublishArgs) Tenant() uuid.UUID { return a.TenantID }

// InsertOpts: one drain per county at a time (River's unique states must include running);
// what arrives while it runs is taken by the next sweep's drain.
func (PublishArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateScheduled, rivertype.JobStateRetryable,
		rivertype.JobStateRunning}}}
}

// SweepEvery is how often the periodic sweep looks for counties with something to publish.
const SweepEvery = time.Minute

// Pending reports whether the county of ctx has outbox rows to publish.
func Pending(ctx context.Context) (bool, error) {
	return tenants.DB(ctx).NewSelect().Table("supervision_outbox").Where("tenant_id = ?", tenants.CurrentID(ctx)).Exists(ctx)
}

// MonthTurned reports whether the county of ctx has published before and the month has turned
// since: its months are then published again (Publish), the past one with its final figure.
func (s *Service) MonthTurned(ctx context.Context) (bool, error) {
	var through *string
	err := tenants.DB(ctx).NewSelect().Model((*County)(nil)).Column("months_through").Where("tenant_id = ?", tenants.CurrentID(ctx)).Scan(ctx, &through)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return through != nil && *through < s.now().In(clock.Zone).Format("2006-01"), err
}

// EnqueueIfPending enqueues the county's drain when its outbox holds rows, its month has turned
// (MonthTurned), or its cards were last evaluated before today (cards.go): the periodic sweep.
func (s *Service) EnqueueIfPending(ctx context.Context) error {
	ok, err := Pending(ctx)
	if err == nil && !ok {
		ok, err = s.MonthTurned(ctx)
	}
	if err == nil && !ok {
		ok, err = cardsBehind(ctx, workday.DateOf(s.now().In(clock.Zone)))
	}
	if err != nil || !ok {
		return err
	}
	_, err = tenants.Enqueue(ctx, PublishArgs{TenantID: tenants.CurrentID(ctx)}, nil)
	return err
}

type outboxRow struct {
	Seq  int64  `bun:"seq"`
	Kind string `bun:"kind"`
	Ref  string `bun:"ref"`
}

// drainBatch bounds one read of the outbox; Publish reads batches until it is empty.
const drainBatch = 1000

// Published says what one Publish did.
type Published struct {
	Rows         int   `json:"rows"`
	Applications int   `json:"applications"`
	Months       int   `json:"months"`
	Seq          int64 `json:"seq"`
}

// Publish drains the county's outbox in seq order into the store, in the transaction of ctx
// (the job's, which completes in it). The county's feed row is locked first, so two drains of
// one county run one after the other.
func (s *Service) Publish(ctx context.Context) (*Published, error) {
	c, err := s.lockCounty(ctx)
	if err != nil {
		return nil, err
	}
	out := &Published{Seq: c.PublishedSeq}
	// The store holds the county's months from its first on the feed (read once: the drain
	// writes none of what it is computed from).
	first, err := s.firstMonth(ctx)
	if err != nil {
		return nil, err
	}
	// The month has turned (or the county publishes for the first time): every month from the
	// last one published as a whole to now, the past ones with their final figures.
	current := s.now().In(clock.Zone).Format("2006-01")
	if c.MonthsThrough == nil || *c.MonthsThrough < current {
		from := ""
		if c.MonthsThrough != nil {
			from = *c.MonthsThrough
		}
		months := s.monthsFrom(first, from)
		if err := s.publishMonths(ctx, c, months); err != nil {
			return nil, err
		}
		if err := s.closeMonths(ctx, c, current); err != nil {
			return nil, err
		}
		out.Months += len(months)
	}
	for {
		var rows []outboxRow
		if err := tenants.DB(ctx).NewSelect().Table("supervision_outbox").Column("seq", "kind", "ref").
			Where("tenant_id = ?", c.TenantID).Order("seq").Limit(drainBatch).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			break
		}
		apps, months := map[uuid.UUID]bool{}, map[string]bool{}
		seqs := make([]int64, len(rows))
		for i, r := range rows {
			seqs[i] = r.Seq
			switch r.Kind {
			case "application":
				if id, err := uuid.Parse(r.Ref); err == nil {
					apps[id] = true
				}
			case "month":
				months[r.Ref] = true
				if t, err := time.Parse("2006-01", r.Ref); err == nil {
					months[t.AddDate(0, -1, 0).Format("2006-01")] = true // a late payroll or task of the month before
				}
			case "months_from": // a worker change dated back: that month and every one since
				if _, err := time.Parse("2006-01", r.Ref); err != nil {
					continue
				}
				for _, m := range s.monthsFrom(first, r.Ref) {
					months[m] = true
				}
			}
		}
		ids := make([]uuid.UUID, 0, len(apps))
		for id := range apps {
			ids = append(ids, id)
		}
		n, err := s.publishApplications(ctx, c, ids)
		if err != nil {
			return nil, err
		}
		for m := range months { // the store holds the county's months from its first on the feed
			if m < first {
				delete(months, m)
			}
		}
		if err := s.publishMonths(ctx, c, sortedKeys(months)); err != nil {
			return nil, err
		}
		if _, err := tenants.DB(ctx).NewDelete().Table("supervision_outbox").
			Where("tenant_id = ? AND seq IN (?)", c.TenantID, bun.In(seqs)).Exec(ctx); err != nil {
			return nil, err
		}
		out.Rows += len(rows)
		out.Applications += n
		out.Months += len(months)
		out.Seq = rows[len(rows)-1].Seq
	}
	if err := s.dailyCards(ctx, c); err != nil {
		return nil, err
	}
	return out, s.stamp(ctx, c, out.Seq)
}

// Republish rebuilds the county's part of the store from scratch: its rows are deleted and
// every application and every month with data is published again, and the outbox read so far
// is taken as done. The result is the store that publishing change by change gave
// (TestRepublishGivesTheSameStore).
func (s *Service) Republish(ctx context.Context) (*Published, error) {
	c, err := s.lockCounty(ctx)
	if err != nil {
		return nil, err
	}
	db, tid := tenants.DB(ctx), c.TenantID
	for _, m := range []any{(*Application)(nil), (*BurdenMonth)(nil), (*WorkforceMonth)(nil)} {
		if _, err := db.NewDelete().Model(m).Where("tenant_id = ?", tid).Exec(ctx); err != nil {
			return nil, err
		}
	}
	var maxSeq int64
	if err := db.NewSelect().Table("supervision_outbox").ColumnExpr("coalesce(max(seq), 0)").Where("tenant_id = ?", tid).Scan(ctx, &maxSeq); err != nil {
		return nil, err
	}
	out := &Published{Seq: max(maxSeq, c.PublishedSeq)}
	// Keyset over the county's applications, a batch at a time.
	var after uuid.UUID
	for {
		var ids []uuid.UUID
		if err := db.NewSelect().Table("applications").Column("id").Where("tenant_id = ? AND id > ?", tid, after).
			Order("id").Limit(500).Scan(ctx, &ids); err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			break
		}
		n, err := s.publishApplications(ctx, c, ids)
		if err != nil {
			return nil, err
		}
		out.Applications += n
		after = ids[len(ids)-1]
	}
	first, err := s.firstMonth(ctx)
	if err != nil {
		return nil, err
	}
	months := s.monthsFrom(first, "")
	if err := s.publishMonths(ctx, c, months); err != nil {
		return nil, err
	}
	if err := s.closeMonths(ctx, c, s.now().In(clock.Zone).Format("2006-01")); err != nil {
		return nil, err
	}
	out.Months = len(months)
	if _, err := db.NewDelete().Table("supervision_outbox").Where("tenant_id = ? AND seq <= ?", tid, maxSeq).Exec(ctx); err != nil {
		return nil, err
	}
	return out, s.stamp(ctx, c, out.Seq)
}

// lockCounty writes (or refreshes) the county's feed row and locks it. The region path is
// the county's city's, as it stands now.
func (s *Service) lockCounty(ctx context.Context) (*County, error) {
	t, err := tenants.Current(ctx)
	if err != nil {
		return nil, err
	}
	path := ""
	if t.CityCode != nil {
		if err := tenants.DB(ctx).NewSelect().Table("supervision.regions").Column("path").Where("code = ?", *t.CityCode).Scan(ctx, &path); err != nil {
			return nil, fmt.Errorf("supervision: city %s: %w", *t.CityCode, err)
		}
	}
	c := &County{TenantID: t.ID, RegionPath: path, Code: t.Code, Name: t.Name, RegionCode: t.RegionCode}
	if _, err := tenants.DB(ctx).NewInsert().Model(c).On("CONFLICT (tenant_id) DO UPDATE").
		Set("region_path = EXCLUDED.region_path, code = EXCLUDED.code, name = EXCLUDED.name, region_code = EXCLUDED.region_code").
		Exec(ctx); err != nil {
		return nil, err
	}
	if err := tenants.DB(ctx).NewSelect().Model(c).Where("tenant_id = ?", t.ID).For("UPDATE").Scan(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Service) stamp(ctx context.Context, c *County, seq int64) error {
	_, err := tenants.DB(ctx).NewUpdate().Model((*County)(nil)).Set("published_seq = ?, published_at = ?", seq, s.now()).
		Where("tenant_id = ?", c.TenantID).Exec(ctx)
	return err
}

// source is what the feed reads of one application, in the county's transaction.
type source struct {
	ID          uuid.UUID  `bun:"id"`
	Version     int64      `bun:"version"`
	ItemCode    string     `bun:"item_code"`
	ItemName    string     `bun:"item_name"`
	Township    string     `bun:"township"`
	Channel     string     `bun:"channel"`
	ReceivedOn  *time.Time `bun:"received_on"`
	AcceptedOn  *time.Time `bun:"accepted_on"`
	DueOn       *time.Time `bun:"due_on"`
	DecidedOn   *time.Time `bun:"decided_on"`
	DeliveredOn *time.Time `bun:"delivered_on"`
	State       string     `bun:"state"`
	Warning     string     `bun:"warning"`
	Corrections int        `bun:"correction_count"`
	Pauses      int        `bun:"pauses"`
	Extensions  int        `bun:"extensions"`
	Rating      *int       `bun:"rating"`
	Ratings     int64      `bun:"ratings"`
	Clerk       *uuid.UUID `bun:"clerk"`
	StepFeed
	Department  string     `bun:"department"`
	Rejected    bool       `bun:"rejected"`
	CloseReason string     `bun:"close_reason"`
	CallbackDue *time.Time `bun:"callback_due"`
	CalledAt    *time.Time `bun:"called_at"`
	Days        *int       `bun:"decision_days"`
}

func (s *Service) publishApplications(ctx context.Context, c *County, ids []uuid.UUID) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	db, tid := tenants.DB(ctx), c.TenantID
	var src []source
	// The clerk of the record is who took it in (the window's or the proxy's member).
	err := db.NewRaw(`
		SELECT a.id, a.version, coalesce(si.impl_code, '') AS item_code, a.item_name, coalesce(ou.name, '') AS township, a.channel,
		       a.received_on, a.accepted_on, coalesce(a.promised_due, a.legal_due) AS due_on, a.decided_on, a.delivered_on,
		       a.state, a.warning, a.correction_count,
		       (SELECT count(*) FROM application_pauses p WHERE p.tenant_id = a.tenant_id AND p.application_id = a.id) AS pauses,
		       CASE WHEN a.extension_days > 0 THEN 1 ELSE 0 END AS extensions,
		       (SELECT r.score FROM ratings r WHERE r.tenant_id = a.tenant_id AND r.application_id = a.id ORDER BY r.round DESC LIMIT 1) AS rating,
		       (SELECT count(*) FROM ratings r WHERE r.tenant_id = a.tenant_id AND r.application_id = a.id) AS ratings,
		       a.created_by AS clerk, `+stepSQL+`,
		       coalesce(dep.name, '') AS department,
		       EXISTS (SELECT FROM application_events e WHERE e.tenant_id = a.tenant_id AND e.application_id = a.id AND e.action = 'reject') AS rejected,
		       coalesce(a.close_reason, '') AS close_reason,
		       rc.callback_due, rc.called_at, a.decision_days
		FROM applications a
		LEFT JOIN service_items si ON si.tenant_id = a.tenant_id AND si.id = a.item_id
		LEFT JOIN org_units ou ON ou.tenant_id = a.tenant_id AND ou.id = a.hall_id
		LEFT JOIN org_units dep ON dep.tenant_id = a.tenant_id AND dep.id = a.department_id
		LEFT JOIN LATERAL (
			SELECT r.callback_due,
			       (SELECT min(s.at) FROM rectification_steps s WHERE s.tenant_id = r.tenant_id AND s.case_id = r.id AND s.kind = 'callback') AS called_at
			FROM rectifications r WHERE r.tenant_id = a.tenant_id AND r.application_id = a.id
			ORDER BY r.created_at DESC LIMIT 1) rc ON true
		`+stepJoin+`
		WHERE a.tenant_id = ? AND a.id IN (?)`, tid, bun.In(ids)).Scan(ctx, &src)
	if err != nil {
		return 0, err
	}
	if len(src) == 0 {
		return 0, nil
	}
	key, err := countyKey(ctx)
	if err != nil {
		return 0, err
	}
	rows := make([]Application, len(src))
	for i, a := range src {
		rows[i] = Application{TenantID: tid, ID: a.ID, RegionPath: c.RegionPath, Version: a.Version*4 + a.Ratings,
			ItemCode: a.ItemCode, ItemName: a.ItemName, Township: a.Township, Channel: a.Channel,
			ReceivedOn: a.ReceivedOn, AcceptedOn: a.AcceptedOn, DueOn: a.DueOn, DecidedOn: a.DecidedOn, DeliveredOn: a.DeliveredOn,
			State: a.State, Warning: a.Warning, Corrections: a.Corrections, Pauses: a.Pauses, Extensions: a.Extensions,
			Rating: a.Rating, ClerkRef: pseudonym(key, a.Clerk), StepFeed: a.StepFeed, Department: a.Department, DecisionDays: a.Days}
		cardFacts(&rows[i], a, s.now())
		if a.DecidedOn != nil && a.DueOn != nil {
			on := !a.DecidedOn.After(*a.DueOn)
			rows[i].OnTime = &on
		}
	}
	// A stored row of a higher version is newer than this read (it cannot be: drains of a
	// county are serialised by the feed row's lock, and each reads the current state); the
	// guard keeps the rule visible. An equal version is overwritten: derived fields (the
	// warning level) change without a step.
	_, err = db.NewInsert().Model(&rows).On("CONFLICT (tenant_id, id) DO UPDATE").
		Set(`region_path = EXCLUDED.region_path, version = EXCLUDED.version, item_code = EXCLUDED.item_code, item_name = EXCLUDED.item_name,
			township = EXCLUDED.township, channel = EXCLUDED.channel, received_on = EXCLUDED.received_on, accepted_on = EXCLUDED.accepted_on,
			due_on = EXCLUDED.due_on, decided_on = EXCLUDED.decided_on, delivered_on = EXCLUDED.delivered_on, state = EXCLUDED.state,
			warning = EXCLUDED.warning, on_time = EXCLUDED.on_time, corrections = EXCLUDED.corrections, pauses = EXCLUDED.pauses,
			extensions = EXCLUDED.extensions, rating = EXCLUDED.rating, clerk_ref = EXCLUDED.clerk_ref,
			department = EXCLUDED.department, refusal_unstated = EXCLUDED.refusal_unstated,
			callback_due_on = EXCLUDED.callback_due_on, callback_late = EXCLUDED.callback_late,
			decision_days = EXCLUDED.decision_days` + stepSet).
		Where("sa.version <= EXCLUDED.version").Exec(ctx)
	if err != nil {
		return 0, err
	}
	// The cards follow from the rows just written, in the same transaction (cards.go).
	return len(rows), s.raiseCards(ctx, c, rows)
}

// countyKey is the county's secret for clerk pseudonyms, made on first use.
func countyKey(ctx context.Context) ([]byte, error) {
	db, tid := tenants.DB(ctx), tenants.CurrentID(ctx)
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	if _, err := db.NewRaw("INSERT INTO supervision_keys (tenant_id, secret) VALUES (?, ?) ON CONFLICT (tenant_id) DO NOTHING", tid, fresh).Exec(ctx); err != nil {
		return nil, err
	}
	var key []byte
	err := db.NewSelect().Table("supervision_keys").Column("secret").Where("tenant_id = ?", tid).Scan(ctx, &key)
	return key, err
}

// pseudonym is a clerk's id in the feed: HMAC-SHA256 under the county's secret, 32 hex digits.
// The same clerk has the same pseudonym in every record of the county; nobody without the
// secret can tell who it is, or match a clerk across counties.
func pseudonym(key []byte, id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	m := hmac.New(sha256.New, key)
	m.Write(id[:])
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// publishMonths writes the county's burden and workforce rows of each month as they stand
// now, each at its version (writeMonth).
func (s *Service) publishMonths(ctx context.Context, c *County, months []string) error {
	if len(months) == 0 {
		return nil
	}
	db, tid := tenants.DB(ctx), c.TenantID
	current := s.now().In(clock.Zone).Format("2006-01")
	for _, m := range months {
		if _, err := time.Parse("2006-01", m); err != nil {
			continue
		}
		rep, err := access.Compute(ctx, m, m, workday.Date{}, 0)
		if err != nil {
			return err
		}
		var burden []BurdenMonth
		for _, b := range rep.ByCommunity {
			if b.Month != m {
				continue
			}
			burden = append(burden, BurdenMonth{TenantID: tid, Month: m, Community: b.Label, RegionPath: c.RegionPath, Tasks: b.Tasks,
				Accepted: b.Accepted, Refused: b.Refused, Intercepted: b.Intercepted, Hours: b.Hours, Ledgers: b.Ledgers,
				Certificates: b.Certificates, Inspections: b.Inspections})
		}
		var work []WorkforceMonth
		// A month with a payroll run: its lines, by post and the worker's level. A month
		// without one: the workers in service on its last day (today for the current month),
		// from their effective-dated records, so the month reads the same however often and
		// whenever it is published again.
		err = db.NewRaw(`
			SELECT pl.post, w.level, count(*) AS workers, sum(pl.total) AS payroll_fen
			FROM payroll_lines pl JOIN workers w ON w.tenant_id = pl.tenant_id AND w.id = pl.worker_id
			WHERE pl.tenant_id = ? AND pl.month = to_date(?, 'YYYY-MM')
			GROUP BY pl.post, w.level`, tid, m).Scan(ctx, &work)
		if err != nil {
			return err
		}
		if len(work) == 0 {
			first, _ := time.ParseInLocation("2006-01", m, clock.Zone)
			on := workday.DateOf(first.AddDate(0, 1, -1))
			if m == current {
				on = workday.DateOf(s.now().In(clock.Zone))
			}
			strength, err := workforce.StrengthOn(ctx, on)
			if err != nil {
				return err
			}
			for _, x := range strength {
				work = append(work, WorkforceMonth{Post: string(x.Post), Level: x.Level, Workers: x.Workers})
			}
		}
		for i := range work {
			work[i].TenantID, work[i].Month, work[i].RegionPath = tid, m, c.RegionPath
		}
		if err := writeMonth(ctx, tid, m, burden, work); err != nil {
			return err
		}
	}
	return nil
}

// firstMonth is the county's first month on the feed: the month it joined, or an earlier one
// its tasks, interceptions or payroll runs were entered for.
func (s *Service) firstMonth(ctx context.Context) (string, error) {
	var first time.Time
	tid := tenants.CurrentID(ctx)
	err := tenants.DB(ctx).NewRaw(`SELECT least(
		(SELECT min(dispatched_on) FROM community_tasks WHERE tenant_id = ?),
		(SELECT min(intercepted_on) FROM dispatch_interceptions WHERE tenant_id = ?),
		(SELECT min(month) FROM payroll_runs WHERE tenant_id = ?),
		(SELECT (created_at AT TIME ZONE 'Asia/Shanghai')::date FROM tenants WHERE id = ?))`, tid, tid, tid, tid).Scan(ctx, &first)
	if err != nil {
		return "", err
	}
	return first.UTC().Format("2006-01"), nil // a date: midnight UTC
}

// monthsFrom are the months from the later of from and first (the county's first month) to
// the current one.
func (s *Service) monthsFrom(first, from string) []string {
	if from < first {
		from = first
	}
	f, err := time.ParseInLocation("2006-01", from, clock.Zone)
	if err != nil {
		return nil
	}
	now := s.now().In(clock.Zone)
	cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, clock.Zone)
	var out []string
	for m := f; !m.After(cur); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// closeMonths records the current month as published as a whole.
func (s *Service) closeMonths(ctx context.Context, c *County, current string) error {
	_, err := tenants.DB(ctx).NewUpdate().Model((*County)(nil)).Set("months_through = ?", current).Where("tenant_id = ?", c.TenantID).Exec(ctx)
	return err
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
