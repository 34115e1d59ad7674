module github.com/yichuang/yichuang/jobs

go 1.26
