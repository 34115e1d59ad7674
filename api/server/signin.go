package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/signin"
	"github.com/yichuang/yichuang/tenants"
)

// Sign-in hardening (等保 2.0 登录失败处理, 超时自动退出): the guard in front of Kratos' login
// submissions on the app's own origin, the login log, the county's idle period, and each
// user's sessions. The rules and the tables are services/signin's.

// loginPath is the one Kratos endpoint a password is submitted to, for every flow type
// (browser, API), as the proxy forwards it.
const loginPath = "/self-service/login"

// logoutPath is Kratos' self-service sign-out (its browser, API and token forms are under it).
const logoutPath = "/self-service/logout"

// settingsPath is Kratos' settings submission (password and profile changes).
const settingsPath = "/self-service/settings"

// maxLoginBody bounds a login submission (a real one is about 200 bytes).
const maxLoginBody = 16 << 10

// BackgroundHeader marks a request the user did not make (the notification bell's poll):
// it is checked for idleness but does not count as activity.
const BackgroundHeader = "X-Background-Request"

// FailuresLeftHeader tells the login page how many failures are left before the lockout.
const FailuresLeftHeader = "X-Signin-Failures-Left"

// guardSignIn puts the sign-in guard in front of the Kratos proxy: only password
// submissions pass through it, everything else goes straight to Kratos.
func (s *Server) guardSignIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Clean the path as the proxy does, so //self-service/login is no way around.
		p := path.Join("/", strings.TrimPrefix(r.URL.Path, KratosPublicPrefix))
		if r.Method == http.MethodPost && p == settingsPath {
			// A password chosen in Kratos' settings flow would skip the app's policy (no phone,
			// no common password) and leave must_change_password set: the flow is closed here,
			// and POST /api/v1/me/password is the one way to change a password.
			s.writeSignInProblem(w, r.Context(), problem.Forbidden("use_app_password_change",
				"请在“账号安全”页面修改密码", "change the password with POST /api/v1/me/password"))
			return
		}
		if p == logoutPath || strings.HasPrefix(p, logoutPath+"/") {
			// Kratos' own sign-out would end the session in Kratos only: another API process
			// that cached it would still accept it for up to 30 seconds, and its activity row
			// would stay. POST /api/v1/auth/logout ends it everywhere at once.
			s.writeSignInProblem(w, r.Context(), problem.Forbidden("use_app_logout",
				"请使用页面上的“退出登录”", "sign out with POST /api/v1/auth/logout"))
			return
		}
		if r.Method != http.MethodPost || p != loginPath {
			next.ServeHTTP(w, r)
			return
		}
		s.signIn(w, r, next)
	})
}

func (s *Server) writeSignInProblem(w http.ResponseWriter, ctx context.Context, e *problem.Error) {
	if h := e.GetHeaders(); h != nil {
		for k, v := range h {
			w.Header()[k] = v
		}
	}
	writeProblem(w, fromService(ctx, e))
}

// signIn counts the attempt, refuses it when the account is locked or the address
// throttled, forwards it to Kratos otherwise, and records Kratos' verdict.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, kratos http.Handler) {
	ctx := r.Context()
	if s.guard == nil {
		s.writeSignInProblem(w, ctx, problem.Unavailable("auth_unavailable", "身份认证服务未配置", "authentication is not configured"))
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxLoginBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeSignInProblem(w, ctx, &problem.Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "请求内容过大", MessageEn: "request too large"})
			return
		}
		s.writeSignInProblem(w, ctx, &problem.Error{Status: http.StatusBadRequest, Code: "bad_request", Message: "请求格式有误", MessageEn: "malformed request"})
		return
	}
	phone, err := loginIdentifier(r.Header.Get("Content-Type"), raw)
	if err != nil {
		s.writeSignInProblem(w, ctx, err.(*problem.Error))
		return
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(raw)), int64(len(raw))
	if phone == "" {
		// No identifier, no guess: Kratos refuses the submission for what it is.
		kratos.ServeHTTP(w, r)
		return
	}
	a := signin.Attempt{Phone: phone, Address: clientAddressOf(ctx)}
	refusal, err := s.guard.Begin(ctx, a)
	if err != nil {
		s.deps.Logger.ErrorContext(ctx, "sign-in guard", "error", err)
		s.writeSignInProblem(w, ctx, problem.Unavailable("auth_unavailable", "登录服务暂不可用，请稍后重试", "the sign-in service is unavailable"))
		return
	}
	if refusal != nil {
		result := signin.ResultThrottled
		if refusal.Reason == signin.Locked {
			result = signin.ResultLocked
		}
		s.logSignIn(ctx, a, r, result)
		s.writeSignInProblem(w, ctx, refusal.Problem(time.Now()))
		return
	}

	rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	kratos.ServeHTTP(rec, r)
	outcome := loginOutcome(rec)
	res, err := s.guard.Finish(ctx, a, outcome)
	if err != nil {
		// The attempt stays counted as a failure: safe, and the user's answer is still Kratos'.
		s.deps.Logger.ErrorContext(ctx, "sign-in guard", "error", err)
		res = &signin.Result{}
	}
	switch outcome {
	case signin.Succeeded:
		s.logSignIn(ctx, a, r, signin.ResultSuccess)
	case signin.Failed:
		s.logSignIn(ctx, a, r, signin.ResultFailure)
		if res.Locked != nil {
			s.writeSignInProblem(w, ctx, res.Locked.Problem(time.Now()))
			return
		}
		rec.header.Set(FailuresLeftHeader, strconv.Itoa(res.FailuresLeft))
	}
	rec.copyTo(w)
}

