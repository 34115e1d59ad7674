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
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// benchClients is the number of concurrent clerks (HTTP) and pgbench clients; benchCounties
// the counties the province-wide measurement spreads them over.
const (
	benchClients  = 8
	benchCounties = 20
)

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

// benchSite is one county of the measurement: its clerk, a published item and the values
// pgbench's script inserts for it.
type benchSite struct {
	c                  *county
	itemID             string
	hallPath, deptPath string
}

// script is pgbenchScript with the county's values in place of its variables (pgbench's -D
// is global, and each county's transactions need their own).
func (s benchSite) script(box *secret.Box) string {
	return strings.NewReplacer(
		":tenant", s.c.tenant.ID.String(), ":item", s.itemID, ":hallpath", s.hallPath, ":hall", s.c.township.String(),
		":deptpath", s.deptPath, ":dept", s.c.dept.String(), ":actor", s.c.clerk.m.IdentityID.String(),
		// The number is sealed once per county (the API seals each intake's; the cost is AES-GCM's, small).
		":sealed", hex.EncodeToString(box.Seal(s.c.tenant.ID, "11010519491231002X")),
		":blind", hex.EncodeToString(box.Blind(s.c.tenant.ID, "11010519491231002X")),
	).Replace(pgbenchScript)
}

// BenchmarkAcceptanceThroughput measures window intakes per second through HTTP with real
// Kratos sessions, spread over benchCounties counties, against pgbench doing the same inserts
// in one transaction, in the same run on the same database (the ratio is the target: >= 0.6);
// and intakes per second through HTTP when every clerk works in ONE county, where the
// county's audit chain head serialises them (target >= 200/s). Run it once (-benchtime 1x):
// each measurement lasts YC_BENCH_SECONDS.
func BenchmarkAcceptanceThroughput(b *testing.B) {
	if _, err := exec.LookPath("pgbench"); err != nil {
		b.Fatal("pgbench is needed (Debian's postgresql-client)")
	}
	seconds := 5
	if v, err := strconv.Atoi(os.Getenv("YC_BENCH_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	// Keep-alive for every client: the default two idle connections per host would make most
	// requests open a new TCP connection, which a proxy in front of the app never does.
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = benchClients * 2
	tb := setup(b)
	// pgbench's audit rows carry placeholder hashes, so it writes to counties of its own: the
	// API's counties keep chains that must still verify after the load.
	sites := make([]benchSite, 2*benchCounties)
	for i := range sites {
		c := tb.newCounty(b)
		s := benchSite{c: c, itemID: tb.publishItem(b, c, fmt.Sprintf("BENCH-%04d", i+1))}
		tb.db.Ctx(b, c.tenant.ID, func(ctx context.Context) error {
			h, err := tenants.GetOrgUnit(ctx, c.township)
			if err != nil {
				return err
			}
			d, err := tenants.GetOrgUnit(ctx, c.dept)
			s.hallPath, s.deptPath = h.Path, d.Path
			return err
		})
		sites[i] = s
	}
	box, err := secret.New(testDataKey)
	if err != nil {
		b.Fatal(err)
	}

	// pgbench as the application's role, through RLS like the API: one script per county,
	// each transaction picks one at random.
	dir := b.TempDir()
	cfg := tb.db.App.Config().ConnConfig
	args := []string{"-n", "-c", strconv.Itoa(benchClients), "-j", "2", "-T", strconv.Itoa(seconds)}
	pgSites, sites := sites[benchCounties:], sites[:benchCounties]
	for i, s := range pgSites {
		script := filepath.Join(dir, fmt.Sprintf("intake-%02d.sql", i))
		if err := os.WriteFile(script, []byte(s.script(box)), 0o600); err != nil {
			b.Fatal(err)
		}
		args = append(args, "-f", script+"@1")
	}
	args = append(args, "-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User, cfg.Database)
	cmd := exec.Command("pgbench", args...)
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

	// The same work through the API: concurrent clerks registering applications, client i in
	// county i mod benchCounties; then every client in the first county.
	body := func(s benchSite) map[string]any {
		return map[string]any{"item_id": s.itemID,
			"applicant": map[string]any{"kind": "person", "name": "王秀兰", "id_no": "11010519491231002X", "phone": "13912345678"},
			"materials": []map[string]any{{"key": "id", "provided": true}}}
	}
	intakes := func(pick func(client, n int) benchSite) float64 {
		var ops, failures atomic.Int64
		stop := time.Now().Add(time.Duration(seconds) * time.Second)
		start := time.Now()
		var wg sync.WaitGroup
		for client := range benchClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; time.Now().Before(stop); n++ {
					s := pick(client, n)
					status, resp, _ := tb.call(b, s.c.clerk, "POST", "/api/v1/applications", body(s))
					if status != http.StatusCreated {
						if failures.Add(1) == 1 {
							fmt.Fprintf(os.Stderr, "intake failed: %d %v\n", status, resp)
						}
						continue
					}
					ops.Add(1)
				}
			}()
		}
		wg.Wait()
		if failures.Load() > 0 {
			b.Fatalf("%d intakes failed", failures.Load())
		}
		return float64(ops.Load()) / time.Since(start).Seconds()
	}
	// Each client moves on to the next county after every intake, as a province's halls would
	// interleave.
	httpTPS := intakes(func(client, n int) benchSite { return sites[(client+n)%len(sites)] })
	oneCounty := intakes(func(int, int) benchSite { return sites[0] })

	// Every county's chain still verifies after the load.
	for _, s := range sites {
		tb.db.Ctx(b, s.c.tenant.ID, func(ctx context.Context) error {
			res, err := tenants.VerifyAudit(ctx)
			if err == nil && !res.OK {
				b.Fatalf("audit chain broken after the load: %+v", res)
			}
			return err
		})
	}
	b.ReportMetric(httpTPS, "http_intakes/s")
	b.ReportMetric(pgTPS, "pgbench_tps")
	b.ReportMetric(httpTPS/pgTPS, "ratio")
	b.ReportMetric(oneCounty, "one_county_intakes/s")
}
