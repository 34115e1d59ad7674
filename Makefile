# Yichuang — the two commands are `make run` and `make test`; the rest are their parts.
SHELL := /bin/bash
GO_PACKAGES := ./tenants/... ./services/... ./jobs/... ./api/... ./frontend/...

.PHONY: run test build frontend frontend-deps api-client bench bench-province tenant-predicates backup restore drill down clean
PROFILE ?= dev
TYPE ?= incr

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

bench-province: ## a province (YC_PROVINCE_APPS applications, default 10,000,000) by SQL in a throwaway database; every screen through HTTP at 1 and 8 clients
	@bash infra/scripts/bench-province.sh

tenant-predicates: ## after the Go suite on the test stack: list statements on tenant tables without a tenant_id predicate (Citus readiness; make test runs it last)
	go test -count=1 -tags statementaudit -run TestEveryStatementFiltersTenant -v ./tenants/migration/

backup: ## pgBackRest backup of the local cluster: incremental, or full when none exists (TYPE=full|incr|diff)
	@bash infra/scripts/backup.sh backup $(PROFILE) --type $(TYPE)

restore: ## restore the local cluster to TARGET='2026-12-05 16:30:00+08' (a point in time), or to the newest WAL without it
	@bash infra/scripts/backup.sh restore $(PROFILE) $(if $(TARGET),--target "$(TARGET)")

drill: ## backup drill on a throwaway stack: write, back up, destroy, restore to a point in time, check
	@bash infra/scripts/drill.sh

down: ## stop a `make run` stack left running
	@bash infra/scripts/stack.sh down dev

clean:
	rm -rf bin .run frontend/dist/app