var errBadLogin = &problem.Error{Status: http.StatusBadRequest, Code: "bad_request", Message: "登录请求格式有误", MessageEn: "malformed sign-in request"}

// loginIdentifier reads the identifier of a password submission as Kratos will: JSON or a
// form, "identifier" (or the legacy "password_identifier"). A body that names it twice, or
// two different ways, is refused, so the guard and Kratos can never read different accounts.
func loginIdentifier(contentType string, raw []byte) (string, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	var ids []string
	switch mt {
	case "application/json":
		dec := json.NewDecoder(bytes.NewReader(raw))
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			return "", errBadLogin
		}
		seen := map[string]bool{}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return "", errBadLogin
			}
			key, _ := t.(string)
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return "", errBadLogin
			}
			if seen[key] {
				return "", errBadLogin
			}
			seen[key] = true
			if key == "identifier" || key == "password_identifier" {
				var id string
				if err := json.Unmarshal(v, &id); err != nil {
					return "", errBadLogin
				}
				ids = append(ids, id)
			}
		}
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			return "", errBadLogin
		}
		ids = append(form["identifier"], form["password_identifier"]...)
	default:
		return "", &problem.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "登录请求须为 JSON 或表单", MessageEn: "a sign-in must be JSON or a form"}
	}
	switch {
	case len(ids) == 0:
		return "", nil
	case len(ids) > 1:
		return "", errBadLogin
	}
	return signin.NormalizePhone(ids[0]), nil
}

// bufferedResponse holds Kratos' answer so the guard can read the verdict before the
// browser does (login answers are small).
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) Flush()                      {}

func (b *bufferedResponse) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// loginOutcome reads Kratos' verdict: a session (cookie or JSON) is a success; the
// invalid-credentials message (4000006) or the inactive-account one (4000010), or a form
// post sent back to the form, a failure; anything else (an expired flow, a CSRF failure, an
// outage) no verdict on the password.
func loginOutcome(b *bufferedResponse) signin.Outcome {
	session := false
	for _, c := range b.header.Values("Set-Cookie") {
		if sc, err := http.ParseSetCookie(c); err == nil && sc.Name == SessionCookie && sc.Value != "" && sc.MaxAge >= 0 {
			session = true
		}
	}
	switch b.status {
	case http.StatusOK:
		var body map[string]json.RawMessage
		_ = json.Unmarshal(b.body.Bytes(), &body)
		if session || body["session"] != nil || body["session_token"] != nil {
			return signin.Succeeded
		}
	case http.StatusSeeOther, http.StatusFound:
		if session {
			return signin.Succeeded
		}
		return signin.Failed
	case http.StatusBadRequest:
		var body any
		if json.Unmarshal(b.body.Bytes(), &body) == nil && hasMessage(body, 4000006, 4000010) {
			return signin.Failed
		}
	}
	return signin.Undecided
}

// hasMessage reports whether a Kratos flow carries an error message with one of the ids.
func hasMessage(v any, ids ...float64) bool {
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x["id"].(float64); ok && x["type"] == "error" {
			for _, want := range ids {
				if id == want {
					return true
				}
			}
		}
		for _, c := range x {
			if hasMessage(c, ids...) {
				return true
			}
		}
	case []any:
		for _, c := range x {
			if hasMessage(c, ids...) {
				return true
			}
		}
	}
	return false
}

var phonePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// logSignIn writes the attempt to the login log of the county the phone belongs to; a phone
// no county knows has no log to go to.
func (s *Server) logSignIn(ctx context.Context, a signin.Attempt, r *http.Request, result string) {
	if !phonePattern.MatchString(a.Phone) || s.deps.Kratos == nil {
		return
	}
	id, err := s.deps.Kratos.FindByPhone(ctx, a.Phone)
	if err != nil || id == nil || (id.TenantID == uuid.Nil && id.RegionCode == "") {
		if err != nil {
			s.deps.Logger.WarnContext(ctx, "login log: identity lookup", "error", err)
		}
		return
	}
	ev := signin.Event{Phone: id.Phone, IdentityID: &id.ID, Name: id.Name, Address: a.Address, UserAgent: r.UserAgent(), Result: result}
	record := func(ctx context.Context) error { return signin.Record(ctx, ev) }
	if id.TenantID == uuid.Nil { // a region account: its region keeps its log
		err = s.deps.Store.InRegion(ctx, id.RegionCode, record)
	} else {
		err = s.deps.Store.InTx(ctx, id.TenantID, record)
	}
	if err != nil {
		s.deps.Logger.ErrorContext(ctx, "login log", "error", err)
	}
}

// touch records the request in the session's activity, in the transaction of ctx (the
// account's county or region) and, when the session had idled out, logs it; the caller then
// ends the session.
func (s *Server) touch(ctx context.Context, sess *identity.Session, phone string, identityID uuid.UUID, name string, r huma.Context) (*signin.Activity, error) {
	id, err := uuid.Parse(sess.ID)
	if err != nil {
		return &signin.Activity{}, nil // not a Kratos session id: nothing to track
	}
	act, err := signin.Touch(ctx, id, sess.IdentityID, time.Now(), r.Header(BackgroundHeader) == "1", sess.Cached)
	if err != nil || !act.Idle {
		return act, err
	}
	return act, signin.Record(ctx, signin.Event{Phone: phone, IdentityID: &identityID, Name: name, Address: clientAddressOf(ctx),
		UserAgent: r.Header("User-Agent"), Result: signin.ResultIdleTimeout})
}

// LoginEvent is one row of the login log.
type LoginEvent struct {
	ID         uuid.UUID  `json:"id"`
	At         time.Time  `json:"at"`
	Phone      string     `json:"phone"`
	IdentityID *uuid.UUID `json:"identity_id" nullable:"true"`
	Name       string     `json:"name"`
	Address    string     `json:"address" doc:"client address"`
	UserAgent  string     `json:"user_agent"`
	Result     string     `json:"result" enum:"success,failure,locked,throttled,idle_timeout,ended" doc:"success 成功; failure 密码错误; locked 账号已锁定，被拒; throttled 尝试过频，被拒; idle_timeout 超时自动退出; ended 本人结束会话"`
}

// RegionLoginEvent is one row of the region accounts' login log.
type RegionLoginEvent struct {
	LoginEvent
	RegionCode string `json:"region_code" doc:"the account's region (GB/T 2260)"`
}

type regionLoginEventsOut struct {
	Body struct {
		Items      []RegionLoginEvent `json:"items"`
		NextCursor string             `json:"next_cursor" doc:"empty on the last page"`
	}
}

