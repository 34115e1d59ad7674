package server

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientAddress is the address of the client behind a request, for the throttles (public
// status lookup, sign-in) and the login log. It is the connection's peer, unless the peer is
// one of the trusted reverse proxies (YC_TRUSTED_PROXIES): then X-Forwarded-For is read from
// the right, past every trusted hop, and the first address no trusted proxy owns is the
// client. Each proxy appends the address it was connected from, so that right-most untrusted
// entry is the one a proxy of ours wrote; everything to its left came from the client and is
// never believed (a client may send any X-Forwarded-For it likes). A header from an untrusted
// peer is ignored outright. When every entry is trusted (a client inside the proxies' own
// network), the left-most is the client; an entry that is no address stops the walk at the
// last trusted hop, so garbage can never become a throttle key.
//
// forwardedFor are the X-Forwarded-For header lines in order; several lines are one list
// (RFC 9110 §5.3).
func ClientAddress(remoteAddr string, forwardedFor []string, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host // not an IP connection (a Unix socket): nothing to resolve
	}
	peer = peer.Unmap().WithZone("")
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	var hops []string
	for _, line := range forwardedFor {
		hops = append(hops, strings.Split(line, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client.String()
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a port (some proxies
// write one, IPv6 then in brackets).
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// trustedProxies is YC_TRUSTED_PROXIES, or loopback when unset.
func (s *Server) trustedProxies() []netip.Prefix {
	if s.deps.TrustedProxies == nil {
		return DefaultTrustedProxies
	}
	return s.deps.TrustedProxies
}

type clientAddrKey struct{}

// withClientAddress resolves the client's address once per request, for every handler: the
// API's (through clientAddressOf), the sign-in guard's and the login log's.
func (s *Server) withClientAddress(next http.Handler) http.Handler {
	trusted := s.trustedProxies()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := ClientAddress(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), trusted)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, addr)))
	})
}

// clientAddressOf is the address withClientAddress resolved for the request of ctx.
func clientAddressOf(ctx context.Context) string {
	addr, _ := ctx.Value(clientAddrKey{}).(string)
	return addr
}
