package workday

import (
	"time"

	"github.com/6tail/lunar-go/calendar"
)

// StatutoryFrom is the first year of the 全国年节及纪念日放假办法 as amended by the State
// Council on 2024-11-10 (国务院令第795号, in force 2025-01-01), whose fixed days Statutory
// gives. Earlier years are not filled in: every year from 2002 through the newest one
// lunar-go carries is known, and nobody counts a limit in the 1990s.
const StatutoryFrom = 2025

// Statutory returns the days off that the 全国年节及纪念日放假办法 (art. 2) fixes for every
// citizen in year y, as the Blocks a county admin would enter:
//
//	元旦 1 January · 春节 除夕 through 正月初三 (4 days) · 清明 the day of the solar term ·
//	劳动节 1–2 May · 端午 the 5th of the 5th lunar month · 中秋 the 15th of the 8th lunar
//	month · 国庆节 1–3 October
//
// The lunar dates come from lunar-go's calendar. These are what the law fixes before the
// State Council's yearly notice arranges the year: the notice adds the days moved around
// them (调休) and the days given back for a holiday on a weekend (art. 6, 补假), so a year
// filled in from here alone is provisional (Calendar.Known reports false for it).
func Statutory(y int) []Block {
	lunar := func(m, d int) Date {
		s := calendar.NewLunarFromYmd(y, m, d).GetSolar()
		return Date{s.GetYear(), time.Month(s.GetMonth()), s.GetDay()}
	}
	newYear := lunar(1, 1)
	qm := calendar.NewLunarFromYmd(y, 1, 1).GetJieQiTable()["清明"]
	qingming := Date{qm.GetYear(), time.Month(qm.GetMonth()), qm.GetDay()}
	return []Block{
		{Name: "元旦", From: Date{y, 1, 1}, To: Date{y, 1, 1}},
		{Name: "春节", From: newYear.AddDays(-1), To: newYear.AddDays(2)},
		{Name: "清明节", From: qingming, To: qingming},
		{Name: "劳动节", From: Date{y, 5, 1}, To: Date{y, 5, 2}},
		{Name: "端午节", From: lunar(5, 5), To: lunar(5, 5)},
		{Name: "中秋节", From: lunar(8, 15), To: lunar(8, 15)},
		{Name: "国庆节", From: Date{y, 10, 1}, To: Date{y, 10, 3}},
	}
}

// statutoryMarks are Statutory(y) as the marks of an unknown year.
func statutoryMarks(y int) []mark {
	var ms []mark
	for _, b := range Statutory(y) {
		for d := b.From; !d.After(b.To); d = d.AddDays(1) {
			if d.Year == y {
				ms = append(ms, mark{d.yday(), Holiday, b.Name})
			}
		}
	}
	return ms
}