type loginEventsIn struct {
	Phone  string `query:"phone" maxLength:"11" pattern:"^[0-9]*$" doc:"only this account's events"`
	Result string `query:"result" enum:"success,failure,locked,throttled,idle_timeout,ended," doc:"only events with this result"`
	Cursor string `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type loginEventsOut struct {
	Body struct {
		Items      []LoginEvent `json:"items"`
		NextCursor string       `json:"next_cursor" doc:"empty on the last page"`
	}
}

// SignInSettings are a county's sign-in settings and the platform's lockout rule.
type SignInSettings struct {
	IdleMinutes        int `json:"idle_minutes" minimum:"5" maximum:"480" doc:"a session ends after this many minutes without a request (超时自动退出)"`
	MaxFailures        int `json:"max_failures" readOnly:"true" doc:"failed sign-ins that lock an account"`
	WindowMinutes      int `json:"window_minutes" readOnly:"true" doc:"within this many minutes"`
	LockMinutes        int `json:"lock_minutes" readOnly:"true" doc:"for this many minutes"`
	AddressMaxFailures int `json:"address_max_failures" readOnly:"true" doc:"failed sign-ins from one address within the window that block it"`
}

type signInSettingsOut struct{ Body SignInSettings }

type signInSettingsIn struct {
	Body struct {
		IdleMinutes int `json:"idle_minutes" minimum:"5" maximum:"480"`
	}
}

// MySession is one of the signed-in user's active sessions.
type MySession struct {
	ID              uuid.UUID  `json:"id"`
	Current         bool       `json:"current" doc:"the session of this request"`
	AuthenticatedAt time.Time  `json:"authenticated_at"`
	ExpiresAt       time.Time  `json:"expires_at"`
	LastSeen        *time.Time `json:"last_seen" nullable:"true" doc:"its last request through the app"`
	Address         string     `json:"address"`
	UserAgent       string     `json:"user_agent"`
}

type mySessionsOut struct {
	Body struct {
		Items []MySession `json:"items"`
	}
}

type endOthersOut struct {
	Body struct {
		Ended int `json:"ended"`
	}
}

func (s *Server) settingsOut(v signin.Settings) *signInSettingsOut {
	p := s.guardPolicy()
	return &signInSettingsOut{Body: SignInSettings{IdleMinutes: v.IdleMinutes, MaxFailures: p.MaxFailures, WindowMinutes: int(p.Window / time.Minute),
		LockMinutes: int(p.LockFor / time.Minute), AddressMaxFailures: p.MaxAddressFailures}}
}

func (s *Server) guardPolicy() signin.Policy {
	if s.guard != nil {
		return s.guard.Policy
	}
	return signin.DefaultPolicy
}

func (s *Server) signInRoutes() {
	tags := []string{"sign-in"}
	register(s, huma.Operation{OperationID: "list-login-events", Method: http.MethodGet, Path: "/api/v1/login-events", Summary: "登录日志 / Login log",
		Description: "Every sign-in to the county's accounts through the app (success, wrong password, refused while locked or throttled) and every session ended by idling or by its owner, newest first.",
		Tags:        tags},
		admins, func(ctx context.Context, in *loginEventsIn) (*loginEventsOut, error) {
			out := &loginEventsOut{}
			out.Body.Items = []LoginEvent{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				page, err := signin.List(ctx, signin.Query{Phone: in.Phone, Result: in.Result, Cursor: in.Cursor, Limit: in.Limit})
				if err != nil {
					return err
				}
				for _, e := range page.Items {
					out.Body.Items = append(out.Body.Items, LoginEvent{ID: e.ID, At: e.At, Phone: e.Phone, IdentityID: e.IdentityID, Name: e.Name,
						Address: e.Address, UserAgent: e.UserAgent, Result: e.Result})
				}
				out.Body.NextCursor = page.NextCursor
				return nil
			})
			return out, err
		})
	registerRegion(s, huma.Operation{OperationID: "list-region-login-events", Method: http.MethodGet, Path: "/api/v1/region/login-events",
		Summary: "区划账号登录日志 / Region accounts' login log",
		Description: "Every sign-in to the region accounts of the caller's region and of the regions below it (the platform operator: all of them), " +
			"and every session of theirs ended by idling or by its owner, newest first. Kept in the supervision store, written in the region's own transaction.",
		Tags: tags},
		tenants.RegionRoles, func(ctx context.Context, in *loginEventsIn) (*regionLoginEventsOut, error) {
			out := &regionLoginEventsOut{}
			out.Body.Items = []RegionLoginEvent{}
			err := s.inRegion(ctx, func(ctx context.Context) error {
				items, next, err := signin.ListRegion(ctx, signin.Query{Phone: in.Phone, Result: in.Result, Cursor: in.Cursor, Limit: in.Limit})
				for _, e := range items {
					out.Body.Items = append(out.Body.Items, RegionLoginEvent{RegionCode: e.RegionCode, LoginEvent: LoginEvent{ID: e.ID, At: e.At,
						Phone: e.Phone, IdentityID: e.IdentityID, Name: e.Name, Address: e.Address, UserAgent: e.UserAgent, Result: e.Result}})
				}
				out.Body.NextCursor = next
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-signin-settings", Method: http.MethodGet, Path: "/api/v1/signin-settings", Summary: "登录安全设置 / Sign-in settings",
		Description: "The county's idle period and the platform's lockout rule.", Tags: tags},
		admins, func(ctx context.Context, _ *struct{}) (*signInSettingsOut, error) {
			var v signin.Settings
			err := s.inTx(ctx, func(ctx context.Context) (err error) {
				v, err = signin.GetSettings(ctx)
				return err
			})
			return s.settingsOut(v), err
		})
	register(s, huma.Operation{OperationID: "put-signin-settings", Method: http.MethodPut, Path: "/api/v1/signin-settings", Summary: "修改空闲超时 / Set the idle period",
		Description: "Sessions idle longer than this end at their next request (5 to 480 minutes; 30 by default). Audited.", Tags: tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *signInSettingsIn) (*signInSettingsOut, error) {
			var v signin.Settings
			err := s.inTx(ctx, func(ctx context.Context) (err error) {
				v, err = signin.PutSettings(ctx, signin.Settings{IdleMinutes: in.Body.IdleMinutes})
				return err
			})
			return s.settingsOut(v), err
		})
	register(s, huma.Operation{OperationID: "list-my-sessions", Method: http.MethodGet, Path: "/api/v1/me/sessions", Summary: "我的会话 / My sessions",
		Description: "The signed-in user's active sessions: where and when each signed in, its last request, and which one is this.", Tags: tags},
		everyone, func(ctx context.Context, _ *struct{}) (*mySessionsOut, error) {
			a := actor(ctx)
			list, err := s.deps.Kratos.Sessions(ctx, a.IdentityID)
			if err != nil {
				return nil, err
			}
			ids := make([]uuid.UUID, len(list))
			for i, x := range list {
				ids[i] = x.ID
			}
			var seen map[uuid.UUID]time.Time
			if err := s.inActor(ctx, func(ctx context.Context) (err error) {
				seen, err = signin.LastSeen(ctx, ids)
				return err
			}); err != nil {
				return nil, err
			}
			out := &mySessionsOut{}
			out.Body.Items = []MySession{}
			for _, x := range list {
				ms := MySession{ID: x.ID, Current: x.ID.String() == a.SessionID, AuthenticatedAt: x.AuthenticatedAt, ExpiresAt: x.ExpiresAt,
					Address: x.Address, UserAgent: x.UserAgent}
				if t, ok := seen[x.ID]; ok {
					ms.LastSeen = &t
				}
				out.Body.Items = append(out.Body.Items, ms)
			}
			return out, nil
		})
	register(s, huma.Operation{OperationID: "end-my-session", Method: http.MethodDelete, Path: "/api/v1/me/sessions/{id}", Summary: "结束会话 / End a session",
		Description: "Ends one of the user's own sessions at once (recorded in the login log); another user's session is 404.", Tags: tags,
		DefaultStatus: http.StatusNoContent, Errors: []int{404}},
		everyone, func(ctx context.Context, in *idPath) (*struct{}, error) {
			a := actor(ctx)
			owner, err := s.deps.Kratos.SessionOwner(ctx, in.ID)
			if errors.Is(err, identity.ErrUnauthenticated) || err == nil && owner != a.IdentityID {
				return nil, problem.NotFound("session_not_found", "会话不存在或已结束", "no such session")
			}
			if err != nil {
				return nil, err
			}
			return nil, s.endSessions(ctx, a, []uuid.UUID{in.ID})
		})
	register(s, huma.Operation{OperationID: "end-my-other-sessions", Method: http.MethodPost, Path: "/api/v1/me/sessions/end-others", Summary: "结束其他会话 / End my other sessions",
		Description: "Ends every session of the user but this one (recorded in the login log).", Tags: tags},
		everyone, func(ctx context.Context, _ *struct{}) (*endOthersOut, error) {
			a := actor(ctx)
			list, err := s.deps.Kratos.Sessions(ctx, a.IdentityID)
			if err != nil {
				return nil, err
			}
			var others []uuid.UUID
			for _, x := range list {
				if x.ID.String() != a.SessionID {
					others = append(others, x.ID)
				}
			}
			out := &endOthersOut{}
			out.Body.Ended = len(others)
			return out, s.endSessions(ctx, a, others)
		})
}

// endSessions ends sessions of the actor in Kratos and logs each.
func (s *Server) endSessions(ctx context.Context, a *tenants.Actor, ids []uuid.UUID) error {
	address := clientAddressOf(ctx)
	for _, id := range ids {
		if err := s.deps.Kratos.EndSession(ctx, id); err != nil {
			return err
		}
		if err := s.inActor(ctx, func(ctx context.Context) error {
			if err := signin.Forget(ctx, id); err != nil {
				return err
			}
			return signin.Record(ctx, signin.Event{Phone: a.Phone, IdentityID: &a.IdentityID, Name: a.Name, Address: address, Result: signin.ResultEnded})
		}); err != nil {
			return err
		}
	}
	return nil
}
