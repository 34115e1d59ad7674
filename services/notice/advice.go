package notice

import (
	"errors"
	"fmt"
	"strings"

	"github.com/signintech/gopdf"

	"github.com/yichuang/yichuang/services/workday"
)

// AdviceTitle is the heading of a 监察建议书.
const AdviceTitle = "监察建议书"

// Advice is a 监察建议书 (issue 16, item 4): a region's supervisor writes to a county about the
// cards raised on it and the 督办 still open. It is laid out with the notices' fonts and page
// geometry; it names no person (the cards carry none).
type Advice struct {
	Number   string // 建议书编号
	IssuedOn workday.Date
	Issuer   string // the issuing region, e.g. 承德市
	County   string // the county addressed
	Lines    []AdviceLine
}

// AdviceLine is one card in the 建议书's table.
type AdviceLine struct {
	Colour     string // 红牌 / 黄牌
	Rule       string
	Township   string
	Department string
	Item       string
	RaisedOn   workday.Date
	Order      string // the 督办's state and due date, or 未督办
}

// RenderAdvice lays a out as an A4 PDF in Chinese. The same advice renders to the same bytes.
func RenderAdvice(a Advice) ([]byte, error) {
	if strings.TrimSpace(a.Number) == "" || strings.TrimSpace(a.Issuer) == "" || strings.TrimSpace(a.County) == "" || a.IssuedOn.IsZero() {
		return nil, errors.New("notice: an advice needs its number, issuer, county and date")
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
	pdf.SetInfo(gopdf.PdfInfo{Title: AdviceTitle + " " + a.County, Author: a.Issuer, Subject: a.Number, Creator: "Yichuang",
		CreationDate: a.IssuedOn.In(chinaTime)})
	for _, f := range []struct {
		face *face
		c    *gopdf.FontContainer
	}{{&cjkFace, cjk}, {&latinFace, latin}} {
		if err := pdf.AddTTFFontFromFontContainer(f.face.family, f.c); err != nil {
			return nil, fmt.Errorf("notice: font %s: %w", f.face.family, err)
		}
	}
	w := &writer{pdf: pdf, glyphs: make(map[rune]glyph, 256)}
	w.runningHead = func() {
		w.setFont(9)
		w.color(gray)
		w.y = 12
		w.cell(marginL, contentW, 5, AdviceTitle+"（续）", gopdf.Left)
		w.cell(marginL, contentW, 5, a.Number, gopdf.Right)
		w.color(black)
	}
	w.newPage()
	w.color(red)
	w.para(a.Issuer+"效能监察", headerSize, 0, gopdf.Center)
	w.y += 1.5
	w.pdf.SetStrokeColor(red[0], red[1], red[2])
	w.pdf.SetLineWidth(0.8)
	w.pdf.Line(marginL, w.y, contentX2, w.y)
	w.y += 6
	w.color(black)
	w.para(AdviceTitle, titleSize, 0, gopdf.Center)
	w.para(a.Number, refSize, 0, gopdf.Center)
	w.y += 4
	w.para(a.County+"：", bodySize, 0, gopdf.Left)
	nRed, nYellow, open := 0, 0, 0
	for _, l := range a.Lines {
		if l.Colour == "红牌" {
			nRed++
		} else {
			nYellow++
		}
		if l.Order != "已办结" {
			open++
		}
	}
	w.para(fmt.Sprintf("经效能监察，截至%s，你县（区）尚有红牌%d张、黄牌%d张未办结（其中督办事项%d件），明细如下。"+
		"请对照问题逐项整改，在督办期限内书面回复整改情况；回复中不得包含当事人身份证号、手机号等个人信息。",
		formatDate(a.IssuedOn), nRed, nYellow, open), bodySize, 2, gopdf.Left)
	w.y += 3
	rows := make([][]string, len(a.Lines))
	for i, l := range a.Lines {
		rows[i] = []string{fmt.Sprint(i + 1), l.Colour, l.Rule, l.Township + " " + l.Department, l.Item, l.RaisedOn.String(), l.Order}
	}
	if len(rows) == 0 {
		w.para("（无未办结的监察记录）", bodySize, 2, gopdf.Left)
	} else {
		w.table([]column{{"序号", 12, gopdf.Center}, {"类别", 12, gopdf.Center}, {"问题", 32, gopdf.Left}, {"乡镇、部门", 30, gopdf.Left},
			{"事项", 26, gopdf.Left}, {"记录日期", 24, gopdf.Center}, {"督办", 22, gopdf.Left}}, rows)
	}
	w.y += 10
	w.ensure(lineHeight(bodySize)*2, contentY2)
	w.para(a.Issuer, bodySize, 0, gopdf.Right)
	w.para(formatDate(a.IssuedOn), bodySize, 0, gopdf.Right)
	pageNumbers(w)
	if w.err != nil {
		return nil, fmt.Errorf("notice: %w", w.err)
	}
	if len(w.missing) > 0 {
		return nil, fmt.Errorf("notice: no glyph for %q: set %s or %s", string(w.missing), FontEnv, LatinFontEnv)
	}
	return pdf.GetBytesPdfReturnErr()
}
