package document

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/notice"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// LockMode is the object lock of archive packages. COMPLIANCE: until the retention ends no
// one — not a county admin, not the platform operator, not MinIO's root account — can
// delete or overwrite the package or shorten its retention. That is what an archive is for:
// destruction happens only after the period, through 鉴定 and 销毁 procedure, never by a
// credential. (GOVERNANCE would let a privileged user bypass the lock, i.e. the same
// credential that could be stolen.) The cost is that a package locked by mistake stays
// until its date: retention is therefore a deliberate county setting.
const LockMode = storage.Compliance

// RetentionBasis is cited in every manifest.
const RetentionBasis = "保管期限依《机关文件材料归档范围和文书档案保管期限规定》（国家档案局令第8号）：永久、定期30年、定期10年；" +
	"本县设置见 retention。期限自文件形成之次年1月1日起算。"

// ArchiveArgs pack one archived application.
type ArchiveArgs struct {
	TenantID      uuid.UUID `json:"tenant_id" river:"unique"`
	ApplicationID uuid.UUID `json:"application_id" river:"unique"`
}

// Kind is River's job kind.
func (ArchiveArgs) Kind() string { return "document_archive" }

// Tenant is the job's tenant.
func (a ArchiveArgs) Tenant() uuid.UUID { return a.TenantID }

// InsertOpts: the documents queue, once per application.
func (ArchiveArgs) InsertOpts() river.InsertOpts { return jobOpts() }

// Archive is the record of an application's archive package.
type Archive struct {
	bun.BaseModel `bun:"table:application_archives,alias:ar"`

	TenantID      uuid.UUID       `bun:"tenant_id,pk,type:uuid"`
	ApplicationID uuid.UUID       `bun:"application_id,pk,type:uuid"`
	ObjectKey     string          `bun:"object_key"`
	SHA256        string          `bun:"sha256"`
	Size          int64           `bun:"size"`
	VersionID     string          `bun:"version_id"`
	Retention     Retention       `bun:"retention"`
	LockMode      string          `bun:"lock_mode"`
	RetainUntil   time.Time       `bun:"retain_until"`
	Files         int             `bun:"files"`
	Manifest      json.RawMessage `bun:"manifest,type:jsonb"`
	ArchivedAt    time.Time       `bun:"archived_at"`
}

// Manifest is manifest.json of a package: every other file in it with its SHA-256, so the
// package can be checked file by file wherever it is moved (移交 to the 档案馆).
type Manifest struct {
	Format        string         `json:"format"`
	County        string         `json:"county"`
	CountyCode    string         `json:"county_code"`
	ApplicationID uuid.UUID      `json:"application_id"`
	ReceiptNo     string         `json:"receipt_no"`
	ItemName      string         `json:"item_name"`
	ClosedOn      string         `json:"closed_on"`
	ArchivedAt    time.Time      `json:"archived_at"`
	Retention     Retention      `json:"retention"`
	RetentionName string         `json:"retention_label"`
	RetainUntil   time.Time      `json:"retain_until"`
	LockMode      string         `json:"lock_mode"`
	Basis         string         `json:"basis"`
	Files         []ManifestFile `json:"files"`
	// Excluded are uploads that were never attached (rejected, tampered, never completed).
	Excluded []ExcludedFile `json:"excluded"`
}

// ManifestFile is one file of a package.
type ManifestFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Kind is record, timeline, notice or material.
	Kind          string      `json:"kind"`
	NoticeKind    notice.Kind `json:"notice_kind,omitempty"`
	NoticeTitle   string      `json:"notice_title,omitempty"`
	StepVersion   int         `json:"step_version,omitempty"`
	MaterialKey   string      `json:"material_key,omitempty"`
	MaterialName  string      `json:"material_name,omitempty"`
	Filename      string      `json:"filename,omitempty"`
	ContentType   string      `json:"content_type,omitempty"`
	SourceVersion string      `json:"source_version_id,omitempty"`
}

// ExcludedFile is an upload left out of the package, and why.
type ExcludedFile struct {
	FileID      uuid.UUID `json:"file_id"`
	MaterialKey string    `json:"material_key"`
	Filename    string    `json:"filename"`
	Status      string    `json:"status"`
	Reason      string    `json:"reason"`
}

