package notice

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/signintech/gopdf"

	"github.com/yichuang/yichuang/services/workday"
)

// Remedy is the notice of the right to challenge a refusal, printed verbatim on every
// 不予受理通知书 and on a 办结通知 that refuses: 行政复议法 art. 20 gives sixty days for
// administrative reconsideration, 行政诉讼法 art. 46 six months for a lawsuit, both counted
// from the day the applicant receives the notice.
const Remedy = "如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，" +
	"或者自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。"

// Title is the heading a notice of kind k prints, or "" for an unknown kind.
func Title(k Kind) string {
	switch k {
	case KindAccepted:
		return "受理通知书"
	case KindCorrection:
		return "一次性告知书"
	case KindRejected:
		return "不予受理通知书"
	case KindDecided:
		return "办结通知书"
	case KindExtension:
		return "延期通知书"
	case KindSpecialProcedure:
		return "特别程序告知书"
	}
	return ""
}

// Sizes in pt.
const (
	headerSize = 20
	titleSize  = 24
	refSize    = 12
	bodySize   = 14
	smallSize  = 10
	urlSize    = 7
)

// qrSymbol is the printed width of the QR symbol itself, in mm (its quiet zone comes on
// top): large enough for an old phone camera at arm's length.
const qrSymbol = 30.0

var (
	black = [3]uint8{0, 0, 0}
	red   = [3]uint8{204, 0, 0}
	gray  = [3]uint8{96, 96, 96}
)

