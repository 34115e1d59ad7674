// Package identity talks to Ory Kratos: who a session belongs to, and the staff identities
// county admins create. Accounts are identified by mobile number; an identity's
// metadata_public.tenant_id names its county, so a session leads to one tenant without
// reading across tenants.
package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru/v2/expirable"
	ory "github.com/ory/kratos-client-go"
)

// SchemaID is the Kratos identity schema of staff accounts (infra/kratos/identity.schema.json).
const SchemaID = "staff"

var (
	// ErrUnauthenticated: no session, or one Kratos does not (or no longer) recognise.
	ErrUnauthenticated = errors.New("identity: not signed in")
	// ErrUnavailable: Kratos could not be asked.
	ErrUnavailable = errors.New("identity: Kratos is unavailable")
	// ErrIdentifierTaken: another identity already signs in with this phone.
	ErrIdentifierTaken = errors.New("identity: phone already in use")
	// ErrRejected: Kratos refused the identity (e.g. its password policy).
	ErrRejected = errors.New("identity: rejected by Kratos")
)

// Session is a validated Kratos session.
type Session struct {
	ID         string
	IdentityID uuid.UUID
	TenantID   uuid.UUID
	// RegionCode names the region of a region account (city or province supervisor, platform
	// operator), which has no tenant: metadata_public.region_code.
	RegionCode string
	Phone      string
	Name       string
	ExpiresAt  time.Time
	// Cached: this answer came from this process's cache, not from Kratos just now. Another
	// process may have ended the session since (a sign-out through it drops only its own
	// cache); the caller can check for that in PostgreSQL and Forget the credential.
	Cached bool
}

// Kratos is the client of one Kratos deployment.
type Kratos struct {
	public   *ory.APIClient
	admin    *ory.APIClient
	http     *http.Client
	adminURL string
	cache    *lru.LRU[string, *Session]
}

// CacheTTL bounds how long this process may answer for a session without asking Kratos.
// Ending a session through the API drops the entry here; in other processes the session's
// activity row, which every request reads (services/signin.Touch), is gone, and a cached
// answer without one is asked again (api/server/auth.go), so no process honours an ended
// session for this long.
const CacheTTL = 30 * time.Second

// New returns a client of the public and admin APIs.
func New(publicURL, adminURL string) *Kratos {
	hc := &http.Client{Timeout: 5 * time.Second}
	return &Kratos{
		public:   newClient(publicURL, hc),
		admin:    newClient(adminURL, hc),
		http:     hc,
		adminURL: adminURL,
		cache:    lru.NewLRU[string, *Session](10000, nil, CacheTTL),
	}
}

func newClient(url string, hc *http.Client) *ory.APIClient {
	cfg := ory.NewConfiguration()
	cfg.Servers = ory.ServerConfigurations{{URL: url}}
	cfg.HTTPClient = hc
	return ory.NewAPIClient(cfg)
}

// CacheKey is how a credential is remembered: by hash, so tokens never sit in memory as keys.
func CacheKey(credential string) string {
	sum := sha256.Sum256([]byte(credential))
	return hex.EncodeToString(sum[:])
}

// FromToken validates a session token (X-Session-Token).
func (k *Kratos) FromToken(ctx context.Context, token string) (*Session, error) {
	return k.lookup(ctx, token, func(r ory.FrontendAPIToSessionRequest) ory.FrontendAPIToSessionRequest {
		return r.XSessionToken(token)
	})
}

// FromCookie validates the session cookie (its name=value pair).
func (k *Kratos) FromCookie(ctx context.Context, cookie string) (*Session, error) {
	return k.lookup(ctx, cookie, func(r ory.FrontendAPIToSessionRequest) ory.FrontendAPIToSessionRequest {
		return r.Cookie(cookie)
	})
}

func (k *Kratos) lookup(ctx context.Context, credential string, with func(ory.FrontendAPIToSessionRequest) ory.FrontendAPIToSessionRequest) (*Session, error) {
	if credential == "" {
		return nil, ErrUnauthenticated
	}
	key := CacheKey(credential)
	if s, ok := k.cache.Get(key); ok && time.Now().Before(s.ExpiresAt) {
		c := *s // the cached value is shared: mark a copy
		c.Cached = true
		return &c, nil
	}
	os, resp, err := with(k.public.FrontendAPI.ToSession(ctx)).Execute()
	if err != nil {
		return nil, classify(resp, err)
	}
	if os.Active != nil && !*os.Active || os.Identity == nil {
		return nil, ErrUnauthenticated
	}
	s, err := toSession(os)
	if err != nil {
		return nil, err
	}
	k.cache.Add(key, s)
	return s, nil
}

func toSession(os *ory.Session) (*Session, error) {
	id, err := uuid.Parse(os.Identity.Id)
	if err != nil {
		return nil, fmt.Errorf("identity id %q: %w", os.Identity.Id, err)
	}
	s := &Session{ID: os.Id, IdentityID: id}
	if os.ExpiresAt != nil {
		s.ExpiresAt = *os.ExpiresAt
	} else {
		s.ExpiresAt = time.Now().Add(CacheTTL)
	}
	if traits, ok := os.Identity.Traits.(map[string]any); ok {
		s.Phone, _ = traits["phone"].(string)
		s.Name, _ = traits["name"].(string)
	}
	if meta, ok := os.Identity.MetadataPublic.(map[string]any); ok {
		if t, ok := meta["tenant_id"].(string); ok {
			s.TenantID, _ = uuid.Parse(t)
		}
		s.RegionCode, _ = meta["region_code"].(string)
	}
	return s, nil
}