// ArchiveKey is where an application's package lives in the tenant's archive prefix.
func ArchiveKey(app uuid.UUID) string { return "applications/" + app.String() + ".zip" }

// Pack packs an archived application into its archive package: record.json (the
// application, ID number masked), timeline.json, its notices and its attached files, and
// manifest.json with each one's SHA-256, as one zip object under an object-lock retention of
// the county's period. One object rather than one per file: the package is stored, locked,
// found and handed over as a unit, and it exists or it does not.
//
// It is idempotent: the application's row lock serialises runs, and an application with a
// package record is left alone. A run that stored the object but did not commit (a crash)
// finds the object on the next run and records it instead of storing a second one — a second
// locked version could never be removed. Notices not yet rendered and files not yet verified
// are brought up to date first, so the package never waits on the other jobs.
func (s *Service) Pack(ctx context.Context, args ArchiveArgs) error {
	a := new(application.Application)
	// NO KEY UPDATE: serialises runs without blocking rows that reference the application
	// (a resident's rating) while the package is built.
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(a)).Where("a.id = ?", args.ApplicationID).For("NO KEY UPDATE").Scan(ctx); err != nil {
		if isNoRows(err) {
			return nil
		}
		return err
	}
	if a.State != lifecycle.Archived {
		return nil
	}
	done, err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Archive)(nil))).Where("ar.application_id = ?", a.ID).Exists(ctx)
	if err != nil || done {
		return err
	}
	arch, err := s.archive(ctx)
	if err != nil {
		return err
	}
	key := ArchiveKey(a.ID)
	var (
		rec *Archive
	)
	if obj, err := arch.Stat(ctx, key, ""); err == nil {
		rec, err = s.adopt(ctx, arch, a, obj)
		if err != nil {
			return err
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	} else if rec, err = s.build(ctx, arch, a, key); err != nil {
		return err
	}
	if _, err := tenants.DB(ctx).NewInsert().Model(rec).Exec(ctx); err != nil {
		return err
	}
	return tenants.Audit(ctx, tenants.Change{Action: "document.archive", TargetType: "application_archive", TargetID: rec.ObjectKey,
		Summary: map[string]any{"application_id": a.ID, "sha256": rec.SHA256, "size": rec.Size, "version_id": rec.VersionID,
			"retention": rec.Retention, "lock_mode": rec.LockMode, "retain_until": rec.RetainUntil, "files": rec.Files}})
}

