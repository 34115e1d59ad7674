package level_test

import (
	"fmt"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/workday"
)

// A head with a bachelor's degree and the intermediate certificate, two years rated 不称职.
func ExampleRule_Level() {
	f := level.Facts{
		Post:        level.Head,
		Hired:       workday.Date{Year: 2015, Month: 3, Day: 1},
		Education:   level.EducationBachelor,
		Certificate: level.CertificateIntermediate,
		Appraisals:  map[int]level.Appraisal{2019: level.Incompetent, 2020: level.Basic, 2021: level.Incompetent},
	}
	res, err := level.Default().Level(f, workday.Date{Year: 2026, Month: 11, Day: 21})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Level, res.ServiceYears, res.BlockedYears, res.CountedYears, res.Steps, res.Capped)
	// Output: 13 11 [2019 2021] 9 4 false
}

func ExampleResult_Explain() {
	f := level.Facts{
		Post:        level.Head,
		Hired:       workday.Date{Year: 2015, Month: 3, Day: 1},
		Education:   level.EducationBachelor,
		Certificate: level.CertificateIntermediate,
		Appraisals:  map[int]level.Appraisal{2019: level.Incompetent, 2021: level.Incompetent},
	}
	asOf := workday.Date{Year: 2026, Month: 11, Day: 21}
	res, _ := level.Default().Level(f, asOf)
	for _, line := range res.Explain(f, asOf) {
		fmt.Println(line)
	}
	// Output:
	// 岗位 正职：等级范围 7–18
	// 入职 2015-03-01，至 2026-11-21 满 11 年（工作年限）
	// 不计年限的考核年度 2019、2021：−2 年 → 计入 9 年（计入年限）
	// 学历 本科：+3 年 → 12 年（学历折算年限）
	// 每 3 年一级：⌊12 ÷ 3⌋ = 4 级（晋级级数）
	// 社工证 中级（社会工作师）：+2 级（持证加级）
	// 等级 = 7 + 4 + 2 = 13，不超过岗位上限 18 → 13 级
}

// A 29 February hire completes its years on 28 February in common years (民法典 art. 202).
func ExampleFullYears() {
	hired := workday.Date{Year: 2016, Month: 2, Day: 29}
	for _, d := range []workday.Date{{Year: 2017, Month: 2, Day: 28}, {Year: 2017, Month: 3, Day: 1}, {Year: 2020, Month: 2, Day: 29}} {
		fmt.Println(d, level.FullYears(hired, d))
	}
	// Output:
	// 2017-02-28 1
	// 2017-03-01 1
	// 2020-02-29 4
}

// After a post change the level stays if the new range holds it, else it moves to the nearest bound.
func ExampleRule_Remap() {
	r := level.Default()
	for _, c := range []struct {
		level int
		to    level.Post
	}{{15, level.Staff}, {2, level.Head}, {9, level.Deputy}} {
		l, _ := r.Remap(c.level, c.to)
		fmt.Printf("%d → %s: %d\n", c.level, c.to, l)
	}
	// Output:
	// 15 → staff: 12
	// 2 → head: 7
	// 9 → deputy: 9
}
