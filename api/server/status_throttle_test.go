package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// statusCounty is a county with accepted applications whose phones end in 5678.
type statusCounty struct {
	*county
	public   string
	receipts []string
}

func (b *testBundle) statusCounty(t *testing.T, n int) *statusCounty {
	t.Helper()
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "THR-"+strings.ToUpper(uuid.NewString()[:8]))
	sc := &statusCounty{county: c, public: "/api/v1/public/" + c.tenant.Code + "/status"}
	for range n {
		st, app, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", map[string]any{"item_id": itemID,
			"applicant": map[string]any{"kind": "person", "name": "王秀兰", "id_no": "110105198503120020", "phone": "13912345678"},
			"materials": []map[string]any{{"key": "id", "provided": true}, {"key": "hukou", "provided": true}}})
		if st != http.StatusCreated {
			t.Fatalf("intake: %d %v", st, app)
		}
		st, app, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+app["id"].(string)+"/actions/accept", map[string]any{},
			"If-Match", strconv.Itoa(int(app["version"].(float64))))
		if st != http.StatusOK {
			t.Fatalf("accept: %d %v", st, app)
		}
		sc.receipts = append(sc.receipts, app["receipt_no"].(string))
	}
	return sc
}

// lookup asks for receipt with digits from the client address from (sent as X-Forwarded-For;
// the test server trusts its loopback peer unless the test says otherwise).
func (b *testBundle) lookupFrom(t *testing.T, c *statusCounty, receipt, digits, from string) (int, map[string]any, http.Header) {
	t.Helper()
	return b.call(t, nil, "POST", c.public+"/lookup", map[string]any{"receipt_no": receipt, "phone_last4": digits}, "X-Forwarded-For", from)
}

// wantWait checks a 429's wait: Retry-After in seconds, and "请 N 分钟后再试" with the same
// minutes (rounded up) in the Chinese and the English message.
func wantWait(t *testing.T, what string, st int, body map[string]any, h http.Header) {
	t.Helper()
	secs, err := strconv.Atoi(h.Get("Retry-After"))
	if st != http.StatusTooManyRequests || body["code"] != "too_many_tries" || err != nil || secs < 1 || secs > int(status.Window.Seconds()) {
		t.Fatalf("%s: %d Retry-After=%q %v", what, st, h.Get("Retry-After"), body)
	}
	minutes := (secs + 59) / 60
	if msg, _ := body["message"].(string); !strings.Contains(msg, fmt.Sprintf("请 %d 分钟后再试", minutes)) {
		t.Fatalf("%s: the Chinese message does not say the wait of %d minutes: %q", what, minutes, msg)
	}
	if msg, _ := body["message_en"].(string); !strings.Contains(msg, fmt.Sprintf("in %d minutes", minutes)) {
		t.Fatalf("%s: the English message does not say the wait: %q", what, msg)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("%s: Content-Type %q", what, ct)
	}
}

