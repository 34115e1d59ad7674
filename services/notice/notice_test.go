package notice

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/signintech/gopdf"

	"github.com/yichuang/yichuang/services/workday"
)

const (
	fullID   = "130826199001011234" // the applicant's real number: must never be printed
	maskedID = "130826********1234"
)

func date(t testing.TB, s string) workday.Date {
	t.Helper()
	d, err := workday.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sample is a realistic notice of kind k: a 低保 application at a township hall.
func sample(t testing.TB, k Kind) Notice {
	n := Notice{
		Kind:              k,
		County:            "示范县",
		Hall:              "城关镇便民服务中心",
		ReceiptNo:         "1308262026112100001",
		ItemName:          "最低生活保障申请",
		ItemCode:          "11130826000000000A4000112011000",
		ApplicantName:     "张三",
		ApplicantIDMasked: maskedID,
		ReceivedOn:        date(t, "2026-11-18"),
		AcceptedOn:        date(t, "2026-11-20"),
		IssuedOn:          date(t, "2026-11-20"),
		PromisedDue:       date(t, "2026-12-04"),
		LegalDue:          date(t, "2026-12-18"),
		Materials: []Material{
			{Name: "最低生活保障申请书", Form: "原件", Copies: 1, Provided: true},
			{Name: "居民身份证", Form: "复印件", Copies: 1, Provided: true, Note: "核验原件后退还"},
			{Name: "户口簿", Form: "复印件", Copies: 1, Provided: true},
			{Name: "家庭经济状况核对授权书", Form: "原件", Copies: 1, Provided: true, Note: "全体家庭成员签字"},
			{Name: "家庭成员收入证明", Form: "原件", Copies: 1, Provided: true},
			{Name: "残疾人证", Form: "复印件", Copies: 1, Provided: true, Note: "家庭成员有残疾的提供"},
		},
		Clerk:     "李四",
		Phone:     "0312-6012345",
		StatusURL: "https://zw.shifanxian.gov.cn/s/1308262026112100001?c=7QK2",
	}
	switch k {
	case KindCorrection:
		n.ReceiptNo = "" // 一次性告知 before acceptance
		n.AcceptedOn, n.PromisedDue, n.LegalDue = workday.Date{}, workday.Date{}, workday.Date{}
		n.Missing = []Material{
			{Name: "家庭成员收入证明", Form: "原件", Copies: 1, Note: "须由工作单位盖章；无工作单位的由本人书面承诺"},
			{Name: "不动产登记查询结果", Form: "原件", Copies: 1, Note: "县不动产登记中心出具"},
			{Name: "银行账户流水", Form: "原件", Copies: 1, Note: "近六个月"},
		}
		n.CorrectionDue = date(t, "2026-12-02")
	case KindRejected:
		n.ReceiptNo = ""
		n.AcceptedOn, n.PromisedDue, n.LegalDue = workday.Date{}, workday.Date{}, workday.Date{}
		n.Reason = "申请人户籍不在本镇，依据《示范县最低生活保障审核确认办法》第八条，应向户籍所在地乡镇（街道）提出申请。"
	case KindDecided:
		n.IssuedOn = date(t, "2026-12-03")
		n.Approved = true
	case KindExtension:
		n.IssuedOn = date(t, "2026-12-01")
		n.Reason = "需对申请人家庭经济状况进行跨县核对"
		n.ExtensionDays = 10
		n.PromisedDue, n.LegalDue = date(t, "2026-12-18"), date(t, "2027-01-05")
	case KindSpecialProcedure:
		n.IssuedOn = date(t, "2026-11-24")
		n.Step, n.StepDays, n.StepDue = "专家评审", 15, date(t, "2026-12-15")
		n.Reason = "申请人所患疾病需经专家评审认定"
	}
	return n
}

// pdfText runs pdftotext -layout on pdf, failing (not skipping) when poppler-utils is
// missing: every test here must run for real.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	path := writePDF(t, pdf)
	out, err := exec.Command(tool(t, "pdftotext"), "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install poppler-utils (apt-get install poppler-utils; infra/scripts/test.sh does it when run as root)", name)
	}
	return p
}

