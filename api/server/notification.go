package server

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// Notification is a message in the notification centre.
type Notification struct {
	ID            uuid.UUID  `json:"id"`
	Kind          string     `json:"kind"`
	Title         string     `json:"title"`
	Body          string     `json:"body"`
	ApplicationID *uuid.UUID `json:"application_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	ReadAt        *time.Time `json:"read_at,omitempty"`
}

type notificationListIn struct {
	Unread bool   `query:"unread"`
	Cursor string `query:"cursor"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20"`
}

type notificationListOut struct {
	Body struct {
		Items      []Notification `json:"items"`
		NextCursor string         `json:"next_cursor"`
		Unread     int            `json:"unread"`
	}
}

type markedOut struct {
	Body struct {
		Marked int `json:"marked"`
	}
}

func (s *Server) notificationRoutes() {
	register(s, huma.Operation{OperationID: "list-notifications", Method: http.MethodGet, Path: "/api/v1/notifications", Summary: "消息中心 / My notifications",
		Tags: []string{"notifications"}},
		staffRoles, func(ctx context.Context, in *notificationListIn) (*notificationListOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *notificationListOut, err error) {
				out = &notificationListOut{}
				out.Body.Items = []Notification{}
				p, err := notify.Inbox(ctx, actor(ctx).IdentityID, in.Unread, in.Cursor, in.Limit)
				if err != nil {
					if err == tenants.ErrBadCursor {
						return out, problem.Invalid(problem.Field{Location: "query.cursor", Message: "分页游标无效", MessageEn: "invalid cursor"})
					}
					return out, err
				}
				for _, n := range p.Items {
					out.Body.Items = append(out.Body.Items, Notification{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, ApplicationID: n.ApplicationID, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt})
				}
				out.Body.NextCursor, out.Body.Unread = p.Next, p.Unread
				return out, nil
			})
		})
	register(s, huma.Operation{OperationID: "read-notification", Method: http.MethodPost, Path: "/api/v1/notifications/{id}/read", Summary: "标为已读 / Mark one read",
		Tags: []string{"notifications"}},
		staffRoles, func(ctx context.Context, in *idPath) (*markedOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *markedOut, err error) {
				out = &markedOut{}
				out.Body.Marked, err = notify.MarkRead(ctx, actor(ctx).IdentityID, in.ID)
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "read-all-notifications", Method: http.MethodPost, Path: "/api/v1/notifications/read-all", Summary: "全部已读 / Mark all read",
		Tags: []string{"notifications"}},
		staffRoles, func(ctx context.Context, _ *struct{}) (*markedOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *markedOut, err error) {
				out = &markedOut{}
				out.Body.Marked, err = notify.MarkRead(ctx, actor(ctx).IdentityID, uuid.Nil)
				return out, err
			})
		})
}
