package document

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/notice"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// kinds are the notices the steps issue.
var kinds = map[lifecycle.Action]notice.Kind{
	lifecycle.Accept:            notice.KindAccepted,   // 受理通知书
	lifecycle.RequestCorrection: notice.KindCorrection, // 一次性告知书
	lifecycle.Reject:            notice.KindRejected,   // 不予受理通知书
	lifecycle.Approve:           notice.KindDecided,    // 办结通知（准予）
	lifecycle.Deny:              notice.KindDecided,    // 办结通知（不予）
	// 行政许可法 arts. 42 and 45: the applicant is told in writing.
	lifecycle.Extend: notice.KindExtension,        // 延期通知书
	lifecycle.Pause:  notice.KindSpecialProcedure, // 特别程序告知书
}

// ParseKind reads a notice kind from a path.
func ParseKind(v string) (notice.Kind, bool) {
	k := notice.Kind(v)
	return k, notice.Title(k) != ""
}

// AfterStep is the application service's step hook (application.Service.AfterStep). It runs
// in the step's transaction: a step that issues a notice records what the notice prints as of
// this step and enqueues its rendering; the archive step enqueues the archive package. Both
// jobs exist exactly when the step does, and are unique by their arguments.
func AfterStep(ctx context.Context, a *application.Application, action lifecycle.Action, e *application.Event) error {
	if kind, ok := kinds[action]; ok {
		if err := issue(ctx, a, kind, e); err != nil {
			return fmt.Errorf("issue %s notice: %w", kind, err)
		}
	}
	if a.State == lifecycle.Archived {
		if _, err := tenants.Enqueue(ctx, ArchiveArgs{TenantID: a.TenantID, ApplicationID: a.ID}, nil); err != nil {
			return err
		}
	}
	return nil
}

// Notice is a written notice issued by a step, and where its PDF is.
type Notice struct {
	bun.BaseModel `bun:"table:application_notices,alias:n"`

	TenantID      uuid.UUID   `bun:"tenant_id,pk,type:uuid"`
	ApplicationID uuid.UUID   `bun:"application_id,pk,type:uuid"`
	Kind          notice.Kind `bun:"kind,pk"`
	// Version is the application's version the step produced.
	Version  int `bun:"version,pk"`
	EventSeq int `bun:"event_seq"`
	// Content is what the notice prints, as of the step (StatusURL is filled at rendering).
	Content     notice.Notice `bun:"content,type:jsonb"`
	ObjectKey   string        `bun:"object_key"`
	SHA256      *string       `bun:"sha256"`
	Size        *int64        `bun:"size"`
	VersionID   *string       `bun:"version_id"`
	GeneratedAt *time.Time    `bun:"generated_at"`
	Generations int           `bun:"generations"`
	CreatedAt   time.Time     `bun:"created_at,nullzero,default:now()"`
	// Edition is the notice's number among the application's notices of its kind, 1 for the
	// first: what the clerk reads as 第 N 版. Version, the application's version the step
	// produced, stays the key (a first notice issued at version 7 is still 第 1 版).
	Edition int `bun:"edition,scanonly"`
}

// editionExpr counts the application's notices of n's kind up to n, for Notice.Edition.
const editionExpr = "(SELECT count(*) FROM application_notices e WHERE e.tenant_id = n.tenant_id AND " +
	"e.application_id = n.application_id AND e.kind = n.kind AND e.version <= n.version) AS edition"

// Filename is the name a download of the notice gets.
func (n *Notice) Filename() string {
	no := n.Content.ReceiptNo
	if no == "" {
		no = n.ApplicationID.String()[:8]
	}
	if n.Edition == 0 { // not read with its edition
		return notice.Title(n.Kind) + "-" + no + ".pdf"
	}
	return notice.Title(n.Kind) + "-" + no + "-第" + strconv.Itoa(n.Edition) + "版.pdf"
}