func writePDF(t testing.TB, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pages(t testing.TB, pdf []byte) int {
	t.Helper()
	out, err := exec.Command(tool(t, "pdfinfo"), writePDF(t, pdf)).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo printed no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// squash drops all white space: pdftotext breaks lines where the PDF wraps them.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// decodeQR renders page of pdf at 200 dpi, as a printer or a scan would see it, and reads
// the QR code on it.
func decodeQR(t testing.TB, pdf []byte, page int) string {
	t.Helper()
	dir := t.TempDir()
	p := strconv.Itoa(page)
	cmd := exec.Command(tool(t, "pdftoppm"), "-r", "200", "-png", "-f", p, "-l", p, "-singlefile",
		writePDF(t, pdf), filepath.Join(dir, "page"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code readable on page %d: %v", page, err)
	}
	return res.GetText()
}

// idPattern is a whole 18-character resident identity number.
var idPattern = regexp.MustCompile(`(^|[^0-9])[0-9]{17}[0-9Xx]([^0-9]|$)`)

func TestRender(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		kind    Kind
		approve bool
		want    []string // beyond what every notice prints
		absent  []string
	}{
		{"accepted", KindAccepted, false, []string{
			"受理通知书", "材料齐全、符合法定形式，本机关决定予以受理",
			"1308262026112100001", "2026年11月20日", "2026年12月4日", "2026年12月18日",
			"家庭经济状况核对授权书", "全体家庭成员签字", "序号", "材料名称", "份数",
		}, []string{Remedy}},
		{"correction", KindCorrection, false, []string{
			"一次性告知书", "根据《中华人民共和国行政许可法》第三十二条，现一次性告知您需要补正的全部内容",
			"不动产登记查询结果", "县不动产登记中心出具", "请于2026年12月2日前补正。",
			"补正材料齐全后，本机关自收到全部补正材料之日起受理。",
		}, []string{Remedy, "受理编号"}},
		{"rejected", KindRejected, false, []string{
			"不予受理通知书", "本机关决定不予受理", "应向户籍所在地乡镇（街道）提出申请", Remedy,
		}, []string{"受理编号"}},
		{"decided approved", KindDecided, true, []string{
			"办结通知书", "本机关决定准予", "1308262026112100001", "2026年12月3日",
		}, []string{Remedy, "不予"}},
		{"decided denied", KindDecided, false, []string{
			"办结通知书", "本机关决定不予准予", "1308262026112100001", "家庭人均收入高于本县最低生活保障标准", Remedy,
		}, nil},
		// 行政许可法 art. 42: the reason of the extension, in writing, with the new limit.
		{"extension", KindExtension, false, []string{
			"延期通知书", "需对申请人家庭经济状况进行跨县核对", "经本机关负责人批准", "第四十二条", "延长10个工作日",
			"2026年12月18日", "2027年1月5日",
		}, []string{Remedy, "暂定"}},
		// art. 45: the procedure and the time it needs, in writing.
		{"special procedure", KindSpecialProcedure, false, []string{
			"特别程序告知书", "专家评审", "所需时间为15个工作日", "2026年12月15日", "第四十五条", "不计算在办结时限内",
		}, []string{Remedy}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := sample(t, tc.kind)
			n.Approved = tc.approve
			if tc.kind == KindDecided && !tc.approve {
				n.Reason = "经入户调查和家庭经济状况核对，家庭人均收入高于本县最低生活保障标准。"
			}
			pdf, err := Render(n)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
			}
			text := pdfText(t, pdf)
			flat := squash(text)
			common := []string{
				n.County + n.Hall, "张三：", "最低生活保障申请", "2026年11月18日",
				"经办人：李四", "咨询电话：0312-6012345", formatDate(n.IssuedOn),
				"示范县城关镇便民服务中心（印章）", maskedID, "扫码查询办理进度",
			}
			for _, s := range append(common, tc.want...) {
				if !strings.Contains(flat, squash(s)) {
					t.Errorf("text lacks %q:\n%s", s, text)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(flat, squash(s)) {
					t.Errorf("text has %q, which a %s notice must not:\n%s", s, tc.name, text)
				}
			}
			if strings.Contains(flat, fullID) || idPattern.MatchString(text) {
				t.Errorf("a full identity number is printed:\n%s", text)
			}
			if got := pages(t, pdf); got != 1 {
				t.Errorf("%d pages, want 1", got)
			}
			if got := decodeQR(t, pdf, 1); got != n.StatusURL {
				t.Errorf("QR code reads %q, want %q", got, n.StatusURL)
			}
		})
	}
}

// TestRenderLong checks that long text wraps inside the page and long tables continue on
// further pages, with nothing lost: every material, the whole reason, and the closing block,
// the QR code and the remedy on the last page.
func TestRenderLong(t *testing.T) {
	t.Parallel()
	reason := []rune(strings.Repeat("经入户调查，申请人家庭共同生活成员中有一人名下登记有非营运机动车辆一辆，"+
		"且家庭存款超过本县规定的限额（ABC-12345），", 10))[:300]
	long := func(k Kind) Notice {
		n := sample(t, k)
		n.Reason = string(reason)
		n.Materials, n.Missing = nil, nil
		for i := 1; i <= 30; i++ {
			m := Material{
				Name: fmt.Sprintf("第%02d号家庭成员收入证明材料", i), Form: "原件", Copies: 1, Provided: true,
				Note: "由所在单位或村（居）民委员会出具并加盖公章，注明近六个月收入情况",
			}
			n.Materials = append(n.Materials, m)
			n.Missing = append(n.Missing, m)
		}
		return n
	}
	for _, k := range []Kind{KindAccepted, KindCorrection, KindRejected} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			n := long(k)
			pdf, err := Render(n)
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, pdf)
			flat := squash(text)
			for _, m := range n.Materials {
				if !strings.Contains(flat, m.Name) {
					t.Errorf("material %q is missing from the text", m.Name)
				}
			}
			if k == KindRejected && !strings.Contains(flat, squash(n.Reason)) {
				t.Errorf("the reason is cut:\n%s", text)
			}
			np := pages(t, pdf)
			if np < 2 {
				t.Fatalf("%d page(s): 30 materials should continue on a second page", np)
			}
			pageTexts := strings.Split(text, "\f")
			last := squash(pageTexts[np-1])
			for _, s := range []string{"示范县城关镇便民服务中心（印章）", "扫码查询办理进度", fmt.Sprintf("第%d页共%d页", np, np)} {
				if !strings.Contains(last, s) {
					t.Errorf("last page lacks %q:\n%s", s, pageTexts[np-1])
				}
			}
			if !strings.Contains(squash(pageTexts[1]), Title(k)+"（续）") {
				t.Errorf("page 2 has no running head:\n%s", pageTexts[1])
			}
			if k == KindRejected && !strings.Contains(last, squash(Remedy)) {
				t.Errorf("the remedy is not on the last page:\n%s", pageTexts[np-1])
			}
			if got := decodeQR(t, pdf, np); got != n.StatusURL {
				t.Errorf("QR code reads %q, want %q", got, n.StatusURL)
			}
		})
	}
}

