// Package wiring builds each service once and connects their hooks, so the HTTP server and
// the River workers share the same instances (as Ory Kratos' registry does): application's
// steps reach documents (AfterStep), and calendar and settings changes reach application's
// reconciliation (settings.Service.OnChange), in one place. The binary builds them in
// api/cmd/yichuang/main.go; tests build them the same way.
package wiring

import (
	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/document"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/services/workforce"
	"github.com/yichuang/yichuang/tenants"
)

// Config is what the services are built from.
type Config struct {
	Store *tenants.Store
	// Identities is Kratos; nil leaves staff accounts unmanageable (tools that need none).
	Identities staff.Identities
	// Storage is MinIO; nil leaves the documents' jobs waiting for a process that has it.
	Storage *storage.Store
	// Box encrypts workers' and applicants' ID numbers (YC_DATA_KEY); nil refuses the
	// operations that need it (worker records, intake, ID search, the full view).
	Box *secret.Box
	// Clock is the time everything reads; nil is the system clock. Only tests inject another.
	Clock clock.Clock
	// PublicURL is the public origin (YC_PUBLIC_URL) the notices' QR codes link to.
	PublicURL string
}

// Services are the service instances, one of each.
type Services struct {
	Clock     clock.Clock
	Staff     *staff.Service
	Apps      *application.Service
	Docs      *document.Service
	Settings  *settings.Service
	Calendar  *calendar.Service
	Workforce *workforce.Service
	Access    *access.Service
	Status    *status.Service
	Audit     *auditlog.Service
	// Supervision is the upward feed, the regions and the operator's console (issue 16).
	Supervision *supervision.Service
}

// New builds the services and wires their hooks.
func New(c Config) *Services {
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	s := &Services{Clock: c.Clock}
	s.Staff = &staff.Service{Store: c.Store, Identities: c.Identities}
	// Documents follow the lifecycle; they import application, so application calls them
	// through its hook.
	s.Apps = &application.Service{Clock: c.Clock, Box: c.Box, AfterStep: document.AfterStep}
	s.Docs = &document.Service{Store: c.Store, Storage: c.Storage, Apps: s.Apps, Clock: c.Clock, PublicURL: c.PublicURL}
	// A change to the rules recomputes every running application; a calendar change on some
	// days only those whose counted span contains one of them.
	s.Settings = &settings.Service{OnChange: application.CalendarChanged, OnDays: application.CalendarDaysChanged}
	s.Calendar = &calendar.Service{Settings: s.Settings}
	s.Workforce = &workforce.Service{Box: c.Box, Clock: c.Clock}
	s.Access = &access.Service{Clock: c.Clock}
	s.Status = &status.Service{Clock: c.Clock}
	s.Audit = NewAudit()
	s.Supervision = &supervision.Service{Store: c.Store, Clock: c.Clock}
	if c.Identities != nil {
		s.Supervision.Identities = c.Identities
	}
	return s
}

// NewAudit is the audit ledger with every owner's names for its objects: auditlog reads no
// other package's table.
func NewAudit() *auditlog.Service {
	return &auditlog.Service{Namers: map[string]auditlog.Namer{
		"application":       application.AuditNames,
		"service_item":      catalog.AuditNames,
		"membership":        tenants.MemberNames,
		"org_unit":          tenants.OrgUnitNames,
		"worker":            workforce.AuditNames,
		"access_item":       access.AuditItemNames,
		"admission_request": access.AuditRequestNames,
	}}
}
