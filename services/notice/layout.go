package notice

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/signintech/gopdf"

	"github.com/yichuang/yichuang/services/workday"
)

// Page geometry in millimetres: A4 with margins close to GB/T 9704's for official
// documents, a little narrower so that a table of materials keeps a usable name column.
const (
	pageW        = 210.0
	pageH        = 297.0
	marginL      = 26.0
	marginR      = 26.0
	marginTop    = 20.0
	marginBottom = 20.0
	contentW     = pageW - marginL - marginR
	contentX2    = pageW - marginR
	contentY2    = pageH - marginBottom
	// Continuation pages start lower: their running head sits above this.
	contTop = 24.0
)

const ptToMM = 25.4 / 72

// Line breaking follows the usual Chinese rules (避头尾): these never start a line...
const noLineStart = "，。、；：？！）》」』】〕〉”’…—·％%,.;:?!)]}"

// ...and these never end one.
const noLineEnd = "（《「『【〔〈“‘([{"

// writer lays text out top to bottom over as many pages as it takes. It keeps the first
// error and turns every later call into a no-op, so the layout code reads as a sequence.
type writer struct {
	pdf  *gopdf.GoPdf
	y    float64
	size float64 // current font size, pt
	err  error

	// glyphs caches, for each rune, the face that draws it and its advance at 1 pt: a
	// notice measures the same few hundred characters many times, and asking gopdf goes
	// through a font switch and its glyph map every time.
	glyphs  map[rune]glyph
	missing []rune // characters neither font has a glyph for

	// runningHead is drawn at the top of every page after the first.
	runningHead func()
	// tableHead, while a table is being drawn, repeats its header after a page break.
	tableHead func()
}

type glyph struct {
	face  *face
	width float64 // mm at 1 pt
}

func (w *writer) fail(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

// setFont sets the size of what follows; the face is chosen per character when drawing.
func (w *writer) setFont(size float64) { w.size = size }

func (w *writer) color(c [3]uint8) { w.pdf.SetTextColor(c[0], c[1], c[2]) }

// runeWidth is r's advance in mm at the current size.
func (w *writer) runeWidth(r rune) float64 {
	g, ok := w.glyphs[r]
	if !ok {
		g = w.lookup(r)
		w.glyphs[r] = g
	}
	return g.width * w.size
}

// lookup picks the face for r: the Latin face for Latin script, where the CJK face's
// glyphs (if any) are full-width, and the CJK face for the rest. A character neither face
// has is recorded: gopdf would silently print a space for it, and a notice must not print
// an applicant's name or a reason with characters missing.
func (w *writer) lookup(r rune) glyph {
	order := []*face{&cjkFace, &latinFace}
	if r <= 0x24F {
		order[0], order[1] = order[1], order[0]
	}
	for _, f := range order {
		if w.err != nil {
			break
		}
		// Measured at 100 pt and scaled, so the cached value keeps its precision.
		w.fail(w.pdf.SetFont(f.family, "", 100))
		has, err := w.pdf.IsCurrFontContainGlyph(r)
		w.fail(err)
		if !has {
			continue
		}
		mm, err := w.pdf.MeasureTextWidth(string(r))
		w.fail(err)
		return glyph{f, mm / 100}
	}
	if w.err == nil && !slices.Contains(w.missing, r) {
		w.missing = append(w.missing, r)
	}
	return glyph{&cjkFace, 0}
}

func (w *writer) textWidth(s string) float64 {
	var sum float64
	for _, r := range s {
		sum += w.runeWidth(r)
	}
	return sum
}

// wrap breaks s into lines no wider than width (the first line first-indent narrower).
// Hanzi may break anywhere; a run of Latin letters, digits and the like (a receipt number,
// a URL, a phone number) stays whole unless it is wider than a line by itself. "\n"
// starts a new line.
func (w *writer) wrap(s string, width, firstIndent float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		lines = append(lines, w.wrapPara(para, width, firstIndent)...)
		firstIndent = 0
	}
	return lines
}

