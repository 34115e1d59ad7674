package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// yichuangBinary builds the server binary once per test process.
var yichuangBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "yc-bin-*")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "yichuang")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/yichuang/yichuang/api/cmd/yichuang")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, out)
	}
	return bin, nil
})

// serveProcess is a real `yichuang serve` on the package's database.
type serveProcess struct {
	t    *testing.T
	bin  string
	addr string
	env  []string
	cmd  *exec.Cmd
	log  bytes.Buffer
}

func (p *serveProcess) start() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, "serve", "--api-only", "--addr", p.addr)
	p.cmd.Env = p.env
	p.cmd.Stdout, p.cmd.Stderr = &p.log, &p.log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + p.addr + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("yichuang serve did not come up: %s", p.log.String())
}

// kill9 is kill -9: no shutdown, no flushing, open transactions cut.
func (p *serveProcess) kill9() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

// TestAttackKillNine is (d): clerks submit intakes concurrently, each with its own
// Idempotency-Key, some submitted twice at once (a double click, a client's retry racing the
// first try); the server process is killed with SIGKILL twice mid-run and restarted; every
// client retries its key until it is acknowledged. Then every acknowledged intake is stored,
// exactly once, under the id it was acknowledged with, and nothing else is.
func TestAttackKillNine(t *testing.T) {
	t.Parallel()
	bin, err := yichuangBinary()
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "KILL-"+strings.ToUpper(uuid.NewString()[:8]))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &serveProcess{t: t, bin: bin, addr: addr, env: append(os.Environ(),
		"APP_DATABASE_URL="+b.db.AppURL, "YC_DATA_KEY=kill-nine-test-key-0123456789abcdefgh", "YC_MINIO_ENDPOINT=",
		"YC_KRATOS_PUBLIC_URL="+tenanttest.Require(t, "YC_KRATOS_PUBLIC_URL"), "YC_KRATOS_ADMIN_URL="+tenanttest.Require(t, "YC_KRATOS_ADMIN_URL"),
		"YC_LOG_LEVEL=warn")}
	p.start()
	defer func() {
		if p.cmd.ProcessState == nil {
			p.kill9()
		}
	}()

	const clients, perClient = 6, 12
	var (
		mu        sync.Mutex
		acked     = map[string]string{} // key → application id
		conflicts []string
		sent      atomic.Int64
		cut       atomic.Int64 // requests that died with the process
		failed    atomic.Int64 // answers ≥ 500, or an acknowledged key answered with another id
		acks      atomic.Int64
		busy      atomic.Int64 // 409 duplicate_submission: the twin was being stored
	)
	client := &http.Client{Timeout: 20 * time.Second}
	submit := func(key, name string) (string, bool) {
		body, _ := json.Marshal(map[string]any{"item_id": itemID,
			"applicant": map[string]any{"kind": "person", "name": name, "id_no": "11010519491231002X", "phone": "13912345678"},
			"materials": []map[string]any{{"key": "id", "provided": true}}})
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/applications", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Session-Token", c.clerk.token)
		req.Header.Set("Idempotency-Key", key)
		sent.Add(1)
		resp, err := client.Do(req)
		if err != nil {
			cut.Add(1)
			return "", false
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		if resp.StatusCode >= 500 {
			failed.Add(1)
			mu.Lock()
			conflicts = append(conflicts, fmt.Sprintf("%s: %d %s", key, resp.StatusCode, raw))
			mu.Unlock()
			return "", false
		}
		if resp.StatusCode == http.StatusConflict && out["code"] == "duplicate_submission" {
			busy.Add(1) // the same form is being stored right now: ask again shortly
			return "", false
		}
		if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
			t.Errorf("intake %s: %d %s", key, resp.StatusCode, raw)
			return "", true // a refusal is final; the key is not retried
		}
		id, _ := out["id"].(string)
		return id, true
	}
	// untilAcked retries key until the server answers it; each answer must carry one id.
	untilAcked := func(key, name string) {
		deadline := time.Now().Add(2 * time.Minute)
		for time.Now().Before(deadline) {
			id, done := submit(key, name)
			if done {
				if id == "" {
					return
				}
				acks.Add(1)
				mu.Lock()
				if prev, ok := acked[key]; ok && prev != id {
					failed.Add(1)
					conflicts = append(conflicts, fmt.Sprintf("%s acknowledged as %s and as %s", key, prev, id))
				}
				acked[key] = id
				mu.Unlock()
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("key %s never acknowledged", key)
	}

	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClient {
				key := fmt.Sprintf("kill9-%d-%d-%s", w, i, uuid.NewString()[:8])
				name := fmt.Sprintf("申请人%d号%d", w, i)
				if i%3 == 0 {
					// Twice at once: the second must get the first's application.
					var twice sync.WaitGroup
					twice.Add(2)
					go func() { defer twice.Done(); untilAcked(key, name) }()
					go func() { defer twice.Done(); untilAcked(key, name) }()
					twice.Wait()
					continue
				}
				untilAcked(key, name)
			}
		}()
	}
	// Kill the server twice while intakes are in flight, and bring it back each time.
	for _, at := range []int64{clients * perClient / 3, 2 * clients * perClient / 3} {
		for acks.Load() < at {
			time.Sleep(20 * time.Millisecond)
		}
		p.kill9()
		time.Sleep(300 * time.Millisecond)
		p.start()
	}
	wg.Wait()

	rows, err := b.db.Owner.Query(context.Background(), "SELECT request_key, id::text FROM applications WHERE tenant_id = $1", c.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]string{}
	dups := 0
	for rows.Next() {
		var key, id string
		if err := rows.Scan(&key, &id); err != nil {
			t.Fatal(err)
		}
		if _, ok := stored[key]; ok {
			dups++
		}
		stored[key] = id
	}
	rows.Close()
	lost, extra := 0, 0
	for k, id := range acked {
		if stored[k] != id {
			lost++
			t.Errorf("acknowledged %s as %s, stored %q", k, id, stored[k])
		}
	}
	for k := range stored {
		if _, ok := acked[k]; !ok {
			extra++
			t.Errorf("stored %s that was never acknowledged", k)
		}
	}
	for _, c := range conflicts {
		t.Error(c)
	}
	if len(acked) != clients*perClient || lost+extra+dups > 0 {
		t.Errorf("%d keys acknowledged of %d; %d lost, %d stored unacknowledged, %d duplicates", len(acked), clients*perClient, lost, extra, dups)
	}
	line := fmt.Sprintf("attack suite (d) kill -9: %d requests, %d failed; %d intakes acknowledged = %d stored, %d duplicates; 2 kills, %d requests cut by them and retried, %d twins told to retry",
		sent.Load(), failed.Load()+int64(lost+extra+dups), len(acked), len(stored), dups, cut.Load(), busy.Load())
	fmt.Println(line) // on stdout, so make test's transcript shows it (infra/scripts/test.sh)
}
