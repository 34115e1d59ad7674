package server

import (
	"github.com/yichuang/yichuang/tenants"
)

// Who may call what: the role lists the routes name.
var (
	admins     = []tenants.Role{tenants.RoleCountyAdmin}
	staffRoles = []tenants.Role{tenants.RoleCountyAdmin, tenants.RoleDepartmentStaff, tenants.RoleTownshipClerk, tenants.RoleCommunityWorker,
		tenants.RoleAgencyHead, tenants.RoleGovernmentHead}
	intakeRoles    = []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}
	deptRoles      = []tenants.Role{tenants.RoleDepartmentStaff}
	reviewerRoles  = []tenants.Role{tenants.RoleCountyAdmin, tenants.RoleDepartmentStaff}
	communityRoles = []tenants.Role{tenants.RoleCommunityWorker}
	taskRoles      = []tenants.Role{tenants.RoleCountyAdmin, tenants.RoleDepartmentStaff, tenants.RoleCommunityWorker}
	selfService    = []tenants.Role{tenants.RoleCommunityWorker}
	// noticeRoles may render a notice again: those who issue notices, and the county admin.
	noticeRoles = []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleDepartmentStaff, tenants.RoleCountyAdmin}
	caseRoles   = []tenants.Role{tenants.RoleCountyAdmin, tenants.RoleTownshipClerk}
	// revealRoles may see an applicant's full ID number (audited): who checks identity or
	// decides, and the county admin; application.RevealID checks the same.
	revealRoles = []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleDepartmentStaff, tenants.RoleCountyAdmin}
	// everyone: every county member and every region account (who am I, sign out, password,
	// sessions).
	everyone = append(append([]tenants.Role{}, anyMember...), tenants.RoleCitySupervisor, tenants.RoleProvinceSupervisor)
	// supervisors read the supervision store of their region; operators run the platform.
	supervisors = []tenants.Role{tenants.RoleCitySupervisor, tenants.RoleProvinceSupervisor}
	operators   = []tenants.Role{tenants.RolePlatformOperator}
)

// routes is the table of the API: one line per resource, each served by its own file.
func (s *Server) routes() {
	s.healthRoutes()
	s.sessionRoutes()
	s.orgRoutes()
	s.staffRoutes()
	s.supervisorRoutes()
	s.auditRoutes()
	s.auditCheckRoutes()
	s.signInRoutes()
	s.calendarRoutes()
	s.settingsRoutes()
	s.catalogRoutes()
	s.applicationRoutes()
	s.notificationRoutes()
	s.statsRoutes()
	s.workerRoutes()
	s.levelRoutes()
	s.schemeRoutes()
	s.progressionRoutes()
	s.payrollRoutes()
	s.accessListRoutes()
	s.accessItemRoutes()
	s.accessScopeRoutes()
	s.accessSettingsRoutes()
	s.admissionRoutes()
	s.taskRoutes()
	s.interceptionRoutes()
	s.burdenRoutes()
	s.statusRoutes()
	s.ratingRoutes()
	s.rectificationRoutes()
	s.callbackRoutes()
	s.indicatorRoutes()
	s.ratingSettingsRoutes()
	s.fileRoutes()
	s.documentRoutes()
	s.noticeRoutes()
	s.archiveRoutes()
	s.documentSettingsRoutes()
	s.supervisionRoutes()
	s.supervisionCardRoutes()
	s.supervisionDashboardRoutes()
	s.platformRoutes()
}
