# The SDK's tasks. `make demo` and `make test` are the two set-up commands the
# README promises; .ci/run runs `make test` against a private daemon.

GO ?= go
export PATH := $(PATH):/usr/local/go/bin

.PHONY: e2e-matrix fuzz load all generate check-generated specs build vet fmt-check test unit test-short demo daemon-start daemon-stop bench fuzz clean

all: build

## specs: copy the pinned Engine API specs from github.com/moby/moby/api (see specs/SOURCE)
specs:
	scripts/fetch-specs.sh

## generate: regenerate every version package, the operation table, the contract calls and e2e tests
generate:
	$(GO) generate . ./e2e/...

## check-generated: fail when regenerating would change any file (the determinism gate)
check-generated:
	$(GO) run -C cmd/gen . -root ../.. -check
	@$(GO) generate ./e2e/... && git diff --exit-code -- e2e || { echo "e2e/*_gen_test.go are out of date: run 'make generate'"; exit 1; }

build:
	$(GO) build ./... ./examples/exec-tty/
	GOOS=windows $(GO) build ./dialer/ ./buildkit/ ./task/ .
	GOOS=darwin $(GO) build ./dialer/ ./buildkit/ ./task/ .

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./... ./gen/... ./cmd/gen/... ./examples/exec-tty/

## test: everything: format, vet, determinism, unit, golden, contract and end-to-end tests
## (scripts/test.sh starts the private daemon and registry, scripts/testdaemon.sh and scripts/registry.sh,
## unless DOCKER_TEST_HOST and DOCKER_TEST_REGISTRY name others, and passes them on to go test)
test: fmt-check vet check-generated build
	scripts/test.sh

## test-short: the tests that need no daemon (installs and starts nothing, whatever the environment names)
test-short:
	DOCKER_TEST_HOST= DOCKER_TEST_REGISTRY= DOCKERSDK_REQUIRE_DAEMON= $(GO) test -count=1 -short ./... ./gen/...

## demo: run the quickstart against $$DOCKER_HOST or the default socket, or a private daemon when none answers
demo:
	scripts/demo.sh

## e2e-matrix: the end-to-end suite against dockerd 20.10, Docker 29, Docker 28 and Podman 4.3, each private,
## one line per daemon (Docker 28 and 29 are built from the Go module proxy on first use, then cached)
e2e-matrix:
	scripts/e2e-matrix.sh

daemon-start:
	scripts/testdaemon.sh start

daemon-stop:
	scripts/testdaemon.sh stop

## fuzz: every fuzz target for FUZZTIME (default 10m) each, two at a time
fuzz:
	scripts/fuzz.sh

## load: 64 goroutines x 30 s of mixed calls against $$DOCKER_TEST_HOST, or the private test daemon (started);
## zero errors, no fd or goroutine growth
load:
	@set -e; \
	if [ -z "$${DOCKER_TEST_HOST:-}" ]; then started=$$(scripts/testdaemon.sh start); DOCKER_TEST_HOST=$$(echo "$$started" | tail -n 1); fi; \
	echo "load: daemon $$DOCKER_TEST_HOST"; \
	DOCKERSDK_LOAD=1 DOCKERSDK_REQUIRE_DAEMON=1 DOCKER_TEST_HOST=$$DOCKER_TEST_HOST $(GO) test -count=1 -v -run TestLoad ./internal/loadtest/

## bench: the benchmarks beside the official client (their own module in bench/; see docs/benchmarks.md).
## Uses $$DOCKER_HOST, or starts the private test daemon; seeds busybox:latest. About 5 minutes on 2 CPUs.
## BENCH_FLAGS go to bench/cmd/compare, e.g. BENCH_FLAGS='-logs-mib 64 -attach-mib 32 -conc-time 3s' for a quick run.
BENCH_FLAGS ?=
BENCH_OUT ?= bench/results-raw
bench:
	@set -e; \
	if [ -z "$${DOCKER_HOST:-}" ]; then started=$$(scripts/testdaemon.sh start); DOCKER_HOST=$$(echo "$$started" | tail -n 1); fi; \
	export DOCKER_HOST; echo "bench: daemon $$DOCKER_HOST"; \
	$(GO) run ./internal/cmd/seedimage; \
	mkdir -p $(BENCH_OUT); out=$$(cd $(BENCH_OUT) && pwd); \
	cd bench; \
	echo "bench: go test -bench (typed calls 300x each, stub stream 300 x 8 MiB)"; \
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 300x -stub-mib 8 -count 1 . >$$out/gotest-bench.txt 2>&1 \
		|| { cat $$out/gotest-bench.txt; exit 1; }; \
	cat $$out/gotest-bench.txt; \
	$(GO) run ./cmd/compare -out $$out/compare.md $(BENCH_FLAGS)

clean:
	rm -rf bin
