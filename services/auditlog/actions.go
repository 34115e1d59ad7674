package auditlog

import (
	"sort"
	"strings"

	"github.com/yichuang/yichuang/services/lifecycle"
)

// The Chinese names of every audit action: the one source the audit page, its filters and
// the Excel export read. A code written anywhere (tenants.Audit) must be here;
// TestEveryWrittenActionHasALabel reads the source and fails on one that is not.
var actionLabels = map[string]string{
	// 平台与组织
	"tenant.create":           "开通县（区）",
	"supervision.republish":   "重新上报监察数据",
	"supervision.order_reply": "回复督办",
	"org_unit.create":         "新增组织机构",
	"staff.create":            "新建人员账号",
	"staff.disable":           "停用人员账号",
	"staff.set_supervisor":    "设置直接上级",
	"staff.enable":            "启用人员账号",
	"staff.update":            "修改姓名、手机号",
	"staff.reset_password":    "重置密码",
	"staff.change_password":   "修改本人密码",
	"settings.update":         "修改本县办件规则",
	"signin_settings.update":  "修改登录安全设置",
	"audit.export":            "导出审计日志",

	// 事项目录
	"item.create":     "新建事项",
	"item.save_draft": "保存事项草稿",
	"item.publish":    "发布事项",
	"item.retire":     "停止实施事项",

	// 工作日历
	"calendar.day_set":     "设置工作日历日期",
	"calendar.day_delete":  "删除工作日历日期",
	"calendar.year_put":    "录入年度放假安排",
	"calendar.year_delete": "删除年度放假安排",

	// 办件（application.<lifecycle action> are added from lifecycle.Actions below）
	"application.intake":       "窗口收件",
	"application.proxy_intake": "代办收件",
	"application.reveal_id":    "查看申请人完整证件号码",

	// 材料、通知书与归档
	"document_settings.update":   "修改材料与归档设置",
	"document.file.upload":       "上传材料",
	"document.upload.begin":      "开始直传材料",
	"document.upload.complete":   "完成直传材料",
	"document.upload.expire":     "清理未完成的上传",
	"document.file.verify":       "校验材料文件",
	"document.notice.generate":   "生成通知书",
	"document.notice.regenerate": "重新生成通知书",
	"document.archive":           "封存归档包",

	// 好差评
	"rating_settings.update":   "保存好差评规则",
	"rating.create":            "好差评",
	"rectification.callback":   "差评回访",
	"rectification.complete":   "差评整改完成",
	"rectification.invalid":    "认定无效差评",
	"rectification.impossible": "认定无法整改",
	"rectification.overdue":    "差评整改超期",

	// 社区工作者
	"worker.hire":          "社区工作者建档",
	"worker.change":        "社区工作者档案变更",
	"worker.appraisal":     "录入年度考核",
	"worker.import":        "导入花名册",
	"worker.export":        "导出花名册",
	"worker.reveal_id":     "查看完整身份证号",
	"worker.link_identity": "关联登录账号",
	"pay_scheme.put":       "保存薪酬方案",
	"pay_scheme.delete":    "删除薪酬方案",
	"progression.prepare":  "生成年度晋级草稿",
	"progression.approve":  "审定年度晋级",
	"progression.apply":    "年度晋级生效",
	"progression.discard":  "删除年度晋级草稿",
	"payroll.compute":      "计算工资表",
	"payroll.finalize":     "工资表定稿",
	"payroll.discard":      "删除工资表草稿",
	"payroll.export":       "导出工资表",

	// 社区工作事项准入
	"access_settings.update": "保存准入规则设置",
	"access_item.create":     "录入准入清单事项",
	"access_item.edit":       "修改准入清单事项",
	"access_item.withdraw":   "撤销准入清单事项",
	"access_item.confirm":    "准入清单年度确认",
	"access_item.admit":      "准入事项生效",
	"access_item.lapse":      "准入清单事项未年度确认失效",
	"access_item.reconfirm":  "准入清单事项补办年度确认",
	"access_item.readmit":    "准入清单事项重新准入",
	"admission.apply":        "申请准入",
	"admission.approve":      "准入审核通过",
	"admission.return":       "准入申请退回修改",
	"admission.reject":       "不予准入",
	"admission.resubmit":     "准入申请重新提交",
	"admission.withdraw":     "准入申请撤回",
	"admission.abandon":      "准入申请放弃",
	"admission.stop":         "准入申请公示期间终止",
	"dispatch.create":        "向社区交办任务",
	"dispatch.intercept":     "交办被清单拦截",
	"task.accept":            "社区接收任务",
	"task.refuse":            "社区拒绝任务",
	"task.complete":          "社区办结任务",
}

