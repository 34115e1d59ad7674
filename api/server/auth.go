package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/signin"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/tenants"
)

// SessionCookie is Kratos' session cookie.
const SessionCookie = "ory_kratos_session"

// anyMember admits every role: the operation needs a signed-in member, nothing more.
var anyMember = tenants.Roles

type credentialKey struct{}

// register adds an operation with the roles that may call it. roles == nil makes it public;
// otherwise a Kratos session and an active membership holding one of roles are required.
// Declaring access here, beside the route, keeps who-may-call-what in one reviewable place.
func register[I, O any](s *Server, op huma.Operation, roles []tenants.Role, h func(context.Context, *I) (*O, error)) {
	if roles != nil {
		op.Security = []map[string][]string{{"cookie": {}}, {"session": {}}}
		labels := make([]string, len(roles))
		for i, r := range roles {
			labels[i] = r.Label() + " (" + string(r) + ")"
		}
		op.Description = strings.TrimSpace(op.Description + "\n\n可调用角色 / Roles: " + strings.Join(labels, "、"))
		if op.Metadata == nil {
			op.Metadata = map[string]any{}
		}
		op.Metadata["roles"] = roles
		op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden, http.StatusServiceUnavailable)
		op.Middlewares = append(op.Middlewares, s.authenticate(roles, op.OperationID))
	}
	huma.Register(s.api, op, h)
}

// authenticate validates the Kratos session (cookie or X-Session-Token), loads the
// membership of its tenant and puts the actor in the context.
//
// Several processes may serve the API (docs/architecture.md, "Running several processes"),
// each with its own 30-second cache of Kratos' answers; what one process learns must hold in
// all of them at once, so it is read from PostgreSQL in the request's tenant transaction: the
// membership's status (an account disabled anywhere is refused everywhere) and the session's
// activity row (a session ended anywhere has none: a cached answer is then asked again).
func (s *Server) authenticate(roles []tenants.Role, operationID string) func(huma.Context, func(huma.Context)) {
	whileMustChange := allowedWhileMustChange[operationID]
	return func(hctx huma.Context, next func(huma.Context)) {
		s.authenticateOnce(hctx, next, roles, operationID, whileMustChange, false)
	}
}

// errAccountDisabled refuses a session of a disabled account, a county's or a region's.
var errAccountDisabled = &problem.Error{Status: http.StatusUnauthorized, Code: "account_disabled", Message: "账号已停用", MessageEn: "account disabled"}

// regionOps are the operations of region accounts (registerRegion): a county's session is
// refused them whatever its roles, and a region account is refused every other operation but
// regionAlso's. Filled while the routes are registered, read only after.
var regionOps = map[string]bool{}

// regionAlso are the operations of every account a region account may call too: who am I, sign
// out, change the password, see and end its sessions (they run in the region's transaction:
// inActor).
var regionAlso = map[string]bool{"get-me": true, "logout": true, "change-my-password": true,
	"list-my-sessions": true, "end-my-session": true, "end-my-other-sessions": true}

// registerRegion adds an operation of region accounts (city and province supervisors, the
// platform operator): their sessions carry a region instead of a tenant, and their
// transactions are region transactions (inRegion) or the platform's, never a county's by
// accident.
func registerRegion[I, O any](s *Server, op huma.Operation, roles []tenants.Role, h func(context.Context, *I) (*O, error)) {
	regionOps[op.OperationID] = true
	register(s, op, roles, h)
}

// authenticateRegion is authenticate for a session of a region account: the account is read in
// its region's transaction (as the supervision role), the session's activity is kept there
// (the same idle timeout, shared by every process, as a county's), and the actor carries the
// region.
func (s *Server) authenticateRegion(hctx huma.Context, next func(huma.Context), roles []tenants.Role, operationID string, sess *identity.Session, credential string, whileMustChange, asked bool) {
	fail := func(err error) { _ = huma.WriteErr(s.api, hctx, http.StatusInternalServerError, "", err) }
	ctx := hctx.Context()
	var (
		m    *supervision.Member
		path string
		idle *signin.Activity
	)
	err := s.deps.Store.InRegion(ctx, sess.RegionCode, func(ctx context.Context) error {
		rt, _ := tenants.RegionFrom(ctx)
		path = rt.Path
		var err error
		m, err = supervision.LookupMember(ctx, sess.IdentityID)
		if err != nil || m.Status != tenants.StatusActive {
			return err
		}
		idle, err = s.touch(ctx, sess, m.Phone, m.IdentityID, m.Name, hctx)
		return err
	})
	switch {
	case errors.Is(err, tenants.ErrNoRegion), errors.Is(err, supervision.ErrNoMember):
		fail(problem.Forbidden("no_membership", "该账号未分配区划和角色", "this account has no region membership"))
		return
	case err != nil:
		fail(err)
		return
	case m.Status != tenants.StatusActive:
		fail(errAccountDisabled)
		return
	case s.sessionEnded(hctx, idle, sess, credential, asked, func() { s.authenticateOnce(hctx, next, roles, operationID, whileMustChange, true) }):
		return
	}
	a := m.Actor(sess.ID, path)
	if !(regionOps[operationID] || regionAlso[operationID]) || !a.HasAny(roles...) {
		fail(problem.Forbidden("forbidden", "没有权限执行此操作", "your roles do not allow this operation"))
		return
	}
	ctx = tenants.WithActor(ctx, a)
	ctx = context.WithValue(ctx, credentialKey{}, credential)
	next(huma.WithContext(hctx, ctx))
}

