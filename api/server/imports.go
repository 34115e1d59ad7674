package server

import (
	"strconv"

	"github.com/yichuang/yichuang/services/xlsxguard"
)

// importErrorsSummary is the message of an import refused for its rows; what names the
// records (事项, 人员). A report cut at xlsxguard.MaxRowErrors says so.
func importErrorsSummary(n int, what string) (zh, en string) {
	if n >= xlsxguard.MaxRowErrors {
		return "文件错误过多，以下为前 " + strconv.Itoa(n) + " 处，未导入任何" + what,
			"the file has too many errors; the first " + strconv.Itoa(n) + " are listed; nothing was imported"
	}
	return "文件有 " + strconv.Itoa(n) + " 处错误，未导入任何" + what, "the file has errors; nothing was imported"
}
