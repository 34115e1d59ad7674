# Yichuang — the two commands are `make run` and `make test`; the rest are their parts.
SHELL := /bin/bash
GO_PACKAGES := ./tenants/... ./services/... ./jobs/... ./api/... ./frontend/...

.PHONY: run test build frontend frontend-deps api-client bench tenant-predicates down clean

run: ## the whole product on http://127.0.0.1:8080 with demo data
	@bash infra/scripts/run.sh

test: ## every test against real PostgreSQL, Kratos, MinIO, River and Chromium
	@bash infra/scripts/test.sh

build: frontend ## bin/yichuang with the frontend embedded
	go build -o bin/yichuang ./api/cmd/yichuang

frontend-deps:
	@bash infra/scripts/frontend-deps.sh

frontend: frontend-deps
	cd frontend && npm run build

api-client: ## regenerate the frontend's typed client from the OpenAPI document
	go run ./api/cmd/yichuang openapi | python3 -c 'import json,sys; d=json.load(sys.stdin); f=open("frontend/src/api/openapi.json","w"); json.dump(d,f,indent=2,ensure_ascii=False); f.write("\n")'
	cd frontend && npm run gen:api

bench: ## benchmarks; ratios are against baselines measured in the same run
	@bash infra/scripts/bench.sh

tenant-predicates: ## after the Go suite on the test stack: list statements on tenant tables without a tenant_id predicate (Citus readiness; make test runs it last)
	go test -count=1 -tags statementaudit -run TestEveryStatementFiltersTenant -v ./tenants/migration/

down: ## stop a `make run` stack left running
	@bash infra/scripts/stack.sh down dev

clean:
	rm -rf bin .run frontend/dist/app
