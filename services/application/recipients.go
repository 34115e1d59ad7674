package application

import (
	"context"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/tenants"
)

// This file holds who hears of an application: whoever holds it now (their supervisors are
// tenants.Supervisors).

// handlers are who holds the application now: its assignee, or the members of the unit whose
// turn it is.
func handlers(ctx context.Context, a *Application) ([]uuid.UUID, error) {
	if a.AssigneeID != nil {
		active, err := tenants.ActiveMembers(ctx, tenants.Reach{Identity: a.AssigneeID})
		if err != nil {
			return nil, err
		}
		if len(active) > 0 {
			return []uuid.UUID{*a.AssigneeID}, nil
		}
	}
	unit, role := turn(a)
	return members(ctx, unit, role)
}

// turn is the unit whose turn it is, and the role in it that handles the application.
func turn(a *Application) (uuid.UUID, tenants.Role) {
	switch {
	case a.State == lifecycle.ProxyReceived && a.ProxyUnitID != nil:
		return *a.ProxyUnitID, tenants.RoleCommunityWorker
	case a.State == lifecycle.Processing || a.State == lifecycle.Paused:
		return a.DepartmentID, tenants.RoleDepartmentStaff
	}
	return a.HallID, tenants.RoleTownshipClerk
}

// audience remembers, within one batch of a reconciliation, who hears of each holder's
// warnings (the handlers and their supervisors): the applications of one hall, department or
// assignee share them, so a batch asks once per holder rather than once per warning.
type audience map[string][]uuid.UUID

func (au audience) of(ctx context.Context, a *Application) ([]uuid.UUID, error) {
	unit, role := turn(a)
	key := unit.String() + "/" + string(role)
	if a.AssigneeID != nil {
		key = a.AssigneeID.String() + "/" + key
	}
	if r, ok := au[key]; ok {
		return r, nil
	}
	hs, err := handlers(ctx, a)
	if err != nil {
		return nil, err
	}
	sup, err := tenants.Supervisors(ctx, hs)
	if err != nil {
		return nil, err
	}
	r := append(hs, sup...)
	au[key] = r
	return r, nil
}

func members(ctx context.Context, unit uuid.UUID, role tenants.Role) ([]uuid.UUID, error) {
	return tenants.ActiveMembers(ctx, tenants.Reach{Role: role, Units: []uuid.UUID{unit}})
}

// tell notifies the handlers of a handover (no SMS: it is part of the day's work).
func tell(ctx context.Context, a *Application, title string) error {
	hs, err := handlers(ctx, a)
	if err != nil {
		return err
	}
	id := a.ID
	_, err = notify.Send(ctx, hs, notify.Message{Kind: "handover", ApplicationID: &id, Title: title,
		Body: a.ItemName + "（申请人 " + a.ApplicantName + "）", DedupKey: "handover:" + a.ID.String() + ":" + itoa(a.Version)})
	return err
}