func issue(ctx context.Context, a *application.Application, kind notice.Kind, e *application.Event) error {
	content, err := contentOf(ctx, a, kind, e)
	if err != nil {
		return err
	}
	n := &Notice{TenantID: a.TenantID, ApplicationID: a.ID, Kind: kind, Version: a.Version, EventSeq: e.Seq, Content: *content,
		ObjectKey: "applications/" + a.ID.String() + "/notices/" + string(kind) + "-" + strconv.Itoa(a.Version) + ".pdf"}
	if _, err := tenants.DB(ctx).NewInsert().Model(n).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
		return err
	}
	// The QR code's token, made now while the step holds the application's row lock, so the
	// rendering job only reads it.
	if _, err := status.Token(ctx, a.ID); err != nil {
		return err
	}
	_, err = tenants.Enqueue(ctx, NoticeArgs{TenantID: a.TenantID, ApplicationID: a.ID, NoticeKind: kind, Version: a.Version}, nil)
	return err
}

// hallName is how a notice names the hall: the township's or street's 便民服务中心.
func hallName(u *tenants.OrgUnit) string {
	if strings.HasSuffix(u.Name, "中心") || strings.HasSuffix(u.Name, "大厅") {
		return u.Name
	}
	switch u.Kind {
	case tenants.KindTownship, tenants.KindStreet:
		return u.Name + "便民服务中心"
	}
	return u.Name
}

func dateOf(t *time.Time) workday.Date {
	if t == nil {
		return workday.Date{}
	}
	return workday.DateOf(*t)
}

// contentOf is what the notice of kind issued by step e prints.
func contentOf(ctx context.Context, a *application.Application, kind notice.Kind, e *application.Event) (*notice.Notice, error) {
	t, err := tenants.Current(ctx)
	if err != nil {
		return nil, err
	}
	hall, err := tenants.GetOrgUnit(ctx, a.HallID)
	if err != nil {
		return nil, err
	}
	ver, err := catalog.GetVersion(ctx, a.ItemID, a.ItemVersion)
	if err != nil {
		return nil, err
	}
	n := &notice.Notice{Kind: kind, County: t.Name, Hall: hallName(hall), ItemName: a.ItemName, ItemCode: ver.Content.ImplCode,
		ApplicantName: a.ApplicantName, ApplicantIDMasked: a.ApplicantIDMasked, ReceivedOn: dateOf(a.ReceivedOn),
		AcceptedOn: dateOf(a.AcceptedOn), IssuedOn: workday.DateOf(e.At.In(clock.Zone)), PromisedDue: dateOf(a.PromisedDue),
		LegalDue: dateOf(a.LegalDue), Clerk: e.ActorName, Phone: ver.Content.ConsultPhone, Provisional: a.Provisional}
	if n.ReceivedOn.IsZero() {
		n.ReceivedOn = dateOf(a.ProxyReceived)
	}
	if a.ReceiptNo != nil {
		n.ReceiptNo = *a.ReceiptNo
	}
	byKey := map[string]application.Material{}
	for _, m := range a.Materials {
		byKey[m.Key] = m
		n.Materials = append(n.Materials, notice.Material{Name: m.Name, Form: m.Form.Label(), Copies: m.Copies, Provided: m.Provided, Note: m.Note})
	}
	switch kind {
	case notice.KindCorrection:
		if a.Correction != nil {
			for _, c := range a.Correction.Items {
				m := byKey[c.Key]
				note := map[string]string{"missing": "缺少", "incorrect": "有误"}[c.Problem]
				if c.Note != "" {
					note += "：" + c.Note
				}
				n.Missing = append(n.Missing, notice.Material{Name: c.Name, Form: m.Form.Label(), Copies: m.Copies, Note: note})
			}
		}
	case notice.KindRejected:
		if a.CloseReason != nil {
			n.Reason = *a.CloseReason
		}
	case notice.KindDecided:
		n.Approved = a.Decision != nil && *a.Decision == string(lifecycle.Approve)
		if a.DecisionReason != nil {
			n.Reason = *a.DecisionReason
		}
	case notice.KindExtension:
		n.Reason, n.ExtensionDays = e.Note, a.ExtensionDays
	case notice.KindSpecialProcedure:
		n.Reason = e.Note
		n.Step, _ = e.Data["step"].(string)
		n.StepCounted, _ = e.Data["counted"].(bool)
		switch v := e.Data["limit_days"].(type) { // an int when just written, a float64 when read back
		case int:
			n.StepDays = v
		case float64:
			n.StepDays = int(v)
		}
		if v, ok := e.Data["step_due"].(string); ok {
			n.StepDue, _ = workday.ParseDate(v)
		}
	}
	return n, nil
}