func classify(resp *http.Response, err error) error {
	switch {
	case resp == nil:
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return ErrUnauthenticated
	case resp.StatusCode >= 500:
		return fmt.Errorf("%w: status %d", ErrUnavailable, resp.StatusCode)
	case resp.StatusCode == http.StatusConflict:
		return ErrIdentifierTaken
	case resp.StatusCode == http.StatusBadRequest:
		return fmt.Errorf("%w: %v", ErrRejected, detail(err))
	default:
		return fmt.Errorf("kratos: status %d: %w", resp.StatusCode, err)
	}
}

func detail(err error) string {
	var oe *ory.GenericOpenAPIError
	if errors.As(err, &oe) {
		return string(oe.Body())
	}
	return err.Error()
}

// Forget drops a credential's cached answer: the next lookup asks Kratos.
func (k *Kratos) Forget(credential string) {
	k.cache.Remove(CacheKey(credential))
}

// Revoke ends a session in Kratos and forgets the credential here.
func (k *Kratos) Revoke(ctx context.Context, sessionID, credential string) error {
	k.cache.Remove(CacheKey(credential))
	resp, err := k.admin.IdentityAPI.DisableSession(ctx, sessionID).Execute()
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return classify(resp, err)
	}
	return nil
}

// NewStaff describes a staff identity.
type NewStaff struct {
	TenantID uuid.UUID
	// RegionCode, instead of TenantID, makes a region account (services/supervision).
	RegionCode string
	Phone      string
	Name       string
	Password   string
}

// Identity is what this package knows of a Kratos identity.
type Identity struct {
	ID         uuid.UUID
	TenantID   uuid.UUID
	RegionCode string
	Phone      string
	Name       string
	Active     bool
}

// CreateStaff creates an identity that signs in with phone and password.
func (k *Kratos) CreateStaff(ctx context.Context, in NewStaff) (uuid.UUID, error) {
	pw := in.Password
	body := ory.CreateIdentityBody{
		SchemaId:       SchemaID,
		Traits:         map[string]any{"phone": in.Phone, "name": in.Name},
		MetadataPublic: metadataOf(in),
		Credentials: &ory.IdentityWithCredentials{Password: &ory.IdentityWithCredentialsPassword{
			Config: &ory.IdentityWithCredentialsPasswordConfig{Password: &pw},
		}},
	}
	id, resp, err := k.admin.IdentityAPI.CreateIdentity(ctx).CreateIdentityBody(body).Execute()
	if err != nil {
		return uuid.Nil, classify(resp, err)
	}
	return uuid.Parse(id.Id)
}

func metadataOf(in NewStaff) map[string]any {
	if in.RegionCode != "" {
		return map[string]any{"region_code": in.RegionCode}
	}
	return map[string]any{"tenant_id": in.TenantID.String()}
}

// FindByPhone returns the identity that signs in with phone.
func (k *Kratos) FindByPhone(ctx context.Context, phone string) (*Identity, error) {
	ids, resp, err := k.admin.IdentityAPI.ListIdentities(ctx).CredentialsIdentifier(phone).Execute()
	if err != nil {
		return nil, classify(resp, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return toIdentity(&ids[0])
}

func toIdentity(oi *ory.Identity) (*Identity, error) {
	id, err := uuid.Parse(oi.Id)
	if err != nil {
		return nil, err
	}
	out := &Identity{ID: id, Active: oi.State == nil || *oi.State == "active"}
	if traits, ok := oi.Traits.(map[string]any); ok {
		out.Phone, _ = traits["phone"].(string)
		out.Name, _ = traits["name"].(string)
	}
	if meta, ok := oi.MetadataPublic.(map[string]any); ok {
		if t, ok := meta["tenant_id"].(string); ok {
			out.TenantID, _ = uuid.Parse(t)
		}
		out.RegionCode, _ = meta["region_code"].(string)
	}
	return out, nil
}

// SetActive enables or disables an identity; disabling also ends all its sessions, and
// this process forgets the sessions it cached.
func (k *Kratos) SetActive(ctx context.Context, id uuid.UUID, active bool) error {
	state := "inactive"
	if active {
		state = "active"
	}
	patch := []ory.JsonPatch{{Op: "replace", Path: "/state", Value: state}}
	_, resp, err := k.admin.IdentityAPI.PatchIdentity(ctx, id.String()).JsonPatch(patch).Execute()
	if err != nil {
		return classify(resp, err)
	}
	if !active {
		resp, err := k.admin.IdentityAPI.DeleteIdentitySessions(ctx, id.String()).Execute()
		if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
			return classify(resp, err)
		}
		k.forgetIdentity(id)
	}
	return nil
}

func (k *Kratos) forgetIdentity(id uuid.UUID) {
	for _, key := range k.cache.Keys() {
		if s, ok := k.cache.Peek(key); ok && s.IdentityID == id {
			k.cache.Remove(key)
		}
	}
}

// Delete removes an identity (used to undo a creation whose membership could not be written).
func (k *Kratos) Delete(ctx context.Context, id uuid.UUID) error {
	resp, err := k.admin.IdentityAPI.DeleteIdentity(ctx, id.String()).Execute()
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return classify(resp, err)
	}
	return nil
}

// Ready asks Kratos' admin API whether it and its database are up.
func (k *Kratos) Ready(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.adminURL+"/health/ready", nil)
	if err != nil {
		return err
	}
	resp, err := k.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: status %d", ErrUnavailable, resp.StatusCode)
	}
	return nil
}
