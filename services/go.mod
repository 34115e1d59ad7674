module github.com/yichuang/yichuang/services

go 1.26