func (w *writer) wrapPara(s string, width, indent float64) []string {
	var (
		lines []string
		line  []string // tokens of the current line
		lineW float64
	)
	avail := func() float64 {
		if len(lines) == 0 {
			return width - indent
		}
		return width
	}
	flush := func() {
		lines = append(lines, strings.TrimRight(strings.Join(line, ""), " "))
		line, lineW = line[:0], 0
	}
	toks := tokens(s)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		tw := w.textWidth(t)
		if t == " " && len(line) == 0 && len(lines) > 0 {
			continue // no line starts with the space it broke at
		}
		if lineW+tw <= avail()+1e-6 {
			line = append(line, t)
			lineW += tw
			continue
		}
		if t == " " {
			flush()
			continue
		}
		if tw > avail() { // a token wider than a line: break it by character
			parts := splitToken(w, t, avail()-lineW, avail())
			for j, p := range parts {
				if j > 0 {
					flush()
				}
				if p != "" {
					line = append(line, p)
				}
			}
			lineW = w.textWidth(parts[len(parts)-1])
			continue
		}
		// A closing mark may not start the next line: take the last hanzi down with it.
		// An opening mark may not end this one: it goes down too.
		var carry []string
		if strings.Contains(noLineStart, t) && len(line) > 1 {
			carry = append(carry, line[len(line)-1])
			line = line[:len(line)-1]
		}
		for len(line) > 1 && strings.Contains(noLineEnd, line[len(line)-1]) {
			carry = append([]string{line[len(line)-1]}, carry...)
			line = line[:len(line)-1]
		}
		flush()
		for _, c := range carry {
			line = append(line, c)
			lineW += w.textWidth(c)
		}
		i-- // t again, on the new line
	}
	if len(line) > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// tokens splits s into break units: a single hanzi or mark, a single space, or a run of
// anything else (Latin text, digits, URLs).
func tokens(s string) []string {
	var out []string
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == ' ' || !isRunRune(r) {
			out = append(out, s[:n])
			s = s[n:]
			continue
		}
		end := n
		for end < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[end:])
			if r2 == ' ' || !isRunRune(r2) {
				break
			}
			end += n2
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}

// isRunRune reports whether r belongs to an unbreakable run: printable ASCII other than
// the marks that may end a Latin phrase.
func isRunRune(r rune) bool {
	return r < utf8.RuneSelf && unicode.IsPrint(r) && !strings.ContainsRune(",;()", r)
}

// splitToken breaks an over-long token by character: the first part fits in first, the
// rest in full-width lines.
func splitToken(w *writer, t string, first, full float64) []string {
	var parts []string
	cur, curW, lim := "", 0.0, first
	for _, r := range t {
		rw := w.runeWidth(r)
		if curW+rw > lim+1e-6 && (cur != "" || lim < full) {
			parts = append(parts, cur)
			cur, curW, lim = "", 0, full
		}
		cur += string(r)
		curW += rw
	}
	return append(parts, cur)
}

// lineHeight is the leading for a size in pt, in mm.
func lineHeight(size float64) float64 { return size * ptToMM * 1.5 }

// ensure starts a new page unless h more millimetres fit above limit on this one.
func (w *writer) ensure(h, limit float64) {
	if w.err == nil && w.y+h > limit+1e-6 {
		w.newPage()
	}
}

func (w *writer) newPage() {
	if w.err != nil {
		return
	}
	w.pdf.AddPage()
	w.y = marginTop
	if w.pdf.GetNumberOfPages() > 1 && w.runningHead != nil {
		size := w.size
		w.runningHead()
		w.setFont(size)
		w.y = contTop
	}
	if w.tableHead != nil {
		w.tableHead()
	}
}

// cell draws one line of text in a box of width wd and height h at the cursor's y, aligned
// by align (gopdf.Left, gopdf.Center or gopdf.Right) and centred vertically. It draws each
// run of characters in its own face, all on one baseline.
func (w *writer) cell(x, wd, h float64, text string, align int) {
	if w.err != nil || text == "" {
		return
	}
	switch align {
	case gopdf.Center:
		x += (wd - w.textWidth(text)) / 2
	case gopdf.Right:
		x += wd - w.textWidth(text)
	}
	// Hanzi sit in an em box about 0.88 em above and 0.12 em below the baseline, and Latin
	// capitals about 0.72 em above it: 0.36 em below the box's middle centres both.
	baseline := w.y + h/2 + 0.36*w.size*ptToMM
	for len(text) > 0 && w.err == nil {
		r, _ := utf8.DecodeRuneInString(text)
		f := w.glyphFor(r).face
		end, segW := 0, 0.0
		for end < len(text) {
			r2, n2 := utf8.DecodeRuneInString(text[end:])
			if w.glyphFor(r2).face != f {
				break
			}
			segW += w.runeWidth(r2)
			end += n2
		}
		w.fail(w.pdf.SetFont(f.family, "", w.size))
		w.pdf.SetXY(x, baseline)
		w.fail(w.pdf.Text(text[:end]))
		x += segW
		text = text[end:]
	}
}