// TestRenderSameBytes renders one notice from many goroutines: the shared parsed font must
// not leak glyphs or state between documents, and a regenerated notice must be the same
// file as the one first handed out.
func TestRenderSameBytes(t *testing.T) {
	t.Parallel()
	n := sample(t, KindAccepted)
	want, err := Render(n)
	if err != nil {
		t.Fatal(err)
	}
	other := sample(t, KindRejected)
	other.Reason = "申请事项依法不属于本机关职权范围，请向县民政局申请。"
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 1 { // interleave a different text through the same font
				_, err := Render(other)
				errs <- err
				return
			}
			got, err := Render(n)
			if err == nil && !bytes.Equal(got, want) {
				err = fmt.Errorf("render %d differs from the first (%d vs %d bytes)", i, len(got), len(want))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// An item without a statutory limit (即办件) has only its promised date; its acceptance
// notice prints that alone.
func TestAcceptanceWithoutStatutoryLimit(t *testing.T) {
	t.Parallel()
	n := sample(t, KindAccepted)
	n.LegalDue = workday.Date{}
	pdf, err := Render(n)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	if !strings.Contains(text, "承诺办结时限") || strings.Contains(text, "法定办结时限") {
		t.Fatalf("text:\n%s", text)
	}
}

// A due date counted through a year with no published schedule is printed 暂定, with the
// reason (全国年节及纪念日放假办法; the State Council's notice is still to come).
func TestRenderProvisional(t *testing.T) {
	t.Parallel()
	n := sample(t, KindAccepted)
	n.Provisional = true
	pdf, err := Render(n)
	if err != nil {
		t.Fatal(err)
	}
	flat := squash(pdfText(t, pdf))
	for _, s := range []string{"2026年12月4日（暂定）", "2026年12月18日（暂定）", "尚未公布", "全国年节及纪念日放假办法"} {
		if !strings.Contains(flat, squash(s)) {
			t.Errorf("provisional notice lacks %q", s)
		}
	}
}

func TestRenderRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		edit   func(*Notice)
		kind   Kind
		errHas string
	}{
		{"unknown kind", func(n *Notice) { n.Kind = "withdrawn" }, KindAccepted, "unknown kind"},
		{"acceptance without receipt number", func(n *Notice) { n.ReceiptNo = "" }, KindAccepted, "ReceiptNo"},
		{"acceptance without deadlines", func(n *Notice) { n.PromisedDue, n.LegalDue = workday.Date{}, workday.Date{} }, KindAccepted, "PromisedDue"},
		{"一次性告知 listing nothing", func(n *Notice) { n.Missing = nil }, KindCorrection, "Missing"},
		{"refusal without reason", func(n *Notice) { n.Reason = " \n " }, KindRejected, "Reason"},
		{"denial without reason", func(n *Notice) { n.Approved, n.Reason = false, "" }, KindDecided, "Reason"},
		{"extension without reason", func(n *Notice) { n.Reason = "" }, KindExtension, "Reason"},
		{"extension without days", func(n *Notice) { n.ExtensionDays = 0 }, KindExtension, "ExtensionDays"},
		{"special procedure without its time", func(n *Notice) { n.StepDays = 0 }, KindSpecialProcedure, "StepDays"},
		{"no applicant", func(n *Notice) { n.ApplicantName = "" }, KindDecided, "ApplicantName"},
		{"no issuing date", func(n *Notice) { n.IssuedOn = workday.Date{} }, KindDecided, "IssuedOn"},
		{"full identity number", func(n *Notice) { n.ApplicantIDMasked = fullID }, KindAccepted, "unmasked"},
		{"full old 15-digit number", func(n *Notice) { n.ApplicantIDMasked = "130826900101123" }, KindAccepted, "unmasked"},
		// 𬌗 (U+2C317, CJK Extension E) is in neither default font: the notice must not
		// go out with a blank in the applicant's name.
		{"character without glyph", func(n *Notice) { n.ApplicantName = "张\U0002C317" }, KindAccepted, "U+2C317"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := sample(t, tc.kind)
			tc.edit(&n)
			pdf, err := Render(n)
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("Render = %d bytes, %v; want an error naming %q", len(pdf), err, tc.errHas)
			}
		})
	}
}

