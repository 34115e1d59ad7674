// Package org maintains a county's org tree: townships and streets, villages and
// communities, and county departments.
package org

import (
	"context"
	"errors"
	"regexp"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

var codePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// NewUnit is a request to add a unit under an existing one.
type NewUnit struct {
	ParentID uuid.UUID
	Kind     tenants.OrgKind
	Name     string
	Code     string
}

// Create adds a unit to the tree of the tenant in ctx's transaction, with its audit row.
func Create(ctx context.Context, in NewUnit) (*tenants.OrgUnit, error) {
	var c problem.Checker
	n := utf8.RuneCountInString(in.Name)
	c.Check(n >= 1 && n <= 100, "body.name", "名称须为 1 至 100 个字", "name must be 1 to 100 characters", in.Name)
	c.Check(codePattern.MatchString(in.Code), "body.code", "编码只能包含字母、数字、下划线和连字符，最长 40 位", "code may hold letters, digits, _ and -, at most 40", in.Code)
	c.Check(in.Kind.Valid() && in.Kind != tenants.KindCounty, "body.kind", "单位类型无效", "invalid org unit kind", in.Kind)
	if err := c.Err(); err != nil {
		return nil, err
	}
	u, err := tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &in.ParentID, Kind: in.Kind, Name: in.Name, Code: in.Code})
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, tenants.ErrOrgParent):
		return nil, problem.Invalid(problem.Field{Location: "body.parent_id", Value: in.ParentID,
			Message: in.Kind.Label() + "不能设在所选上级单位之下", MessageEn: "a unit of this kind cannot sit under the chosen parent"})
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		return nil, problem.Conflict("org_code_taken", "单位编码已存在", "org unit code already exists")
	case err != nil:
		return nil, err
	}
	return u, tenants.Audit(ctx, tenants.Change{Action: "org_unit.create", TargetType: "org_unit", TargetID: u.ID.String(),
		Summary: map[string]any{"parent_id": in.ParentID, "kind": in.Kind, "name": in.Name, "code": in.Code}})
}