// record.json: the application as the archive keeps it.
type record struct {
	ID            uuid.UUID              `json:"id"`
	ReceiptNo     string                 `json:"receipt_no"`
	State         lifecycle.State        `json:"state"`
	Channel       string                 `json:"channel"`
	Item          map[string]any         `json:"item"`
	Applicant     map[string]string      `json:"applicant"`
	Authorization any                    `json:"authorization,omitempty"`
	Hall          string                 `json:"hall"`
	ProxyUnit     string                 `json:"proxy_unit,omitempty"`
	Department    string                 `json:"department"`
	Materials     []application.Material `json:"materials"`
	Correction    any                    `json:"correction,omitempty"`
	Dates         map[string]string      `json:"dates"`
	LegalDays     int                    `json:"legal_days"`
	PromisedDays  int                    `json:"promised_days"`
	ExtensionDays int                    `json:"extension_days"`
	Decision      string                 `json:"decision,omitempty"`
	Reason        string                 `json:"reason,omitempty"`
	CloseReason   string                 `json:"close_reason,omitempty"`
	Delivery      string                 `json:"delivery_method,omitempty"`
	Pauses        []application.Pause    `json:"pauses"`
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func unitName(ctx context.Context, id *uuid.UUID) (string, error) {
	if id == nil {
		return "", nil
	}
	u, err := tenants.GetOrgUnit(ctx, *id)
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

func recordOf(ctx context.Context, a *application.Application) (*record, error) {
	r := &record{ID: a.ID, ReceiptNo: deref(a.ReceiptNo), State: a.State, Channel: a.Channel,
		Item:      map[string]any{"id": a.ItemID, "version": a.ItemVersion, "name": a.ItemName},
		Applicant: map[string]string{"kind": a.ApplicantKind, "name": a.ApplicantName, "id_no_masked": a.ApplicantIDMasked, "phone": a.ApplicantPhone, "contact": a.ContactName},
		Materials: a.Materials, LegalDays: a.LegalDays, PromisedDays: a.PromisedDays, ExtensionDays: a.ExtensionDays,
		Decision: deref(a.Decision), Reason: deref(a.DecisionReason), CloseReason: deref(a.CloseReason), Delivery: deref(a.DeliveryMethod),
		Dates: map[string]string{}, Pauses: []application.Pause{}}
	if a.Authorization != nil {
		r.Authorization = a.Authorization
	}
	if a.Correction != nil {
		r.Correction = a.Correction
	}
	var err error
	if r.Hall, err = unitName(ctx, &a.HallID); err != nil {
		return nil, err
	}
	if r.Department, err = unitName(ctx, &a.DepartmentID); err != nil {
		return nil, err
	}
	if r.ProxyUnit, err = unitName(ctx, a.ProxyUnitID); err != nil {
		return nil, err
	}
	for k, v := range map[string]*time.Time{"proxy_received_on": a.ProxyReceived, "forward_due": a.ForwardDue, "received_on": a.ReceivedOn,
		"correction_due": a.CorrectionDue, "accepted_on": a.AcceptedOn, "promised_due": a.PromisedDue, "legal_due": a.LegalDue,
		"decided_on": a.DecidedOn, "delivered_on": a.DeliveredOn, "closed_on": a.ClosedOn} {
		if v != nil {
			r.Dates[k] = dateOf(v).String()
		}
	}
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&r.Pauses)).Where("p.application_id = ?", a.ID).Order("p.seq").Scan(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// zipper writes entries to a zip and notes each one's SHA-256 for the manifest.
type zipper struct {
	zw    *zip.Writer
	at    time.Time
	files []ManifestFile
}

func (z *zipper) add(m ManifestFile, r io.Reader, compress bool) (ManifestFile, error) {
	method := zip.Store // scans and PDFs are compressed already
	if compress {
		method = zip.Deflate
	}
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: m.Path, Method: method, Modified: z.at})
	if err != nil {
		return m, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return m, err
	}
	m.SHA256, m.Size = hex.EncodeToString(h.Sum(nil)), n
	z.files = append(z.files, m)
	return m, nil
}

func (z *zipper) json(m ManifestFile, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = z.add(m, bytes.NewReader(b), true)
	return err
}

// stored copies a stored object version into the package, checking it is still the bytes
// recorded for it: a package must not carry a file its record does not vouch for.
func (z *zipper) stored(ctx context.Context, docs *storage.Tenant, m ManifestFile, key, version, want string) error {
	r, _, err := docs.Open(ctx, key, version)
	if err != nil {
		return fmt.Errorf("archive: open %s (version %s): %w", key, version, err)
	}
	defer r.Close()
	got, err := z.add(m, r, false)
	if err != nil {
		return err
	}
	if got.SHA256 != want {
		return fmt.Errorf("archive: %s (version %s) has SHA-256 %s, its record says %s: not packing a file that changed", key, version, got.SHA256, want)
	}
	return nil
}