func (w *writer) glyphFor(r rune) glyph {
	w.runeWidth(r)
	return w.glyphs[r]
}

// para lays out a paragraph across the full text width, breaking pages between lines.
// indent is the first line's indent in ems (2 for body text, as Chinese documents do).
func (w *writer) para(text string, size float64, indentEm float64, align int) {
	w.setFont(size)
	lh := lineHeight(size)
	indent := indentEm * size * ptToMM
	for i, l := range w.wrap(text, contentW, indent) {
		w.ensure(lh, contentY2)
		x, wd := marginL, contentW
		if i == 0 {
			x, wd = marginL+indent, contentW-indent
		}
		w.cell(x, wd, lh, l, align)
		w.y += lh
	}
}

// column is one column of a table.
type column struct {
	title string
	width float64
	align int
}

const (
	tableSize = 10.5
	cellPadX  = 1.6
	cellPadY  = 1.4
)

// table draws a bordered table whose rows grow to fit their wrapped text. A row that does
// not fit on the rest of a page moves to the next one, and the header repeats there; only
// a row taller than a whole page is split.
func (w *writer) table(cols []column, rows [][]string) {
	if w.err != nil {
		return
	}
	w.setFont(tableSize)
	lh := lineHeight(tableSize) * 0.9
	drawRow := func(cells [][]string, from, n int, fill bool) {
		h := float64(n)*lh + 2*cellPadY
		x := marginL
		for i, c := range cols {
			style := "D"
			if fill {
				// Text colour is PDF's fill colour too, so the shade is set anew for each cell.
				w.pdf.SetFillColor(235, 235, 235)
				style = "FD"
			}
			w.pdf.RectFromUpperLeftWithStyle(x, w.y, c.width, h, style)
			for j := 0; j < n && from+j < len(cells[i]); j++ {
				saved := w.y
				w.y += cellPadY + float64(j)*lh
				w.cell(x+cellPadX, c.width-2*cellPadX, lh, cells[i][from+j], c.align)
				w.y = saved
			}
			x += c.width
		}
		w.y += h
	}
	wrapRow := func(row []string) ([][]string, int) {
		cells := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			cells[i] = w.wrap(row[i], c.width-2*cellPadX, 0)
			n = max(n, len(cells[i]))
		}
		return cells, n
	}
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.title
	}
	headCells, headN := wrapRow(head)
	w.tableHead = func() { drawRow(headCells, 0, headN, true) }
	defer func() { w.tableHead = nil }()

	w.pdf.SetStrokeColor(0, 0, 0)
	w.pdf.SetLineWidth(0.25)
	headH := float64(headN)*lh + 2*cellPadY
	firstCells, firstN := [][]string(nil), 0
	if len(rows) > 0 {
		firstCells, firstN = wrapRow(rows[0])
	}
	// The header never stands alone at the foot of a page.
	w.ensure(headH+float64(min(firstN, 3))*lh+2*cellPadY, contentY2)
	w.tableHead()
	for ri, row := range rows {
		cells, n := firstCells, firstN
		if ri > 0 {
			cells, n = wrapRow(row)
		}
		fullPage := int(math.Floor((contentY2 - contTop - headH - 2*cellPadY) / lh))
		if float64(n)*lh+2*cellPadY > contentY2-w.y && n <= fullPage {
			w.newPage()
		}
		for from := 0; from < n && w.err == nil; {
			fit := int(math.Floor((contentY2 - w.y - 2*cellPadY) / lh))
			if fit < 1 {
				w.newPage()
				continue
			}
			k := min(fit, n-from)
			drawRow(cells, from, k, false)
			from += k
		}
	}
}

// formatDate writes a date the way Chinese documents do: 2026年11月21日.
func formatDate(d workday.Date) string {
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}