// TestRenderCleansText: control characters pasted from other programs have no glyph and
// must not fail a notice; tabs and Windows line ends become ordinary spacing.
func TestRenderCleansText(t *testing.T) {
	t.Parallel()
	n := sample(t, KindRejected)
	n.Reason = "第一段理由：\t材料系复印件。\r\n第二段\u200b理由：未签字\x07。"
	pdf, err := Render(n)
	if err != nil {
		t.Fatal(err)
	}
	flat := squash(pdfText(t, pdf))
	for _, s := range []string{"第一段理由：材料系复印件。", "第二段理由：未签字。"} {
		if !strings.Contains(flat, s) {
			t.Errorf("text lacks %q:\n%s", s, flat)
		}
	}
}

func TestIssuer(t *testing.T) {
	t.Parallel()
	for hall, want := range map[string]string{
		"城关镇便民服务中心":    "示范县城关镇便民服务中心",
		"示范县城关镇便民服务中心": "示范县城关镇便民服务中心",
	} {
		if got := issuer(Notice{County: "示范县", Hall: hall}); got != want {
			t.Errorf("issuer(%q) = %q, want %q", hall, got, want)
		}
	}
}

func TestRenderWithoutStatusURL(t *testing.T) {
	t.Parallel()
	n := sample(t, KindRejected)
	n.StatusURL = ""
	pdf, err := Render(n)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, pdf); strings.Contains(text, "扫码") {
		t.Errorf("a notice without a status page offers a QR code:\n%s", text)
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	pdf, err := Render(sample(t, KindAccepted)) // loads the fonts
	if err != nil || len(pdf) == 0 {
		t.Fatal(err)
	}
	w := newTestWriter(t)
	w.setFont(bodySize)
	width := 40.0
	text := "申请人家庭成员中有人在国家机关、事业单位工作，其收入（含https://example.gov.cn/a/b/c/d/e/f/g/h）超过标准。"
	lines := w.wrap(text, width, 0)
	if got := strings.Join(lines, ""); got != text {
		t.Errorf("wrapping lost text:\n got %q\nwant %q", got, text)
	}
	for _, l := range lines {
		if lw := w.textWidth(l); lw > width+1e-6 {
			t.Errorf("line %q is %.1f mm wide, over %.0f", l, lw, width)
		}
		if r := []rune(l); strings.ContainsRune(noLineStart, r[0]) {
			t.Errorf("line %q starts with a closing mark", l)
		}
		if r := []rune(l); strings.ContainsRune(noLineEnd, r[len(r)-1]) {
			t.Errorf("line %q ends with an opening mark", l)
		}
	}
	if w.err != nil {
		t.Fatal(w.err)
	}
}

