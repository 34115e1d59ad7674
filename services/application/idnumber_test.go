package application_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

const masked = "110105********002X"

// TestApplicantIDSealedAtRest reads the stored row as the database owner (what a copy of the
// database gives away): the applicant's number appears in no column, the sealed value opens
// to it only with the key and only for its county, and no plaintext column is left
// (个人信息保护法 art. 28 and 51: 敏感个人信息 under encryption).
func TestApplicantIDSealedAtRest(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.intake(t, b.clerk, "id")
	if d.ApplicantIDMasked != masked {
		t.Errorf("intake answer shows %q, want the masked %q", d.ApplicantIDMasked, masked)
	}

	ctx := context.Background()
	var row string
	var sealed, blind []byte
	var shown string
	if err := b.db.Owner.QueryRow(ctx, `SELECT row_to_json(a)::text, applicant_id_sealed, applicant_id_blind, applicant_id_masked
		FROM applications a WHERE id = $1`, d.ID).Scan(&row, &sealed, &blind, &shown); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row, person) || strings.Contains(strings.ToLower(row), strings.ToLower(person)) {
		t.Fatalf("the stored row holds the number in the clear: %s", row)
	}
	if strings.Contains(string(sealed), person) || strings.Contains(string(sealed), person[6:14]) {
		t.Fatal("the sealed column holds the number (or its birth date) in the clear")
	}
	if shown != masked {
		t.Errorf("stored masked form %q, want %q", shown, masked)
	}
	if got, err := b.box.Open(b.tenant.ID, sealed); err != nil || got != person {
		t.Errorf("sealed value opens to %q, %v", got, err)
	}
	if _, err := b.box.Open(uuid.New(), sealed); !errors.Is(err, secret.ErrOpen) {
		t.Errorf("sealed value opened for another county: %v", err)
	}
	if string(blind) != string(b.box.Blind(b.tenant.ID, person)) {
		t.Error("blind index is not the keyed hash of the number in this county")
	}
	var plainColumns int
	if err := b.db.Owner.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
		WHERE table_name = 'applications' AND column_name = 'applicant_id_no'`).Scan(&plainColumns); err != nil {
		t.Fatal(err)
	}
	if plainColumns != 0 {
		t.Error("applications still has the plaintext column applicant_id_no")
	}
	// Neither the timeline nor the audit chain copies the number.
	var leaks int
	if err := b.db.Owner.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM application_events e WHERE e.application_id = $1 AND row_to_json(e)::text LIKE '%' || $2 || '%') +
		(SELECT count(*) FROM audit_events v WHERE v.tenant_id = $3 AND row_to_json(v)::text LIKE '%' || $2 || '%')`,
		d.ID, person, b.tenant.ID).Scan(&leaks); err != nil {
		t.Fatal(err)
	}
	if leaks != 0 {
		t.Errorf("%d timeline or audit rows hold the number in the clear", leaks)
	}
}

