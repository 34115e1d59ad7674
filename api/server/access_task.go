package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/problem"
)

type dispatchIn struct {
	IdempotencyKey string `header:"Idempotency-Key" doc:"a UUID; a retry with the same key returns the first answer"`
	Body           access.DispatchInput
}

type dispatchOut struct {
	Body struct {
		Tasks []access.Task `json:"tasks"`
	}
}

type tasksIn struct {
	Status string `query:"status" maxLength:"100" doc:"comma-separated statuses (pending, accepted, refused, done); empty for all"`
	Cursor string `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20"`
}

type tasksOut struct {
	Body struct {
		Tasks      []access.Task `json:"tasks"`
		NextCursor string        `json:"next_cursor" doc:"empty on the last page"`
	}
}

type answerIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    access.Answer
}

type taskOut struct {
	ETag string `header:"ETag"`
	Body *access.Task
}

type completeIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
}

func (s *Server) taskRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "dispatch-task", Method: http.MethodPost, Path: "/api/v1/access/dispatch", Summary: "交办任务 / Dispatch a task to communities",
		Description: "Refused with 409 and recorded as an interception when the task is not tied to an item in force that day, is a certificate on the 不得出具 list, " +
			"comes from a department that is not the item's, is on the 不得承担 list, names a community outside the item's scope, " +
			"or is 依法协助 work whose funding the item does not state (费随事转).",
		Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{403, 409, 422}},
		deptRoles, func(ctx context.Context, in *dispatchIn) (*dispatchOut, error) {
			key := uuid.New()
			if in.IdempotencyKey != "" {
				k, err := uuid.Parse(in.IdempotencyKey)
				if err != nil {
					return nil, problem.Invalid(problem.Field{Location: "header.Idempotency-Key", Message: "Idempotency-Key 须为 UUID", MessageEn: "Idempotency-Key must be a UUID"})
				}
				key = k
			}
			// The interception is committed before the 409 is answered: the refusal is evidence.
			res, err := withTx(ctx, s, func(ctx context.Context) (*access.Dispatched, error) { return s.access.Dispatch(ctx, key, in.Body) })
			if err != nil {
				return nil, err
			}
			if res.Refusal != nil {
				return nil, res.Refusal.Problem()
			}
			out := &dispatchOut{}
			out.Body.Tasks = res.Tasks
			return out, nil
		})
	register(s, huma.Operation{OperationID: "list-tasks", Method: http.MethodGet, Path: "/api/v1/access/tasks", Summary: "交办任务 / Tasks",
		Description: "A community sees its own tasks, a department those it dispatched, a county admin all; newest first. " +
			"Keyset pagination: pass next_cursor back as cursor (a cursor not from this list is a 422).", Tags: tags, Errors: []int{422}},
		taskRoles, func(ctx context.Context, in *tasksIn) (*tasksOut, error) {
			f := access.TaskFilter{Cursor: in.Cursor, Limit: in.Limit}
			for _, st := range strings.Split(in.Status, ",") {
				if st = strings.TrimSpace(st); st != "" {
					f.Statuses = append(f.Statuses, access.TaskStatus(st))
				}
			}
			return withTx(ctx, s, func(ctx context.Context) (*tasksOut, error) {
				p, err := s.access.Tasks(ctx, f)
				if err != nil {
					return nil, err
				}
				out := &tasksOut{}
				out.Body.Tasks, out.Body.NextCursor = p.Tasks, p.Next
				return out, nil
			})
		})
	register(s, huma.Operation{OperationID: "answer-task", Method: http.MethodPost, Path: "/api/v1/access/tasks/{id}/answer", Summary: "接收或拒绝 / Accept or refuse a task",
		Description: "Accepting starts the working-day deadline; refusing needs a reason.", Tags: tags, Errors: []int{404, 409, 412, 422}},
		communityRoles, func(ctx context.Context, in *answerIn) (*taskOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *taskOut, err error) {
				out = &taskOut{}
				out.Body, err = s.access.Answer(ctx, in.ID, v, in.Body)
				if err == nil {
					out.ETag = etag(out.Body.RowVersion)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "complete-task", Method: http.MethodPost, Path: "/api/v1/access/tasks/{id}/complete", Summary: "办结 / Complete a task",
		Tags: tags, Errors: []int{404, 409, 412}},
		communityRoles, func(ctx context.Context, in *completeIn) (*taskOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *taskOut, err error) {
				out = &taskOut{}
				out.Body, err = s.access.Complete(ctx, in.ID, v)
				if err == nil {
					out.ETag = etag(out.Body.RowVersion)
				}
				return out, err
			})
		})
}