func newTestWriter(t *testing.T) *writer {
	t.Helper()
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	for _, f := range []*face{&cjkFace, &latinFace} {
		path := FontPath()
		if f == &latinFace {
			path = LatinFontPath()
		}
		c, err := loadFont(*f, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pdf.AddTTFFontFromFontContainer(f.family, c); err != nil {
			t.Fatal(err)
		}
	}
	return &writer{pdf: pdf, glyphs: map[rune]glyph{}}
}

func TestMissingFont(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "none.ttf")
	_, err := loadFont(cjkFace, path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "fonts-droid-fallback") {
		t.Errorf("loadFont(missing) = %v; want an error naming %s and fonts-droid-fallback", err, path)
	}
	// A CFF font (what the Noto CJK packages ship) or anything else is refused by name.
	bad := filepath.Join(t.TempDir(), "cff.otf")
	if err := os.WriteFile(bad, []byte("OTTO\x00\x0a\x00\x80"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadFont(cjkFace, bad); err == nil || !strings.Contains(err.Error(), "TrueType") {
		t.Errorf("loadFont(CFF) = %v; want an error saying a TrueType font is needed", err)
	}
}

// TestFontPath changes the environment, so it cannot run in parallel; the parallel tests
// wait until it is done.
func TestFontPath(t *testing.T) {
	t.Setenv(FontEnv, "")
	t.Setenv(LatinFontEnv, "")
	if FontPath() != DefaultFontPath || LatinFontPath() != DefaultLatinFontPath {
		t.Errorf("defaults: %s, %s", FontPath(), LatinFontPath())
	}
	t.Setenv(FontEnv, "/opt/fonts/cjk.ttf")
	t.Setenv(LatinFontEnv, "/opt/fonts/latin.ttf")
	if FontPath() != "/opt/fonts/cjk.ttf" || LatinFontPath() != "/opt/fonts/latin.ttf" {
		t.Errorf("overrides: %s, %s", FontPath(), LatinFontPath())
	}
	_, err := Render(sample(t, KindAccepted))
	if err == nil || !strings.Contains(err.Error(), "/opt/fonts/cjk.ttf") {
		t.Errorf("Render with a missing font = %v; want an error naming it", err)
	}
}

func TestTitle(t *testing.T) {
	t.Parallel()
	for k, want := range map[Kind]string{
		KindAccepted: "受理通知书", KindCorrection: "一次性告知书", KindRejected: "不予受理通知书",
		KindDecided: "办结通知书", KindExtension: "延期通知书", KindSpecialProcedure: "特别程序告知书", "withdrawn": "",
	} {
		if got := Title(k); got != want {
			t.Errorf("Title(%q) = %q, want %q", k, got, want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	n := sample(b, KindAccepted)
	if _, err := Render(n); err != nil { // parse the fonts outside the timing
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(n); err != nil {
			b.Fatal(err)
		}
	}
}
