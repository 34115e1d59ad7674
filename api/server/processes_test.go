package server_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/jobs"
	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/document"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// lockedBuffer is a process's log, written by exec's copying goroutine and read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// appProcess is one `yichuang serve` of a split app tier.
type appProcess struct {
	name string
	addr string
	cmd  *exec.Cmd
	log  lockedBuffer
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess starts `yichuang serve <mode> --addr ADDR` and waits until its /readyz says
// ready (every dependency it uses answered).
func startProcess(t *testing.T, bin string, env []string, name, mode string) *appProcess {
	t.Helper()
	p := &appProcess{name: name, addr: freeAddr(t)}
	p.cmd = exec.Command(bin, "serve", mode, "--addr", p.addr)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = &p.log, &p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("--- log of %s (%s)\n%s", p.name, mode, p.log.String())
		}
	})
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + p.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s (%s) did not become ready: %s", name, mode, p.log.String())
	return nil
}

// stop sends SIGTERM, as a supervisor does, and expects a clean exit.
func (p *appProcess) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("%s exited with %v after SIGTERM", p.name, err)
		}
	case <-time.After(20 * time.Second):
		t.Errorf("%s did not stop within 20 s of SIGTERM", p.name)
		_ = p.cmd.Process.Kill()
	}
}

// at is the bundle's client aimed at another server: call, newMember and publishItem then
// go through that process.
func (b *testBundle) at(p *appProcess) *testBundle {
	c := *b
	c.srv = &httptest.Server{URL: "http://" + p.addr}
	return &c
}