// TestApplicantIDMaskedInListAndDetail: the worklist and the application page carry the
// masked number only.
func TestApplicantIDMaskedInListAndDetail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.intake(t, b.clerk, "id")
	err := b.as(t, b.clerk, func(ctx context.Context) error {
		got, err := b.svc.Get(ctx, d.ID)
		if err != nil {
			return err
		}
		if got.ApplicantIDMasked != masked {
			t.Errorf("detail shows %q", got.ApplicantIDMasked)
		}
		p, err := b.svc.List(ctx, application.Filter{})
		if err != nil {
			return err
		}
		if len(p.Items) != 1 || p.Items[0].ApplicantIDNo != masked {
			t.Errorf("worklist rows: %+v", p.Items)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSearchByIDNumberUsesTheBlindIndex: a whole number (either case) finds its applications
// through the blind index; a fragment finds nothing, since nothing stores the digits.
func TestSearchByIDNumberUsesTheBlindIndex(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mine := b.intake(t, b.clerk, "id")
	other := "110105198503120020"
	in := application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: "李四", IDNo: other, Phone: "13912345679"}}
	var second *application.Detail
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { second, err = b.svc.Intake(ctx, in); return err }); err != nil {
		t.Fatal(err)
	}
	search := func(q string) []uuid.UUID {
		var ids []uuid.UUID
		if err := b.as(t, b.clerk, func(ctx context.Context) error {
			p, err := b.svc.List(ctx, application.Filter{Q: q})
			for _, r := range p.Items {
				ids = append(ids, r.ID)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := search(person); len(got) != 1 || got[0] != mine.ID {
		t.Errorf("search %s: %v, want only %s", person, got, mine.ID)
	}
	if got := search(" " + strings.ToLower(other) + " "); len(got) != 1 || got[0] != second.ID {
		t.Errorf("search %s: %v, want only %s", other, got, second.ID)
	}
	if got := search(person[:6]); len(got) != 0 {
		t.Errorf("a fragment of the number found %v", got)
	}
	if got := search("张三"); len(got) != 1 || got[0] != mine.ID {
		t.Errorf("name search: %v", got)
	}
	// The same number in another county is another hash: its blind index never matches here.
	c2 := tenanttest.NewTenant(t, b.db, "另一县")
	if string(b.box.Blind(c2.ID, person)) == string(b.box.Blind(b.tenant.ID, person)) {
		t.Error("the blind index is the same across counties")
	}
}

// TestRevealIDIsAuditedAndRoleRestricted: the full number is given to the hall's clerk, the
// department and the county admin for an application they may see, and each look is an
// audit row naming who looked (without the number); a community worker, a clerk of another
// township and a server without the key get nothing.
func TestRevealIDIsAuditedAndRoleRestricted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.intake(t, b.clerk, "id")
	reveal := func(svc *application.Service, a *tenants.Actor) (string, error) {
		var n string
		err := b.as(t, a, func(ctx context.Context) (err error) { n, err = svc.RevealID(ctx, d.ID); return err })
		return n, err
	}
	for _, a := range []*tenants.Actor{b.clerk, b.admin} {
		if n, err := reveal(b.svc, a); err != nil || n != person {
			t.Errorf("%s reveals %q, %v", a.Roles, n, err)
		}
	}
	status := func(err error) int {
		if p, ok := problem.As(err); ok {
			return p.Status
		}
		return 0
	}
	if _, err := reveal(b.svc, b.worker); status(err) != 403 {
		t.Errorf("community worker: %v, want 403", err)
	}
	if _, err := reveal(b.svc, b.otherClerk); status(err) != 404 {
		t.Errorf("clerk of another township: %v, want 404", err)
	}
	if _, err := reveal(&application.Service{Clock: b.clock}, b.clerk); status(err) != 503 {
		t.Errorf("without the key: %v, want 503", err)
	}
	var evs []tenants.AuditEvent
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		return tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&evs)).Where("action = 'application.reveal_id'").Order("seq").Scan(ctx)
	})
	if len(evs) != 2 {
		t.Fatalf("%d reveal audit rows, want 2 (the refused ones write none)", len(evs))
	}
	if *evs[0].ActorID != b.clerk.IdentityID || *evs[1].ActorID != b.admin.IdentityID || evs[0].TargetID != d.ID.String() {
		t.Errorf("audit rows name %v and %v for %s", evs[0].ActorID, evs[1].ActorID, evs[0].TargetID)
	}
	if s := string(evs[0].Summary); strings.Contains(s, person) || !strings.Contains(s, masked) {
		t.Errorf("audit summary %s: want the masked number, never the full one", s)
	}
}

// TestIntakeWithoutKeyIsRefused: a server without YC_DATA_KEY refuses intake (503) rather
// than store a number it cannot seal, and writes nothing.
func TestIntakeWithoutKeyIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: "张三", IDNo: person, Phone: "13912345678"}}
	noKey := &application.Service{Clock: b.clock}
	err := b.as(t, b.clerk, func(ctx context.Context) error { _, err := noKey.Intake(ctx, in); return err })
	if p, ok := problem.As(err); !ok || p.Status != 503 || p.Code != "data_key_missing" {
		t.Fatalf("intake without the key: %v", err)
	}
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		n, err := tenants.DB(ctx).NewSelect().Table("applications").Where("tenant_id = ?", tenants.CurrentID(ctx)).Count(ctx)
		if n != 0 {
			t.Errorf("%d applications written without the key", n)
		}
		return err
	})
}

func TestMaskID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		person:               masked,
		"91350100M000100Y43": "913501********0Y43",
		"130826900101123":    "***************", // an old 15-digit number: nothing shown
		"":                   "",
	} {
		if got := application.MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
}
