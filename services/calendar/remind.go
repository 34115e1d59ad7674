package calendar

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// The State Council publishes the next year's holiday schedule (国务院办公厅关于某年部分节假日
// 安排的通知) in November or December. From RemindFrom on, the county admins are reminded to
// confirm the coming year's schedule, or to enter it while the calendar does not know it.
const RemindFrom = time.November

// SweepArgs run a county's calendar reminder; the hourly sweep enqueues one per county.
type SweepArgs struct {
	TenantID uuid.UUID `json:"tenant_id" river:"unique"`
}

// Kind is River's job kind.
func (SweepArgs) Kind() string { return "calendar_sweep" }

// Tenant is the job's tenant.
func (a SweepArgs) Tenant() uuid.UUID { return a.TenantID }

// InsertOpts keep one waiting sweep per county.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Hour}}
}

// Remind tells the county admins, from November on, what the coming year's schedule needs:
// while the calendar does not know it, every date counted into that year is provisional
// (statutory days only), so they are asked to enter it once it is published — in November
// and again in December; when a library release or an entry has it, they are asked once to
// confirm it against the State Council's notice. It returns how many notifications it wrote.
func Remind(ctx context.Context, today workday.Date) (int, error) {
	if today.Month < RemindFrom {
		return 0, nil
	}
	cal, err := For(ctx)
	if err != nil {
		return 0, err
	}
	next := today.Year + 1
	if next > workday.MaxYear {
		return 0, nil
	}
	admins, err := tenants.CountyAdmins(ctx)
	if err != nil {
		return 0, err
	}
	m := notify.Message{Kind: "calendar_year"}
	if cal.Known(next) {
		m.Title = fmt.Sprintf("请核对 %d 年节假日安排", next)
		m.Body = fmt.Sprintf("%d 年放假安排已在系统中。请对照国务院办公厅通知核对；如有出入，请在「工作日历」中录入该年度安排。", next)
		m.DedupKey = fmt.Sprintf("calendar_year:%d:confirm", next)
	} else {
		m.Title = fmt.Sprintf("%d 年节假日安排尚未录入", next)
		m.Body = fmt.Sprintf("系统尚无 %d 年放假安排：跨入该年的期限暂按《全国年节及纪念日放假办法》的法定假日计算，标为「暂定」。"+
			"国务院办公厅通知发布后，请在「工作日历」中录入，所有未结办件的期限将重新计算。", next)
		m.DedupKey = fmt.Sprintf("calendar_year:%d:missing:%02d", next, int(today.Month))
		m.SMS = true
	}
	return notify.Send(ctx, admins, m)
}