// TestStatusThrottleLocksOutOnlyTheGuess (issue 15): the public status page throttles what a
// guess needs and never the innocent. Five wrong digits lock receipt A's lookup only; B from
// the same address is answered, and so is A's QR code. A scan of unknown receipt numbers from
// one address is refused after a hundred, another address is not, and a lookup that finds its
// application (right digits, a valid QR token, a rating through it) is answered from the
// scanning address too. Every 429 says how long to wait.
func TestStatusThrottleLocksOutOnlyTheGuess(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.statusCounty(t, 2)
	a, bb := c.receipts[0], c.receipts[1]
	const hall = "198.51.100.10" // a township hall's Wi-Fi: every resident there shares it

	st, view, _ := b.lookupFrom(t, c, a, "5678", hall)
	if st != http.StatusOK || view["receipt_no"] != a {
		t.Fatalf("lookup of A: %d %v", st, view)
	}
	tokenA := view["token"].(string)
	for i := range status.MaxReceiptFailures {
		if st, body, _ := b.lookupFrom(t, c, a, fmt.Sprintf("000%d", i), hall); st != http.StatusNotFound {
			t.Fatalf("wrong digits %d for A: %d %v", i, st, body)
		}
	}
	st, body, h := b.lookupFrom(t, c, a, "5678", "203.0.113.99")
	wantWait(t, "A after five wrong digits, from anywhere", st, body, h)
	if !strings.Contains(body["message"].(string), "二维码") {
		t.Fatalf("the lock does not point to the QR code: %v", body)
	}
	if st, body, _ := b.lookupFrom(t, c, bb, "5678", hall); st != http.StatusOK || body["receipt_no"] != bb {
		t.Fatalf("B from the same address: %d %v", st, body)
	}
	if st, body, _ := b.call(t, nil, "GET", c.public+"/"+tokenA, nil, "X-Forwarded-For", hall); st != http.StatusOK || body["receipt_no"] != a {
		t.Fatalf("A's QR code while A's lookup is locked: %d %v", st, body)
	}

	// One address scans unknown receipt numbers: a hundred answers, then 429.
	const scanner = "198.51.100.66"
	for i := range status.MaxAddressFailures {
		if st, body, _ := b.lookupFrom(t, c, fmt.Sprintf("%s9%04d", a[:len(a)-5], i), "1234", scanner); st != http.StatusNotFound {
			t.Fatalf("unknown receipt %d: %d %v", i, st, body)
		}
	}
	st, body, h = b.lookupFrom(t, c, "YC2099010199999", "1234", scanner)
	wantWait(t, "the scanner's next unknown receipt", st, body, h)
	st, body, h = b.call(t, nil, "GET", c.public+"/AAAAAAAAAAAAAAAAAAAAAA", nil, "X-Forwarded-For", scanner)
	wantWait(t, "the scanner's unknown token", st, body, h)
	if st, body, _ := b.lookupFrom(t, c, "YC2099010199999", "1234", "198.51.100.67"); st != http.StatusNotFound {
		t.Fatalf("an unknown receipt from another address: %d %v", st, body)
	}
	// Whatever the address has done, a lookup that finds its application is answered.
	if st, body, _ := b.call(t, nil, "GET", c.public+"/"+tokenA, nil, "X-Forwarded-For", scanner); st != http.StatusOK {
		t.Fatalf("a valid QR token from the scanning address: %d %v", st, body)
	}
	if st, body, _ := b.lookupFrom(t, c, bb, "5678", scanner); st != http.StatusOK {
		t.Fatalf("right digits from the scanning address: %d %v", st, body)
	}
	// A rating through a valid token is not throttled either (this one is refused for what it
	// is: the application has not ended).
	if st, body, _ := b.call(t, nil, "POST", c.public+"/"+tokenA+"/rating", map[string]any{"score": 5}, "X-Forwarded-For", scanner); st != http.StatusConflict {
		t.Fatalf("a rating through a valid token from the scanning address: %d %v", st, body)
	}
}

// TestStatusThrottleUnderParallelGuesses: the counts are PostgreSQL's, taken under a lock, so
// a burst gets no more answers than the limits: 100 parallel wrong lookups of one receipt
// (from 100 addresses) get five 404s and 429 for the rest, and 130 parallel unknown receipt
// numbers from one address get a hundred.
func TestStatusThrottleUnderParallelGuesses(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.statusCounty(t, 1)
	burst := func(n int, req func(i int) (string, string, string)) map[int]int {
		counts := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				receipt, digits, from := req(i)
				raw, _ := json.Marshal(map[string]any{"receipt_no": receipt, "phone_last4": digits})
				r, _ := http.NewRequest("POST", b.srv.URL+c.public+"/lookup", bytes.NewReader(raw))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("X-Forwarded-For", from)
				st := 0
				if resp, err := http.DefaultClient.Do(r); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					st = resp.StatusCode
				}
				mu.Lock()
				counts[st]++
				mu.Unlock()
			})
		}
		wg.Wait()
		return counts
	}
	got := burst(100, func(i int) (string, string, string) {
		return c.receipts[0], fmt.Sprintf("%04d", 9000+i), fmt.Sprintf("203.0.113.%d", i+1)
	})
	if got[http.StatusNotFound] != status.MaxReceiptFailures || got[http.StatusTooManyRequests] != 100-status.MaxReceiptFailures {
		t.Fatalf("100 parallel wrong digits for one receipt: %v (want %d × 404, the rest 429)", got, status.MaxReceiptFailures)
	}
	got = burst(status.MaxAddressFailures+30, func(i int) (string, string, string) {
		return fmt.Sprintf("YC20990101%05d", i), "1234", "198.51.100.200"
	})
	if got[http.StatusNotFound] != status.MaxAddressFailures || got[http.StatusTooManyRequests] != 30 {
		t.Fatalf("%d parallel unknown receipts from one address: %v", status.MaxAddressFailures+30, got)
	}
}