func (s *Service) build(ctx context.Context, arch *storage.Tenant, a *application.Application, key string) (*Archive, error) {
	docs, err := s.documents(ctx)
	if err != nil {
		return nil, err
	}
	st, err := GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	t, err := tenants.Current(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	closed := now
	if a.ClosedOn != nil {
		closed = dateOf(a.ClosedOn).In(time.UTC)
	}
	until := st.Retention.Until(closed)
	if !until.After(now.AddDate(0, 0, 1)) {
		// A file whose period has run out before it reached the archive (records migrated
		// from an old system) still gets a whole period: a lock must end in the future.
		// Counted in years by 民法典 art. 202 (a year from 29 February ends on 28 February).
		until = workday.DateOf(now.In(clock.Zone)).AddYears(st.Retention.years()).AddDays(1).In(clock.Zone)
	}

	// Bring the notices and files up to date (the other jobs may not have run yet).
	notices, err := listNotices(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	for i := range notices {
		if notices[i].SHA256 != nil {
			continue
		}
		n, err := latestNotice(ctx, a.ID, notices[i].Kind, notices[i].Version, true)
		if err != nil {
			return nil, err
		}
		if _, err := s.generate(ctx, n, false); err != nil {
			return nil, err
		}
		notices[i] = *n
	}
	files, err := listFiles(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	for i := range files {
		if files[i].Status != StatusUploaded {
			continue
		}
		f, err := loadFile(ctx, a.ID, files[i].ID, true)
		if err != nil {
			return nil, err
		}
		if err := s.verify(ctx, f); err != nil {
			return nil, err
		}
		files[i] = *f
	}
	var events []application.Event
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&events)).Where("e.application_id = ?", a.ID).Order("e.seq").Scan(ctx); err != nil {
		return nil, err
	}
	rec, err := recordOf(ctx, a)
	if err != nil {
		return nil, err
	}

	tmp, err := os.CreateTemp("", "yc-archive-*.zip")
	if err != nil {
		return nil, err
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
	z := &zipper{zw: zip.NewWriter(tmp), at: now}
	man := &Manifest{Format: "yichuang-archive/1", County: t.Name, CountyCode: t.Code, ApplicationID: a.ID, ReceiptNo: deref(a.ReceiptNo),
		ItemName: a.ItemName, ClosedOn: dateOf(a.ClosedOn).String(), ArchivedAt: now, Retention: st.Retention, RetentionName: st.Retention.Label(),
		RetainUntil: until, LockMode: string(LockMode), Basis: RetentionBasis, Excluded: []ExcludedFile{}}
	if err := z.json(ManifestFile{Path: "record.json", Kind: "record"}, rec); err != nil {
		return nil, err
	}
	if err := z.json(ManifestFile{Path: "timeline.json", Kind: "timeline"}, events); err != nil {
		return nil, err
	}
	for _, n := range notices {
		m := ManifestFile{Path: "notices/" + string(n.Kind) + "-" + strconv.Itoa(n.Version) + ".pdf", Kind: "notice", NoticeKind: n.Kind,
			NoticeTitle: notice.Title(n.Kind), StepVersion: n.Version, ContentType: "application/pdf", SourceVersion: *n.VersionID}
		if err := z.stored(ctx, docs, m, n.ObjectKey, *n.VersionID, *n.SHA256); err != nil {
			return nil, err
		}
	}
	names := map[string]string{AuthorizationMaterial: AuthorizationMaterialName}
	for _, m := range a.Materials {
		names[m.Key] = m.Name
	}
	for _, f := range files {
		if f.Status != StatusVerified {
			man.Excluded = append(man.Excluded, ExcludedFile{FileID: f.ID, MaterialKey: f.MaterialKey, Filename: f.Filename, Status: f.Status, Reason: f.Reason})
			continue
		}
		m := ManifestFile{Path: "materials/" + f.MaterialKey + "/" + f.ID.String() + FileType(f.ContentType).Ext(), Kind: "material",
			MaterialKey: f.MaterialKey, MaterialName: names[f.MaterialKey], Filename: f.Filename, ContentType: f.ContentType, SourceVersion: *f.VersionID}
		if err := z.stored(ctx, docs, m, f.ObjectKey, *f.VersionID, f.SHA256); err != nil {
			return nil, err
		}
	}
	man.Files = z.files
	manifest, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, err
	}
	if _, err := z.add(ManifestFile{Path: "manifest.json"}, bytes.NewReader(manifest), true); err != nil {
		return nil, err
	}
	if err := z.zw.Close(); err != nil {
		return nil, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, tmp); err != nil {
		return nil, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	obj, err := arch.PutLocked(ctx, key, tmp, size, "application/zip", map[string]string{"sha256": sum, "application-id": a.ID.String()}, LockMode, until)
	if err != nil {
		return nil, err
	}
	return &Archive{TenantID: a.TenantID, ApplicationID: a.ID, ObjectKey: key, SHA256: sum, Size: size, VersionID: obj.VersionID,
		Retention: st.Retention, LockMode: string(LockMode), RetainUntil: until, Files: len(man.Files), Manifest: manifest, ArchivedAt: now}, nil
}

// adopt records a package an earlier run stored but did not commit: its manifest and lock are
// read back from the object itself.
func (s *Service) adopt(ctx context.Context, arch *storage.Tenant, a *application.Application, obj *storage.Object) (*Archive, error) {
	r, _, err := arch.Open(ctx, obj.Key, obj.VersionID)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, obj.Size)
	if err != nil {
		return nil, fmt.Errorf("archive: the stored package %s is not a zip: %w", obj.Key, err)
	}
	var raw []byte
	for _, f := range zr.File {
		if f.Name == "manifest.json" {
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			raw, err = io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	var man Manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		return nil, fmt.Errorf("archive: the stored package %s has no readable manifest: %w", obj.Key, err)
	}
	mode, until, err := arch.Retention(ctx, obj.Key, obj.VersionID)
	if err != nil {
		return nil, err
	}
	return &Archive{TenantID: a.TenantID, ApplicationID: a.ID, ObjectKey: obj.Key, SHA256: hex.EncodeToString(h.Sum(nil)), Size: obj.Size,
		VersionID: obj.VersionID, Retention: man.Retention, LockMode: string(mode), RetainUntil: until, Files: len(man.Files),
		Manifest: raw, ArchivedAt: man.ArchivedAt}, nil
}

func getArchive(ctx context.Context, app uuid.UUID) (*Archive, error) {
	ar := new(Archive)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(ar)).Where("ar.application_id = ?", app).Scan(ctx)
	if isNoRows(err) {
		return nil, nil
	}
	return ar, err
}

// ArchiveLink returns a download URL for the application's package, after checking the actor
// may read the application.
func (s *Service) ArchiveLink(ctx context.Context, app uuid.UUID) (*Link, error) {
	ar, arch, name, err := s.archived(ctx, app)
	if err != nil {
		return nil, err
	}
	if err := servable(ctx, arch, ar.ObjectKey, ar.VersionID); err != nil {
		return nil, err
	}
	u, err := arch.PresignGetVersion(ctx, ar.ObjectKey, ar.VersionID, DownloadTTL, name, "application/zip")
	if err != nil {
		return nil, err
	}
	return &Link{URL: u.String(), ExpiresAt: s.now().Add(DownloadTTL)}, nil
}

// archived is the checks every download of the package makes (the actor may read the
// application, and it has a package), with the bucket and the name a save offers.
func (s *Service) archived(ctx context.Context, app uuid.UUID) (*Archive, *storage.Tenant, string, error) {
	a, err := s.readable(ctx, app)
	if err != nil {
		return nil, nil, "", err
	}
	ar, err := getArchive(ctx, app)
	if err != nil {
		return nil, nil, "", err
	}
	if ar == nil {
		return nil, nil, "", problem.Conflict("not_archived", "该办件尚未生成归档包", "the application has no archive package yet")
	}
	arch, err := s.archive(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	name := "归档-" + deref(a.ReceiptNo) + ".zip"
	if a.ReceiptNo == nil {
		name = "归档-" + a.ID.String()[:8] + ".zip"
	}
	return ar, arch, name, nil
}

// Listing is everything stored for an application.
type Listing struct {
	Files   []File
	Notices []Notice
	Archive *Archive
}

// List returns the application's files, notices and archive package, if the actor in ctx may
// read the application.
func (s *Service) List(ctx context.Context, app uuid.UUID) (*Listing, error) {
	if _, err := s.readable(ctx, app); err != nil {
		return nil, err
	}
	l := &Listing{}
	var err error
	if l.Files, err = listFiles(ctx, app); err != nil {
		return nil, err
	}
	if l.Notices, err = listNotices(ctx, app); err != nil {
		return nil, err
	}
	l.Archive, err = getArchive(ctx, app)
	return l, err
}
