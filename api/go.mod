module github.com/yichuang/yichuang/api

go 1.26
