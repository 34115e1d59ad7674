package server

import (
	"mime"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
)

// This file holds what several resources' operations share: dates and months in paths and
// queries, the id path, versions (If-Match / ETag), and Excel files in and out.

const xlsxMIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func parseDate(loc, v string) (workday.Date, error) {
	d, err := workday.ParseDate(v)
	if err != nil {
		return d, problem.Invalid(problem.Field{Location: loc, Message: "日期格式须为 YYYY-MM-DD，且在 1990–2100 年之间", MessageEn: "date must be YYYY-MM-DD between 1990 and 2100", Value: v})
	}
	return d, nil
}

// dateText is "" for a date not set yet.
func dateText(d workday.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func optDate(loc, v string) (workday.Date, error) {
	if v == "" {
		return workday.Date{}, nil
	}
	return parseDate(loc, v)
}

type idPath struct {
	ID uuid.UUID `path:"id"`
}

func parseMonth(loc, v string) (pay.Month, error) {
	m, err := pay.ParseMonth(v)
	if err != nil {
		return m, problem.Invalid(problem.Field{Location: loc, Message: "月份格式须为 YYYY-MM", MessageEn: "month must be YYYY-MM", Value: v})
	}
	return m, nil
}

type fileOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

type importIn struct {
	RawBody []byte `contentType:"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" maxLength:"10485760"`
}

// ifMatch reads a version from an If-Match header ("3" or "\"3\"").
func ifMatch(v string) (int, error) {
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(strings.TrimSpace(v), "W/"), `"`))
	if err != nil || n < 1 {
		return 0, problem.Invalid(problem.Field{Location: "header.If-Match", Message: "If-Match 须为最近读取的版本号", MessageEn: "If-Match must be the version last read", Value: v})
	}
	return n, nil
}

func etag(v int) string { return `"` + strconv.Itoa(v) + `"` }

// inline is a Content-Disposition that shows the file in the browser under its Chinese name,
// in RFC 6266's filename* form, which every current browser reads as the tab's title source
// and the name a save offers.
func inline(name string) string {
	return "inline; filename*=UTF-8''" + url.PathEscape(name)
}

// attachment is a Content-Disposition naming a Chinese file name (RFC 2231 encoding).
func attachment(name string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": name})
}
