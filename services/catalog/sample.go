package catalog

// Sample is a demo item; Department is the department's org-unit code in the demo county.
type Sample struct {
	Department string
	Item       Item
}

// The demo county is 130826 (丰宁满族自治县, 承德, area code 0314). An implementation code
// is the implementing department's unified social credit code, the level (4: county) and
// the twelve-character base code, which is how Hebei's catalogue composes them. The
// department codes are made up but pass the GB 32100 check, so nothing downstream that
// validates them trips over demo data.
var sampleDepartments = map[string]struct{ code, phone string }{
	"minzheng": {"11130826078029575H", "0314-8021352"}, // 县民政局
	"renshe":   {"11130826062734309R", "0314-8023170"}, // 县人力资源和社会保障局
	"weijian":  {"111308260670919710", "0314-8022416"}, // 县卫生健康委员会
	"yibao":    {"111308260028100825", "0314-8026615"}, // 县医疗保障局
	"canlian":  {"1313082607598899XA", "0314-8024703"}, // 县残疾人联合会 (群团: 13)
	"tuiyi":    {"111308260621814091", "0314-8027518"}, // 县退役军人事务局
	"zhujian":  {"11130826099315861J", "0314-8025236"}, // 县住房和城乡建设局
}

// sampleComplaints is the 12345 hotline, which takes complaints for every department.
const sampleComplaints = "0314-12345"