// NoticeArgs render one issued notice. (Its kind is NoticeKind: Kind is River's method.)
type NoticeArgs struct {
	TenantID      uuid.UUID   `json:"tenant_id" river:"unique"`
	ApplicationID uuid.UUID   `json:"application_id" river:"unique"`
	NoticeKind    notice.Kind `json:"kind" river:"unique"`
	// Version is the application's version the issuing step produced.
	Version int `json:"version" river:"unique"`
}

// Kind is River's job kind.
func (NoticeArgs) Kind() string { return "document_notice" }

// Tenant is the job's tenant.
func (a NoticeArgs) Tenant() uuid.UUID { return a.TenantID }

// InsertOpts: the documents queue, once per issued notice.
func (NoticeArgs) InsertOpts() river.InsertOpts { return jobOpts() }

// GenerateNotice renders an issued notice that has no PDF yet; one that has is left alone.
func (s *Service) GenerateNotice(ctx context.Context, args NoticeArgs) error {
	n := new(Notice)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(n)).Where("n.application_id = ? AND n.kind = ? AND n.version = ?", args.ApplicationID, args.NoticeKind, args.Version).
		For("UPDATE").Scan(ctx)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.generate(ctx, n, false)
	return err
}

// statusURL is the public status page the QR code links to; "" (no QR code) when no public
// origin is configured, rather than a link that leads nowhere.
func (s *Service) statusURL(ctx context.Context, app uuid.UUID) (string, error) {
	base := strings.TrimRight(s.PublicURL, "/")
	if base == "" {
		return "", nil
	}
	var token *string
	if err := tenants.DB(ctx).NewSelect().Table("applications").Column("status_token").Where("tenant_id = ? AND id = ?", tenants.CurrentID(ctx), app).Scan(ctx, &token); err != nil {
		return "", err
	}
	if token == nil {
		t, err := status.Token(ctx, app)
		if err != nil {
			return "", err
		}
		token = &t
	}
	t, err := tenants.Current(ctx)
	if err != nil {
		return "", err
	}
	return status.URL(base, t.Code, *token), nil
}

// generate renders n and stores the PDF. Unless force, a notice already rendered is left
// alone. A rendering identical to the stored one (same SHA-256) writes nothing; a different
// one is a new version of the same object, and the row moves to it. The bucket keeps the
// earlier versions.
func (s *Service) generate(ctx context.Context, n *Notice, force bool) (bool, error) {
	if n.SHA256 != nil && !force {
		return false, nil
	}
	docs, err := s.documents(ctx)
	if err != nil {
		return false, err
	}
	content := n.Content
	if content.StatusURL, err = s.statusURL(ctx, n.ApplicationID); err != nil {
		return false, err
	}
	pdf, err := s.render(content)
	if err != nil {
		return false, fmt.Errorf("render the %s notice of application %s: %w", n.Kind, n.ApplicationID, err)
	}
	raw := sha256.Sum256(pdf)
	sum := hex.EncodeToString(raw[:])
	if n.SHA256 != nil && *n.SHA256 == sum {
		return false, nil
	}
	obj, err := docs.Put(ctx, n.ObjectKey, bytes.NewReader(pdf), int64(len(pdf)), "application/pdf")
	if err != nil {
		return false, err
	}
	action, before := "document.notice.generate", ""
	if n.SHA256 != nil {
		action, before = "document.notice.regenerate", *n.SHA256
	}
	now, size := s.now(), int64(len(pdf))
	n.SHA256, n.Size, n.VersionID, n.GeneratedAt = &sum, &size, &obj.VersionID, &now
	n.Generations++
	if _, err := tenants.DB(ctx).NewUpdate().Model(n).Column("sha256", "size", "version_id", "generated_at", "generations").WherePK().Exec(ctx); err != nil {
		return false, err
	}
	return true, tenants.Audit(ctx, tenants.Change{Action: action, TargetType: "application_notice", TargetID: n.ObjectKey,
		Summary: map[string]any{"application_id": n.ApplicationID, "kind": n.Kind, "version": n.Version, "sha256": sum, "previous_sha256": before, "version_id": obj.VersionID, "size": size}})
}

var errNoticeNotFound = problem.NotFound("notice_not_found", "该办件没有这种通知书", "the application has no such notice")