// TestClientAddressThroughProxies: X-Forwarded-For is believed only from a trusted proxy
// (YC_TRUSTED_PROXIES), for the status throttle and the sign-in guard and login log alike.
// The default trusts loopback, which the tests' connections come from; a server that trusts
// only 10.0.0.0/8 ignores the header, so a scanner cannot dodge the throttle by naming new
// addresses, and the login log records the connection's address.
func TestClientAddressThroughProxies(t *testing.T) {
	t.Parallel()
	trusting := setup(t)
	untrusting := start(t, stack{trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})

	// Untrusted peer: a hundred unknown receipts each "from" a new address all count against
	// the connection's, and the next is refused whatever it claims.
	c := untrusting.statusCounty(t, 1)
	for i := range status.MaxAddressFailures {
		if st, _, _ := untrusting.lookupFrom(t, c, fmt.Sprintf("YC20990101%05d", i), "1234", fmt.Sprintf("203.0.113.%d", i+1)); st != http.StatusNotFound {
			t.Fatalf("unknown receipt %d: %d", i, st)
		}
	}
	st, body, h := untrusting.lookupFrom(t, c, "YC2099010199999", "1234", "198.51.100.1")
	wantWait(t, "a forged X-Forwarded-For from an untrusted peer", st, body, h)

	// Trusted peer: the forwarded address is the client's, in the throttle (a flooded address
	// does not hold back another) and in the login log, where the right-most untrusted entry
	// is the one recorded, not what the client put before it.
	c = trusting.statusCounty(t, 1)
	for i := range status.MaxAddressFailures {
		if st, _, _ := trusting.lookupFrom(t, c, fmt.Sprintf("YC20990101%05d", i), "1234", "198.51.100.2"); st != http.StatusNotFound {
			t.Fatalf("unknown receipt %d: %d", i, st)
		}
	}
	st, body, h = trusting.lookupFrom(t, c, "YC2099010199999", "1234", "198.51.100.2")
	wantWait(t, "the flooded forwarded address", st, body, h)
	if st, body, _ := trusting.lookupFrom(t, c, "YC2099010199999", "1234", "198.51.100.3"); st != http.StatusNotFound {
		t.Fatalf("another forwarded address: %d %v", st, body)
	}

	for _, x := range []struct {
		b    *testBundle
		want string
	}{{trusting, "198.51.100.77"}, {untrusting, "127.0.0.1"}} {
		tt := tenanttest.NewTenant(t, x.b.db, "代理县")
		admin := x.b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin)
		clerk := x.b.newMember(t, tt, tt.County.ID, tenants.RoleTownshipClerk)
		if st, body, _ := proxyLoginVia(t, x.b.srv.URL, clerk.m.Phone, "Wrong#password1", "6.6.6.6, 198.51.100.77"); st != http.StatusBadRequest {
			t.Fatalf("a wrong password: %d %v", st, body)
		}
		events := loginEvents(t, x.b, admin, clerk.m.Phone)
		if len(events) != 1 || events[0]["address"] != x.want {
			t.Fatalf("login log address: want %s, got %v", x.want, events)
		}
	}
}
