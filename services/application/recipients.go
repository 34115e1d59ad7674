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
	unit, role := a.HallID, tenants.RoleTownshipClerk
	switch {
	case a.State == lifecycle.ProxyReceived && a.ProxyUnitID != nil:
		unit, role = *a.ProxyUnitID, tenants.RoleCommunityWorker
	case a.State == lifecycle.Processing || a.State == lifecycle.Paused:
		unit, role = a.DepartmentID, tenants.RoleDepartmentStaff
	}
	return members(ctx, unit, role)
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