// loginVia signs in through p's Kratos proxy as a reverse proxy would pass it on: with the
// client's address in X-Forwarded-For.
func loginVia(t *testing.T, p *appProcess, phone, pw, client string) (int, map[string]any, http.Header) {
	t.Helper()
	base := "http://" + p.addr + server.KratosPublicPrefix
	var flow struct{ ID string }
	mustJSON(t, get(t, base+"/self-service/login/api", map[string]string{"X-Forwarded-For": client}), &flow)
	req, _ := http.NewRequest(http.MethodPost, base+"/self-service/login?flow="+flow.ID,
		strings.NewReader(fmt.Sprintf(`{"method":"password","identifier":%q,"password":%q}`, phone, pw)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", client)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	mustJSON(t, resp, &out)
	return resp.StatusCode, out, resp.Header
}

var riverClientID = regexp.MustCompile(`msg="river workers started" client_id=(\S+)`)

// TestSeveralProcesses is the split app tier (docs/architecture.md, "Running several
// processes"): two `serve --api-only` processes and one `serve --workers-only` on one
// database. Work goes in through both API processes; the API processes run no job, and the
// worker runs each job once; an account disabled through one API process is refused by the
// other at once, although that process still holds the session in its 30-second Kratos
// cache, and so is a session signed out through one; sign-in failures and the status page's
// wrong tries counted by one process hold on the other, per client address as a reverse
// proxy forwards it; a calendar change made through one process moves the due dates the
// other computes.
func TestSeveralProcesses(t *testing.T) {
	t.Parallel()
	bin, err := yichuangBinary()
	if err != nil {
		t.Fatal(err)
	}
	// A database of its own: the worker process must be the only one working its queue (the
	// package database has other tests' jobs and clients).
	b := start(t, stack{db: tenanttest.NewIsolated(t)})
	env := append(os.Environ(),
		"APP_DATABASE_URL="+b.db.AppURL, "YC_DATA_KEY=several-processes-test-key-0123456789ab",
		"YC_KRATOS_PUBLIC_URL="+tenanttest.Require(t, "YC_KRATOS_PUBLIC_URL"), "YC_KRATOS_ADMIN_URL="+tenanttest.Require(t, "YC_KRATOS_ADMIN_URL"),
		"YC_MINIO_ENDPOINT="+tenanttest.Require(t, "YC_MINIO_ENDPOINT"), "YC_MINIO_ACCESS_KEY="+tenanttest.Require(t, "YC_MINIO_ACCESS_KEY"),
		"YC_MINIO_SECRET_KEY="+tenanttest.Require(t, "YC_MINIO_SECRET_KEY"), "YC_MINIO_BUCKET_PREFIX=api-test",
		"YC_PUBLIC_URL=https://yc.example.gov.cn", "YC_LOG_LEVEL=info")

	var procA, procB *appProcess
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); procA = startProcess(t, bin, env, "A", "--api-only") }()
	go func() { defer wg.Done(); procB = startProcess(t, bin, env, "B", "--api-only") }()
	wg.Wait()
	if procA == nil || procB == nil {
		t.FailNow()
	}
	A, B := b.at(procA), b.at(procB)

	c := b.newCounty(t)
	itemID := A.publishItem(t, c, "PROCS-"+strings.ToUpper(uuid.NewString()[:8]))

	// Intake through one process, 受理 through the other: each 受理 enqueues its 受理通知书 job.
	var (
		mu   sync.Mutex
		apps []string
	)
	intakeAndAccept := func(i int) {
		in, then := A, B
		if i%2 == 1 {
			in, then = B, A
		}
		status, app, _ := in.call(t, c.clerk, "POST", "/api/v1/applications", map[string]any{"item_id": itemID,
			"applicant": map[string]any{"kind": "person", "name": fmt.Sprintf("申请人%d", i), "id_no": "11010519491231002X", "phone": "13912345678"},
			"materials": []map[string]any{{"key": "id", "provided": true}, {"key": "hukou", "provided": true}}},
			"Idempotency-Key", fmt.Sprintf("procs-%d-%s", i, uuid.NewString()[:8]))
		if status != http.StatusCreated {
			t.Errorf("intake %d: %d %v", i, status, app)
			return
		}
		id := app["id"].(string)
		status, out, _ := then.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/actions/accept", map[string]any{},
			"If-Match", strconv.Itoa(int(app["version"].(float64))))
		if status != http.StatusOK || out["state"] != "accepted" {
			t.Errorf("accept %d: %d %v", i, status, out)
			return
		}
		mu.Lock()
		apps = append(apps, id)
		mu.Unlock()
	}
	const perRound = 6
	for i := range perRound {
		intakeAndAccept(i)
	}
	if t.Failed() {
		t.FailNow()
	}
	noticeJobs := func() []tenanttest.Job[document.NoticeArgs] {
		return tenanttest.Jobs(t, b.db, func(j tenanttest.Job[document.NoticeArgs]) bool { return j.Args.TenantID == c.tenant.ID })
	}
	// With only API processes running, the jobs wait: no API process works one.
	time.Sleep(1500 * time.Millisecond)
	for _, j := range noticeJobs() {
		if j.State != "available" || j.Attempt != 0 || len(j.AttemptedBy) != 0 {
			t.Errorf("job %d (%s) with no worker process: state %s, attempt %d by %v", j.ID, j.Kind, j.State, j.Attempt, j.AttemptedBy)
		}
	}

	procW := startProcess(t, bin, env, "W", "--workers-only")
	m := riverClientID.FindStringSubmatch(procW.log.String())
	if m == nil {
		t.Fatalf("the worker process logged no River client id: %s", procW.log.String())
	}
	workerID := m[1]
	// Its address serves health only, never the API; its readiness is the database and
	// MinIO (the documents queue), not Kratos, which workers do not use.
	var ready struct {
		Ready      bool
		Components map[string]struct{ OK bool }
	}
	mustJSON(t, get(t, "http://"+procW.addr+"/readyz", nil), &ready)
	if !ready.Ready || len(ready.Components) != 2 || !ready.Components["postgres"].OK || !ready.Components["minio"].OK {
		t.Errorf("the worker's readiness: %+v", ready)
	}
	if resp, err := http.Get("http://" + procW.addr + "/api/v1/me"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("the worker process serves the API: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// A second round while the worker runs, through both API processes at once.
	var round sync.WaitGroup
	for i := perRound; i < 2*perRound; i++ {
		round.Add(1)
		go func() { defer round.Done(); intakeAndAccept(i) }()
	}
	round.Wait()
	if len(apps) != 2*perRound {
		t.Fatalf("%d applications accepted of %d", len(apps), 2*perRound)
	}
	waitFor(t, "every 受理通知书 job and the periodic sweep", func() bool {
		sweeps := tenanttest.Jobs(t, b.db, func(j tenanttest.Job[jobs.SweepArgs]) bool { return j.State == "completed" })
		js := noticeJobs()
		if len(sweeps) == 0 {
			return false
		}
		for _, j := range js {
			if j.State != "completed" {
				return false
			}
		}
		return len(js) == len(apps)
	})
	// Each notice job ran once, in the worker process; one per application.
	perApp := map[string]int{}
	for _, j := range noticeJobs() {
		perApp[j.Args.ApplicationID.String()]++
		if j.Attempt != 1 || len(j.AttemptedBy) != 1 || j.AttemptedBy[0] != workerID {
			t.Errorf("notice job %d: attempt %d by %v; want once by the worker %s", j.ID, j.Attempt, j.AttemptedBy, workerID)
		}
	}
	for _, id := range apps {
		if perApp[id] != 1 {
			t.Errorf("application %s has %d 受理通知书 jobs", id, perApp[id])
		}
		// The effect, read through the other process: one notice, rendered once.
		_, docs, _ := B.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/documents", nil)
		ready := 0
		for _, n := range docs["notices"].([]any) {
			if n := n.(map[string]any); n["kind"] == "accepted" && n["ready"] == true && n["generations"] == float64(1) {
				ready++
			}
		}
		if ready != 1 {
			t.Errorf("application %s: notices %v", id, docs["notices"])
		}
	}
	// The periodic sweep ran on the worker (the only client that works jobs) and queued this
	// county's reconciliation once.
	sweeps := tenanttest.Jobs(t, b.db, func(j tenanttest.Job[jobs.SweepArgs]) bool { return true })
	recs := tenanttest.Jobs(t, b.db, func(j tenanttest.Job[application.ReconcileArgs]) bool { return j.Args.TenantID == c.tenant.ID })
	if len(sweeps) != 1 || len(recs) != 1 {
		t.Errorf("%d periodic sweeps and %d reconciliations of the county; want 1 and 1", len(sweeps), len(recs))
	}
	for _, j := range sweeps {
		if j.Attempt != 1 || len(j.AttemptedBy) != 1 || j.AttemptedBy[0] != workerID {
			t.Errorf("sweep %d: attempt %d by %v; want once by the worker %s", j.ID, j.Attempt, j.AttemptedBy, workerID)
		}
	}

	// Disabling an account through A is refused by B at once. B has the clerk's session in
	// its Kratos cache (it answered a request a moment ago); Kratos itself ended the session,
	// so only the membership B reads in every request's transaction can refuse it.
	clerk := b.newMember(t, c.tenant, c.township, tenants.RoleTownshipClerk)
	for _, p := range []*testBundle{A, B} {
		if status, body, _ := p.call(t, clerk, "GET", "/api/v1/me", nil); status != http.StatusOK {
			t.Fatalf("clerk before disabling: %d %v", status, body)
		}
	}
	if status, body, _ := A.call(t, c.admin, "POST", "/api/v1/staff/"+clerk.m.IdentityID.String()+"/disable", nil); status != http.StatusOK {
		t.Fatalf("disable: %d %v", status, body)
	}
	for _, p := range []*testBundle{B, A} {
		status, body, _ := p.call(t, clerk, "GET", "/api/v1/me", nil)
		if status != http.StatusUnauthorized {
			t.Errorf("disabled clerk through %s: %d %v", p.srv.URL, status, body)
		}
		if p == B && body["code"] != "account_disabled" {
			t.Errorf("B refused the disabled clerk with %v, not by the membership (was the session not cached?)", body["code"])
		}
	}

	// Signing out through A ends the session on B at once, although B cached it: the
	// session's activity row is gone, so B asks Kratos again.
	out := &member{tenant: c.tenant, m: c.deptM.m, token: b.login(t, c.deptM.m.Phone, password)}
	for _, p := range []*testBundle{A, B} {
		if status, body, _ := p.call(t, out, "GET", "/api/v1/me", nil); status != http.StatusOK {
			t.Fatalf("before signing out: %d %v", status, body)
		}
	}
	if status, body, _ := A.call(t, out, "POST", "/api/v1/auth/logout", nil); status != http.StatusNoContent {
		t.Fatalf("sign out through A: %d %v", status, body)
	}
	for _, p := range []*testBundle{B, A} {
		if status, body, _ := p.call(t, out, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized || body["code"] != "unauthenticated" {
			t.Errorf("signed-out session through %s: %d %v", p.srv.URL, status, body)
		}
	}
	// The department member's other session is untouched.
	if status, body, _ := B.call(t, c.deptM, "GET", "/api/v1/me", nil); status != http.StatusOK {
		t.Errorf("another session of the signed-out member: %d %v", status, body)
	}

	// Sign-in failures are counted in PostgreSQL: failures through A and B add up, and the
	// lock reached through B holds on A, for the right password too. The attempts come as
	// from behind a reverse proxy on this machine (a trusted proxy by default): the login log
	// records the clients' forwarded addresses, not the proxy's.
	phone := c.worker.m.Phone
	clients := []string{"203.0.113.7", "203.0.113.8", "198.51.100.9", "203.0.113.7"}
	for i, p := range []*appProcess{procA, procA, procB, procA} {
		status, body, h := loginVia(t, p, phone, "Wrong#password1", clients[i])
		if status != http.StatusBadRequest || h.Get(server.FailuresLeftHeader) != strconv.Itoa(4-i) {
			t.Fatalf("wrong password %d through %s: %d %s=%q %v", i+1, p.name, status, server.FailuresLeftHeader, h.Get(server.FailuresLeftHeader), body)
		}
	}
	if status, body, _ := loginVia(t, procB, phone, "Wrong#password1", "203.0.113.9"); status != http.StatusTooManyRequests || body["code"] != "account_locked" {
		t.Fatalf("fifth wrong password through B: %d %v", status, body)
	}
	if status, body, _ := loginVia(t, procA, phone, password, "203.0.113.10"); status != http.StatusTooManyRequests || body["code"] != "account_locked" {
		t.Fatalf("right password through A while locked: %d %v", status, body)
	}
	var addrs []string
	for _, e := range loginEvents(t, B, c.admin, phone) {
		addrs = append(addrs, e["result"].(string)+"@"+e["address"].(string))
	}
	if got, want := strings.Join(addrs, ","), "locked@203.0.113.10,failure@203.0.113.9,failure@203.0.113.7,failure@198.51.100.9,failure@203.0.113.8,failure@203.0.113.7"; got != want {
		t.Errorf("login log through B: %s\nwant %s", got, want)
	}

	// The public status page's wrong tries add up across processes too, per receipt (and per
	// client address, forwarded by the proxy, at a higher limit): one client's tries lock the
	// receipt, not every resident behind the proxy.
	receipt := func(id string) string {
		_, app, _ := A.call(t, c.clerk, "GET", "/api/v1/applications/"+id, nil)
		r, _ := app["receipt_no"].(string)
		return r
	}
	public := "/api/v1/public/" + c.tenant.Code + "/status/lookup"
	lookup := func(p *testBundle, receipt, digits, client string) (int, map[string]any) {
		status, body, _ := p.call(t, nil, "POST", public, map[string]any{"receipt_no": receipt, "phone_last4": digits}, "X-Forwarded-For", client)
		return status, body
	}
	guessed, other := receipt(apps[0]), receipt(apps[1])
	for i, p := range []*testBundle{A, B, A, B, A} {
		if status, body := lookup(p, guessed, fmt.Sprintf("000%d", i), "203.0.113.66"); status != http.StatusNotFound {
			t.Fatalf("wrong try %d: %d %v", i+1, status, body)
		}
	}
	if status, body := lookup(B, guessed, "5678", "198.51.100.20"); status != http.StatusTooManyRequests || body["code"] != "too_many_tries" {
		t.Errorf("the guessed receipt through B from another client: %d %v", status, body)
	}
	// A lookup that finds its application is always answered (issue 15 item 1), even from the
	// client whose wrong tries locked the other receipt.
	if status, body := lookup(B, other, "5678", "203.0.113.66"); status != http.StatusOK {
		t.Errorf("the guessing client's right answer for another receipt through B: %d %v", status, body)
	}
	if status, body := lookup(A, other, "5678", "198.51.100.20"); status != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d %v", status, body)
	}

	// A calendar change through A moves the due date B computes at once: B's calendar cache
	// is checked against the county's calendar revision in every transaction.
	due := func(p *testBundle) string {
		_, body, _ := p.call(t, c.clerk, "GET", "/api/v1/calendar/due?from=2024-09-30&days=1", nil)
		s, _ := body["due"].(string)
		return s
	}
	closeDay := func(day string) {
		if status, body, _ := A.call(t, c.admin, "PUT", "/api/v1/calendar/overrides/"+day, map[string]any{"working": false, "reason": "防汛停止办公"}); status != http.StatusNoContent {
			t.Fatalf("close %s: %d %v", day, status, body)
		}
	}
	closeDay("2024-10-08")
	if got := due(B); got != "2024-10-09" {
		t.Errorf("B after the first closure: %s", got)
	}
	closeDay("2024-10-09")
	if got := due(B); got != "2024-10-10" {
		t.Errorf("B after the second closure (its cache held the first): %s", got)
	}

	for _, p := range []*appProcess{procA, procB, procW} {
		p.stop(t)
	}
	for _, p := range []*appProcess{procA, procB} {
		if strings.Contains(p.log.String(), "river workers started") {
			t.Errorf("API-only process %s started River's workers", p.name)
		}
	}
}
