package signin

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/tenants"
)

// peekStmt is what a county account's request needs checked, in one statement: the
// membership with its unit (tenants' tables, only read here), the session's last request
// and the county's idle period. It is prepared once per connection (tenants.ReadOnce), so
// PostgreSQL plans it once, not on every request.
var peekStmt = tenants.Prepared{Name: "yc_session_peek", SQL: `SELECT json_build_object(
	'tenant_id', m.tenant_id, 'identity_id', m.identity_id, 'org_unit_id', m.org_unit_id, 'name', m.name, 'phone', m.phone,
	'roles', m.roles, 'scope', m.scope, 'status', m.status, 'supervisor_id', m.supervisor_id,
	'must_change_password', m.must_change_password, 'created_at', m.created_at, 'updated_at', m.updated_at,
	'unit', CASE WHEN ou.id IS NOT NULL THEN json_build_object('tenant_id', ou.tenant_id, 'id', ou.id, 'parent_id', ou.parent_id,
		'kind', ou.kind, 'name', ou.name, 'code', ou.code, 'path', ou.path, 'depth', ou.depth, 'created_at', ou.created_at) END,
	'last_seen', (SELECT a.last_seen FROM session_activity a WHERE a.tenant_id = $1 AND a.session_id = $3),
	'idle', (SELECT s.idle_minutes FROM signin_settings s WHERE s.tenant_id = $1))
FROM memberships m LEFT JOIN org_units ou ON ou.tenant_id = m.tenant_id AND ou.id = m.org_unit_id
WHERE m.tenant_id = $1 AND m.identity_id = $2`}

type peekRow struct {
	TenantID           uuid.UUID      `json:"tenant_id"`
	IdentityID         uuid.UUID      `json:"identity_id"`
	OrgUnitID          uuid.UUID      `json:"org_unit_id"`
	Name               string         `json:"name"`
	Phone              string         `json:"phone"`
	Roles              []tenants.Role `json:"roles"`
	Scope              tenants.Scope  `json:"scope"`
	Status             string         `json:"status"`
	SupervisorID       *uuid.UUID     `json:"supervisor_id"`
	MustChangePassword bool           `json:"must_change_password"`
	CreatedAt          time.Time      `json:"created_at"`
	UpdatedAt          time.Time      `json:"updated_at"`
	Unit               *struct {
		TenantID  uuid.UUID       `json:"tenant_id"`
		ID        uuid.UUID       `json:"id"`
		ParentID  *uuid.UUID      `json:"parent_id"`
		Kind      tenants.OrgKind `json:"kind"`
		Name      string          `json:"name"`
		Code      string          `json:"code"`
		Path      string          `json:"path"`
		Depth     int             `json:"depth"`
		CreatedAt time.Time       `json:"created_at"`
	} `json:"unit"`
	LastSeen *time.Time `json:"last_seen"`
	Idle     *int       `json:"idle"`
}

// Peek is tenants.GetMembership and Touch for a request of a county account, for the case
// of nearly every request: nothing to write (last_seen is written at most every
// touchEvery). It takes one round trip and no transaction of the caller's. settled is
// false when the request does have something to write (last_seen is due, or the session
// idled out): the caller then runs GetMembership and Touch in a transaction, which writes
// it. m is nil when the identity has no membership in the county; a membership that is not
// active comes back with an empty Activity (the caller refuses it before looking).
func Peek(ctx context.Context, store *tenants.Store, tenantID, sessionID, identityID uuid.UUID, now time.Time, background, cached bool) (m *tenants.Membership, act *Activity, settled bool, err error) {
	raw, err := store.ReadOnce(ctx, tenantID, peekStmt, tenantID, identityID, sessionID)
	if err != nil || raw == nil {
		return nil, nil, err == nil, err
	}
	var r peekRow
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, nil, false, err
	}
	m = &tenants.Membership{TenantID: r.TenantID, IdentityID: r.IdentityID, OrgUnitID: r.OrgUnitID, Name: r.Name, Phone: r.Phone,
		Roles: r.Roles, Scope: r.Scope, Status: r.Status, SupervisorID: r.SupervisorID, MustChangePassword: r.MustChangePassword,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if u := r.Unit; u != nil {
		m.OrgUnit = &tenants.OrgUnit{TenantID: u.TenantID, ID: u.ID, ParentID: u.ParentID, Kind: u.Kind, Name: u.Name, Code: u.Code,
			Path: u.Path, Depth: u.Depth, CreatedAt: u.CreatedAt}
	}
	if m.Status != tenants.StatusActive {
		return m, &Activity{}, true, nil
	}
	// The same decisions as Touch, which is what runs when this one is not settled.
	a := &Activity{IdleMinutes: DefaultIdleMinutes}
	if r.Idle != nil {
		a.IdleMinutes = *r.Idle
	}
	switch {
	case r.LastSeen == nil && cached:
		a.Ended = true
		return m, a, true, nil
	case r.LastSeen != nil && now.Sub(*r.LastSeen) > time.Duration(a.IdleMinutes)*time.Minute:
		return m, nil, false, nil
	case r.LastSeen == nil || (!background && now.Sub(*r.LastSeen) >= touchEvery):
		return m, nil, false, nil
	}
	return m, a, true, nil
}