// Render lays n out as an A4 PDF in Chinese, embedding the fonts at FontPath and
// LatinFontPath (each subset to the characters used) and, when n.StatusURL is set, a QR
// code of it. The same notice always renders to the same bytes. Render refuses a notice
// that lacks what the law requires it to state (a receipt number and deadlines on an
// acceptance, the missing materials on a 一次性告知书, the reason for a refusal), one whose
// applicant ID is not masked, and text neither font has a glyph for, since a notice with
// a character of the applicant's name missing is worse than none. It is safe for
// concurrent use.
func Render(n Notice) ([]byte, error) {
	n = clean(n)
	if err := n.validate(); err != nil {
		return nil, err
	}
	cjk, err := loadFont(cjkFace, FontPath())
	if err != nil {
		return nil, err
	}
	latin, err := loadFont(latinFace, LatinFontPath())
	if err != nil {
		return nil, err
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	pdf.SetInfo(gopdf.PdfInfo{
		Title:   Title(n.Kind) + " " + n.ItemName,
		Author:  issuer(n),
		Subject: n.ReceiptNo,
		Creator: "Yichuang",
		// The issuing date, not the time of rendering: a notice regenerated later is the
		// same document.
		CreationDate: n.IssuedOn.In(chinaTime),
	})
	for _, f := range []struct {
		face *face
		c    *gopdf.FontContainer
	}{{&cjkFace, cjk}, {&latinFace, latin}} {
		if err := pdf.AddTTFFontFromFontContainer(f.face.family, f.c); err != nil {
			return nil, fmt.Errorf("notice: font %s: %w", f.face.family, err)
		}
	}
	w := &writer{pdf: pdf, glyphs: make(map[rune]glyph, 256)}
	w.runningHead = func() { runningHead(w, n) }
	w.newPage()
	w.setFont(bodySize)

	header(w, n)
	closing(w, n, body(w, n))
	pageNumbers(w)

	if w.err != nil {
		return nil, fmt.Errorf("notice: %w", w.err)
	}
	if len(w.missing) > 0 {
		var cs []string
		for _, r := range w.missing {
			cs = append(cs, fmt.Sprintf("%q (U+%04X)", r, r))
		}
		return nil, fmt.Errorf("notice: neither %s nor %s has a glyph for %s: set %s or %s to a font that has",
			FontPath(), LatinFontPath(), strings.Join(cs, ", "), FontEnv, LatinFontEnv)
	}
	out, err := pdf.GetBytesPdfReturnErr()
	if err != nil {
		return nil, fmt.Errorf("notice: writing PDF: %w", err)
	}
	return out, nil
}

var chinaTime = time.FixedZone("CST", 8*3600)

// clean normalises the free text a clerk typed: Windows line ends and tabs from pasted
// text, and other control characters, which have no glyph and would fail the render.
func clean(n Notice) Notice {
	f := func(s string) string {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		return strings.Map(func(r rune) rune {
			switch {
			case r == '\n':
				return r
			case r == '\t' || r == '\r':
				return ' '
			case unicode.IsControl(r) || r == '\uFEFF' || r == '\u200B':
				return -1
			}
			return r
		}, strings.TrimSpace(s))
	}
	for _, p := range []*string{&n.County, &n.Hall, &n.ReceiptNo, &n.ItemName, &n.ItemCode,
		&n.ApplicantName, &n.ApplicantIDMasked, &n.Reason, &n.Clerk, &n.Phone, &n.StatusURL, &n.Step} {
		*p = f(*p)
	}
	ms := func(in []Material) []Material {
		out := make([]Material, len(in))
		for i, m := range in {
			m.Name, m.Form, m.Note = f(m.Name), f(m.Form), f(m.Note)
			out[i] = m
		}
		return out
	}
	n.Materials, n.Missing = ms(n.Materials), ms(n.Missing)
	return n
}

func (n Notice) validate() error {
	var missing []string
	need := func(ok bool, what string) {
		if !ok {
			missing = append(missing, what)
		}
	}
	if Title(n.Kind) == "" {
		return fmt.Errorf("notice: unknown kind %q", n.Kind)
	}
	need(n.County != "", "County")
	need(n.Hall != "", "Hall")
	need(n.ItemName != "", "ItemName")
	need(n.ApplicantName != "", "ApplicantName")
	need(!n.ReceivedOn.IsZero(), "ReceivedOn")
	need(!n.IssuedOn.IsZero(), "IssuedOn")
	switch n.Kind {
	case KindAccepted: // 行政许可法 art. 32: the receipt number and the time limit
		need(n.ReceiptNo != "", "ReceiptNo")
		need(!n.PromisedDue.IsZero(), "PromisedDue")
		// LegalDue may be zero: an item with no statutory limit (即办件) prints only its promise.
	case KindCorrection: // it must list everything missing, once
		need(len(n.Missing) > 0, "Missing")
	case KindRejected:
		need(n.Reason != "", "Reason")
	case KindDecided:
		need(n.Approved || n.Reason != "", "Reason (required when not approved)")
	case KindExtension: // art. 42: the reason, told in writing, and the new limit
		need(n.Reason != "", "Reason")
		need(n.ExtensionDays > 0, "ExtensionDays")
		need(!n.PromisedDue.IsZero(), "PromisedDue")
	case KindSpecialProcedure: // art. 45: the procedure and the time it needs, in writing
		need(n.Step != "", "Step")
		need(n.StepDays > 0, "StepDays")
	}
	if len(missing) > 0 {
		return fmt.Errorf("notice: %s %s: missing %s", n.Kind, Title(n.Kind), strings.Join(missing, ", "))
	}
	if unmasked(n.ApplicantIDMasked) {
		return errors.New("notice: ApplicantIDMasked holds an unmasked identity number; notices print only the masked form")
	}
	return nil
}

// unmasked reports whether s holds 15 or more identity-number characters in a row: a
// full number (18, or 15 for old cards). A masked one is broken up by its asterisks.
func unmasked(s string) bool {
	run := 0
	for _, r := range s {
		if r >= '0' && r <= '9' || r == 'X' || r == 'x' {
			run++
			if run >= 15 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// issuer names the issuing body as it signs: the county and the hall, once, whether or
// not the hall's configured name already starts with the county's.
func issuer(n Notice) string {
	if strings.HasPrefix(n.Hall, n.County) {
		return n.Hall
	}
	return n.County + n.Hall
}

func header(w *writer, n Notice) {
	w.color(red)
	w.para(issuer(n), headerSize, 0, gopdf.Center)
	w.y += 1.5
	w.pdf.SetStrokeColor(red[0], red[1], red[2])
	w.pdf.SetLineWidth(0.8)
	w.pdf.Line(marginL, w.y, contentX2, w.y)
	w.y += 6
	w.color(black)
	w.para(Title(n.Kind), titleSize, 0, gopdf.Center)
	if n.ReceiptNo != "" {
		w.para("受理编号："+n.ReceiptNo, refSize, 0, gopdf.Center)
	}
	w.y += 4
}

// body prints the salutation and the text of the notice but for its last paragraph, which
// it returns for closing to keep on the page with the seal: a seal on a page of its own
// could be put under any text.
func body(w *writer, n Notice) (last string) {
	w.para(n.ApplicantName+"：", bodySize, 0, gopdf.Left)
	text := func(s string) { w.para(s, bodySize, 2, gopdf.Left) }
	// Catalogue names often end in 申请 already (最低生活保障申请).
	lead := fmt.Sprintf("您于%s提交的%s", formatDate(n.ReceivedOn), strings.TrimSuffix(n.ItemName, "申请")+"申请")
	switch n.Kind {
	case KindAccepted:
		var s strings.Builder
		s.WriteString(lead + "，材料齐全、符合法定形式，本机关决定予以受理。")
		if !n.AcceptedOn.IsZero() {
			s.WriteString("受理日期：" + formatDate(n.AcceptedOn) + "；")
		}
		fmt.Fprintf(&s, "受理编号：%s；承诺办结时限：%s前", n.ReceiptNo, dueDate(n, n.PromisedDue))
		if !n.LegalDue.IsZero() {
			fmt.Fprintf(&s, "（法定办结时限：%s）", dueDate(n, n.LegalDue))
		}
		s.WriteString("。")
		text(s.String())
		provisionalNote(w, n)
		if ms := provided(n.Materials); len(ms) > 0 {
			text("本机关已收到您提交的下列材料：")
			w.y += 1
			materialsTable(w, ms, "备注")
		}
		// 行政许可法 art. 45: time for these procedures does not count, and the applicant
		// must be told; saying so up front explains a later pause.
		return "依法需要听证、检验、检测、鉴定或者专家评审等特别程序的，所需时间不计算在办结时限内，本机关将另行书面告知。"
	case KindCorrection:
		text(lead + "材料不齐全或不符合法定形式，根据《中华人民共和国行政许可法》第三十二条，现一次性告知您需要补正的全部内容：")
		w.y += 1
		materialsTable(w, n.Missing, "补正要求")
		w.y += 2
		var s string
		if !n.CorrectionDue.IsZero() {
			s = "请于" + formatDate(n.CorrectionDue) + "前补正。"
		}
		return s + "补正材料齐全后，本机关自收到全部补正材料之日起受理。"
	case KindRejected:
		text(lead + "，经审查，本机关决定不予受理，理由如下：")
		reason(w, n.Reason)
		if ms := provided(n.Materials); len(ms) > 0 {
			text("现将您提交的下列材料予以退还：")
			w.y += 1
			materialsTable(w, ms, "备注")
			w.y += 2
		}
		return Remedy
	case KindExtension:
		var s strings.Builder
		fmt.Fprintf(&s, "%s（受理编号：%s），因%s，", lead, n.ReceiptNo, strings.TrimRight(n.Reason, "。"))
		fmt.Fprintf(&s, "经本机关负责人批准，根据《中华人民共和国行政许可法》第四十二条，办理期限延长%d个工作日，承诺办结时限延至%s前", n.ExtensionDays, dueDate(n, n.PromisedDue))
		if !n.LegalDue.IsZero() {
			fmt.Fprintf(&s, "（法定办结时限：%s）", dueDate(n, n.LegalDue))
		}
		s.WriteString("。")
		text(s.String())
		provisionalNote(w, n)
		return "特此告知。"
	case KindSpecialProcedure:
		var s strings.Builder
		fmt.Fprintf(&s, "%s（受理编号：%s），依法需要进行%s，所需时间为%d个工作日", lead, n.ReceiptNo, n.Step, n.StepDays)
		if !n.StepDue.IsZero() {
			fmt.Fprintf(&s, "（预计至%s）", dueDate(n, n.StepDue))
		}
		if n.StepCounted {
			s.WriteString("。该环节所需时间计算在办结时限内。")
		} else {
			s.WriteString("。根据《中华人民共和国行政许可法》第四十五条，该时间不计算在办结时限内，办结时限相应顺延。")
		}
		if n.Reason != "" {
			s.WriteString("事由：" + strings.TrimRight(n.Reason, "。") + "。")
		}
		text(s.String())
		provisionalNote(w, n)
		return "特别程序结束后，本机关将继续办理。"
	case KindDecided:
		if n.Approved {
			text(lead + "，已办理完毕。经审查，符合法定条件，本机关决定准予。")
			return "请凭本通知书领取办理结果，或按您选择的方式送达。"
		}
		text(lead + "，已办理完毕。经审查，本机关决定不予准予，理由如下：")
		reason(w, n.Reason)
		return Remedy
	}
	return ""
}

// dueDate prints a due date, marked 暂定 when the notice's dates are provisional.
func dueDate(n Notice, d workday.Date) string {
	if n.Provisional {
		return formatDate(d) + "（暂定）"
	}
	return formatDate(d)
}

// provisionalNote says why a date is marked 暂定: it was counted through a year whose
// holiday schedule is not published yet.
func provisionalNote(w *writer, n Notice) {
	if n.Provisional {
		w.para("注：上述日期所跨年度的国务院节假日安排尚未公布，暂按《全国年节及纪念日放假办法》规定的法定节假日计算；安排公布后如有变动，以重新计算的日期为准，本机关将另行告知。", smallSize, 2, gopdf.Left)
	}
}

// reason prints the clerk's reason, each line of it as its own paragraph.
func reason(w *writer, r string) {
	for _, p := range strings.Split(r, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			w.para(p, bodySize, 2, gopdf.Left)
		}
	}
}

func provided(ms []Material) []Material {
	var out []Material
	for _, m := range ms {
		if m.Provided {
			out = append(out, m)
		}
	}
	return out
}

func materialsTable(w *writer, ms []Material, noteTitle string) {
	cols := []column{
		{"序号", 12, gopdf.Center},
		{"材料名称", 0, gopdf.Left},
		{"形式", 20, gopdf.Center},
		{"份数", 14, gopdf.Center},
		{noteTitle, 44, gopdf.Left},
	}
	cols[1].width = contentW - cols[0].width - cols[2].width - cols[3].width - cols[4].width
	rows := make([][]string, len(ms))
	for i, m := range ms {
		copies := ""
		if m.Copies > 0 {
			copies = strconv.Itoa(m.Copies)
		}
		rows[i] = []string{strconv.Itoa(i + 1), m.Name, m.Form, copies, m.Note}
	}
	w.table(cols, rows)
	w.y += 2
}

// closing prints the last paragraph, the issuer and the date, and at the foot of the last page the clerk, the
// applicant's (masked) identity with lines to sign for receipt, and the QR code.
func closing(w *writer, n Notice, last string) {
	var (
		qr      []byte
		qrSide  float64
		urlLine []string
	)
	if n.StatusURL != "" {
		png, modules, err := qrPNG(n.StatusURL)
		if err != nil {
			w.fail(err)
			return
		}
		qr = png
		qrSide = qrSymbol * float64(modules+2*qrQuiet) / float64(modules)
		w.setFont(urlSize)
		urlLine = w.wrap(n.StatusURL, qrSide, 0)
	}
	qrX := contentX2 - qrSide
	capH := lineHeight(smallSize)
	urlH := lineHeight(urlSize)
	qrZone := 0.0
	if qr != nil {
		qrZone = qrSide + capH + float64(len(urlLine))*urlH
	}

	// The foot: the QR code at the right, the clerk and the applicant at the left, both
	// ending at the bottom margin.
	leftW := contentW
	if qr != nil {
		leftW = qrX - marginL - 6
	}
	w.setFont(smallSize)
	smallH := lineHeight(smallSize) * 1.1
	var foot []string
	var contact []string
	if n.Clerk != "" {
		contact = append(contact, "经办人："+n.Clerk)
	}
	if n.Phone != "" {
		contact = append(contact, "咨询电话："+n.Phone)
	}
	if len(contact) > 0 {
		foot = append(foot, w.wrap(strings.Join(contact, "　　"), leftW, 0)...)
	}
	applicant := "申请人：" + n.ApplicantName
	if n.ApplicantIDMasked != "" {
		applicant += "　　证件号码：" + n.ApplicantIDMasked
	}
	foot = append(foot, w.wrap(applicant, leftW, 0)...)
	if n.ItemCode != "" {
		foot = append(foot, w.wrap("事项编码："+n.ItemCode, leftW, 0)...)
	}
	const sign, signDate = "申请人签收：", "签收日期："
	foot = append(foot, sign, signDate)
	foot = append(foot, w.wrap("本通知书一式两份，一份交申请人，一份由本机关存档。", leftW, 0)...)
	footZone := max(qrZone, float64(len(foot))*smallH)

	// The last paragraph, the issuer and date, above the foot of the page they end on. A
	// seal is stamped over the issuer, so it keeps clear of the QR code.
	w.setFont(bodySize)
	lh := lineHeight(bodySize)
	seal := w.wrap(issuer(n)+"（印章）", contentW, 0)
	signH := 8 + float64(len(seal)+1)*lh + 4
	lastLines := len(w.wrap(last, contentW, 2*bodySize*ptToMM))
	w.ensure(float64(lastLines)*lh+signH, contentY2-footZone)
	w.para(last, bodySize, 2, gopdf.Left)
	w.ensure(signH, contentY2-footZone)
	if w.err != nil {
		return
	}
	w.y += 8
	for _, l := range seal {
		w.cell(marginL, contentW, lh, l, gopdf.Right)
		w.y += lh
	}
	w.cell(marginL, contentW, lh, formatDate(n.IssuedOn), gopdf.Right)

	w.setFont(smallSize)
	w.y = contentY2 - float64(len(foot))*smallH
	for _, l := range foot {
		w.cell(marginL, leftW, smallH, l, gopdf.Left)
		if l == sign || l == signDate {
			x := marginL + w.textWidth(l) + 1
			y := w.y + smallH*0.8
			w.pdf.SetStrokeColor(0, 0, 0)
			w.pdf.SetLineWidth(0.25)
			w.pdf.Line(x, y, marginL+min(leftW, 75), y)
		}
		w.y += smallH
	}
	if qr == nil || w.err != nil {
		return
	}
	w.y = contentY2 - qrZone
	img, err := gopdf.ImageHolderByBytes(qr)
	if err != nil {
		w.fail(err)
		return
	}
	w.fail(w.pdf.ImageByHolder(img, qrX, w.y, &gopdf.Rect{W: qrSide, H: qrSide}))
	w.y += qrSide
	w.cell(qrX, qrSide, capH, "扫码查询办理进度", gopdf.Center)
	w.y += capH
	w.setFont(urlSize)
	w.color(gray)
	for _, l := range urlLine {
		w.cell(qrX, qrSide, urlH, l, gopdf.Center)
		w.y += urlH
	}
	w.color(black)
}

// runningHead marks continuation pages, so a loose second page still says which notice
// and which application it belongs to.
func runningHead(w *writer, n Notice) {
	w.setFont(9)
	w.color(gray)
	w.y = 12
	w.cell(marginL, contentW, 5, Title(n.Kind)+"（续）", gopdf.Left)
	right := n.ApplicantName
	if n.ReceiptNo != "" {
		right = "受理编号：" + n.ReceiptNo
	}
	w.cell(marginL, contentW, 5, right, gopdf.Right)
	w.pdf.SetStrokeColor(gray[0], gray[1], gray[2])
	w.pdf.SetLineWidth(0.2)
	w.pdf.Line(marginL, 18, contentX2, 18)
	w.color(black)
}

// pageNumbers numbers the pages once their count is known; a single page needs none.
func pageNumbers(w *writer) {
	total := w.pdf.GetNumberOfPages()
	if total < 2 || w.err != nil {
		return
	}
	w.setFont(9)
	w.color(gray)
	for p := 1; p <= total; p++ {
		w.fail(w.pdf.SetPage(p))
		w.y = pageH - 13
		w.cell(marginL, contentW, 5, fmt.Sprintf("第 %d 页　共 %d 页", p, total), gopdf.Center)
	}
	w.color(black)
}
