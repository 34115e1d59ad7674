// Package document keeps an application's paper in MinIO: the scans and photos attached to
// its materials (uploaded through the API or straight to MinIO with a presigned URL, typed
// by their content, and attached only after a job re-reads them and checks their SHA-256),
// the written notices its steps issue (rendered by services/notice, regenerated as new
// versions of the same object), and its archive package under an object-lock retention
// when it is archived. The database holds the index and the integrity record; the bytes
// live under the tenant's prefix (services/storage).
package document

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/notice"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/tenants"
)

// Queue is the River queue of the document jobs. Rendering, hashing and packing read and
// write MinIO and take seconds, not milliseconds: in their own queue they neither wait
// behind nor hold up the deadline jobs, and a process without MinIO leaves them alone.
const Queue = "documents"

// Lifetimes of the presigned URLs: long enough for a slow county line to move a 20 MB scan,
// short enough that a URL copied out of a browser is soon useless.
const (
	UploadTTL   = 15 * time.Minute
	DownloadTTL = 5 * time.Minute
)

// Service carries what the operations need besides the transaction in ctx.
type Service struct {
	// Store opens the transactions of a direct upload: the body is read between two of
	// them, never inside one.
	Store   *tenants.Store
	Storage *storage.Store
	// Apps answers who may read an application (its Get is the check GET
	// /api/v1/applications/{id} makes).
	Apps  *application.Service
	Clock clock.Clock
	// PublicURL is the public origin the notices' QR codes link to (YC_PUBLIC_URL).
	PublicURL string
	// Render renders a notice; nil is notice.Render.
	Render func(notice.Notice) ([]byte, error)
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

func (s *Service) render(n notice.Notice) ([]byte, error) {
	if s.Render != nil {
		return s.Render(n)
	}
	return notice.Render(n)
}

var errNoStorage = problem.Unavailable("storage_unavailable", "文件存储服务未配置或不可用", "document storage is not configured")

func (s *Service) documents(ctx context.Context) (*storage.Tenant, error) {
	if s.Storage == nil {
		return nil, errNoStorage
	}
	tx, ok := tenants.TxFrom(ctx)
	if !ok {
		return nil, errors.New("document: storage outside a tenant transaction")
	}
	return s.Storage.Documents(tx.TenantID()), nil
}

func (s *Service) archive(ctx context.Context) (*storage.Tenant, error) {
	if s.Storage == nil {
		return nil, errNoStorage
	}
	tx, ok := tenants.TxFrom(ctx)
	if !ok {
		return nil, errors.New("document: storage outside a tenant transaction")
	}
	return s.Storage.Archive(tx.TenantID()), nil
}

// readable returns the application if the actor in ctx may read it, with exactly the rule
// (and the 404 for anything else) of the application page.
func (s *Service) readable(ctx context.Context, id uuid.UUID) (*application.Application, error) {
	apps := s.Apps
	if apps == nil {
		apps = &application.Service{Clock: s.Clock}
	}
	d, err := apps.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return &d.Application, nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// ---- settings

// Retention is a 保管期限 of 国家档案局令第8号《机关文件材料归档范围和文书档案保管期限规定》.
type Retention string

const (
	RetentionPermanent Retention = "permanent" // 永久
	Retention30        Retention = "30y"       // 定期30年
	Retention10        Retention = "10y"       // 定期10年
)

// Retentions lists the periods, longest first.
var Retentions = []Retention{RetentionPermanent, Retention30, Retention10}

var retentionInfo = map[Retention]struct {
	years int
	label string
}{
	// An object lock needs an end date: a century stands for 永久, outliving any system the
	// package is kept in (permanent files go to the 档案馆 long before).
	RetentionPermanent: {100, "永久"},
	Retention30:        {30, "定期30年"},
	Retention10:        {10, "定期10年"},
}

// Label is the period's Chinese name.
func (r Retention) Label() string { return retentionInfo[r].label }

func (r Retention) years() int { return retentionInfo[r].years }

// Valid reports whether r is one of the periods.
func (r Retention) Valid() bool { _, ok := retentionInfo[r]; return ok }

// Until is the end of the retention of a file closed on closed: periods count from 1 January
// of the year after the file was formed, as archives count them.
func (r Retention) Until(closed time.Time) time.Time {
	c := closed.In(clock.Zone)
	return time.Date(c.Year()+1+retentionInfo[r].years, time.January, 1, 0, 0, 0, 0, clock.Zone)
}

// Settings are a county's document rules.
type Settings struct {
	bun.BaseModel `bun:"table:document_settings,alias:ds"`

	TenantID uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	// MaxUploadBytes is the largest file a material may have.
	MaxUploadBytes int64 `bun:"max_upload_bytes"`
	// Retention is how long archive packages are locked.
	Retention Retention `bun:"retention"`
	UpdatedAt time.Time `bun:"updated_at,nullzero,default:now()"`
}

// Default values, and their bounds.
const (
	DefaultMaxUpload = 20 << 20
	MinMaxUpload     = 1 << 20
	MaxMaxUpload     = 200 << 20
)

// DefaultSettings: 20 MB per file (a phone photo or a 300 dpi colour scan of a page is a few
// MB, a multi-page PDF scan stays well below it) and 定期30年 for the archive, the period
// counties commonly give 行政许可 case files.
func DefaultSettings() Settings {
	return Settings{MaxUploadBytes: DefaultMaxUpload, Retention: Retention30}
}

// GetSettings returns the tenant's document rules, the defaults where it has none.
func GetSettings(ctx context.Context) (*Settings, error) {
	return tenants.GetSettings(ctx, DefaultSettings())
}

// PutSettings stores a county admin's values.
func PutSettings(ctx context.Context, in Settings) (*Settings, error) {
	var c problem.Checker
	c.Check(in.MaxUploadBytes >= MinMaxUpload && in.MaxUploadBytes <= MaxMaxUpload, "body.max_upload_mb",
		"单个文件大小上限须为 1 至 200 MB", "the file size limit must be 1 to 200 MB", in.MaxUploadBytes>>20)
	c.Check(in.Retention.Valid(), "body.retention", "保管期限须为永久、定期30年或定期10年", "retention must be permanent, 30y or 10y", in.Retention)
	if err := c.Err(); err != nil {
		return nil, err
	}
	before, err := GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	if err := tenants.PutSettings(ctx, &in); err != nil {
		return nil, err
	}
	if err := tenants.Audit(ctx, tenants.Change{Action: "document_settings.update", TargetType: "document_settings", TargetID: in.TenantID.String(),
		Summary: map[string]any{"max_upload_bytes": []int64{before.MaxUploadBytes, in.MaxUploadBytes},
			"retention": []Retention{before.Retention, in.Retention}}}); err != nil {
		return nil, err
	}
	return &in, nil
}

// mb renders a byte count for messages.
func mb(n int64) string {
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}

func tooLarge(limit int64, loc string) *problem.Error {
	return &problem.Error{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large",
		Message: "文件超过本县规定的单个文件大小上限（" + mb(limit) + "）", MessageEn: "the file exceeds the county's limit of " + mb(limit),
		Fields: []problem.Field{{Location: loc, Message: "文件不能超过 " + mb(limit), MessageEn: "at most " + mb(limit)}}}
}

// jobOpts put a job in the documents queue, unique by its arguments in any state but
// cancelled or discarded: a retried step, or a job that runs twice, adds nothing.
func jobOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}