// sessionEnded handles a session that Touch found ended elsewhere or idle, and reports
// whether it did (the request is then answered). again authenticates once more.
func (s *Server) sessionEnded(hctx huma.Context, idle *signin.Activity, sess *identity.Session, credential string, asked bool, again func()) bool {
	ctx := hctx.Context()
	switch {
	case idle != nil && idle.Ended && !asked:
		// Ended by another process after this one cached it: Kratos decides.
		s.deps.Kratos.Forget(credential)
		again()
		return true
	case idle != nil && idle.Idle:
		// 超时自动退出: the session ends in Kratos too, not just for this request.
		if id, err := uuid.Parse(sess.ID); err == nil {
			if err := s.deps.Kratos.EndSession(ctx, id); err != nil {
				s.deps.Logger.WarnContext(ctx, "end idle session", "error", err)
			}
		}
		_ = huma.WriteErr(s.api, hctx, http.StatusInternalServerError, "", &problem.Error{Status: http.StatusUnauthorized, Code: "session_idle",
			Message:   "超过 " + strconv.Itoa(idle.IdleMinutes) + " 分钟未操作，已自动退出，请重新登录",
			MessageEn: "signed out after " + strconv.Itoa(idle.IdleMinutes) + " minutes without activity; sign in again"})
		return true
	}
	return false
}

// inActor runs fn in the transaction that keeps the signed-in account: its county's, or its
// region's for a region account.
func (s *Server) inActor(ctx context.Context, fn func(ctx context.Context) error) error {
	if actor(ctx).RegionCode != "" {
		return s.inRegion(ctx, fn)
	}
	return s.inTx(ctx, fn)
}

// inRegion runs fn in the region transaction of the signed-in region account.
func (s *Server) inRegion(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.deps.Store.InRegion(ctx, actor(ctx).RegionCode, fn)
}

// allowedWhileMustChange are the operations a member whose password a county admin reset may
// call before choosing their own (issue 15, item 4): who am I, sign out, change the password.
// Everything else is 403 password_change_required.
var allowedWhileMustChange = map[string]bool{"get-me": true, "logout": true, "change-my-password": true}

// authenticateOnce is authenticate; whileMustChange is true for the operations a member with a
// reset password may still call, and asked is true when it runs again because the cached
// answer was for a session another process ended, and the session must now come from Kratos.
func (s *Server) authenticateOnce(hctx huma.Context, next func(huma.Context), roles []tenants.Role, operationID string, whileMustChange, asked bool) {
	fail := func(err error) { _ = huma.WriteErr(s.api, hctx, http.StatusInternalServerError, "", err) }
	if s.deps.Kratos == nil || s.deps.Store == nil {
		fail(problem.Unavailable("auth_unavailable", "身份认证服务未配置", "authentication is not configured"))
		return
	}
	ctx := hctx.Context()
	var (
		sess       *identity.Session
		err        error
		credential string
	)
	if token := hctx.Header("X-Session-Token"); token != "" {
		credential = token
		sess, err = s.deps.Kratos.FromToken(ctx, token)
	} else if c := sessionCookie(hctx.Header("Cookie")); c != "" {
		credential = c
		sess, err = s.deps.Kratos.FromCookie(ctx, c)
	} else {
		err = identity.ErrUnauthenticated
	}
	switch {
	case errors.Is(err, identity.ErrUnauthenticated):
		fail(&problem.Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "请先登录", MessageEn: "sign in first"})
		return
	case errors.Is(err, identity.ErrUnavailable):
		s.deps.Logger.WarnContext(ctx, "kratos unavailable", "error", err)
		fail(problem.Unavailable("auth_unavailable", "身份认证服务暂不可用，请稍后重试", "authentication service unavailable"))
		return
	case err != nil:
		fail(err)
		return
	}
	if sess.TenantID == uuid.Nil && sess.RegionCode != "" {
		s.authenticateRegion(hctx, next, roles, operationID, sess, credential, whileMustChange, asked)
		return
	}
	if regionOps[operationID] {
		fail(problem.Forbidden("region_only", "此操作仅供市、省监察人员和平台运营人员使用", "this operation is for region accounts only"))
		return
	}
	if sess.TenantID.String() == "00000000-0000-0000-0000-000000000000" {
		fail(problem.Forbidden("no_tenant", "该账号未归属任何县（区）", "this account belongs to no tenant"))
		return
	}
	var (
		m       *tenants.Membership
		idle    *signin.Activity
		settled bool
	)
	// Nearly every request writes nothing here: one round trip reads all there is to check.
	// When last_seen is due or the session idled out, the transaction below does it again
	// and writes.
	if sessionID, perr := uuid.Parse(sess.ID); perr == nil {
		m, idle, settled, err = signin.Peek(ctx, s.deps.Store, sess.TenantID, sessionID, sess.IdentityID, time.Now(), hctx.Header(BackgroundHeader) == "1", sess.Cached)
		if settled && m == nil {
			err = tenants.ErrNotFound
		}
	}
	if !settled && err == nil {
		err = s.deps.Store.InTx(ctx, sess.TenantID, func(ctx context.Context) error {
			var err error
			m, err = tenants.GetMembership(ctx, sess.IdentityID)
			if err != nil || m.Status != tenants.StatusActive {
				return err
			}
			idle, err = s.touch(ctx, sess, m.Phone, m.IdentityID, m.Name, hctx)
			return err
		})
	}
	switch {
	case errors.Is(err, tenants.ErrNotFound):
		fail(problem.Forbidden("no_membership", "该账号未分配单位和角色", "this account has no membership"))
		return
	case err != nil:
		fail(err)
		return
	case m.Status != tenants.StatusActive:
		fail(errAccountDisabled)
		return
	case s.sessionEnded(hctx, idle, sess, credential, asked, func() { s.authenticateOnce(hctx, next, roles, operationID, whileMustChange, true) }):
		return
	}
	actor := m.Actor(sess.ID)
	if !actor.HasAny(roles...) {
		fail(problem.Forbidden("forbidden", "没有权限执行此操作", "your roles do not allow this operation"))
		return
	}
	if m.MustChangePassword && !whileMustChange {
		fail(problem.Forbidden("password_change_required", "管理员已重置您的密码，请先修改密码", "your password was reset; change it first"))
		return
	}
	ctx = tenants.WithActor(ctx, actor)
	ctx = context.WithValue(ctx, credentialKey{}, credential)
	next(huma.WithContext(hctx, ctx))
}

