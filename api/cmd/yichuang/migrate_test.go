package main

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/migration"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// oldRow is an application written by the release before 20261205000006.
type oldRow struct {
	county *tenanttest.County
	id     uuid.UUID
	number string // as the old release stored it
	want   string // as it must open
}

// oldDatabase is a database of the release before 20261205000006_applicant_secret holding
// four applications with their applicants' numbers in the clear: three in an active county,
// one (in lower case, as an old row may be) in a suspended one.
func oldDatabase(t *testing.T) (*tenanttest.DB, *tenanttest.County, []oldRow) {
	t.Helper()
	db := tenanttest.NewBefore(t, "20261205000006")
	ctx := context.Background()
	var rows []oldRow
	write := func(c *tenanttest.County, numbers ...string) {
		var item uuid.UUID
		db.Ctx(t, c.ID, func(ctx context.Context) error {
			r, err := catalog.Create(ctx, catalog.Item{BaseCode: "000172001000", ImplCode: "MIG-" + strings.ToUpper(uuid.NewString()[:8]), Name: "临时救助申请",
				Kind: catalog.KindPayment, DepartmentID: c.Department.ID, LegalBasis: "《社会救助暂行办法》", Levels: []catalog.Level{catalog.LevelTownship},
				Materials: []catalog.Material{{Key: "id", Name: "居民身份证", Form: catalog.FormOriginal, Copies: 1, Required: true}},
				Handling:  catalog.HandlingPromised, LegalDays: 20, PromisedDays: 10})
			if err != nil {
				return err
			}
			item = r.ID
			_, err = catalog.Publish(ctx, r.ID, r.RowVersion)
			return err
		})
		for i, n := range numbers {
			id := uuid.New()
			kind := "person"
			if strings.HasPrefix(n, "9") {
				kind = "org"
			}
			// The old release's insert, as the owner (the new code cannot write this column).
			if _, err := db.Owner.Exec(ctx, `INSERT INTO applications (tenant_id, id, item_id, item_version, item_name, state, channel,
				applicant_kind, applicant_name, applicant_id_no, applicant_phone, materials, hall_id, hall_path, department_id, department_path,
				legal_days, promised_days, received_on, created_at)
				VALUES ($1, $2, $3, 1, '临时救助申请', 'received', 'window', $4, $5, $6, '13912345678', '[]', $7, $8, $9, $10, 20, 10, current_date,
				now() - make_interval(mins => $11))`,
				c.ID, id, item, kind, "申请人"+string(rune('甲'+i)), n, c.Township.ID, c.Township.Path, c.Department.ID, c.Department.Path, i); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, oldRow{county: c, id: id, number: n, want: strings.ToUpper(n)})
		}
	}
	active := tenanttest.NewCounty(t, db, "甲县")
	suspended := tenanttest.NewCounty(t, db, "乙县")
	write(active, "11010519491231002X", "110105198503120020", "91350100M000100Y43")
	write(suspended, "11010519491231002x") // an old row in lower case: sealed as the intake would write it
	if _, err := db.Owner.Exec(ctx, "UPDATE tenants SET status = 'suspended' WHERE id = $1", suspended.ID); err != nil {
		t.Fatal(err)
	}
	return db, active, rows
}

