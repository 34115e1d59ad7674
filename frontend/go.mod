module github.com/yichuang/yichuang/frontend

go 1.26