// Samples returns the demo catalogue: items a township hall (乡镇便民服务中心) accepts,
// most also through village and community proxies (代办). Items carry uuid.Nil as
// department; the seeder resolves Department. Each call builds fresh values.
func Samples() []Sample {
	original := func(name string, copies int) Material {
		return Material{Name: name, Form: FormOriginal, Copies: copies, Required: true}
	}
	copyOf := func(name string) Material {
		return Material{Name: name, Form: FormCopy, Copies: 1, Required: true}
	}
	when := func(m Material, cond string) Material {
		m.Required, m.Condition = false, cond
		return m
	}
	idCard := func() Material { return original("居民身份证", 1) }
	hukou := func() Material { return original("居民户口簿", 1) }
	proxy := func() Material {
		return when(original("授权委托书及受托人居民身份证", 1), "委托他人代办的")
	}
	// Means-tested aid needs the household's consent before the county's checking
	// platform may query banks, housing and vehicle records.
	consent := func() Material { return original("家庭经济状况核对授权书", 1) }
	both := func() []Level { return []Level{LevelTownship, LevelCommunity} }
	township := func() []Level { return []Level{LevelTownship} }
	// 公示期 is seven calendar days, about five working days; it never counts toward the
	// limit, since the hall cannot shorten it.
	notice := func() Step { return Step{Name: "审核结果公示", LimitDays: 5} }
	survey := func() Step { return Step{Name: "入户调查", LimitDays: 10} }

	s := []Sample{
		{"renshe", Item{
			BaseCode: "002017001000", Name: "城乡居民基本养老保险参保登记", Kind: KindPublicService,
			LegalBasis: "《中华人民共和国社会保险法》第二十条、第二十二条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
			Levels:     both(),
			Conditions: "年满16周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本养老保险制度覆盖范围的城乡居民，可以在户籍地参加城乡居民基本养老保险。",
			Materials:  []Material{idCard(), hukou(), original("城乡居民基本养老保险参保登记表", 1), proxy()},
			Handling:   HandlingInstant, Visits: 1,
		}},
		{"renshe", Item{
			BaseCode: "000517002000", Name: "城乡居民基本养老保险待遇领取", Kind: KindPayment,
			LegalBasis: "《中华人民共和国社会保险法》第二十二条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）第七条",
			Levels:     both(),
			Conditions: "参加城乡居民基本养老保险的个人，年满60周岁、累计缴费满15年，且未领取国家规定的基本养老保障待遇的，可以按月领取城乡居民基本养老保险待遇。",
			Materials: []Material{idCard(), hukou(), original("城乡居民基本养老保险待遇领取申请表", 1),
				copyOf("社会保障卡（金融账户已激活）"), proxy()},
			Handling: HandlingPromised, LegalDays: 20, PromisedDays: 10, Visits: 1,
		}},
		{"minzheng", Item{
			BaseCode: "000517004000", Name: "最低生活保障申请", Kind: KindPayment,
			LegalBasis: "《社会救助暂行办法》第九条、第十一条；《最低生活保障审核确认办法》（民发〔2021〕57号）",
			Levels:     both(),
			Conditions: "共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合当地规定的，可以由共同生活的家庭成员向户籍所在地乡镇人民政府提出申请。",
			Materials: []Material{idCard(), hukou(), original("最低生活保障申请书", 1), consent(),
				when(copyOf("残疾人证或病历、诊断证明"), "家庭成员有重病、重残情形的"), proxy()},
			Handling: HandlingPromised, LegalDays: 30, PromisedDays: 20,
			Stages: []Stage{{Name: "审核", LimitDays: 12}, {Name: "审批", LimitDays: 8}},
			Steps:  []Step{survey(), notice()}, Visits: 1,
		}},
		{"minzheng", Item{
			BaseCode: "000517005000", Name: "特困人员救助供养申请", Kind: KindPayment,
			LegalBasis: "《社会救助暂行办法》第十四条、第十六条；《特困人员认定办法》（民发〔2021〕43号）",
			Levels:     both(),
			Conditions: "老年人、残疾人以及未满16周岁的未成年人，同时无劳动能力、无生活来源、无法定赡养抚养扶养义务人或者其法定义务人无履行义务能力的，可以申请特困人员救助供养。",
			Materials: []Material{idCard(), hukou(), original("特困人员救助供养申请书", 1), consent(),
				when(copyOf("残疾人证"), "以残疾人身份申请的"), proxy()},
			Handling: HandlingPromised, LegalDays: 30, PromisedDays: 20,
			Steps: []Step{survey(), notice()}, Visits: 1,
		}},
		{"minzheng", Item{
			BaseCode: "000517006000", Name: "临时救助申请", Kind: KindPayment,
			LegalBasis: "《社会救助暂行办法》第四十七条、第四十八条；《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）",
			Levels:     both(),
			Conditions: "因火灾、交通事故等意外事件，或家庭成员突发重大疾病等原因，导致基本生活暂时出现严重困难的家庭或者个人，可以申请临时救助。",
			Materials: []Material{idCard(), hukou(), original("临时救助申请书", 1), consent(),
				copyOf("困难情况证明（医疗费用票据、事故证明等）"), proxy()},
			Handling: HandlingPromised, LegalDays: 20, PromisedDays: 10, Visits: 1,
			Stages: []Stage{{Name: "审查", LimitDays: 6}, {Name: "决定", LimitDays: 4}},
		}},
		{"minzheng", Item{
			BaseCode: "000517011000", Name: "残疾人两项补贴（困难残疾人生活补贴和重度残疾人护理补贴）申请", Kind: KindPayment,
			LegalBasis: "《中华人民共和国残疾人保障法》第四十八条；《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
			Levels:     both(),
			Conditions: "持有第二代残疾人证的本县户籍残疾人：最低生活保障家庭中的残疾人可申请生活补贴；残疾等级为一级、二级且需要长期照护的重度残疾人可申请护理补贴。",
			Materials: []Material{idCard(), original("中华人民共和国残疾人证（第二代）", 1), hukou(),
				original("残疾人两项补贴申请审批表", 1), proxy()},
			Handling: HandlingPromised, LegalDays: 30, PromisedDays: 15, Visits: 1,
		}},
		{"canlian", Item{
			BaseCode: "002032001000", Name: "第二代残疾人证办理", Kind: KindPublicService,
			LegalBasis: "《中华人民共和国残疾人保障法》第二条；《中华人民共和国残疾人证管理办法》",
			Levels:     []Level{LevelCounty, LevelTownship},
			Conditions: "视力、听力、言语、肢体、智力、精神或多重残疾，符合《残疾人残疾分类和分级》（GB/T 26341）标准的本县户籍居民，可以申请办理残疾人证。",
			Materials: []Material{idCard(), hukou(), original("残疾人证申请表", 1),
				original("近期二寸免冠白底彩色照片", 3), copyOf("病历或诊断证明"), proxy()},
			Handling: HandlingPromised, LegalDays: 30, PromisedDays: 20,
			Steps: []Step{{Name: "残疾评定", LimitDays: 10}}, Visits: 1,
		}},
		{"weijian", Item{
			BaseCode: "002009003000", Name: "生育登记", Kind: KindPublicService,
			LegalBasis: "《中华人民共和国人口与计划生育法》；《河北省人口与计划生育条例》",
			Levels:     both(),
			Conditions: "夫妻双方或一方户籍在本县，或在本县居住的，可以在生育前或生育后办理生育登记，不需要提供婚育情况证明。",
			Materials: []Material{original("夫妻双方居民身份证", 1), when(original("结婚证", 1), "已办理结婚登记的"),
				when(original("居住证", 1), "户籍不在本县、在本县居住的")},
			Handling: HandlingInstant,
		}},
		{"weijian", Item{
			BaseCode: "002009011000", Name: "老年人优待证办理", Kind: KindPublicService,
			LegalBasis: "《中华人民共和国老年人权益保障法》第五章“社会优待”",
			Levels:     both(),
			Conditions: "年满60周岁的本县户籍老年人，以及在本县居住的外地户籍老年人。",
			Materials:  []Material{idCard(), original("近期一寸免冠彩色照片", 1), proxy()},
			Handling:   HandlingInstant, Visits: 1,
		}},
		{"minzheng", Item{
			BaseCode: "000517013000", Name: "80周岁以上高龄津贴申请", Kind: KindPayment,
			LegalBasis: "《中华人民共和国老年人权益保障法》第三十三条",
			Levels:     both(),
			Conditions: "具有本县户籍、年满80周岁的老年人，可以申请高龄津贴，自年满80周岁的次月起发放。",
			Materials: []Material{idCard(), hukou(), original("高龄津贴申请表", 1),
				copyOf("社会保障卡或本人银行账户"), proxy()},
			Handling: HandlingPromised, LegalDays: 20, PromisedDays: 10, Visits: 1,
			Stages: []Stage{{Name: "审查", LimitDays: 7}, {Name: "决定", LimitDays: 3}},
		}},
		{"yibao", Item{
			BaseCode: "002041001000", Name: "城乡居民基本医疗保险参保登记", Kind: KindPublicService,
			LegalBasis: "《中华人民共和国社会保险法》第二十五条；《国务院关于整合城乡居民基本医疗保险制度的意见》（国发〔2016〕3号）",
			Levels:     both(),
			Conditions: "除职工基本医疗保险应参保人员以外的其他城乡居民，可以在户籍地或居住地参加城乡居民基本医疗保险。",
			Materials: []Material{original("居民身份证或户口簿", 1), when(original("出生医学证明", 1), "新生儿参保的"),
				when(original("居住证", 1), "在居住地参保的非本县户籍居民"), proxy()},
			Handling: HandlingInstant,
		}},
		{"yibao", Item{
			BaseCode: "000541003000", Name: "医疗救助申请", Kind: KindPayment,
			LegalBasis: "《社会救助暂行办法》第二十八条、第二十九条；《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》（国办发〔2021〕42号）",
			Levels:     both(),
			Conditions: "最低生活保障家庭成员、特困供养人员、低保边缘家庭成员等困难群众，经基本医疗保险、大病保险报销后个人负担的合规医疗费用仍然较重的，可以申请医疗救助。",
			Materials: []Material{idCard(), original("医疗救助申请表", 1), copyOf("住院病历或诊断证明"),
				original("医疗费用票据及结算单", 1), when(consent(), "不属于最低生活保障对象、特困人员的"), proxy()},
			Handling: HandlingPromised, LegalDays: 20, PromisedDays: 15, Visits: 1,
		}},
		{"renshe", Item{
			BaseCode: "002017021000", Name: "就业失业登记", Kind: KindPublicService,
			LegalBasis: "《中华人民共和国就业促进法》；《就业服务与就业管理规定》（劳动和社会保障部令第28号）第六章",
			Levels:     both(),
			Conditions: "在法定劳动年龄内、有劳动能力和就业要求、处于无业状态的城乡劳动者，可以在常住地办理失业登记；已就业的可以办理就业登记。",
			Materials: []Material{idCard(), original("就业失业登记申请表", 1),
				when(copyOf("解除或终止劳动关系证明"), "与原单位解除或终止劳动关系的"), proxy()},
			Handling: HandlingInstant,
		}},
		{"zhujian", Item{
			BaseCode: "000522001000", Name: "农村危房改造申请", Kind: KindPayment,
			LegalBasis: "《住房和城乡建设部 财政部 民政部 国家乡村振兴局关于做好农村低收入群体等重点对象住房安全保障工作的实施意见》（建村〔2021〕35号）",
			Levels:     township(),
			Conditions: "农村低保户、分散供养特困人员、低保边缘家庭等重点对象，住房经鉴定为C级或D级危房的，可以申请农村危房改造补助。",
			Materials: []Material{idCard(), hukou(), original("农村危房改造申请表", 1),
				original("现住房照片", 2), when(copyOf("低保、特困或低保边缘家庭证明"), "系统中查不到救助信息的")},
			Handling: HandlingPromised, LegalDays: 30, PromisedDays: 20,
			Steps: []Step{{Name: "房屋危险性鉴定", LimitDays: 15}, notice()}, Visits: 1,
		}},
		{"tuiyi", Item{
			BaseCode: "000531002000", Name: "优抚对象抚恤补助申领", Kind: KindPayment,
			LegalBasis: "《中华人民共和国退役军人保障法》；《军人抚恤优待条例》",
			Levels:     both(),
			Conditions: "在乡复员军人、带病回乡退伍军人、参战参试退役军人等符合规定条件的优抚对象，可以申领定期抚恤补助。",
			Materials: []Material{idCard(), hukou(), original("优抚对象抚恤补助申请表", 1),
				original("退伍证、复员证等服役证明", 1), proxy()},
			Handling: HandlingPromised, LegalDays: 30, PromisedDays: 20, Visits: 1,
		}},
		{"weijian", Item{
			BaseCode: "000509002000", Name: "独生子女父母奖励扶助申请", Kind: KindPayment,
			LegalBasis: "《中华人民共和国人口与计划生育法》；《国务院办公厅转发人口计生委财政部关于开展对农村部分计划生育家庭实行奖励扶助制度试点工作意见的通知》（国办发〔2004〕21号）",
			Levels:     both(),
			Conditions: "农业户籍、1973年至2001年期间只生育一个子女或两个女孩，现存一个子女或两个女孩或子女死亡现无子女，且年满60周岁的夫妻。",
			Materials: []Material{idCard(), hukou(), original("农村部分计划生育家庭奖励扶助申请表", 1),
				when(original("独生子女父母光荣证", 1), "领取过光荣证的"), proxy()},
			Handling: HandlingPromised, LegalDays: 30, PromisedDays: 20,
			Steps: []Step{notice()}, Visits: 1,
		}},
		{"yibao", Item{
			BaseCode: "002041006000", Name: "城乡居民医保异地就医备案", Kind: KindPublicService,
			LegalBasis: "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）",
			Levels:     both(),
			Conditions: "参加本县城乡居民基本医疗保险、需要在外地长期居住或临时就医的参保人员，可以办理异地就医备案。",
			Materials: []Material{original("社会保障卡或医保电子凭证", 1), original("异地就医备案登记表", 1),
				when(original("个人承诺书", 1), "以异地长期居住备案、无法提供居住证明的"), proxy()},
			Handling: HandlingInstant,
		}},
		{"renshe", Item{
			BaseCode: "002017031000", Name: "社会保障卡申领", Kind: KindPublicService,
			LegalBasis: "《中华人民共和国社会保险法》第五十八条；《社会保障卡管理办法》",
			Levels:     township(),
			Conditions: "本县参加社会保险的人员，以及需要享受人力资源和社会保障公共服务的城乡居民，可以申领社会保障卡。",
			Materials: []Material{idCard(), when(original("近期一寸免冠白底彩色照片", 1), "系统中没有可用照片的"),
				when(original("监护人居民身份证及户口簿", 1), "为未满16周岁的未成年人申领的")},
			// 制卡 has no statutory limit; the promise covers card production.
			Handling: HandlingPromised, PromisedDays: 10, Visits: 1,
		}},
		{"yibao", Item{
			BaseCode: "000741002000", Name: "门诊慢特病待遇认定", Kind: KindConfirmation,
			LegalBasis: "《国家医疗保障局 财政部关于建立医疗保障待遇清单制度的意见》（医保发〔2021〕5号）",
			Levels:     township(),
			Conditions: "参加本县基本医疗保险、患有规定病种目录内慢性病或特殊疾病，需要长期门诊治疗的参保人员。",
			Materials: []Material{idCard(), original("门诊慢特病待遇认定申请表", 1),
				copyOf("二级及以上医疗机构的病历、检查报告和诊断证明"), proxy()},
			Handling: HandlingPromised, LegalDays: 30, PromisedDays: 20,
			Steps: []Step{{Name: "专家鉴定", LimitDays: 10}}, Visits: 1,
		}},
		{"minzheng", Item{
			BaseCode: "000717004000", Name: "事实无人抚养儿童认定", Kind: KindConfirmation,
			LegalBasis: "《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）",
			Levels:     both(),
			Conditions: "父母双方均符合重残、重病、服刑在押、强制隔离戒毒、失联等情形之一，或者一方死亡、失踪，另一方符合上述情形之一的儿童。",
			Materials: []Material{original("儿童及监护人居民身份证", 1), hukou(), original("事实无人抚养儿童认定申请表", 1),
				copyOf("父母重残、重病、服刑、失联等情形证明"), proxy()},
			Handling: HandlingPromised, LegalDays: 30, PromisedDays: 20,
			Steps: []Step{survey(), notice()}, Visits: 1,
		}},
	}
	for i := range s {
		d := sampleDepartments[s[i].Department]
		it := &s[i].Item
		it.ImplCode = d.code + "4" + it.BaseCode
		it.FeeAmount = "不收费"
		it.ConsultPhone, it.ComplainPhone = d.phone, sampleComplaints
	}
	return s
}