// latestNotice is the newest issued notice of kind (a second correction notice supersedes the
// first), or the one issued at version when version > 0.
func latestNotice(ctx context.Context, app uuid.UUID, kind notice.Kind, version int, lock bool) (*Notice, error) {
	n := new(Notice)
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(n)).Column("n.*").ColumnExpr(editionExpr).
		Where("n.application_id = ? AND n.kind = ?", app, kind).Order("n.version DESC").Limit(1)
	if version > 0 {
		q = q.Where("n.version = ?", version)
	}
	if lock {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		if isNoRows(err) {
			return nil, errNoticeNotFound
		}
		return nil, err
	}
	return n, nil
}

// Regenerate renders the newest notice of kind again, as issued (its content is the step's),
// with today's renderer and public origin: identical bytes change nothing, different bytes
// become a new version. It is what a clerk does after a template or font fix, or when the
// job could not render.
func (s *Service) Regenerate(ctx context.Context, app uuid.UUID, kind notice.Kind) (*Notice, bool, error) {
	if _, err := s.readable(ctx, app); err != nil {
		return nil, false, err
	}
	n, err := latestNotice(ctx, app, kind, 0, true)
	if err != nil {
		return nil, false, err
	}
	changed, err := s.generate(ctx, n, true)
	if err != nil {
		return nil, false, err
	}
	return n, changed, nil
}

// NoticeLink returns a download URL for the newest notice of kind (or the one issued at
// version), pinned to its recorded version, after checking the actor may read the application.
func (s *Service) NoticeLink(ctx context.Context, app uuid.UUID, kind notice.Kind, version int) (*Link, error) {
	if _, err := s.readable(ctx, app); err != nil {
		return nil, err
	}
	n, err := latestNotice(ctx, app, kind, version, false)
	if err != nil {
		return nil, err
	}
	if n.VersionID == nil {
		return nil, problem.Conflict("notice_pending", "通知书正在生成，请稍后再试", "the notice is being rendered; try again shortly")
	}
	docs, err := s.documents(ctx)
	if err != nil {
		return nil, err
	}
	if err := servable(ctx, docs, n.ObjectKey, *n.VersionID); err != nil {
		return nil, err
	}
	u, err := docs.PresignViewVersion(ctx, n.ObjectKey, *n.VersionID, DownloadTTL, n.Filename(), "application/pdf")
	if err != nil {
		return nil, err
	}
	return &Link{URL: u.String(), ExpiresAt: s.now().Add(DownloadTTL)}, nil
}

func listNotices(ctx context.Context, app uuid.UUID) ([]Notice, error) {
	var ns []Notice
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&ns)).Column("n.*").ColumnExpr(editionExpr).
		Where("n.application_id = ?", app).Order("n.version", "n.kind").Scan(ctx)
	return ns, err
}

// NoticePDF is the bytes of the newest notice of kind (or the one issued at version) and the
// name to serve them under, after the checks NoticeLink makes. The app serves them from its
// own origin, so a clerk's PC needs to reach only the app, not the storage (issue 15 item 7).
// The bytes are checked against the recorded SHA-256: a changed object is never served.
func (s *Service) NoticePDF(ctx context.Context, app uuid.UUID, kind notice.Kind, version int) ([]byte, string, error) {
	if _, err := s.readable(ctx, app); err != nil {
		return nil, "", err
	}
	n, err := latestNotice(ctx, app, kind, version, false)
	if err != nil {
		return nil, "", err
	}
	if n.VersionID == nil || n.SHA256 == nil {
		return nil, "", problem.Conflict("notice_pending", "通知书正在生成，请稍后再试", "the notice is being rendered; try again shortly")
	}
	docs, err := s.documents(ctx)
	if err != nil {
		return nil, "", err
	}
	r, _, err := docs.Open(ctx, n.ObjectKey, *n.VersionID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "", errObjectMissing
	}
	if err != nil {
		return nil, "", err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, "", fmt.Errorf("notice %s: read: %w", n.ObjectKey, err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != *n.SHA256 {
		return nil, "", fmt.Errorf("notice %s (version %s): SHA-256 differs from its record: not serving a file that changed", n.ObjectKey, *n.VersionID)
	}
	return b, n.Filename(), nil
}