// `yichuang migrate` on a database of the release before 20261205000006_applicant_secret,
// with applications whose applicant ID numbers are stored in the clear, in an active and a
// suspended county (issue 13 item 10): without the key it stops and changes nothing; with it
// every number is sealed batch by batch, the plaintext column is gone, each sealed value opens
// to its number, the blind index finds it; a second run changes nothing.
func TestMigrateSealsApplicantIDs(t *testing.T) {
	t.Parallel()
	db, active, rows := oldDatabase(t)
	ctx := context.Background()
	box, err := secret.New("migrate-test-key-material-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	plaintextColumn := func() bool {
		var n int
		if err := db.Owner.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
			WHERE table_name = 'applications' AND column_name = 'applicant_id_no'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}

	// Migrating alters the cluster-wide runtime role: not while another test database migrates.
	defer tenanttest.MigrationLock(t)()
	// Without the key: the schema moves, no number is touched, the error says why.
	var out bytes.Buffer
	err = runMigrate(ctx, db.OwnerURL, db.AppURL, func() (*secret.Box, error) { return nil, errors.New("YC_DATA_KEY is not set") }, 2, &out)
	if err == nil || !strings.Contains(err.Error(), "4 applicants' ID numbers wait") {
		t.Fatalf("migrate without the key: %v", err)
	}
	if !plaintextColumn() {
		t.Fatal("the plaintext column was dropped before its numbers were sealed")
	}
	var waiting int
	if err := db.Owner.QueryRow(ctx, "SELECT count(*) FROM applications WHERE applicant_id_no IS NOT NULL AND applicant_id_sealed IS NULL").Scan(&waiting); err != nil || waiting != 4 {
		t.Fatalf("%d plaintext rows left untouched, want 4 (%v)", waiting, err)
	}

	// With the key: sealed in batches of 2 (the active county takes two), column dropped.
	out.Reset()
	if err := runMigrate(ctx, db.OwnerURL, db.AppURL, func() (*secret.Box, error) { return box, nil }, 2, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "applicants' ID numbers encrypted: 4") {
		t.Errorf("migrate output:\n%s", out.String())
	}
	if plaintextColumn() {
		t.Fatal("applications.applicant_id_no is still there")
	}
	var nullable int
	if err := db.Owner.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'applications'
		AND column_name IN ('applicant_id_sealed', 'applicant_id_blind') AND is_nullable = 'YES'`).Scan(&nullable); err != nil || nullable != 0 {
		t.Errorf("%d sealed columns still nullable (%v)", nullable, err)
	}
	sealedBefore := map[uuid.UUID][]byte{}
	apps := &application.Service{Box: box}
	for _, r := range rows {
		var text, masked string
		var sealed, blind []byte
		if err := db.Owner.QueryRow(ctx, `SELECT row_to_json(a)::text, applicant_id_sealed, applicant_id_blind, applicant_id_masked
			FROM applications a WHERE id = $1`, r.id).Scan(&text, &sealed, &blind, &masked); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToUpper(text), r.want) {
			t.Errorf("row %s still holds %s: %s", r.id, r.want, text)
		}
		if got, err := box.Open(r.county.ID, sealed); err != nil || got != r.want {
			t.Errorf("row %s opens to %q, %v; want %q", r.id, got, err, r.want)
		}
		if !bytes.Equal(blind, box.Blind(r.county.ID, r.want)) || masked != application.MaskID(r.want) {
			t.Errorf("row %s: blind index or masked form %q wrong", r.id, masked)
		}
		sealedBefore[r.id] = sealed
		if r.county != active {
			continue
		}
		// The worklist search finds it by the whole number, through the blind index.
		db.Ctx(t, active.ID, func(ctx context.Context) error {
			p, err := apps.List(tenants.WithActor(ctx, active.Clerk), application.Filter{Q: r.want})
			if err == nil && (len(p.Items) != 1 || p.Items[0].ID != r.id || p.Items[0].ApplicantIDNo != application.MaskID(r.want)) {
				t.Errorf("search %s: %+v", r.want, p.Items)
			}
			return err
		})
	}

	// A second run: nothing to do, the key not even asked for, the sealed values unchanged.
	out.Reset()
	if err := runMigrate(ctx, db.OwnerURL, db.AppURL, func() (*secret.Box, error) {
		t.Error("the second run asked for the key")
		return box, nil
	}, 2, &out); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if !strings.Contains(out.String(), "schema is up to date") || strings.Contains(out.String(), "encrypted") {
		t.Errorf("second migrate output:\n%s", out.String())
	}
	if n, err := application.SealPlaintextIDs(ctx, db.Store, nil, 2); err != nil || n != 0 {
		t.Errorf("sealing again: %d, %v", n, err)
	}
	for _, r := range rows {
		var sealed []byte
		if err := db.Owner.QueryRow(ctx, "SELECT applicant_id_sealed FROM applications WHERE id = $1", r.id).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sealed, sealedBefore[r.id]) {
			t.Errorf("row %s was sealed again", r.id)
		}
	}
}

// migration.Finish run by an owner that is not a superuser (a managed database's usual
// owner): forced row level security hides every county's rows from it unless it looks county
// by county, so a careless count would see nothing and drop numbers never sealed. It must see
// all four, keep the column, and drop it only once they are sealed.
func TestFinishAsOwnerWithoutSuperuser(t *testing.T) {
	t.Parallel()
	db, _, rows := oldDatabase(t)
	ctx := context.Background()
	defer tenanttest.MigrationLock(t)()
	if _, err := migration.Up(ctx, db.OwnerURL, db.AppURL); err != nil {
		t.Fatal(err)
	}
	role := "yc_owner_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	for _, q := range []string{
		"CREATE ROLE " + role + " LOGIN PASSWORD 'owner-test' NOSUPERUSER NOBYPASSRLS",
		"ALTER TABLE applications OWNER TO " + role,
		"ALTER TABLE tenants OWNER TO " + role,
	} {
		if _, err := db.Owner.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, q := range []string{"REASSIGN OWNED BY " + role + " TO CURRENT_USER", "DROP OWNED BY " + role, "DROP ROLE " + role} {
			_, _ = db.Owner.Exec(context.Background(), q)
		}
	})
	u, err := url.Parse(db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "owner-test")
	var superuser bool
	if err := db.Owner.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = $1", role).Scan(&superuser); err != nil || superuser {
		t.Fatalf("the owner of this test is a superuser (%v)", err)
	}

	if pending, err := migration.Finish(ctx, u.String()); err != nil || pending != int64(len(rows)) {
		t.Fatalf("Finish before sealing: %d pending, %v; want %d", pending, err, len(rows))
	}
	box, _ := secret.New("migrate-test-key-material-0123456789abcdef")
	if n, err := application.SealPlaintextIDs(ctx, db.Store, box, 0); err != nil || n != len(rows) {
		t.Fatalf("sealed %d, %v", n, err)
	}
	if pending, err := migration.Finish(ctx, u.String()); err != nil || pending != 0 {
		t.Fatalf("Finish after sealing: %d pending, %v", pending, err)
	}
	var left int
	if err := db.Owner.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
		WHERE table_name = 'applications' AND column_name = 'applicant_id_no'`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("plaintext column left: %d (%v)", left, err)
	}
}
