package staff

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// An account's life after its creation (issue 15, item 4): a county admin resets a member's
// password, re-enables a disabled account, renames it or gives it a new phone; every member
// changes their own password. Each change to Kratos is made inside the membership's
// transaction, after the row is locked and the audit row written, so a refusal from Kratos
// leaves nothing changed here; the one window left (Kratos changed, the commit then failed)
// is closed by undoing the Kratos change or, for a password, by the admin's retry.

// ErrWrongPassword is the problem code of a wrong current password.
const ErrWrongPassword = "wrong_password"

func identityProblem(err error) error {
	if errors.Is(err, identity.ErrUnavailable) {
		return problem.Unavailable("identity_unavailable", "身份认证服务暂不可用，请稍后重试", "identity service unavailable")
	}
	return err
}

// lock reads and locks a membership for a change.
func lock(ctx context.Context, identityID uuid.UUID) (*tenants.Membership, error) {
	m := new(tenants.Membership)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(m)).Where("m.identity_id = ?", identityID).For("UPDATE").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, problem.NotFound("staff_not_found", "账号不存在", "account not found")
	}
	return m, err
}

// ResetPassword gives the member a one-time password, ends their sessions and makes them
// choose their own at the next sign-in. It returns the one-time password, which is shown to
// the admin once and stored nowhere (Kratos keeps its hash).
func (s *Service) ResetPassword(ctx context.Context, tenantID, identityID uuid.UUID, by *tenants.Actor) (*tenants.Membership, string, error) {
	if by != nil && by.IdentityID == identityID {
		return nil, "", problem.Conflict("cannot_reset_self", "不能重置自己的密码，请在“账号安全”中修改", "change your own password under account security instead")
	}
	otp, err := OneTimePassword()
	if err != nil {
		return nil, "", err
	}
	var m *tenants.Membership
	err = s.Store.InTx(ctx, tenantID, func(ctx context.Context) error {
		var err error
		if m, err = lock(ctx, identityID); err != nil {
			return err
		}
		m.MustChangePassword = true
		if _, err := tenants.DB(ctx).NewUpdate().Model(m).Column("must_change_password").Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
			return err
		}
		// The password itself is never audited, not even hashed.
		if err := tenants.Audit(ctx, tenants.Change{Action: "staff.reset_password", TargetType: "membership", TargetID: identityID.String(),
			Summary: map[string]any{"must_change_password": true, "sessions_ended": true}}); err != nil {
			return err
		}
		if err := s.Identities.SetPassword(ctx, identityID, otp); err != nil {
			return identityProblem(err)
		}
		// Whoever was signed in with the old password is signed out.
		return identityProblem(s.Identities.EndSessions(ctx, identityID))
	})
	if err != nil {
		return nil, "", err
	}
	return m, otp, nil
}

// Enable lets a disabled account sign in again. Idempotent.
func (s *Service) Enable(ctx context.Context, tenantID, identityID uuid.UUID) (*tenants.Membership, error) {
	var m *tenants.Membership
	err := s.Store.InTx(ctx, tenantID, func(ctx context.Context) error {
		var err error
		if m, err = lock(ctx, identityID); err != nil || m.Status == tenants.StatusActive {
			return err
		}
		m.Status = tenants.StatusActive
		if _, err := tenants.DB(ctx).NewUpdate().Model(m).Column("status").Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := tenants.Audit(ctx, tenants.Change{Action: "staff.enable", TargetType: "membership", TargetID: identityID.String(),
			Summary: map[string]any{"status": map[string]string{"from": tenants.StatusDisabled, "to": tenants.StatusActive}}}); err != nil {
			return err
		}
		return identityProblem(s.Identities.SetActive(ctx, identityID, true))
	})
	return m, err
}

// Profile is a county admin's change of a member's name or phone; nil keeps the field.
type Profile struct {
	Name  *string
	Phone *string
}

func phoneTakenField(phone string) error {
	return &problem.Error{Status: http.StatusConflict, Code: "phone_taken", Message: "该手机号已被其他账号使用", MessageEn: "phone number already in use by another account",
		Fields: []problem.Field{{Location: "body.phone", Message: "该手机号已被其他账号使用", MessageEn: "phone number already in use by another account", Value: phone}}}
}

