package server_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// benchClients is the number of concurrent clerks (HTTP) and pgbench clients.
const benchClients = 4

// pgbenchScript does in one transaction the inserts a window intake makes: the application,
// its timeline event, the audit row (with the head update that serialises the chain) and the
// deadline job (River's table is spelled by the harness, beside its migrations).
const pgbenchScript = `
BEGIN;
SELECT set_config('app.tenant_id', ':tenant', true);
INSERT INTO applications (tenant_id, id, item_id, item_version, item_name, state, channel, applicant_kind, applicant_name,
    applicant_id_sealed, applicant_id_blind, applicant_id_masked, applicant_phone, materials, hall_id, hall_path, department_id, department_path, legal_days, promised_days,
    received_on, correction_due, created_by, assignee_id)
  VALUES (':tenant', gen_random_uuid(), ':item', 1, '临时救助申请', 'received', 'window', 'person', '王秀兰',
    decode(':sealed', 'hex'), decode(':blind', 'hex'), '110105********002X', '13912345678', '[{"key":"id","provided":true}]', ':hall', ':hallpath', ':dept', ':deptpath', 20, 10,
    current_date, current_date + 7, ':actor', ':actor')
  RETURNING id AS app \gset
INSERT INTO application_events (tenant_id, application_id, seq, at, actor_id, actor_name, action, from_state, to_state, data)
  VALUES (':tenant', ':app', 1, now(), ':actor', '测试', 'intake', '', 'received', '{}');
UPDATE audit_heads SET last_seq = last_seq + 1 WHERE tenant_id = ':tenant' RETURNING last_seq AS seq \gset
INSERT INTO audit_events (tenant_id, seq, at, actor_id, actor_name, action, target_type, target_id, request_id, summary, prev_hash, hash)
  VALUES (':tenant', :seq, now(), ':actor', '测试', 'application.intake', 'application', ':app', 'pgbench', '{}', '\x00', sha256(convert_to(':app', 'UTF8')));
UPDATE audit_heads SET last_hash = sha256(convert_to(':app', 'UTF8')) WHERE tenant_id = ':tenant';
` + tenanttest.PgbenchJobInsert + `
COMMIT;
`

// BenchmarkAcceptanceThroughput measures window intakes per second through HTTP with real
// Kratos sessions, against pgbench doing the same inserts in one transaction, in the same run
// on the same database. Run it once (-benchtime 1x): each run measures for YC_BENCH_SECONDS.
func BenchmarkAcceptanceThroughput(b *testing.B) {
	if _, err := exec.LookPath("pgbench"); err != nil {
		b.Fatal("pgbench is needed (Debian's postgresql-client)")
	}
	seconds := 5
	if v, err := strconv.Atoi(os.Getenv("YC_BENCH_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	tb := setup(b)
	c := tb.newCounty(b)
	itemID := tb.publishItem(b, c, "BENCH-0001")
	var hallPath, deptPath string
	tb.db.Ctx(b, c.tenant.ID, func(ctx context.Context) error {
		h, err := tenants.GetOrgUnit(ctx, c.township)
		if err != nil {
			return err
		}
		d, err := tenants.GetOrgUnit(ctx, c.dept)
		hallPath, deptPath = h.Path, d.Path
		return err
	})

	// pgbench as the application's role, through RLS like the API.
	dir := b.TempDir()
	script := filepath.Join(dir, "intake.sql")
	if err := os.WriteFile(script, []byte(pgbenchScript), 0o600); err != nil {
		b.Fatal(err)
	}
	// The number is sealed once here (the API seals each intake's; the cost is AES-GCM's, small).
	box, err := secret.New(testDataKey)
	if err != nil {
		b.Fatal(err)
	}
	cfg := tb.db.App.Config().ConnConfig
	cmd := exec.Command("pgbench", "-n", "-f", script, "-c", strconv.Itoa(benchClients), "-j", "2", "-T", strconv.Itoa(seconds),
		"-D", "tenant="+c.tenant.ID.String(), "-D", "item="+itemID, "-D", "hall="+c.township.String(), "-D", "hallpath="+hallPath,
		"-D", "sealed="+hex.EncodeToString(box.Seal(c.tenant.ID, "11010519491231002X")), "-D", "blind="+hex.EncodeToString(box.Blind(c.tenant.ID, "11010519491231002X")),
		"-D", "dept="+c.dept.String(), "-D", "deptpath="+deptPath, "-D", "actor="+c.clerk.m.IdentityID.String(),
		"-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User, cfg.Database)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+cfg.Password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("pgbench printed no tps:\n%s", out)
	}
	pgTPS, _ := strconv.ParseFloat(string(m[1]), 64)

	// The same work through the API: concurrent clerks registering applications.
	body := map[string]any{"item_id": itemID,
		"applicant": map[string]any{"kind": "person", "name": "王秀兰", "id_no": "11010519491231002X", "phone": "13912345678"},
		"materials": []map[string]any{{"key": "id", "provided": true}}}
	var ops, failures atomic.Int64
	stop := time.Now().Add(time.Duration(seconds) * time.Second)
	start := time.Now()
	var wg sync.WaitGroup
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				status, resp, _ := tb.call(b, c.clerk, "POST", "/api/v1/applications", body)
				if status != http.StatusCreated {
					failures.Add(1)
					if failures.Load() == 1 {
						fmt.Fprintf(os.Stderr, "intake failed: %d %v\n", status, resp)
					}
					continue
				}
				ops.Add(1)
			}
		}()
	}
	wg.Wait()
	httpTPS := float64(ops.Load()) / time.Since(start).Seconds()
	if failures.Load() > 0 {
		b.Fatalf("%d intakes failed", failures.Load())
	}
	b.ReportMetric(httpTPS, "http_intakes/s")
	b.ReportMetric(pgTPS, "pgbench_tps")
	b.ReportMetric(httpTPS/pgTPS, "ratio")
}