func init() {
	// An application's steps are named once, by the state table the steps follow.
	for _, a := range lifecycle.Actions {
		actionLabels["application."+string(a)] = a.Label()
	}
}

// ActionLabel is the Chinese name of an audit action; "" for a code nobody labelled.
func ActionLabel(code string) string { return actionLabels[code] }

// Action is an audit action code with its Chinese name.
type Action struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	// Group is the area it belongs to (the code's first part, named), for the filter.
	Group string `json:"group"`
}

// Actions lists every labelled action, grouped by area and then by code.
func Actions() []Action {
	out := make([]Action, 0, len(actionLabels))
	for code, label := range actionLabels {
		out = append(out, Action{Code: code, Label: label, Group: groupOf(code)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// groupOf names the area of a code by its object type (the part before the first dot).
func groupOf(code string) string {
	head, _, _ := strings.Cut(code, ".")
	if g, ok := groupLabels[head]; ok {
		return g
	}
	return "其他"
}

var groupLabels = map[string]string{
	"tenant": "组织与账号", "org_unit": "组织与账号", "staff": "组织与账号", "signin_settings": "组织与账号",
	"settings": "设置", "document_settings": "设置", "rating_settings": "设置", "access_settings": "设置", "audit": "审计",
	"item": "事项目录", "calendar": "工作日历", "application": "办件", "document": "材料与通知书",
	"rating": "好差评", "rectification": "好差评",
	"worker": "社区工作者", "pay_scheme": "社区工作者", "progression": "社区工作者", "payroll": "社区工作者",
	"access_item": "社区工作事项准入", "admission": "社区工作事项准入", "dispatch": "社区工作事项准入", "task": "社区工作事项准入",
	"supervision": "效能监察",
}

// targetLabels name the kinds of object an audit row is about.
var targetLabels = map[string]string{
	"tenant":                "县（区）",
	"org_unit":              "组织机构",
	"membership":            "人员账号",
	"tenant_settings":       "本县办件规则",
	"signin_settings":       "登录安全设置",
	"service_item":          "事项",
	"calendar":              "工作日历",
	"application":           "办件",
	"application_file":      "材料文件",
	"application_notice":    "通知书",
	"application_archive":   "归档包",
	"document_settings":     "材料与归档设置",
	"rating_settings":       "好差评规则",
	"rectification":         "差评整改",
	"worker":                "社区工作者",
	"pay_scheme":            "薪酬方案",
	"progression_batch":     "年度晋级",
	"payroll_run":           "工资表",
	"access_settings":       "准入规则设置",
	"access_item":           "准入清单事项",
	"admission_request":     "准入申请",
	"dispatch":              "交办",
	"dispatch_interception": "交办拦截记录",
	"community_task":        "社区任务",
	"audit_log":             "审计日志",
	"supervision_card":      "效能监察红黄牌",
}

// TargetLabel is the Chinese name of an object kind (the kind itself when unknown).
func TargetLabel(kind string) string {
	if l, ok := targetLabels[kind]; ok {
		return l
	}
	return kind
}

// TargetKinds lists the object kinds, for the filter.
func TargetKinds() []Action {
	out := make([]Action, 0, len(targetLabels))
	for k, l := range targetLabels {
		out = append(out, Action{Code: k, Label: l})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
