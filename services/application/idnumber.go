package application

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/idno"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/tenants"
)

// The applicant's ID number is personal information (个人信息保护法 art. 28: 身份证件号码 is
// 敏感个人信息, to be handled with strict protection). It is sealed at rest like a community
// worker's (services/secret), shown masked everywhere, and read in full only through RevealID,
// which the audit log records.

var errNoKey = problem.Unavailable("data_key_missing", "服务器未配置数据加密密钥（YC_DATA_KEY），暂不能处理申请人证件号码",
	"the server has no YC_DATA_KEY; applicants' ID numbers cannot be sealed or read")

// MaskID is the form every list, notice and archive package shows: the first six and the last
// four characters of an 18-character 身份证号码 or 统一社会信用代码, nothing of anything else.
func MaskID(n string) string {
	if len([]rune(n)) == 18 {
		return idno.Mask(n)
	}
	return strings.Repeat("*", len([]rune(n)))
}

// fullID is what a search term must look like to be compared as a whole ID number: both
// kinds are 18 characters of digits and capitals.
var fullID = regexp.MustCompile(`^[0-9A-Z]{18}$`)

// blindOf is the blind index of a search term that is a whole ID number, nil otherwise (a
// fragment cannot be searched: the index matches exact numbers only, by design).
func (s *Service) blindOf(ctx context.Context, q string) []byte {
	q = strings.ToUpper(strings.TrimSpace(q))
	tx, ok := tenants.TxFrom(ctx)
	if s.Box == nil || !ok || !fullID.MatchString(q) {
		return nil
	}
	return s.Box.Blind(tx.TenantID(), q)
}

// revealRoles may see an applicant's full number: those who check the applicant's identity or
// decide (the hall's clerk, the department's staff) and the county admin who supervises.
// Community workers hand the file on and see the masked number only.
var revealRoles = []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleDepartmentStaff, tenants.RoleCountyAdmin}

// RevealID returns the applicant's full ID number of an application the actor may see, and
// records in the audit log who looked at it.
func (s *Service) RevealID(ctx context.Context, id uuid.UUID) (string, error) {
	actor, ok := tenants.ActorFrom(ctx)
	if !ok || !actor.HasAny(revealRoles...) {
		return "", problem.Forbidden("role_not_allowed", "只有乡镇窗口人员、部门工作人员和县级管理员可以查看完整证件号码",
			"only township clerks, department staff and county admins may see the full ID number")
	}
	if s.Box == nil {
		return "", errNoKey
	}
	a := new(Application)
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(a)).Column("id", "receipt_no", "applicant_id_sealed", "applicant_id_masked").Where("a.id = ?", id)
	if err := visible(q, actor).Scan(ctx); err != nil {
		if isNoRows(err) {
			return "", errNotFound
		}
		return "", err
	}
	if a.ApplicantIDSealed == nil {
		return "", problem.Conflict("id_not_sealed", "该办件的证件号码尚未加密迁移，请先运行 yichuang migrate",
			"this application's ID number has not been sealed yet; run yichuang migrate")
	}
	tx, _ := tenants.TxFrom(ctx)
	plain, err := s.Box.Open(tx.TenantID(), a.ApplicantIDSealed)
	if err != nil {
		return "", err
	}
	summary := map[string]any{"id_no": a.ApplicantIDMasked}
	if a.ReceiptNo != nil {
		summary["receipt_no"] = *a.ReceiptNo
	}
	return plain, tenants.Audit(ctx, tenants.Change{Action: "application.reveal_id", TargetType: "application", TargetID: id.String(), Summary: summary})
}

// SealBatch is how many rows one transaction of SealPlaintextIDs seals.
const SealBatch = 500

// SealPlaintextIDs is the Go step of migration 20261205000006_applicant_secret, run by
// `yichuang migrate` after the SQL migrations: it seals the applicant ID numbers still stored
// in the clear (rows written before the migration), county by county, batch by batch, each
// batch in the county's own transaction, clearing the plaintext in the same UPDATE. Once it
// has run, migration.Finish drops the plaintext column. It is idempotent: a second run finds
// nothing (or no column) and seals nothing. box may be nil when nothing is left to seal.
func SealPlaintextIDs(ctx context.Context, store *tenants.Store, box *secret.Box, batch int) (sealed int, err error) {
	if batch <= 0 {
		batch = SealBatch
	}
	ts, err := store.ListEvery(ctx)
	if err != nil {
		return 0, err
	}
	for _, t := range ts {
		for {
			var n int
			err := store.InTx(ctx, t.ID, func(ctx context.Context) (err error) {
				n, err = sealBatch(ctx, box, t.ID, batch)
				return err
			})
			if err != nil {
				return sealed, fmt.Errorf("county %s: %w", t.Code, err)
			}
			sealed += n
			if n < batch {
				break
			}
		}
	}
	return sealed, nil
}

type plainRow struct {
	ID    uuid.UUID `bun:"id,type:uuid"`
	Plain string    `bun:"applicant_id_no"`
}

func sealBatch(ctx context.Context, box *secret.Box, tenant uuid.UUID, batch int) (int, error) {
	db := tenants.DB(ctx)
	var present bool
	// The column is gone once migration.Finish has run: nothing is left to seal.
	if err := db.NewRaw(`SELECT EXISTS (SELECT FROM pg_attribute
		WHERE attrelid = 'applications'::regclass AND attname = 'applicant_id_no' AND NOT attisdropped)`).Scan(ctx, &present); err != nil {
		return 0, err
	}
	if !present {
		return 0, nil
	}
	var rows []plainRow
	if err := db.NewSelect().Table("applications").Column("id", "applicant_id_no").Where("tenant_id = ? AND applicant_id_no IS NOT NULL", tenant).
		OrderExpr("id").Limit(int64(batch)).For("UPDATE").Scan(ctx, &rows); err != nil {
		return 0, err
	}
	if len(rows) > 0 && box == nil {
		return 0, fmt.Errorf("applicants' ID numbers wait to be sealed: set %s", secret.EnvKey)
	}
	for _, r := range rows {
		n := strings.ToUpper(strings.TrimSpace(r.Plain))
		if _, err := db.NewUpdate().Table("applications").
			Set("applicant_id_sealed = ?", box.Seal(tenant, n)).Set("applicant_id_blind = ?", box.Blind(tenant, n)).
			Set("applicant_id_masked = ?", MaskID(n)).Set("applicant_id_no = NULL").
			Where("tenant_id = ? AND id = ?", tenant, r.ID).Exec(ctx); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}