// sessionCookie returns "ory_kratos_session=<value>" from a Cookie header, or "".
func sessionCookie(header string) string {
	for _, part := range strings.Split(header, ";") {
		part = strings.TrimSpace(part)
		if strings.HasPrefix(part, SessionCookie+"=") && len(part) > len(SessionCookie)+1 {
			return part
		}
	}
	return ""
}

// actor returns the signed-in actor; register guarantees one for non-public operations.
func actor(ctx context.Context) *tenants.Actor {
	a, ok := tenants.ActorFrom(ctx)
	if !ok {
		panic("server: operation registered as public reads the actor")
	}
	return a
}

// inTx runs fn in the actor's tenant transaction.
func (s *Server) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.deps.Store.InTx(ctx, actor(ctx).TenantID, fn)
}

// withTx runs fn in the actor's tenant transaction and returns what it made: the body of most
// handlers, which read or change something and answer with the result.
func withTx[O any](ctx context.Context, s *Server, fn func(ctx context.Context) (O, error)) (O, error) {
	var out O
	err := s.inTx(ctx, func(ctx context.Context) (err error) {
		out, err = fn(ctx)
		return err
	})
	return out, err
}

var errNoCounty = &problem.Error{Status: http.StatusNotFound, Code: "county_not_found", Message: "找不到该县", MessageEn: "no such county",
	Fields: []problem.Field{{Location: "path.county", Message: "找不到该县", MessageEn: "no such county"}}}

// needsKey refuses workforce operations on a server started without YC_DATA_KEY, rather than
// storing ID numbers without their encryption.
func (s *Server) needsKey() error {
	if s.workforce == nil || s.workforce.Box == nil {
		return problem.Unavailable("data_key_missing", "服务器未配置数据加密密钥（YC_DATA_KEY），暂不能处理社区工作者档案", "the server has no YC_DATA_KEY; worker records are unavailable")
	}
	return nil
}

func (s *Server) wtx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := s.needsKey(); err != nil {
		return err
	}
	return s.inTx(ctx, fn)
}

// withKey is withTx for the operations that need the data key.
func withKey[O any](ctx context.Context, s *Server, fn func(ctx context.Context) (O, error)) (O, error) {
	if err := s.needsKey(); err != nil {
		var none O
		return none, err
	}
	return withTx(ctx, s, fn)
}

// inCounty runs fn, for a caller without a session, in the transaction of the county named
// by its code (the tenant id derives from the code, so no cross-tenant lookup is needed).
func (s *Server) inCounty(ctx context.Context, county string, fn func(ctx context.Context, t *tenants.Tenant) error) error {
	id, err := tenants.ParseRef(county)
	if err != nil || id == uuid.Nil { // the nil UUID names no county (and opens no transaction)
		return errNoCounty
	}
	return s.deps.Store.InTx(ctx, id, func(ctx context.Context) error {
		t, err := tenants.Current(ctx)
		if err != nil {
			return errNoCounty
		}
		return fn(ctx, t)
	})
}
