package server_test

import (
	"net/netip"
	"testing"

	"github.com/yichuang/yichuang/api/server"
)

// TestClientAddress: X-Forwarded-For counts only when the connection comes from a trusted
// proxy, and then only its right-most untrusted entry — what a client writes on the left is
// never believed. No stack needed.
func TestClientAddress(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	cases := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"no proxy", "203.0.113.7:51234", nil, "203.0.113.7"},
		{"an untrusted peer's header is ignored", "203.0.113.7:51234", []string{"198.51.100.1"}, "203.0.113.7"},
		{"a trusted proxy names the client", "10.0.0.2:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a forged entry left of the proxy's is not believed", "10.0.0.2:443", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"a chain of trusted proxies is walked past", "10.0.0.2:443", []string{"6.6.6.6, 198.51.100.1, 10.1.1.1, 10.2.2.2"}, "198.51.100.1"},
		{"several header lines are one list", "10.0.0.2:443", []string{"6.6.6.6", "198.51.100.1", "10.1.1.1"}, "198.51.100.1"},
		{"a trusted peer without the header is the client", "10.0.0.2:443", nil, "10.0.0.2"},
		{"every hop trusted: the left-most is the client", "10.0.0.2:443", []string{"10.9.9.9, 10.1.1.1"}, "10.9.9.9"},
		{"garbage stops at the last trusted hop", "10.0.0.2:443", []string{"198.51.100.1, unknown, 10.1.1.1"}, "10.1.1.1"},
		{"garbage right of everything is never a key", "10.0.0.2:443", []string{"198.51.100.1, <script>"}, "10.0.0.2"},
		{"an entry with a port", "10.0.0.2:443", []string{"198.51.100.1:6000"}, "198.51.100.1"},
		{"IPv6 peer and bracketed entry", "[fd00::1]:443", []string{"[2001:db8::5]:6000"}, "2001:db8::5"},
		{"an IPv4-mapped peer is the IPv4 address", "[::ffff:10.0.0.2]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"an IPv4-mapped entry is the IPv4 address", "10.0.0.2:443", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"a remote address without a port", "203.0.113.7", nil, "203.0.113.7"},
		{"not an IP connection", "@", []string{"198.51.100.1"}, "@"},
	}
	for _, c := range cases {
		if got := server.ClientAddress(c.remote, c.xff, trusted); got != c.want {
			t.Errorf("%s: ClientAddress(%q, %q) = %q, want %q", c.name, c.remote, c.xff, got, c.want)
		}
	}
	// With no list, nothing is trusted (the server itself defaults to loopback).
	if got := server.ClientAddress("127.0.0.1:1", []string{"198.51.100.1"}, nil); got != "127.0.0.1" {
		t.Errorf("no trusted proxies: %q", got)
	}
}
