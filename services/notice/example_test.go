package notice_test

import (
	"bytes"
	"fmt"

	"github.com/yichuang/yichuang/services/notice"
	"github.com/yichuang/yichuang/services/workday"
)

// A hall issues a 受理通知书 when it accepts an application; the PDF goes to the applicant
// and to storage (services/document).
func ExampleRender() {
	day := func(s string) workday.Date { d, _ := workday.ParseDate(s); return d }
	n := notice.Notice{
		Kind:              notice.KindAccepted,
		County:            "示范县",
		Hall:              "城关镇便民服务中心",
		ReceiptNo:         "1308262026112100001",
		ItemName:          "最低生活保障申请",
		ApplicantName:     "张三",
		ApplicantIDMasked: "130826********1234", // never the full number
		ReceivedOn:        day("2026-11-18"),
		AcceptedOn:        day("2026-11-20"),
		IssuedOn:          day("2026-11-20"),
		PromisedDue:       day("2026-12-04"),
		LegalDue:          day("2026-12-18"),
		Materials: []notice.Material{
			{Name: "最低生活保障申请书", Form: "原件", Copies: 1, Provided: true},
			{Name: "户口簿", Form: "复印件", Copies: 1, Provided: true},
		},
		Clerk:     "李四",
		Phone:     "0312-6012345",
		StatusURL: "https://zw.shifanxian.gov.cn/s/1308262026112100001",
	}
	pdf, err := notice.Render(n)
	if err != nil {
		fmt.Println(err) // e.g. the font package is not installed
		return
	}
	fmt.Println(notice.Title(n.Kind), bytes.HasPrefix(pdf, []byte("%PDF-")))
	// Output: 受理通知书 true
}
