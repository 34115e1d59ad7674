package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
)

const workforceUsage = "usage: yichuang workforce level --post head|deputy|staff --hired YYYY-MM-DD [--education none|college|bachelor|master|doctor] [--certificate none|junior|intermediate|senior] [--as-of YYYY-MM-DD] [--unsatisfactory-years 2019,2021] [--explain]"

func workforceCmd(_ context.Context, args []string) error {
	if len(args) == 0 || args[0] != "level" {
		return errors.New(workforceUsage)
	}
	return workforceLevel(args[1:], os.Stdout)
}

// workforceLevel prints a community worker's level under the common rule (level.Default), so
// that a county can check a worker's 三岗十八级 level by hand without the database. The first
// line is the bare level, for scripts.
func workforceLevel(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("workforce level", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	postText := fs.String("post", "", "post: head (正职), deputy (副职) or staff (其他社区工作者)")
	hiredText := fs.String("hired", "", "hire date YYYY-MM-DD")
	eduText := fs.String("education", string(level.EducationNone), "highest education: none, college, bachelor, master or doctor")
	certText := fs.String("certificate", string(level.CertificateNone), "highest social-work certificate: none, junior, intermediate or senior")
	asOfText := fs.String("as-of", "", "date to compute the level on, YYYY-MM-DD (default today in China)")
	badText := fs.String("unsatisfactory-years", "", "years rated 不称职, comma separated, e.g. 2019,2021")
	explain := fs.Bool("explain", false, "show the arithmetic after the level")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return problem.Invalid(problem.Field{Location: fs.Arg(0), Message: "多余的参数：" + fs.Arg(0), MessageEn: "unexpected argument " + fs.Arg(0)})
	}
	f := level.Facts{Post: level.Post(*postText), Education: level.Education(*eduText), Certificate: level.Certificate(*certText)}
	if !f.Post.Valid() {
		return problem.Invalid(problem.Field{Location: "--post", Message: "岗位须为 head（正职）、deputy（副职）或 staff（其他社区工作者）",
			MessageEn: "--post must be head, deputy or staff"})
	}
	var err error
	if f.Hired, err = workday.ParseDate(*hiredText); err != nil {
		return problem.Invalid(problem.Field{Location: "--hired", Message: "入职日期须为 YYYY-MM-DD（1990–2100 年）",
			MessageEn: "--hired must be a date YYYY-MM-DD between 1990 and 2100"})
	}
	if !f.Education.Valid() {
		return problem.Invalid(problem.Field{Location: "--education", Message: "学历须为 none（高中及以下）、college（大专）、bachelor（本科）、master（硕士）或 doctor（博士）",
			MessageEn: "--education must be none, college, bachelor, master or doctor"})
	}
	if !f.Certificate.Valid() {
		return problem.Invalid(problem.Field{Location: "--certificate", Message: "社工证须为 none（无）、junior（初级）、intermediate（中级）或 senior（高级）",
			MessageEn: "--certificate must be none, junior, intermediate or senior"})
	}
	asOf := clock.Today(clock.System{})
	if *asOfText != "" {
		if asOf, err = workday.ParseDate(*asOfText); err != nil {
			return problem.Invalid(problem.Field{Location: "--as-of", Message: "核算日期须为 YYYY-MM-DD（1990–2100 年）",
				MessageEn: "--as-of must be a date YYYY-MM-DD between 1990 and 2100"})
		}
	}
	if asOf.Before(f.Hired) {
		return problem.Invalid(problem.Field{Location: "--as-of", Message: fmt.Sprintf("核算日期 %s 早于入职日期 %s", asOf, f.Hired),
			MessageEn: fmt.Sprintf("the as-of date %s is before the hire date %s", asOf, f.Hired)})
	}
	if f.Appraisals, err = unsatisfactoryYears(*badText, f.Hired.Year, asOf.Year); err != nil {
		return err
	}
	res, err := level.Default().Level(f, asOf)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, res.Level)
	if *explain {
		for _, line := range res.Explain(f, asOf) {
			fmt.Fprintln(w, line)
		}
	}
	return nil
}

// unsatisfactoryYears parses "2019,2021". A year outside [hire year, as-of year] is refused
// rather than ignored: it is almost always a typo, and ignoring it would print a level that
// silently disagrees with what the user typed.
func unsatisfactoryYears(s string, from, to int) (map[int]level.Appraisal, error) {
	if s == "" {
		return nil, nil
	}
	bad := func(zh, en string) error {
		return problem.Invalid(problem.Field{Location: "--unsatisfactory-years", Message: zh, MessageEn: en})
	}
	years := map[int]level.Appraisal{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		y := 0
		for _, c := range []byte(item) {
			if c < '0' || c > '9' {
				y = -1
				break
			}
			y = y*10 + int(c-'0')
		}
		switch {
		case len(item) != 4 || y < 0:
			return nil, bad(fmt.Sprintf("“%s”不是四位年份；请用逗号分隔，如 2019,2021", item),
				fmt.Sprintf("%q is not a 4-digit year; separate years with commas, e.g. 2019,2021", item))
		case y < from || y > to:
			return nil, bad(fmt.Sprintf("%d 年不在入职年份 %d 至核算年份 %d 之间", y, from, to),
				fmt.Sprintf("%d is outside the hire year %d to the as-of year %d", y, from, to))
		case years[y] != "":
			return nil, bad(fmt.Sprintf("%d 年重复填写", y), fmt.Sprintf("%d is given twice", y))
		}
		years[y] = level.Incompetent
	}
	return years, nil
}