// Update renames a member or gives them a new phone (their sign-in identifier), in Kratos'
// traits and in the membership together. A phone another identity signs in with, in this
// county or another, is a 409 on body.phone.
func (s *Service) Update(ctx context.Context, tenantID, identityID uuid.UUID, p Profile) (*tenants.Membership, error) {
	var c problem.Checker
	if p.Name != nil {
		n := utf8.RuneCountInString(*p.Name)
		c.Check(n >= 1 && n <= 50, "body.name", "姓名须为 1 至 50 个字", "name must be 1 to 50 characters", *p.Name)
	}
	if p.Phone != nil {
		c.Check(PhonePattern.MatchString(*p.Phone), "body.phone", "手机号须为 11 位大陆手机号码", "phone must be an 11-digit mainland mobile number", *p.Phone)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	var (
		m          *tenants.Membership
		old        tenants.Membership
		kratosDone bool
	)
	err := s.Store.InTx(ctx, tenantID, func(ctx context.Context) error {
		var err error
		if m, err = lock(ctx, identityID); err != nil {
			return err
		}
		old = *m
		if p.Name != nil {
			m.Name = *p.Name
		}
		if p.Phone != nil {
			m.Phone = *p.Phone
		}
		if m.Name == old.Name && m.Phone == old.Phone {
			return nil // nothing to change: a retry of a change that was made
		}
		if m.Phone != old.Phone {
			n, err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*tenants.Membership)(nil))).
				Where("m.phone = ? AND m.identity_id <> ?", m.Phone, identityID).Count(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				return phoneTakenField(m.Phone)
			}
		}
		if _, err := tenants.DB(ctx).NewUpdate().Model(m).Column("name", "phone").Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
			var pg *pgconn.PgError
			if errors.As(err, &pg) && pg.Code == "23505" {
				return phoneTakenField(m.Phone)
			}
			return err
		}
		summary := map[string]any{}
		if m.Name != old.Name {
			summary["name"] = map[string]string{"from": old.Name, "to": m.Name}
		}
		if m.Phone != old.Phone {
			summary["phone"] = map[string]string{"from": old.Phone, "to": m.Phone}
		}
		if err := tenants.Audit(ctx, tenants.Change{Action: "staff.update", TargetType: "membership", TargetID: identityID.String(), Summary: summary}); err != nil {
			return err
		}
		// Kratos last: its refusal rolls all of the above back.
		switch err := s.Identities.SetTraits(ctx, identityID, m.Phone, m.Name); {
		case errors.Is(err, identity.ErrIdentifierTaken):
			return phoneTakenField(m.Phone)
		case errors.Is(err, identity.ErrRejected):
			return problem.Invalid(problem.Field{Location: "body.phone", Message: "手机号或姓名不符合要求", MessageEn: "phone or name rejected by the identity service", Value: m.Phone})
		case err != nil:
			return identityProblem(err)
		}
		kratosDone = true
		return nil
	})
	if err != nil && kratosDone {
		// The commit failed after Kratos took the new traits: put the old ones back, so the
		// phone that signs in stays the membership's.
		if uerr := s.Identities.SetTraits(context.WithoutCancel(ctx), identityID, old.Phone, old.Name); uerr != nil {
			return nil, errors.Join(err, uerr)
		}
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// ChangeOwnPassword is a member choosing a new password, with the current one (the one-time
// password after a reset). It clears must_change_password.
func (s *Service) ChangeOwnPassword(ctx context.Context, tenantID, identityID uuid.UUID, current, next string) error {
	var m *tenants.Membership
	err := s.Store.InTx(ctx, tenantID, func(ctx context.Context) (err error) {
		m, err = tenants.GetMembership(ctx, identityID)
		return err
	})
	if err != nil {
		return err
	}
	if next == current {
		return problem.Invalid(problem.Field{Location: "body.password", Message: "新密码不能与当前密码相同", MessageEn: "the new password must differ from the current one"})
	}
	if f := CheckPassword("body.password", next, m.Phone); f != nil {
		return problem.Invalid(*f)
	}
	ok, err := s.Identities.VerifyPassword(ctx, m.Phone, current)
	if err != nil {
		return identityProblem(err)
	}
	if !ok {
		return &problem.Error{Status: http.StatusUnprocessableEntity, Code: ErrWrongPassword, Message: "当前密码不正确", MessageEn: "the current password is wrong",
			Fields: []problem.Field{{Location: "body.current_password", Message: "当前密码不正确", MessageEn: "the current password is wrong"}}}
	}
	return s.Store.InTx(ctx, tenantID, func(ctx context.Context) error {
		m, err := lock(ctx, identityID)
		if err != nil {
			return err
		}
		was := m.MustChangePassword
		m.MustChangePassword = false
		if _, err := tenants.DB(ctx).NewUpdate().Model(m).Column("must_change_password").Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := tenants.Audit(ctx, tenants.Change{Action: "staff.change_password", TargetType: "membership", TargetID: identityID.String(),
			Summary: map[string]any{"must_change_password": map[string]bool{"from": was, "to": false}}}); err != nil {
			return err
		}
		return identityProblem(s.Identities.SetPassword(ctx, identityID, next))
	})
}
