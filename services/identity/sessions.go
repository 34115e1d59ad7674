package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// SessionInfo describes one active session of an identity, as Kratos recorded it.
type SessionInfo struct {
	ID              uuid.UUID
	AuthenticatedAt time.Time
	ExpiresAt       time.Time
	// Address and UserAgent are those of the device that signed in (Kratos' first device).
	Address   string
	UserAgent string
}

// Sessions lists the active sessions of an identity (admin API).
func (k *Kratos) Sessions(ctx context.Context, identityID uuid.UUID) ([]SessionInfo, error) {
	list, resp, err := k.admin.IdentityAPI.ListIdentitySessions(ctx, identityID.String()).Active(true).PageSize(250).Execute()
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return nil, nil
		}
		return nil, classify(resp, err)
	}
	out := make([]SessionInfo, 0, len(list))
	for _, s := range list {
		if s.Active != nil && !*s.Active {
			continue
		}
		id, err := uuid.Parse(s.Id)
		if err != nil {
			continue
		}
		si := SessionInfo{ID: id}
		if s.AuthenticatedAt != nil {
			si.AuthenticatedAt = *s.AuthenticatedAt
		}
		if s.ExpiresAt != nil {
			si.ExpiresAt = *s.ExpiresAt
		}
		if len(s.Devices) > 0 {
			d := s.Devices[0]
			if d.IpAddress != nil {
				si.Address = *d.IpAddress
			}
			if d.UserAgent != nil {
				si.UserAgent = *d.UserAgent
			}
		}
		out = append(out, si)
	}
	return out, nil
}

// SessionOwner returns the identity a session belongs to; ErrUnauthenticated when Kratos
// knows no such session.
func (k *Kratos) SessionOwner(ctx context.Context, sessionID uuid.UUID) (uuid.UUID, error) {
	s, resp, err := k.admin.IdentityAPI.GetSession(ctx, sessionID.String()).Expand([]string{"Identity"}).Execute()
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return uuid.Nil, ErrUnauthenticated
		}
		return uuid.Nil, classify(resp, err)
	}
	if s.Identity == nil {
		return uuid.Nil, ErrUnauthenticated
	}
	return uuid.Parse(s.Identity.Id)
}

// EndSession ends one session in Kratos and forgets it here, whoever's credential it was.
func (k *Kratos) EndSession(ctx context.Context, sessionID uuid.UUID) error {
	for _, key := range k.cache.Keys() {
		if s, ok := k.cache.Peek(key); ok && s.ID == sessionID.String() {
			k.cache.Remove(key)
		}
	}
	resp, err := k.admin.IdentityAPI.DisableSession(ctx, sessionID.String()).Execute()
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return classify(resp, err)
	}
	return nil
}
